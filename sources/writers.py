"""Canonical text frames in a column profile's layout: how the demo writes sv-export files.

The inverse of readers + profiles: canonical names -> export headers, codes -> labels, `.` -> the profile's
decimal separator, booleans -> the profile's first true/false value.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sources.contracts import Contract
from sources.profiles import BUNDLED_DIR, Profile, load_profile


def _inverse(mapping: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for label, canonical in mapping.items():
        out.setdefault(canonical, label)  # the first label listed is the one an export writes
    return out


def bundled_profile(name: str, source: str) -> Profile:
    if name == "canonical":
        return load_profile(BUNDLED_DIR / "canonical.yml")
    return load_profile(BUNDLED_DIR / name / f"{source}.yml")


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


def xlsx_rows(frame: pl.DataFrame, profile: Profile, title: str) -> list[list]:
    """Rows of the sheet: title rows above the header where the profile puts the header lower down."""
    above = [[title]] + [[]] * max(0, profile.header_row - 2) if profile.header_row > 1 else []
    return [*above, frame.columns, *[list(r) for r in frame.iter_rows()]]
