"""Reference sources: units, their targets, unit costs, evaluation parameters, reporting periods and budgets."""

from __future__ import annotations

import polars as pl

from demo_municipality.columns import EXPORT_DATE, canonical_text
from demo_municipality.units import UNITS, Unit
from demo_municipality.writing import Writer

COST_CATEGORIES = ("own_staff", "external_services", "premises_it", "participant_compensation", "other")


def yearly_costs(u: Unit, scale: float) -> dict[str, int]:
    """A unit's budget per year and cost category (SEK, whole thousands): per staff FTE, compensation only for the
    two youth-to-work projects."""
    per_fte = (620, 60, 110, 90 if u.code in ("PIMA", "C2C") else 0, 40)
    return {c: round(u.staff_fte * max(scale, 0.1) * f) * 1000 for c, f in zip(COST_CATEGORIES, per_fte, strict=True)}


def years(u: Unit) -> tuple[int, int]:
    """First and last calendar year of a unit's activity up to the export."""
    return int(u.starts_on[:4]), int(u.ends_on[:4]) if u.ends_on else EXPORT_DATE.year


def write(w: Writer, scale: float) -> None:
    """Every reference source: fixed tables and the unit catalogue, no random draws."""
    w.csv(
        "units",
        canonical_text(
            pl.DataFrame(
                {
                    "unit_code": [u.code for u in UNITS],
                    "unit_name": [u.name for u in UNITS],
                    "organisation": ["Demoby kommun"] * len(UNITS),
                    "municipality": ["Demoby"] * len(UNITS),
                    "kind": [u.kind for u in UNITS],
                    "funding": [u.funding for u in UNITS],
                    "starts_on": [u.starts_on for u in UNITS],
                    "ends_on": [u.ends_on for u in UNITS],
                    "target_group": [u.target_group for u in UNITS],
                    "capacity_places": [str(max(1, round(u.capacity * scale))) for u in UNITS],
                    "staff_fte": [f"{u.staff_fte * max(scale, 0.1):.1f}" for u in UNITS],
                    "person_id_pattern": [u.person_id_pattern for u in UNITS],
                }
            ),
            "units",
        ),
    )
    targets = []
    for code in ("PIMA", "C2C"):
        targets += [
            (code, "work_or_studies_at_horizon_share", ">=", "0.6", "18", "60 % i arbete eller studier efter 18 mån"),
            (code, "attendance_rate", ">=", "0.9", None, "Närvaro 90 %"),
            (code, "action_plan_within_90_days_share", ">=", "0.9", "3", "Handlingsplan inom 3 månader"),
            (code, "drug_free_share", ">=", "1.0", None, "Drogfrihet"),
            (code, "wellbeing_improved_share", ">=", "1.0", None, "Ökat välbefinnande"),
            (code, "payback_months", "<=", "18", None, "Återbetalningstid 18 månader"),
        ]
    targets += [
        ("BER", "ors_reliable_improvement_share", ">=", "0.5", None, None),
        ("NPF", "caseload_per_fte", "<=", "8", None, "Omkring 8 familjer per ombud"),
        ("SKOL", "positive_exit_share", ">=", "0.5", None, None),
    ]
    w.csv(
        "unit_targets",
        pl.DataFrame(
            targets,
            schema=["unit_code", "metric", "comparator", "target_value", "horizon_months", "note"],
            orient="row",
        ),
    )
    w.csv(
        "unit_costs",
        pl.DataFrame(
            [
                ("income_support", "month", "9500", "2024", "Demoby kommun, snitt försörjningsstöd per hushåll"),
                ("activity_compensation", "month", "11000", "2024", "Försäkringskassan"),
                ("sickness_benefit", "month", "16000", "2024", "Försäkringskassan"),
                ("unemployment_benefit", "month", "14000", "2024", "Arbetslöshetskassan"),
                ("study_allowance", "month", "3500", "2024", "CSN, bidragsdel"),
                ("residential_care", "day", "4500", "2024", "Kolada, HVB-vård per dygn"),
                ("foster_care", "day", "1200", "2024", "Kolada, familjehem per dygn"),
                ("secure_unit", "day", "6500", "2024", "SiS"),
                ("supported_housing", "day", "1800", "2024", "Kolada"),
            ],
            schema=["cost_item", "per", "price_sek", "price_year", "source"],
            orient="row",
        ),
    )
    w.csv(
        "evaluation_parameters",
        pl.DataFrame(
            [
                ("*", "discount_rate", "0.035"),
                ("*", "horizon_years", "5"),
                ("*", "deadweight", "0.2"),
                ("*", "drop_off", "0.1"),
                ("*", "optimism_bias_benefits", "0.1"),
                ("*", "optimism_bias_costs", "0.05"),
                ("*", "follow_up_months", "12"),
                ("PIMA", "deadweight", "0.25"),
            ],
            schema=["unit_code", "parameter", "value"],
            orient="row",
        ),
    )
    w.csv(
        "reporting_periods",
        pl.DataFrame(
            [("2017 jan-maj", "2017-01-01", "2017-05-31"), ("Projektperiod PIMA", "2016-08-01", "2022-12-31")],
            schema=["period_label", "starts_on", "ends_on"],
            orient="row",
        ),
    )
    # The budget for each unit's whole life per cost category, decided in the November before its first year.
    budget = []
    for u in UNITS:
        first_year, last_year = years(u)
        for c, amount in yearly_costs(u, scale).items():
            if amount:
                budget.append(
                    (
                        u.code,
                        c,
                        str(amount * (last_year - first_year + 1)),
                        f"KS-{first_year}-{u.code}",
                        f"{first_year - 1}-11-15",
                    )
                )
    w.csv(
        "budget",
        pl.DataFrame(
            budget, schema=["unit_code", "cost_category", "decided_sek", "decision_ref", "decided_on"], orient="row"
        ),
    )
