"""Write canonical rows in a column profile's layout: how the demo produces sv-export files.

The inverse of readers + profiles: canonical names -> export headers, codes -> labels, `.` -> the profile's
decimal separator, booleans -> the profile's first true/false value, the profile's first encoding.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sources.contracts import Contract
from sources.profiles import Profile


def _inverse(mapping: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for label, canonical in mapping.items():
        out.setdefault(canonical, label)  # the first label listed is the one an export writes
    return out


def to_profile_rows(header: list[str], rows: list[list[str | None]], contract: Contract, profile: Profile):
    """Canonical text rows -> (export header, export text rows)."""
    names = _inverse(profile.columns)
    types = {f.name: f.type for f in contract.fields}
    labels = {field: _inverse(m) for field, m in profile.values.items()}
    export_header = [names.get(h, h) for h in header]
    out_rows = []
    for row in rows:
        out = []
        for name, value in zip(header, row, strict=True):
            kind = types.get(name)
            if value is None or value == "":
                out.append("")
            elif kind == "dec" and profile.decimal != ".":
                out.append(value.replace(".", profile.decimal))
            elif kind == "bool":
                out.append(profile.true_values[0] if value == "true" else profile.false_values[0])
            elif name in labels:
                out.append(labels[name].get(value, value))
            else:
                out.append(value)
        out_rows.append(out)
    return export_header, out_rows


def write_csv(path: Path, header: list[str], rows: list[list[str | None]], contract: Contract, profile: Profile):
    export_header, out_rows = to_profile_rows(header, rows, contract, profile)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=profile.delimiter, lineterminator="\n")
    writer.writerow(export_header)
    writer.writerows(out_rows)
    # A character the encoding lacks is a bug in the demo, not something to hide: errors="strict".
    path.write_bytes(buffer.getvalue().encode(profile.encodings[0]))
