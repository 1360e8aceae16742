"""Labels and locale-correct numbers for the rendered reports (docs/reports.md).

* Codes are shown by their label in the reader's language, from `reports.code_labels` in the published copy (the dbt
  seed `code_labels`); a code without a label (a column another branch added, say) is shown in words, never as
  snake_case.
* The report's own words (titles, headings, sentences) are in `templates/messages.yml`, one entry per language.
* Numbers, money, shares and dates are formatted by Babel in the locale of the language: sv `30 360 000 kr`,
  `78 %`, `2017-12-31`; da `30.360.000 kr.`, `78 %`, `31.12.2017`; en `SEK 30,360,000`, `78%`, `31 Dec 2017`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib.resources import files

import duckdb
import yaml
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

LANGUAGES = ("sv", "da", "en")
LOCALES = {"sv": "sv_SE", "da": "da_DK", "en": "en_GB"}
# The money is Swedish kronor; a Danish reader reads "kr." (Babel's symbol for SEK in Danish is "SEK").
CURRENCY_SYMBOL = {"da": "kr."}
NBSP = "\u00a0"


@cache
def messages() -> dict[str, dict[str, str]]:
    text = files("followup").joinpath("templates", "messages.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def humanize(code: str) -> str:
    """A code without a label, in words: `premises_it` -> `Premises it` (never snake_case)."""
    words = re.sub(r"[_:]+", " ", str(code)).strip()
    return words[:1].upper() + words[1:]


class Labels:
    """code_list -> code -> {sv, da, en}, read from the published copy's reports.code_labels."""

    def __init__(self, rows: list[tuple[str, str, str, str, str]]):
        self._labels: dict[tuple[str, str], dict[str, str]] = {
            (code_list, code): {"sv": sv, "da": da, "en": en} for code_list, code, sv, da, en in rows
        }

    @classmethod
    def from_published(cls, con: duckdb.DuckDBPyConnection) -> Labels:
        try:
            rows = con.execute("SELECT code_list, code, sv, da, en FROM reports.code_labels").fetchall()
        except duckdb.CatalogException:
            rows = []
        return cls(rows)

    def has(self, code_list: str, code) -> bool:
        return (code_list, str(code)) in self._labels

    def label(self, code_list: str, code, lang: str) -> str:
        if code is None:
            return ""
        found = self._labels.get((code_list, str(code)))
        return found[lang] if found else humanize(code)


@dataclass(frozen=True)
class Formatter:
    """Babel formatting in the language's locale; `k` is the suppression threshold (a suppressed cell reads `<k`)."""

    lang: str
    k: int = 5

    @property
    def locale(self) -> Locale:
        return Locale.parse(LOCALES[self.lang])

    def t(self, key: str, **values) -> str:
        """The report's own words: messages.yml, with {placeholders} filled in."""
        entry = messages()[key]
        text = entry[self.lang]
        return text.format(**values) if values else text

    def suppressed(self) -> str:
        return f"<{self.k}"

    def integer(self, value) -> str:
        return format_decimal(int(round(value)), format="#,##0", locale=self.locale)

    def decimal(self, value, digits: int = 1) -> str:
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        text = format_decimal(Decimal(str(value)), format=pattern, locale=self.locale)
        # -0.04 rounds to zero: no "-0.0"
        return text.lstrip("-\u2212") if not any(c in "123456789" for c in text) else text

    def money(self, value) -> str:
        pattern = re.sub(r"\.0+", "", self.locale.currency_formats["standard"].pattern)
        text = format_currency(
            Decimal(str(value)).quantize(Decimal(1)), "SEK", format=pattern, locale=self.locale, currency_digits=False
        )
        if self.lang in CURRENCY_SYMBOL:
            text = text.replace("SEK", CURRENCY_SYMBOL[self.lang])
        # CLDR's currency spacing: a symbol made of letters is set apart from the digits (SEK 30,360,000)
        return re.sub(r"^([-\u2212]?[A-Za-z]+)(?=\d)", r"\1" + NBSP, text)

    def share(self, value, digits: int = 0) -> str:
        pattern = self.locale.percent_formats[None].pattern  # sv/da "#,##0 %", en "#,##0%"
        if digits:
            pattern = pattern.replace("#,##0", "#,##0." + "0" * digits, 1)
        return format_percent(value, format=pattern, locale=self.locale)

    def share_interval(self, low, high) -> str:
        """`35–85 %` in sv/da, `35–85%` in en: the two ends in one locale-formatted range."""
        high_text = self.share(high)
        number = self.share(low).replace("%", "").replace(NBSP, "").strip()
        return f"{number}–{high_text}"

    def decimal_range(self, low, high, digits: int = 1) -> str:
        return f"{self.decimal(low, digits)}–{self.decimal(high, digits)}"

    def date(self, value: date | None) -> str:
        if value is None:
            return ""
        return format_date(value, "medium" if self.lang == "en" else "short", locale=self.locale)

    def month(self, value: date) -> str:
        """A month on a chart's axis: `jul. 2017` / `Jul 2017`."""
        return format_date(value, "LLL yyyy", locale=self.locale)

    def month_long(self, value: date) -> str:
        return format_date(value, "LLLL y", locale=self.locale)
