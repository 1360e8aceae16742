"""Read a landing file (CSV or XLSX) into an all-text frame with canonical column names."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import polars as pl

from sources.contracts import Contract
from sources.profiles import Profile

ROW_NUMBER = "_row_number"


class RejectedFile(ValueError):
    """The whole file cannot be loaded; the message is the one-line reason for the ledger."""


@dataclass(frozen=True)
class ReadResult:
    frame: pl.DataFrame  # canonical field names, all Utf8, plus _row_number (line/row in the file)
    profile: Profile
    extra_columns: tuple[str, ...]  # export columns the profile does not map: ignored and reported


def _codec(encoding: str) -> str:
    # utf-8-sig reads UTF-8 with or without a byte-order mark.
    return "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding


def _decode(path: Path, encodings: tuple[str, ...]) -> str:
    data = path.read_bytes()
    if not data.strip():
        raise RejectedFile(f"{path.name}: file is empty")
    for encoding in encodings:
        try:
            text = data.decode(_codec(encoding))
        except UnicodeDecodeError as exc:
            error = exc
            continue
        if "\x00" in text:
            raise RejectedFile(f"{path.name}: binary content, not a text file")
        return text
    raise RejectedFile(f"{path.name}: not readable as {' or '.join(encodings)} (byte {error.start})")


def _csv_header(text: str, delimiter: str) -> list[str]:
    first_line = text.split("\n", 1)[0].rstrip("\r")
    return next(csv.reader([first_line], delimiter=delimiter))


def _calamine_rows(path: Path, profile: Profile, limit: int | None) -> list[tuple] | None:
    """The sheet's rows from row 1 and column A as openpyxl gives them (None for an empty cell), read by calamine
    (Rust, ten times faster than openpyxl at survey-export sizes). None whenever the answer is not a plain one —
    unreadable workbook, missing sheet, no header row — so that openpyxl's path gives the same rejection as ever."""
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        if profile.sheet:
            if profile.sheet not in wb.sheet_names:
                return None
            sheet = wb.get_sheet_by_name(profile.sheet)
        else:
            sheet = wb.get_sheet_by_index(0)
        # skip_empty_area=False: rows and columns count from A1, as the row numbers in quarantine do.
        rows = sheet.to_python(skip_empty_area=False, nrows=limit)
    except Exception:  # noqa: BLE001 (any trouble: the openpyxl path decides)
        return None
    if len(rows) < profile.header_row:
        return None
    return [tuple(None if v == "" else v for v in row) for row in rows]


def _xlsx_rows(path: Path, profile: Profile, limit: int | None = None) -> tuple[list[str], list[tuple], int]:
    """Header, the rows below it and the header's row number; with `limit`, only the sheet's first rows are read."""
    rows = _calamine_rows(path, profile, limit)
    if rows is None:
        rows = _openpyxl_rows(path, profile, limit)
    if len(rows) < profile.header_row:
        raise RejectedFile(f"{path.name}: sheet has no header row {profile.header_row}")
    header = ["" if v is None else str(v) for v in rows[profile.header_row - 1]]
    return header, rows[profile.header_row :], profile.header_row


def _openpyxl_rows(path: Path, profile: Profile, limit: int | None) -> list[tuple]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a broken workbook
        raise RejectedFile(f"{path.name}: not a readable XLSX workbook ({type(exc).__name__})") from exc
    try:
        if profile.sheet and profile.sheet not in wb.sheetnames:
            raise RejectedFile(f"{path.name}: sheet '{profile.sheet}' not found (has {', '.join(wb.sheetnames)})")
        ws = wb[profile.sheet] if profile.sheet else wb.worksheets[0]
        return list(islice(ws.iter_rows(values_only=True), limit))
    finally:
        wb.close()


def _cell_text(value: object, decimal: str = ".") -> str | None:
    """A cell as the text a CSV of the same profile would hold (numbers with the profile's decimal mark)."""
    if value is None:
        return None
    if hasattr(value, "date") and hasattr(value, "hour"):  # datetime from a date-formatted cell
        return value.date().isoformat() if value.hour == value.minute == 0 else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value).replace(".", decimal)
    return str(value)


