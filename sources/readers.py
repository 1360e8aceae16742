"""Read a landing file (CSV or XLSX) into an all-text frame with canonical column names."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice, zip_longest
from pathlib import Path
from types import NoneType

import polars as pl

from sources.contracts import Contract
from sources.profiles import Profile

ROW_NUMBER = "_row_number"
_LINE_END = re.compile(r"\r\n?|\n")


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


def _decode(path: Path, encodings: tuple[str, ...]) -> tuple[str, bytes]:
    """The file's text, and the same text as UTF-8 bytes for the CSV parser (the file's own bytes when it is
    UTF-8 already: no second copy of a 400 MB export)."""
    data = path.read_bytes()
    if not data or data.isspace():
        raise RejectedFile(f"{path.name}: file is empty")
    for encoding in encodings:
        codec = _codec(encoding)
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            error = exc
            continue
        if "\x00" in text:
            raise RejectedFile(f"{path.name}: binary content, not a text file")
        if "\n" not in text and "\r" in text:
            # Classic Mac line ends (CR only, as "CSV (Macintosh)" writes them): the same rows with LF.
            text = text.replace("\r", "\n")
            return text, text.encode("utf-8")
        if codec == "utf-8-sig":
            return text, data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        return text, text.encode("utf-8")
    raise RejectedFile(f"{path.name}: not readable as {' or '.join(encodings)} (byte {error.start})")


def _csv_header(text: str, delimiter: str, name: str) -> list[str]:
    # The first line, whatever the line ends (LF, CRLF, or CR alone).
    first_line = _LINE_END.split(text, maxsplit=1)[0]
    try:
        return next(csv.reader([first_line], delimiter=delimiter))
    except csv.Error as exc:
        raise RejectedFile(f"{name}: header not readable as CSV ({exc})") from exc


@lru_cache(maxsize=2)
def _calamine_sheet(path: str, stamp: tuple[int, int], sheet: str | None) -> list[list] | None:
    """Every row of the sheet from A1 as calamine gives them ("" for an empty cell), or None whenever the answer
    is not a plain one (unreadable workbook, missing sheet), so that openpyxl's path gives the rejection.

    Cached because calamine parses the whole sheet even for the header that chooses the profile: the file is then
    parsed once, not twice (figures in BENCHMARKS.md). `stamp` (mtime, size) keys a changed file
    anew; read_file empties the cache once it has the frame."""
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(path)
        if sheet and sheet not in wb.sheet_names:
            return None
        ws = wb.get_sheet_by_name(sheet) if sheet else wb.get_sheet_by_index(0)
        # skip_empty_area=False: rows and columns count from A1, as the row numbers in quarantine do.
        return ws.to_python(skip_empty_area=False)
    except Exception:  # noqa: BLE001 (any trouble: the openpyxl path decides)
        return None


def _calamine_rows(path: Path, profile: Profile, limit: int | None) -> list | None:
    """The sheet's rows from row 1 and column A, read by calamine (Rust, ten times faster than openpyxl)."""
    stat = path.stat()
    rows = _calamine_sheet(str(path), (stat.st_mtime_ns, stat.st_size), profile.sheet)
    if rows is None or len(rows) < profile.header_row:
        return None
    return rows if limit is None else rows[:limit]


def _xlsx_rows(path: Path, profile: Profile, limit: int | None = None) -> tuple[list[str], list, int]:
    """Header, the rows below it and the header's row number; with `limit`, only the sheet's first rows."""
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
        # read_only parses the sheet's XML only here, row by row: a malformed sheet raises now, not at opening.
        return list(islice(ws.iter_rows(values_only=True), limit))
    except RejectedFile:
        raise
    except Exception as exc:  # noqa: BLE001 (XML, zip and value errors of a broken sheet alike)
        raise RejectedFile(f"{path.name}: not a readable XLSX workbook ({type(exc).__name__} in the sheet)") from exc
    finally:
        wb.close()


def _cell_text(value: object, decimal: str = ".") -> str | None:
    """A cell as the text a CSV of the same profile would hold (numbers with the profile's decimal mark)."""
    if value is None or value == "":
        return None
    if hasattr(value, "date") and hasattr(value, "hour"):  # datetime from a date-formatted cell
        return value.date().isoformat() if value.hour == value.minute == 0 else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value).replace(".", decimal)
    return str(value)


def _column_text(values: tuple, decimal: str) -> pl.Series:
    """One sheet column as _cell_text gives it, cell by cell only where a column holds more than text and numbers:
    a large survey column of numbers is formatted by polars, not cell by cell (BENCHMARKS.md)."""
    kinds = set(map(type, values))
    if kinds <= {str, NoneType}:
        return pl.Series(values, dtype=pl.Utf8).replace("", None)
    if not kinds <= {float, str, NoneType}:
        return pl.Series([_cell_text(v, decimal) for v in values], dtype=pl.Utf8)
    numbers = pl.Series([v if type(v) is float else None for v in values], dtype=pl.Float64)
    texts = pl.Series([v if type(v) is str and v else None for v in values], dtype=pl.Utf8)
    whole = numbers.cast(pl.Int64, strict=False)
    is_whole = (numbers == numbers.floor()) & whole.is_not_null()
    # polars writes floats as repr() does, except below 1e-4 (0.00001 for 1e-05) and far above 1e15.
    plain = numbers.abs().is_between(1e-4, 1e15)
    formatted = (
        pl.select(
            pl.when(is_whole)
            .then(whole.cast(pl.Utf8))
            .when(plain)
            .then(numbers.cast(pl.Utf8).str.replace(".", decimal, literal=True))
        )
        .to_series()
        .fill_null(texts)
    )
    odd = (numbers.is_not_null() & ~is_whole & ~plain).arg_true()
    if len(odd):
        formatted = formatted.scatter(odd, [_cell_text(values[i], decimal) for i in odd.to_list()])
    return formatted


def read_header(path: Path, profile: Profile) -> list[str]:
    if path.suffix.lower() == ".xlsx":
        # calamine parses the whole sheet even for the header: read_file takes it from the cache afterwards.
        return _xlsx_rows(path, profile, limit=profile.header_row)[0]
    # Only the header line decides the profile; the whole file is decoded strictly when it is read.
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if not head.strip():
        raise RejectedFile(f"{path.name}: file is empty")
    first_line = re.split(rb"[\r\n]", head, maxsplit=1)[0]  # CR alone ends a line too
    for encoding in profile.encodings:
        try:
            return _csv_header(first_line.decode(_codec(encoding)), profile.delimiter, path.name)
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
        _calamine_sheet.cache_clear()  # the frame below is all that is needed of the sheet from here on
        width = len(header)
        columns = list(zip_longest(*rows))[:width] if rows else []
        columns += [(None,) * len(rows)] * (width - len(columns))
        frame = pl.DataFrame(
            [_column_text(values, profile.decimal).alias(str(i)) for i, values in enumerate(columns)],
            schema={str(i): pl.Utf8 for i in range(width)},
        )
        del rows, columns
        frame = frame.with_row_index(ROW_NUMBER, offset=header_row + 1)
        # Trailing blank rows are a survey tool's habit, not data.
        frame = frame.filter(~pl.all_horizontal(pl.exclude(ROW_NUMBER).is_null()))
    elif suffix == ".csv":
        text, utf8 = _decode(path, profile.encodings)
        header = _csv_header(text, profile.delimiter, path.name)
        del text
        width = len(header)
        try:
            frame = pl.read_csv(
                utf8,
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
