"""Writing a source's export in a column profile (canonical, or e.g. sv-export): CSV files and XLSX workbooks.

The inverse of sources.readers + sources.profiles: canonical names -> export headers, codes -> labels, `.` -> the
profile's decimal separator, booleans -> the profile's first true/false value.
"""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import polars as pl

from demo_municipality.columns import EXPORT_DATE
from sources.contracts import Contract, load_contract
from sources.profiles import BUNDLED_DIR, Profile, load_profile


class Writer:
    """Writes each source's export in one column profile under out/<source>/<source>_<export date>.<ext>."""

    def __init__(self, out: Path, profile: str, exported_on: date = EXPORT_DATE):
        self.out = out
        self.profile = profile
        self.exported_on = exported_on
        self.rows: dict[str, int] = {}  # rows written per source

    def _export(self, source: str, frame: pl.DataFrame) -> tuple[pl.DataFrame, Profile, Path]:
        contract = load_contract(source)
        profile = bundled_profile(self.profile, source)
        folder = self.out / source
        folder.mkdir(parents=True, exist_ok=True)
        return to_profile(frame.cast(pl.Utf8), contract, profile), profile, folder

    def csv(self, source: str, frame: pl.DataFrame) -> None:
        export, profile, folder = self._export(source, frame)
        write_csv(export, folder / f"{source}_{self.exported_on.isoformat()}.csv", profile)
        self.rows[source] = frame.height

    def xlsx(self, source: str, frame: pl.DataFrame) -> None:
        export, profile, folder = self._export(source, frame)
        title = f"{source} – Demoby kommun, export {self.exported_on}"
        path = folder / f"{source}_{self.exported_on.isoformat()}.xlsx"
        write_xlsx(_numeric(frame, export), path, source, title, profile.header_row, self.exported_on)
        self.rows[source] = frame.height


def bundled_profile(name: str, source: str) -> Profile:
    if name == "canonical":
        return load_profile(BUNDLED_DIR / "canonical.yml")
    return load_profile(BUNDLED_DIR / name / f"{source}.yml")