def read_header(path: Path, profile: Profile) -> list[str]:
    if path.suffix.lower() == ".xlsx":
        # The header row is all a profile needs: do not parse the rest of the sheet.
        return _xlsx_rows(path, profile, limit=profile.header_row)[0]
    # Only the header line decides the profile; the whole file is decoded strictly when it is read.
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if not head.strip():
        raise RejectedFile(f"{path.name}: file is empty")
    for encoding in profile.encodings:
        try:
            return _csv_header(head.split(b"\n", 1)[0].decode(_codec(encoding)), profile.delimiter)
        except UnicodeDecodeError:
            continue
    raise RejectedFile(f"{path.name}: header not readable as {' or '.join(profile.encodings)}")


def choose_profile(path: Path, contract: Contract, profiles: list[Profile]) -> Profile:
    """The first profile whose mapping covers every required field of the source."""
    best: tuple[Profile, list[str]] | None = None
    read_errors: list[str] = []
    for profile in profiles:
        try:
            header = read_header(path, profile)
        except RejectedFile as exc:
            # A profile that names its sheet explicitly and misses it says more than a column mismatch.
            read_errors.insert(0 if profile.sheet else len(read_errors), str(exc))
            continue
        mapped = {profile.canonical_name(h) for h in header}
        missing = [f for f in contract.required_fields if f not in mapped]
        if not missing:
            return profile
        if best is None or len(missing) < len(best[1]):
            best = (profile, missing)
    named_sheet_missing = any(p.sheet for p in profiles) and read_errors and "sheet" in read_errors[0]
    if best is None or named_sheet_missing:
        raise RejectedFile(read_errors[0] if read_errors else f"{path.name}: no profile for source {contract.source}")
    profile, missing = best
    raise RejectedFile(
        f"{path.name}: missing required column(s) {', '.join(missing)} (closest profile: {profile.name})"
    )


def read_file(path: Path, contract: Contract, profile: Profile) -> ReadResult:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        header, rows, header_row = _xlsx_rows(path, profile)
        width = len(header)
        data = {str(i): [_cell_text(r[i], profile.decimal) if i < len(r) else None for r in rows] for i in range(width)}
        frame = pl.DataFrame(data, schema={str(i): pl.Utf8 for i in range(width)})
        frame = frame.with_row_index(ROW_NUMBER, offset=header_row + 1)
        # Trailing blank rows are a survey tool's habit, not data.
        frame = frame.filter(~pl.all_horizontal(pl.exclude(ROW_NUMBER).is_null()))
    elif suffix == ".csv":
        text = _decode(path, profile.encodings)
        header = _csv_header(text, profile.delimiter)
        width = len(header)
        try:
            frame = pl.read_csv(
                text.encode("utf-8"),
                separator=profile.delimiter,
                has_header=True,
                new_columns=[str(i) for i in range(width)],
                infer_schema=False,
                truncate_ragged_lines=False,
            )
        except pl.exceptions.PolarsError as exc:
            raise RejectedFile(f"{path.name}: malformed CSV ({str(exc).splitlines()[0][:120]})") from exc
        frame = frame.with_row_index(ROW_NUMBER, offset=2)
    else:
        raise RejectedFile(f"{path.name}: not a CSV or XLSX file")

    canonical = [profile.canonical_name(h) for h in header]
    wanted = set(contract.field_names)
    keep = {str(i): name for i, name in enumerate(canonical) if name in wanted}
    extra = tuple(h for h, name in zip(header, canonical, strict=True) if name not in wanted)
    if len(set(keep.values())) != len(keep):
        raise RejectedFile(f"{path.name}: a canonical field appears in more than one column")
    frame = frame.select(ROW_NUMBER, *[pl.col(i).alias(n) for i, n in keep.items()])
    # Optional fields the export leaves out are null, not a reason to reject the file.
    frame = frame.with_columns(
        [pl.lit(None, dtype=pl.Utf8).alias(f) for f in contract.field_names if f not in frame.columns]
    )
    frame = frame.with_columns(pl.col(contract.field_names).str.strip_chars())
    frame = frame.with_columns(
        [pl.when(pl.col(f) == "").then(None).otherwise(pl.col(f)).alias(f) for f in contract.field_names]
    )
    if frame.height == 0:
        raise RejectedFile(f"{path.name}: header only, no data rows")
    return ReadResult(frame=frame.select(ROW_NUMBER, *contract.field_names), profile=profile, extra_columns=extra)
