"""The case systems' sources: enrolments, activities, attendance, action plans, drug tests, support months,
placements, and the ledger of the finance system."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from demo_municipality import dirt, register
from demo_municipality.cases import Cases
from demo_municipality.columns import EXPORT_DATE, date_col, days, ids
from demo_municipality.reference import yearly_costs, years
from demo_municipality.units import UNITS
from demo_municipality.writing import Writer

ACTION_PLAN_UNITS = ["PIMA", "C2C", "SKOL", "UPS", "UNGH", "BER"]


def write(w: Writer, rng: np.random.Generator, c: Cases, scale: float, register_rng: np.random.Generator) -> None:
    """Every registry source, drawn from `rng` in this order (the order is part of the output); the
    income-support register from its own `register_rng`."""
    w.csv("enrolments", c.enrol)
    w.csv("activities", _activities(rng, c))
    w.csv("attendance", _attendance(rng, c))
    w.csv("action_plans", _action_plans(rng, c))
    w.csv("drug_tests", _drug_tests(rng, c))
    w.csv("support_months", _support_months(rng, register_rng, c, scale))
    w.csv("placements", _placements(rng, c))
    w.csv("ledger", _ledger(rng, scale))


def _activities(rng: np.random.Generator, c: Cases) -> pl.DataFrame:
    rep, _, day = c.events(rng, np.ones(len(c.unit), bool), 14, 200)
    types = np.array(
        [
            "individual_session",
            "group_session",
            "home_visit",
            "network_meeting",
            "phone_contact",
            "practical_support",
            "study_visit",
            "internship",
            "treatment_session",
        ]
    )
    # Codes drawn as indexes (the same draws as rng.choice(types)) and turned into text by polars: numpy string
    # arrays of this size take gigabytes at large scales.
    names = pl.Series([*types, "sip_meeting"])
    act = rng.choice(len(types), len(rep))
    unit_rep = c.unit[rep]
    act = np.where(unit_rep == "HLT", np.where(rng.random(len(rep)) < 0.3, len(types), act), act)
    act = np.where((unit_rep == "BER") & (rng.random(len(rep)) < 0.6), list(types).index("treatment_session"), act)
    del unit_rep
    cats = pl.Series(["maintaining", "compensating", "recovering", "developing"])
    activities = pl.DataFrame(
        {
            "activity_id": ids("A", len(rep), 8),
            "case_id": c.cases["case_id"].gather(rep),
            "activity_on": date_col(day),
            "activity_type": names.gather(act),
            "intervention_category": cats.gather(rng.choice(len(cats), len(rep))),
            "minutes": pl.Series(rng.choice(np.array([15, 30, 45, 60, 90, 120]), len(rep))).cast(pl.Utf8),
        }
    )
    return dirt.activities(activities, c.case_id[0], c.case_id[1])


def _attendance(rng: np.random.Generator, c: Cases) -> pl.DataFrame:
    """Programme days, about three a week."""
    rep, _, day = c.events(rng, c.in_units_with("attendance"), 2.3, 400, jitter=False)
    keep = np.concatenate([[True], (rep[1:] != rep[:-1]) | (day[1:] != day[:-1])])
    rep, day = rep[keep], day[keep]
    draw = rng.random(len(rep))
    attended = np.where(draw < 0.72, 6.0, np.where(draw < 0.85, 3.0, 0.0))
    absence = np.where(attended == 6.0, "none", np.where(rng.random(len(rep)) < 0.6, "valid", "invalid"))
    attendance = pl.DataFrame(
        {
            "case_id": c.cases["case_id"].gather(rep),
            "attendance_on": date_col(day),
            "scheduled_hours": pl.repeat("6.0", len(rep), eager=True),
            "attended_hours": pl.Series(attended).cast(pl.Utf8),
            "absence_reason": absence,
        }
    )
    return dirt.attendance(attendance, c.case_id[np.flatnonzero(c.in_units_with("attendance"))[:2]].tolist())


def _action_plans(rng: np.random.Generator, c: Cases) -> pl.DataFrame:
    """Most cases get one within a few months."""
    has_plan = np.isin(c.unit, ACTION_PLAN_UNITS) & (rng.random(len(c.unit)) < 0.9)
    idx = np.flatnonzero(has_plan)
    established = np.minimum(c.start[idx] + rng.integers(7, 130, len(idx)), c.end[idx])
    reviewed = established + rng.integers(30, 120, len(idx))
    plans = pl.DataFrame(
        {
            "plan_id": ids("HP", len(idx), 7),
            "case_id": c.case_id[idx],
            "established_on": date_col(established),
            "direction": rng.choice(np.array(["work", "studies", "other"]), len(idx), p=[0.6, 0.3, 0.1]),
            "reviewed_on": date_col(reviewed, reviewed <= c.end[idx]),
        }
    )
    return dirt.action_plans(plans, c.case_id[idx[0]])


def _drug_tests(rng: np.random.Generator, c: Cases) -> pl.DataFrame:
    """Weekly, the first one at intake."""
    rep, _, day = c.events(rng, c.in_units_with("drug_tests"), 7, 150)
    result = rng.choice(np.array(["negative", "positive", "refused", "invalid"]), len(rep), p=[0.86, 0.08, 0.04, 0.02])
    first = np.concatenate([[True], rep[1:] != rep[:-1]])
    return pl.DataFrame(
        {
            "test_id": ids("T", len(rep), 8),
            "case_id": c.cases["case_id"].gather(rep),
            "tested_on": date_col(day),
            "result": result,
            "reason": np.where(first, "intake", np.where(result == "positive", "suspicion", "routine")),
        }
    )


def _support_months(
    rng: np.random.Generator, register_rng: np.random.Generator, c: Cases, scale: float
) -> pl.DataFrame:
    """The whole income-support register (register.py), drawn from its own stream `register_rng`.

    `rng` is advanced exactly as the participants-only file of earlier versions advanced it (12 months before and
    18 after each person's first case, three draws per month), so that placements, the ledger and the surveys drawn
    after it stay the same files.
    """
    person_first = np.unique(c.person_of, return_index=True)[1]
    n = int((~c.anonymous[person_first] & ~c.reserve[person_first]).sum()) * 30
    rng.random(n)
    rng.integers(180, 280, n)
    rng.integers(60, 110, n)
    rows, _ = register.support_months(register_rng, c, scale)
    return rows


def _placements(rng: np.random.Generator, c: Cases) -> pl.DataFrame:
    """Out-of-home placements of some children and young people, before their case."""
    idx = np.flatnonzero(np.isin(c.unit, ["HLT", "SKOL", "NPF"]) & ~c.anonymous & (rng.random(len(c.unit)) < 0.06))
    started = c.start[idx] - rng.integers(30, 400, len(idx))
    ended = started + rng.integers(30, 300, len(idx))
    ptype = rng.choice(np.array(["residential_care", "foster_care", "supported_housing"]), len(idx))
    return pl.DataFrame(
        {
            "placement_id": ids("PL", len(idx), 6),
            "person_id": c.person_ids[idx],
            "started_on": date_col(started),
            "ended_on": date_col(ended, ended < days(EXPORT_DATE)),
            "placement_type": ptype,
            "cost_per_day_sek": np.where(ptype == "residential_care", "4800", None).tolist(),
        }
    )


def _ledger(rng: np.random.Generator, scale: float) -> pl.DataFrame:
    """Monthly entries per unit and cost category, a twelfth of the yearly budget give or take, and for each unit one
    correction on the last day of the year before its last."""
    ledger = []
    entry = 0
    for u in UNITS:
        first_year, last_year = years(u)
        yearly = yearly_costs(u, scale)
        for y in range(first_year, last_year + 1):
            for m in range(1, 13):
                if date(y, m, 28) >= EXPORT_DATE or (y == first_year and m < int(u.starts_on[5:7])):
                    continue
                for category, amount in yearly.items():
                    if amount:
                        entry += 1
                        value = amount / 12 * float(rng.uniform(0.8, 1.1))
                        ledger.append(
                            (
                                f"V{entry:07d}",
                                u.code,
                                f"{y}-{m:02d}-28",
                                category,
                                f"{value:.2f}",
                                "Samordningsförbundet" if u.funding == "coordination_association" else None,
                            )
                        )
        ledger.append((f"V{entry + 1:07d}", u.code, f"{last_year - 1}-12-31", "own_staff", "-12500.00", None))
        entry += 1
    return pl.DataFrame(
        dirt.ledger(ledger),
        schema=["entry_id", "unit_code", "booked_on", "cost_category", "amount_sek", "funder"],
        orient="row",
    )
