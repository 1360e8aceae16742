"""The demo municipality's units: the catalogue in units.yml as `Unit` records."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import yaml

UNITS_FILE = Path(__file__).with_name("units.yml")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    funding: str
    starts_on: str
    ends_on: str | None
    target_group: str
    capacity: int
    staff_fte: float
    cases: int  # at scale 1, over the unit's whole history
    ages: tuple[int, int]
    female_share: float
    mean_days: int
    exits: dict[str, float]  # exit_reason -> probability
    reason: str
    referral: tuple[str, ...]
    attendance: bool = False
    drug_tests: bool = False
    ors: bool = False
    srs: bool = False
    sdq: bool = False
    wellbeing: bool = False
    anonymous_share: float = 0.0
    person_id_pattern: str | None = None
    # docs/evaluation.md: the true effect planted in the income-support register, months of income support in
    # months 1..12 after enrolment (negative = fewer months); 0 = the unit changes nothing.
    planted_effect_months: float = 0.0
    # How strongly the unit takes in persons with many months of income support in the 12 months before (register.py:
    # weight exp(baseline_selection x months), only persons with support in the 3 months before); 0 = no selection.
    baseline_selection: float = 0.0


_FLOATS = ("staff_fte", "female_share", "anonymous_share", "planted_effect_months", "baseline_selection")


def load_units(path: Path = UNITS_FILE) -> tuple[Unit, ...]:
    """The units in the file's order (the order the generator draws them in)."""
    known = {f.name for f in fields(Unit)}
    units = []
    for spec in yaml.safe_load(path.read_text(encoding="utf-8"))["units"]:
        unknown = set(spec) - known
        if unknown:
            raise ValueError(f"{path.name}: unit {spec.get('code')} has unknown key(s) {', '.join(sorted(unknown))}")
        units.append(
            Unit(
                **{
                    **spec,
                    **{k: float(spec[k]) for k in _FLOATS if k in spec},
                    "ages": tuple(spec["ages"]),
                    "referral": tuple(spec["referral"]),
                }
            )
        )
    codes = [u.code for u in units]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{path.name}: a unit code appears twice")
    return tuple(units)


UNITS = load_units()
