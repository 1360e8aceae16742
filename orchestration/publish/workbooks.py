"""XLSX workbooks that give the same bytes for the same content (docs/reports.md).

Used for every published `reports` table (`<published_dir>/csv/<table>.xlsx`, beside the CSV: Swedish and Danish
Excel open a comma-separated file as one column) and for the workbook of a rendered report. Numbers stay numbers
with a number format, dates are dates; the document properties carry a fixed date and the zip entries a fixed
timestamp, so the file depends only on its content.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

FIXED_TIME = datetime(2000, 1, 1)  # the properties' date when the caller gives none
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MONEY_FORMAT = "#,##0"
SHARE_FORMAT = "0%"
DECIMAL_FORMAT = "#,##0.0#"
DATE_FORMAT = "yyyy-mm-dd"


@dataclass
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    number_formats: dict[int, str] = field(default_factory=dict)  # column index -> Excel number format
    widths: dict[int, float] = field(default_factory=dict)


def column_format(name: str) -> str | None:
    """The number format of a published column, by its name (money, shares, counts)."""
    if name.endswith("_sek") or name.startswith("cost_per_"):
        return MONEY_FORMAT
    if re.search(r"(share|rate|coverage)(_ci_low|_ci_high)?$", name) or name in ("ci_low", "ci_high"):
        return SHARE_FORMAT
    return None


def _cell_value(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_workbook(target: Path | io.BytesIO, sheets: Sequence[Sheet], *, created: datetime | None = None) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    stamp = created or FIXED_TIME
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    workbook.properties.creator = "followup"
    bold = Font(bold=True)
    for sheet in sheets:
        ws = workbook.create_sheet(title=sheet.title[:31])
        ws.freeze_panes = "A2"
        header = list(sheet.header)
        for i, name in enumerate(header):
            letter = _letter(i)
            ws.column_dimensions[letter].width = sheet.widths.get(i, min(max(len(str(name)) + 2, 10), 60))
        head_cells = []
        for name in header:
            cell = WriteOnlyCell(ws, value=name)
            cell.font = bold
            head_cells.append(cell)
        ws.append(head_cells)
        for row in sheet.rows:
            cells = []
            for i, value in enumerate(row):
                cell = WriteOnlyCell(ws, value=_cell_value(value))
                if cell.data_type == "f":
                    # Text starting with "=" is data, never a formula to run (a label from an export file).
                    cell.data_type = "s"
                if isinstance(value, date) and not isinstance(value, datetime):
                    cell.number_format = DATE_FORMAT
                elif i in sheet.number_formats and isinstance(value, int | float | Decimal):
                    cell.number_format = sheet.number_formats[i]
                cells.append(cell)
            ws.append(cells)
    raw = io.BytesIO()
    workbook.save(raw)
    data = _normalised_zip(raw.getvalue(), stamp)
    if isinstance(target, io.BytesIO):
        target.write(data)
    else:
        Path(target).write_bytes(data)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _normalised_zip(data: bytes, stamp: datetime) -> bytes:
    """The same entries in the same order, every one with a fixed timestamp and fixed attributes; the document's
    modification date (openpyxl writes the time of saving) set to its creation date."""
    modified = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + modified.encode() + rb"\g<2>",
                    content,
                )
            dst.writestr(fixed, content)
    return out.getvalue()


def write_query_workbook(con: duckdb.DuckDBPyConnection, query: str, path: Path, sheet_title: str) -> Path:
    """One sheet: the query's columns as the header, its rows as numbers, dates and text."""
    cursor = con.execute(query)
    header = [d[0] for d in cursor.description]
    formats = {i: f for i, name in enumerate(header) if (f := column_format(name))}
    write_workbook(path, [Sheet(sheet_title, header, cursor.fetchall(), formats)])
    return path
