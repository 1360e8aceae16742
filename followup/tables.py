"""The cells and tables a rendered report is made of: one model for HTML, PDF and XLSX alike.

A cell keeps its value (a number, a date, a text) beside the text a reader sees, so the HTML shows `30 360 000 kr`
while the workbook holds the number 30360000 with a money format; a suppressed cell holds no value and reads `<k`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from followup.labels import Formatter

DASH = "–"


@dataclass(frozen=True)
class Cell:
    text: str
    value: Any = None
    kind: str = "text"  # text, count, money, share, decimal, date, year
    suppressed: bool = False
    bold: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in ("count", "money", "share", "decimal", "year")


@dataclass
class Table:
    key: str  # the XLSX sheet and the HTML id
    title: str
    header: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str | None = None
    charts: list[tuple[str, str]] = field(default_factory=list)  # (caption, svg) shown right after the table


def is_suppressed(row: dict | None, column: str) -> bool:
    if not row:
        return False
    return row.get(column) is None and column in (row.get("suppressed_columns") or "").split(",")


class Cells:
    """Cells of one language: `fmt` formats, suppressed values read `<k` and are never given a value."""

    def __init__(self, fmt: Formatter):
        self.fmt = fmt

    def text(self, text: str, bold: bool = False) -> Cell:
        return Cell(text, text, bold=bold)

    def _hidden(self, kind: str) -> Cell:
        return Cell(self.fmt.suppressed(), None, kind, suppressed=True)

    def count(self, row: dict | None, column: str, bold: bool = False) -> Cell:
        if is_suppressed(row, column):
            return self._hidden("count")
        value = (row or {}).get(column)
        if value is None:
            return Cell(DASH, None, "count")
        return Cell(self.fmt.integer(value), int(value), "count", bold=bold)

    def value_count(self, value) -> Cell:
        return Cell(DASH, None, "count") if value is None else Cell(self.fmt.integer(value), int(value), "count")

    def money(self, value, bold: bool = False, suppressed: bool = False) -> Cell:
        if suppressed:
            return self._hidden("money")
        if value is None:
            return Cell(DASH, None, "money")
        return Cell(self.fmt.money(value), float(value), "money", bold=bold)

    def share(self, value, suppressed: bool = False, low=None, high=None, n=None, bold: bool = False) -> Cell:
        if suppressed:
            return self._hidden("share")
        if value is None:
            return Cell(DASH, None, "share")
        text = self.fmt.share(value)
        extra = []
        if low is not None and high is not None:
            extra.append(self.fmt.t("interval", range=self.fmt.share_interval(low, high)))
        if n is not None:
            extra.append(f"n = {self.fmt.integer(n)}")
        if extra:
            text = f"{text} ({'; '.join(extra)})"
        return Cell(text, float(value), "share", bold=bold)

    def decimal(self, value, digits: int = 1, suppressed: bool = False, unit: str = "") -> Cell:
        if suppressed:
            return self._hidden("decimal")
        if value is None:
            return Cell(DASH, None, "decimal")
        text = self.fmt.decimal(value, digits) + (f"{unit}" if unit else "")
        return Cell(text, float(value) if isinstance(value, Decimal | int | float) else value, "decimal")

    def payback(self, months, suppressed: bool = False, low=None, high=None) -> Cell:
        """Months to pay back, with the interval when it has a low end; an interval whose high end is null did not
        establish payback (its smallest benefit is not positive) and says so."""
        cell = self.decimal(months, 0, suppressed)
        if cell.value is None:
            return cell
        text = self.fmt.t("months_n", n=cell.text)
        if low is not None and high is not None:
            text += " (" + self.fmt.t("interval", range=self.fmt.decimal_range(low, high, 0)) + ")"
        elif low is not None:
            text += " (" + self.fmt.t("interval_open", low=self.fmt.decimal(low, 0)) + ")"
        return Cell(text, cell.value, "decimal")

    def date(self, value: date | None) -> Cell:
        return Cell(self.fmt.date(value), value, "date") if value else Cell(DASH, None, "date")
