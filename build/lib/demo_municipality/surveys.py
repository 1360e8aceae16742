"""Survey tools' exports (XLSX): ORS and SRS session forms, SDQ, the wellbeing form, participant and staff surveys."""

from __future__ import annotations

import numpy as np
import polars as pl

from demo_municipality import dirt
from demo_municipality.cases import Cases
from demo_municipality.columns import date_col, ids
from demo_municipality.writing import Writer


def write(w: Writer, rng: np.random.Generator, c: Cases, scale: float) -> None:
    """Every survey source, drawn from `rng` in this order (the order is part of the output)."""
    w.xlsx("ors", _ors(rng, c))
    w.xlsx("srs", _srs(rng, c))
    w.xlsx("sdq", _sdq(rng, c))
    w.xlsx("wellbeing", _wellbeing(rng, c))
    w.xlsx("staff_survey", _staff_survey(rng, scale))
    w.xlsx("participant_survey", _participant_survey(rng, c))


def _ors(rng: np.random.Generator, c: Cases) -> pl.DataFrame:
    """Outcome Rating Scale every two months, the four lines rising with the sessions."""
    rep, k, day = c.events(rng, c.in_units_with("ors"), 60, 12)
    n_cases = len(c.unit)
    base = rng.normal(4.8, 1.4, n_cases)[rep]
    gain = rng.normal(0.35, 0.4, n_cases)[rep] * k
    items = {
        name: np.clip(np.round(base + gain + rng.normal(0, 0.6, len(rep)), 1), 0, 10)
        for name in ("individual", "interpersonal", "social", "overall")
    }
    ors = pl.DataFrame(
        {
            "response_id": ids("ORS", len(rep), 8),
            "case_id": c.cases["case_id"].gather(rep),
            "administered_on": date_col(day),
            "session_no": (k + 1),
            "form": ["ors"] * len(rep),
            **items,
        }
    )
    return dirt.ors(ors, c.case_id[rep[0]])


def _srs(rng: np.random.Generator, c: Cases) -> pl.DataFrame:
    """Session Rating Scale every three weeks."""
    rep, _, day = c.events(rng, c.in_units_with("srs"), 21, 10)
    return pl.DataFrame(
        {
            "response_id": ids("SRS", len(rep), 8),
            "case_id": c.cases["case_id"].gather(rep),
            "administered_on": date_col(day),
            "session_no": np.ones(len(rep), int),
            **{
                n: np.clip(np.round(rng.normal(8.8, 0.9, len(rep)), 1), 0, 10)
                for n in ("relationship", "goals", "approach", "overall")
            },
        }
    )


def _sdq(rng: np.random.Generator, c: Cases) -> pl.DataFrame:
    """Strengths and Difficulties Questionnaire from parent, teacher and pupil, at the start and at the end."""
    idx = np.flatnonzero(c.in_units_with("sdq"))
    informants = np.array(["parent", "teacher", "self"])
    rep = np.repeat(idx, 6)
    occasion = np.tile(np.array([0, 0, 0, 1, 1, 1]), len(idx))
    inf = np.tile(np.concatenate([informants, informants]), len(idx))
    day = np.where(occasion == 0, c.start[rep] + 7, c.end[rep])
    answers = rng.choice(np.array([0, 1, 2]), (len(rep), 25), p=[0.45, 0.35, 0.2])
    return pl.DataFrame(
        {
            "response_id": ids("SDQ", len(rep), 8),
            "case_id": c.cases["case_id"].gather(rep),
            "administered_on": date_col(day),
            "informant": inf,
            **{f"q{i + 1:02d}": answers[:, i] for i in range(25)},
            "has_difficulties": np.where(rng.random(len(rep)) < 0.7, "true", "false"),
            **{
                f"impact_{a}": rng.integers(0, 4, len(rep))
                for a in ("distress", "home", "friendships", "classroom", "leisure")
            },
        }
    )


def _wellbeing(rng: np.random.Generator, c: Cases) -> pl.DataFrame:
    """A ten-question form at the start and about four months in."""
    idx = np.flatnonzero(c.in_units_with("wellbeing"))
    rep = np.repeat(idx, 2)
    occ = np.tile(np.array(["baseline", "follow_up"]), len(idx))
    day = np.where(occ == "baseline", c.start[rep] + 3, np.minimum(c.start[rep] + 120, c.end[rep]))
    level = np.where(occ == "baseline", 2.6, 3.3)[:, None] + rng.normal(0, 0.8, (len(rep), 10))
    return pl.DataFrame(
        {
            "response_id": ids("WB", len(rep), 8),
            "case_id": c.cases["case_id"].gather(rep),
            "administered_on": date_col(day),
            "occasion": occ,
            **{f"q{i + 1:02d}": np.clip(np.round(level[:, i]), 1, 5).astype(int) for i in range(10)},
        }
    )


def _staff_survey(rng: np.random.Generator, scale: float) -> pl.DataFrame:
    """One round of a staff survey in the youth services (not more staff above scale 1)."""
    n_staff = max(5, int(round(362 * min(scale, 1))))
    return pl.DataFrame(
        {
            "response_id": ids("ST", n_staff, 6),
            "unit_code": rng.choice(np.array(["UNGH", "UPS", "C2C"]), n_staff, p=[0.6, 0.25, 0.15]),
            "survey_round": ["2018"] * n_staff,
            "role": rng.choice(np.array(["manager", "employee"]), n_staff, p=[0.1, 0.9]),
            **{f"q{i + 1:02d}": rng.integers(1, 6, n_staff) for i in range(10)},
        }
    )


def _participant_survey(rng: np.random.Generator, c: Cases) -> pl.DataFrame:
    """Answered at the exit in about three ended cases in ten (without case id when the case is anonymous)."""
    idx = np.flatnonzero(c.cases["is_exited"].to_numpy() & (rng.random(len(c.unit)) < 0.3))
    return pl.DataFrame(
        {
            "response_id": ids("PS", len(idx), 7),
            "unit_code": c.unit[idx],
            "case_id": np.where(c.anonymous[idx], None, c.case_id[idx]).tolist(),
            "administered_on": date_col(c.end[idx]),
            **{f"q{i + 1:02d}": rng.integers(2, 6, len(idx)) for i in range(8)},
        }
    )