def _inverse(mapping: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for label, canonical in mapping.items():
        out.setdefault(canonical, label)  # the first label listed is the one an export writes
    return out


def to_profile(frame: pl.DataFrame, contract: Contract, profile: Profile) -> pl.DataFrame:
    """All-text canonical frame -> the export's headers and labels."""
    types = {f.name: f.type for f in contract.fields}
    exprs = []
    for name in frame.columns:
        col = pl.col(name).cast(pl.Utf8)
        kind = types.get(name)
        if kind == "dec" and profile.decimal != ".":
            col = col.str.replace(".", profile.decimal, literal=True)
        elif kind == "bool":
            col = (
                pl.when(col == "true")
                .then(pl.lit(profile.true_values[0]))
                .when(col == "false")
                .then(pl.lit(profile.false_values[0]))
                .otherwise(None)
            )
        elif name in profile.values:
            col = col.replace(_inverse(profile.values[name]))
        exprs.append(col.alias(_inverse(profile.columns).get(name, name)))
    return frame.select(exprs)


def write_csv(frame: pl.DataFrame, path: Path, profile: Profile) -> None:
    text = frame.write_csv(separator=profile.delimiter, null_value="")
    # Characters the encoding lacks would be a bug in the demo, not something to hide: errors="strict".
    encoding = profile.encodings[-1] if len(profile.encodings) > 1 else profile.encodings[0]
    path.write_bytes(text.encode(encoding))


def _numeric(original: pl.DataFrame, export: pl.DataFrame) -> pl.DataFrame:
    """Keep the generator's numeric columns numeric in the sheet (a survey tool writes numbers, not text)."""
    return export.with_columns(
        original[c].alias(export.columns[i]) for i, c in enumerate(original.columns) if original.schema[c].is_numeric()
    )


# The workbook is written here rather than by xlsxwriter (polars' write_excel) or openpyxl's write-only mode:
# both go through Python once per cell, which made generation several times slower (BENCHMARKS.md), while a
# one-sheet workbook of plain values needs only the parts below.
# Readers see the same cells either way: strings, numbers, nothing where a value is null.
_XLSX_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_XLSX_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XLSX_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_XLSX_PARTS = {
    "[Content_Types].xml": f'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_XLSX_MIME}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_XLSX_MIME}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_XLSX_MIME}.styles+xml"/></Types>',
    "_rels/.rels": f'<Relationships xmlns="{_XLSX_PKG}"><Relationship Id="rId1" '
    f'Type="{_XLSX_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_XLSX_PKG}">'
    f'<Relationship Id="rId1" Type="{_XLSX_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_XLSX_REL}/styles" Target="styles.xml"/></Relationships>',
    "xl/styles.xml": f'<styleSheet xmlns="{_XLSX_NS}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/>'
    '<bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
    'borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
    'xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>",
}
_XLSX_CHUNK = 50_000


def _column_letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _xml_text(expr: pl.Expr) -> pl.Expr:
    return (
        expr.str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )


def _inline(ref: str, text: str) -> str:
    value = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def write_xlsx(frame: pl.DataFrame, path: Path, sheet: str, title: str, header_row: int, stamp: date) -> None:
    """A one-sheet workbook, streamed: inline strings, numbers as numbers, a title in A1 above a lower header row.

    The sheet XML is built column-wise in polars and written in chunks straight into the zip entry, so time and
    memory grow with the rows but never hold a cell object per value. Zip entries carry a fixed timestamp (`stamp`):
    the same frame gives the same bytes.
    """

    def entry(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=(stamp.year, stamp.month, stamp.day, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    letters = [_column_letter(i) for i in range(frame.width)]
    row_no = pl.col("_r").cast(pl.Utf8)
    cells = []
    for letter, name in zip(letters, frame.columns, strict=True):
        ref = pl.concat_str(pl.lit(f'<c r="{letter}'), row_no)
        if frame.schema[name].is_numeric():
            cell = pl.concat_str(ref, pl.lit('"><v>'), pl.col(name).cast(pl.Utf8), pl.lit("</v></c>"))
        else:
            text = _xml_text(pl.col(name).cast(pl.Utf8))
            cell = pl.concat_str(ref, pl.lit('" t="inlineStr"><is><t>'), text, pl.lit("</t></is></c>"))
        cells.append(cell.fill_null(""))  # a null value: no cell at all
    row_xml = pl.concat_str(pl.lit('<row r="'), row_no, pl.lit('">'), *cells, pl.lit("</row>"))

    above = [f'<row r="1">{_inline("A1", title)}</row>'] if header_row > 1 else []
    above += [f'<row r="{r}"/>' for r in range(2, header_row)]
    header = "".join(_inline(f"{c}{header_row}", name) for c, name in zip(letters, frame.columns, strict=True))
    with zipfile.ZipFile(path, "w") as zf:
        for name, xml in _XLSX_PARTS.items():
            zf.writestr(entry(name), _XML_HEAD + xml)
        zf.writestr(
            entry("xl/workbook.xml"),
            f'{_XML_HEAD}<workbook xmlns="{_XLSX_NS}" xmlns:r="{_XLSX_REL}"><sheets>'
            f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        with zf.open(entry("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as fh:
            # The dimension lets a reader size the sheet without a pass over every row (openpyxl does one).
            last = f"{letters[-1]}{header_row + frame.height}" if letters else "A1"
            fh.write(f'{_XML_HEAD}<worksheet xmlns="{_XLSX_NS}"><dimension ref="A1:{last}"/><sheetData>'.encode())
            fh.write(("".join(above) + f'<row r="{header_row}">{header}</row>').encode())
            for offset in range(0, frame.height, _XLSX_CHUNK):
                chunk = frame.slice(offset, _XLSX_CHUNK).with_row_index("_r", offset=header_row + 1 + offset)
                fh.write("".join(chunk.select(row_xml).to_series().to_list()).encode())
            fh.write(b"</sheetData></worksheet>")
