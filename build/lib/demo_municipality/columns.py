"""Export dates and the text columns every source is built from (dates, months, running ids, canonical text)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from sources.contracts import load_contract

EXPORT_DATE = date(2026, 11, 1)
HISTORY_START = date(2016, 1, 1)
_EPOCH = np.datetime64("1970-01-01", "D")
EXPORT = np.datetime64(EXPORT_DATE.isoformat(), "D")


def days(d: str | date) -> int:
    """Days since 1970-01-01."""
    return int((np.datetime64(str(d), "D") - _EPOCH).astype(int))


def date_col(day_numbers: np.ndarray, valid: np.ndarray | None = None) -> pl.Series:
    """ISO dates as text (null where not valid), built in polars: no Python object per row."""
    text = pl.Series(np.asarray(day_numbers, dtype="int64")).cast(pl.Int32).cast(pl.Date).cast(pl.Utf8)
    if valid is None:
        return text
    return pl.select(pl.when(pl.Series(np.asarray(valid, dtype=bool))).then(text)).to_series()


def month_col(months: np.ndarray) -> pl.Series:
    """Months since 1970-01 as YYYY-MM text, built in polars."""
    m = pl.Series(np.asarray(months, dtype="int64"))
    year, month = (m // 12 + 1970).cast(pl.Utf8), (m % 12 + 1).cast(pl.Utf8).str.zfill(2)
    return pl.select(pl.concat_str(year, pl.lit("-"), month)).to_series()


def ids(prefix: str, n: int, width: int) -> pl.Series:
    """prefix + zero-padded running number from 0, as f"{prefix}{i:0{width}d}" would give."""
    number = pl.Series(np.arange(n, dtype="int64")).cast(pl.Utf8).str.zfill(width)
    return pl.select(pl.concat_str(pl.lit(prefix), number)).to_series()


def canonical_text(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    """Every column as canonical text, in the contract's order (dates ISO, booleans true/false)."""
    contract = load_contract(source)
    cols = []
    for name in contract.field_names:
        if name not in frame.columns:
            cols.append(pl.lit(None, dtype=pl.Utf8).alias(name))
            continue
        dtype = frame.schema[name]
        if dtype == pl.Boolean:
            cols.append(pl.when(pl.col(name)).then(pl.lit("true")).otherwise(pl.lit("false")).alias(name))
        else:
            cols.append(pl.col(name).cast(pl.Utf8).alias(name))
    return frame.select(cols)
