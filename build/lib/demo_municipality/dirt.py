"""The planted bad rows: a fixed handful, the same at every scale and seed, so that quarantine and findings have
something to show.

| source | field | rule | what |
|---|---|---|---|
| enrolments | person_id | invalid_person_id | a wrong check digit |
| enrolments | person_id | invalid_person_id | an impossible date (month 13) |
| enrolments | gender | code_not_in_list | `femal` |
| enrolments | case_id | duplicate_key | an exact copy of a row |
| enrolments | exited_on | date_order | an exit before its enrolment |
| enrolments | enrolled_on | date_after_export | enrolled after the export date |
| activities | activity_type | code_not_in_list | `grupp` |
| activities | activity_id | duplicate_key | an exact copy of a row |
| activities | minutes | out_of_range | 2000 minutes |
| activities | case_id | orphan_case | a valid row whose case does not exist (a finding, not quarantine) |
| attendance | attended_hours | out_of_range | more hours attended than scheduled |
| attendance | scheduled_hours | required_missing | empty |
| action_plans | reviewed_on | date_order | reviewed before it was established |
| ledger | booked_on | invalid_type | `2019-13-31` |
| ors | individual | out_of_range | 11.5 on a 0-10 line |

Each function below takes a source's generated rows and returns them with that source's bad rows appended.
"""

from __future__ import annotations

import polars as pl

from demo_municipality.columns import canonical_text

DIRT: dict[str, list[tuple[str, str]]] = {
    "enrolments": [
        ("person_id", "invalid_person_id"),
        ("person_id", "invalid_person_id"),
        ("gender", "code_not_in_list"),
        ("case_id", "duplicate_key"),
        ("exited_on", "date_order"),
        ("enrolled_on", "date_after_export"),
    ],
    "activities": [
        ("activity_type", "code_not_in_list"),
        ("activity_id", "duplicate_key"),
        ("minutes", "out_of_range"),
        ("case_id", "orphan_case"),
    ],
    "attendance": [("attended_hours", "out_of_range"), ("scheduled_hours", "required_missing")],
    "action_plans": [("reviewed_on", "date_order")],
    "ledger": [("booked_on", "invalid_type")],
    "ors": [("individual", "out_of_range")],
}
# Rows quarantined on load (the orphan activity loads and becomes a finding).
QUARANTINED_ROWS = {s: sum(rule != "orphan_case" for _, rule in d) for s, d in DIRT.items()}


def enrolments(enrol: pl.DataFrame) -> pl.DataFrame:
    """`enrol`: the enrolments export as canonical text."""
    person = {"anonymous": "false", "gender": "male"}
    ber = {**person, "unit_code": "BER", "enrolled_on": "2020-02-03", "enrolment_reason": "substance_use"}
    dirty = [
        {"case_id": "DIRT-E1", "person_id": "19811218-9875", **ber},  # wrong check digit
        {"case_id": "DIRT-E2", "person_id": "19811318-9876", **ber},  # month 13
        {
            "case_id": "DIRT-E3",
            "person_id": "19900101-0017",
            "anonymous": "false",
            "unit_code": "PIMA",
            "enrolled_on": "2019-03-04",
            "gender": "femal",
            "enrolment_reason": "unemployment",
        },
        {
            "case_id": "DIRT-E4",
            "person_id": "19900101-0017",
            **person,
            "unit_code": "C2C",
            "enrolled_on": "2019-05-06",
            "exited_on": "2019-04-01",
            "exit_reason": "work",
        },
        {"case_id": "DIRT-E5", "person_id": "19900101-0017", **person, "unit_code": "C2C", "enrolled_on": "2026-12-01"},
    ]
    return pl.concat([enrol, canonical_text(pl.DataFrame(dirty), "enrolments"), enrol.slice(3, 1)])


def activities(activities: pl.DataFrame, case_a: str, case_b: str) -> pl.DataFrame:
    """`case_a`, `case_b`: two existing cases."""
    dirty = pl.DataFrame(
        {
            "activity_id": ["DIRT-A1", "DIRT-A3", "DIRT-A4"],
            "case_id": [case_a, case_b, "NO-SUCH-CASE"],
            "activity_on": ["2020-01-10"] * 3,
            "activity_type": ["grupp", "group_session", "home_visit"],
            "intervention_category": ["developing"] * 3,
            "minutes": ["60", "2000", "30"],
        }
    )
    return pl.concat([activities, dirty, activities.slice(0, 1)])


def attendance(attendance: pl.DataFrame, cases: list[str]) -> pl.DataFrame:
    """`cases`: two cases of a unit that records attendance."""
    dirty = pl.DataFrame(
        {
            "case_id": cases,
            "attendance_on": ["2015-06-01", "2015-06-02"],
            "scheduled_hours": ["6.0", None],
            "attended_hours": ["7.5", "3.0"],
            "absence_reason": ["none", "valid"],
        }
    )
    return pl.concat([attendance, dirty])


def action_plans(plans: pl.DataFrame, case: str) -> pl.DataFrame:
    dirty = pl.DataFrame(
        {
            "plan_id": ["DIRT-P1"],
            "case_id": [case],
            "established_on": ["2020-05-01"],
            "direction": ["work"],
            "reviewed_on": ["2020-04-01"],
        }
    )
    return pl.concat([plans, dirty])


def ledger(entries: list[tuple]) -> list[tuple]:
    """`entries`: the ledger's rows as tuples in the contract's column order."""
    return [*entries, ("DIRT-L1", "BER", "2019-13-31", "other", "100.00", None)]


def ors(ors: pl.DataFrame, case: str) -> pl.DataFrame:
    dirty = pl.DataFrame(
        {
            "response_id": ["DIRT-O1"],
            "case_id": [case],
            "administered_on": ["2020-03-03"],
            "session_no": [1],
            "form": ["ors"],
            "individual": [11.5],
            "interpersonal": [5.0],
            "social": [5.0],
            "overall": [5.0],
        }
    )
    return pl.concat([ors, dirty], how="vertical_relaxed")
