"""A report Document as HTML (Jinja2 templates), PDF (WeasyPrint, offline, from the same HTML) or XLSX (openpyxl).

Every format gives the same bytes for the same published copy: no clock is read. The PDF's dates are the copy's
as-of date and its identifier is derived from the document; the workbook's properties and zip entries carry fixed
dates (orchestration/publish/workbooks.py).
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from followup.report import Document
from followup.tables import Table
from orchestration.publish.workbooks import DATE_FORMAT, DECIMAL_FORMAT, MONEY_FORMAT, Sheet, write_workbook

FORMATS = ("html", "pdf", "xlsx")
# Excel number formats of the cells, per language: kronor as a number with the currency written as the locale does.
_MONEY_XLSX = {"sv": '#,##0 "kr"', "da": '#,##0 "kr."', "en": '"SEK "#,##0'}


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("followup", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def html(doc: Document, template: str = "unit_report.html.j2") -> str:
    from followup.labels import Formatter

    return _environment().get_template(template).render(doc=doc, t=Formatter(doc.lang).t)


def _stamp(doc: Document) -> datetime:
    return datetime.combine(doc.as_of, datetime.min.time()) if doc.as_of else datetime(2000, 1, 1)


def _refuse_network(url: str, *args, **kwargs):
    """WeasyPrint's url_fetcher: data: URIs only (the page is self-contained); nothing is fetched."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"the report fetches nothing; refused {url[:60]}")


def pdf(doc: Document, page: str | None = None) -> bytes:
    """The PDF of the same HTML, rendered offline; fixed metadata dates and a document-derived identifier."""
    from weasyprint import HTML

    page = page if page is not None else html(doc)
    stamp = _stamp(doc).strftime("%Y-%m-%dT%H:%M:%SZ")
    # dcterms.created/modified are what WeasyPrint writes as the PDF's CreationDate/ModDate
    page = page.replace(
        "<head>",
        f'<head><meta name="dcterms.created" content="{stamp}"><meta name="dcterms.modified" content="{stamp}">',
        1,
    )
    identifier = hashlib.sha256(page.encode("utf-8")).hexdigest()[:32].encode("ascii")
    document = HTML(string=page, url_fetcher=_refuse_network, base_url="about:blank")
    return document.write_pdf(pdf_identifier=identifier)


def _sheet(table: Table, lang: str) -> Sheet:
    formats: dict[int, str] = {}
    body = []
    for row in table.rows:
        values = []
        for i, cell in enumerate(row):
            if cell.suppressed:
                values.append(cell.text)  # "<5": a reader sees that it is hidden
            elif cell.value is None:
                values.append(None if cell.numeric else cell.text.strip() or None)
            else:
                values.append(cell.value if cell.kind != "text" else str(cell.value).strip())
                fmt = {
                    "money": _MONEY_XLSX[lang],
                    "share": "0%",
                    "decimal": DECIMAL_FORMAT,
                    "count": "#,##0",
                    "date": DATE_FORMAT,
                }.get(cell.kind)
                if fmt and cell.kind != "date":
                    formats.setdefault(i, fmt)
        body.append(values)
    widths = {0: 48.0} | {i: 18.0 for i in range(1, len(table.header))}
    return Sheet(table.title, table.header, body, formats, widths)


def xlsx(doc: Document) -> bytes:
    """The report's tables as a workbook: a sheet per table (headers in the language), the summary first."""
    sheets: list[Sheet] = []
    summary = next((s for s in doc.sections if s.key == "summary"), None)
    facts = [[label, value] for label, value in doc.facts]
    if summary:
        facts += [[None, None]] + [[sentence, None] for sentence in summary.paragraphs]
    sheets.append(Sheet(doc.subtitle[:31], [doc.title, ""], facts, {}, {0: 60.0, 1: 60.0}))
    seen: set[str] = set()
    for section in doc.sections:
        for table in section.tables:
            sheet = _sheet(table, doc.lang)
            title = table.title[:31]
            n = 2
            while title.lower() in seen:
                title = f"{table.title[:28]} {n}"
                n += 1
            seen.add(title.lower())
            sheet.title = title.replace("/", "-").replace(":", "").replace("?", "").replace("*", "")
            sheet.title = sheet.title.replace("[", "(").replace("]", ")").replace("\\", "-")
            sheets.append(sheet)
    for s in sheets:
        s.title = s.title.replace("/", "-").replace(":", "").replace("?", "").replace("*", "")
    buffer = io.BytesIO()
    write_workbook(buffer, sheets, created=_stamp(doc))
    return buffer.getvalue()


def render(doc: Document, fmt: str, template: str = "unit_report.html.j2") -> bytes:
    if fmt == "html":
        return html(doc, template).encode("utf-8")
    if fmt == "pdf":
        return pdf(doc, html(doc, template))
    if fmt == "xlsx":
        return xlsx(doc)
    raise ValueError(f"unknown format {fmt}")


__all__ = ["FORMATS", "MONEY_FORMAT", "html", "pdf", "render", "xlsx"]
