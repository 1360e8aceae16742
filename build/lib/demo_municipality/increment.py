"""The month after the demo's first export: what the case systems export on 2026-12-01."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from demo_municipality.cases import draw_cases, personnummer
from demo_municipality.columns import EXPORT_DATE, canonical_text, date_col, days, ids
from demo_municipality.reference import COST_CATEGORIES
from demo_municipality.registry import ACTION_PLAN_UNITS
from demo_municipality.units import UNITS
from demo_municipality.writing import Writer

INCREMENT_DATE = date(2026, 12, 1)


def generate_increment(out: Path, *, scale: float = 1.0, seed: int = 42, profile: str = "canonical") -> dict[str, int]:
    """One more month on top of `generate(out, scale=…, seed=…)`: what the case systems export on 2026-12-01.

    - a new `enrolments` snapshot: every case of the first export (dirt included), the cases that ended in
      November with their exit, and the month's new cases;
    - the append sources' November rows, with keys of their own: activities, attendance, drug tests, action plans
      of the new cases, support months of the persons in an open case, the ledger's November entries and the ORS
      forms given in November (XLSX).

    Rows written per source; files are named `<source>_2026-12-01.<ext>` beside the first export's.
    """
    c = draw_cases(np.random.default_rng(seed), scale)
    rng = np.random.default_rng([seed, 202611])
    w = Writer(Path(out), profile, INCREMENT_DATE)
    first, last = days(EXPORT_DATE), days(INCREMENT_DATE) - 1  # November
    cases = c.cases
    n_cases = cases.height
    unit = c.unit
    is_open = ~cases["is_exited"].to_numpy()
    planned_exit = cases["exited"].to_numpy()
    exits = is_open & (planned_exit <= last)
    by_code = {u.code: u for u in UNITS}
    reason = np.array([None] * n_cases, dtype=object)
    for code in np.unique(unit[exits]):
        rows = np.flatnonzero(exits & (unit == code))
        options = by_code[code].exits
        reason[rows] = rng.choice(np.array(list(options)), len(rows), p=np.array(list(options.values())))
    exits_now = pl.Series(exits)
    old = c.enrol.slice(0, n_cases).with_columns(
        pl.when(exits_now).then(date_col(planned_exit)).otherwise(pl.col("exited_on")).alias("exited_on"),
        pl.when(exits_now)
        .then(pl.Series(reason.tolist(), dtype=pl.Utf8))
        .otherwise(pl.col("exit_reason"))
        .alias("exit_reason"),
        pl.when(exits_now & (pl.col("unit_code") == "UPS") & pl.Series(reason == "transferred"))
        .then(pl.lit("UNGH"))
        .otherwise(pl.col("destination_unit_code"))
        .alias("destination_unit_code"),
        pl.when(exits_now).then(None).otherwise(pl.col("phase")).alias("phase"),
    )

    # New cases: about a tenth of a year's intake per unit still running in November.
    running = [u for u in UNITS if u.ends_on is None or days(u.ends_on) >= last]
    n_new = {u.code: max(1, int(round(u.cases * scale / 100))) for u in running}
    new_unit = np.repeat(np.array(list(n_new)), list(n_new.values()))
    n = len(new_unit)
    new_start = np.sort(rng.integers(first, last + 1, n))
    ages = np.array([rng.integers(by_code[u].ages[0], by_code[u].ages[1] + 1) for u in new_unit])
    birth = new_start - ages * 365 - rng.integers(1, 360, n)
    female = rng.random(n) < np.array([by_code[u].female_share for u in new_unit])
    anonymous = rng.random(n) < np.array([by_code[u].anonymous_share for u in new_unit])
    pnr = personnummer(birth, female, start=n_cases)
    new_ids = pl.select(pl.concat_str(pl.Series(new_unit), pl.lit("-N"), ids("", n, 6))).to_series()
    new = canonical_text(
        pl.DataFrame(
            {
                "case_id": new_ids,
                "person_id": pl.Series(np.where(anonymous, None, pnr).tolist(), dtype=pl.Utf8),
                "anonymous": anonymous,
                "unit_code": new_unit,
                "enrolled_on": date_col(new_start),
                "gender": np.where(female, "female", "male"),
                "birth_date": date_col(birth, anonymous),
                "referral_source": [str(rng.choice(np.array(by_code[u].referral))) for u in new_unit],
                "enrolment_reason": [by_code[u].reason for u in new_unit],
            }
        ),
        "enrolments",
    )
    w.csv("enrolments", pl.concat([old, new, c.enrol.slice(n_cases)]))

    # The cases open some time in November: still open at the first export, and the new ones.
    open_idx = np.flatnonzero(is_open)
    case_id = pl.concat([cases["case_id"].gather(open_idx), new_ids])
    c_unit = np.concatenate([unit[open_idx], new_unit])
    c_start = np.concatenate([np.full(len(open_idx), first), new_start])
    c_end = np.concatenate([np.minimum(planned_exit[open_idx], last), np.full(n, last)])
    c_person = np.concatenate([c.person_ids[open_idx], pnr])
    c_hidden = np.concatenate([c.anonymous[open_idx] | c.reserve[open_idx], anonymous])

    def events(flag: str | None, per_days: float) -> tuple[np.ndarray, np.ndarray]:
        idx = np.flatnonzero(np.isin(c_unit, [u.code for u in UNITS if flag is None or getattr(u, flag)]))
        counts = (1 + (c_end[idx] - c_start[idx]) // per_days).astype(int)
        rep = np.repeat(idx, counts)
        k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        day = c_start[rep] + (k * per_days).astype(int) + rng.integers(0, max(1, int(per_days)), len(rep))
        return rep, np.minimum(day, c_end[rep])

    rep, day = events(None, 14)
    w.csv(
        "activities",
        pl.DataFrame(
            {
                "activity_id": ids("A2611-", len(rep), 7),
                "case_id": case_id.gather(rep),
                "activity_on": date_col(day),
                "activity_type": rng.choice(
                    np.array(["individual_session", "group_session", "phone_contact"]), len(rep)
                ),
                "intervention_category": rng.choice(np.array(["maintaining", "developing"]), len(rep)),
                "minutes": rng.choice(np.array([30, 45, 60, 90]), len(rep)).astype(str),
            }
        ),
    )
    rep, day = events("attendance", 2.3)
    keep = np.concatenate([[True], (rep[1:] != rep[:-1]) | (day[1:] != day[:-1])])
    rep, day = rep[keep], day[keep]
    attended = np.where(rng.random(len(rep)) < 0.75, 6.0, 3.0)
    w.csv(
        "attendance",
        pl.DataFrame(
            {
                "case_id": case_id.gather(rep),
                "attendance_on": date_col(day),
                "scheduled_hours": pl.repeat("6.0", len(rep), eager=True),
                "attended_hours": attended.astype(str),
                "absence_reason": np.where(attended == 6.0, "none", "valid"),
            }
        ),
    )
    planned = np.flatnonzero(np.isin(new_unit, ACTION_PLAN_UNITS))
    w.csv(
        "action_plans",
        pl.DataFrame(
            {
                "plan_id": ids("HP2611-", len(planned), 5),
                "case_id": new_ids.gather(planned),
                "established_on": date_col(np.minimum(new_start[planned] + 7, last)),
                "direction": rng.choice(np.array(["work", "studies", "other"]), len(planned), p=[0.6, 0.3, 0.1]),
                "reviewed_on": pl.repeat(None, len(planned), dtype=pl.Utf8, eager=True),
            }
        ),
    )
    rep, day = events("drug_tests", 7)
    result = rng.choice(np.array(["negative", "positive", "refused"]), len(rep), p=[0.88, 0.08, 0.04])
    w.csv(
        "drug_tests",
        pl.DataFrame(
            {
                "test_id": ids("T2611-", len(rep), 7),
                "case_id": case_id.gather(rep),
                "tested_on": date_col(day),
                "result": result,
                "reason": np.where(result == "positive", "suspicion", "routine"),
            }
        ),
    )
    persons = np.unique(c_person[~c_hidden])
    w.csv(
        "support_months",
        pl.DataFrame(
            {
                "person_id": persons,
                "month": pl.repeat("2026-11", len(persons), eager=True),
                "support_type": pl.repeat("income_support", len(persons), eager=True),
                "amount_sek": (rng.integers(60, 110, len(persons)) * 100).astype(str),
            }
        ),
    )
    ledger = [
        (f"V2611-{u.code}-{i}", u.code, "2026-11-28", cat, f"{u.staff_fte * max(scale, 0.1) * share / 12:.2f}", None)
        for u in running
        for i, (cat, share) in enumerate(zip(COST_CATEGORIES, (620_000, 60_000, 110_000, 0, 40_000), strict=True))
        if share
    ]
    w.csv(
        "ledger",
        pl.DataFrame(
            ledger, schema=["entry_id", "unit_code", "booked_on", "cost_category", "amount_sek", "funder"], orient="row"
        ),
    )
    rep, day = events("ors", 60)
    items = {
        name: np.clip(np.round(rng.normal(5.5, 1.5, len(rep)), 1), 0, 10)
        for name in ("individual", "interpersonal", "social", "overall")
    }
    w.xlsx(
        "ors",
        pl.DataFrame(
            {
                "response_id": ids("ORS2611-", len(rep), 7),
                "case_id": case_id.gather(rep),
                "administered_on": date_col(day),
                "session_no": np.full(len(rep), 1),
                "form": pl.repeat("ors", len(rep), eager=True),
                **items,
            }
        ),
    )
    return dict(sorted(w.rows.items()))
