"""The case population every source hangs on: persons, their cases in the units, and the enrolments export."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from demo_municipality import dirt
from demo_municipality.columns import EXPORT_DATE, HISTORY_START, canonical_text, date_col, days
from demo_municipality.units import UNITS


def personnummer(
    birth_days: np.ndarray, female: np.ndarray, start: int = 0, first_rank: int | None = None
) -> np.ndarray:
    """Valid Swedish numbers, in the forms exports mix: YYYYMMDD-NNNC, YYMMDD-NNNC, YYYYMMDDNNNC.

    Distinct persons get distinct numbers: the serial is the person's rank among those born the same day with the
    same sex (500 serials per day and sex, as in the register); a later batch (`start` > 0) ranks from 250 on so
    that it cannot reuse the serials of the first one. `start` also continues the cycle of forms. `first_rank`
    sets where a batch's ranks begin (the income-support register's non-participants rank from 100).
    """
    frame = pl.DataFrame({"born": np.asarray(birth_days, dtype="int64"), "female": np.asarray(female, dtype=bool)})
    rank = frame.select(pl.int_range(pl.len()).over("born", "female")).to_series().to_numpy()
    rank = rank + (first_rank if first_rank is not None else 250 if start else 0)
    # Vectorised: the digits of YYMMDD and the serial, the Luhn sum over them, then one of three forms per person.
    born = np.asarray(birth_days, dtype="int64").astype("datetime64[D]")
    year = born.astype("datetime64[Y]").astype(np.int64) + 1970
    month = born.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (born - born.astype("datetime64[M]")).astype(np.int64) + 1
    sex_digit = (rank // 100) % 5 * 2 + np.where(np.asarray(female, dtype=bool), 0, 1)
    digits = np.stack(
        [
            year // 10 % 10,
            year % 10,
            month // 10,
            month % 10,
            day // 10,
            day % 10,
            rank % 100 // 10,
            rank % 10,
            sex_digit,
        ]
    )
    products = digits * np.array([2, 1, 2, 1, 2, 1, 2, 1, 2])[:, None]
    check = (10 - (products // 10 + products % 10).sum(axis=0) % 10) % 10
    text = pl.DataFrame({"y": year, "m": month, "d": day, "r": rank % 100, "s": sex_digit, "c": check}).select(
        ymd=pl.col("y").cast(pl.Utf8) + pl.col("m").cast(pl.Utf8).str.zfill(2) + pl.col("d").cast(pl.Utf8).str.zfill(2),
        rest=pl.col("r").cast(pl.Utf8).str.zfill(2) + pl.col("s").cast(pl.Utf8) + pl.col("c").cast(pl.Utf8),
    )
    full = (text["ymd"] + "-" + text["rest"]).to_numpy()
    form = (np.arange(len(rank)) + start) % 3
    out = np.where(
        form == 0,
        full,
        np.where(
            form == 1,
            (text["ymd"].str.slice(2) + "-" + text["rest"]).to_numpy(),
            (text["ymd"] + text["rest"]).to_numpy(),
        ),
    )
    return out.astype(str)


@dataclass(frozen=True)
class Cases:
    cases: pl.DataFrame  # one row per generated case (unit_code, enrolled, exited, is_exited, exit_reason, …)
    enrol: pl.DataFrame  # the enrolments export as canonical text, dirt rows included
    person_of: np.ndarray  # case -> the first case of its person
    person_ids: np.ndarray  # case -> identity number (a reserve number for some BER clients)
    anonymous: np.ndarray
    reserve: np.ndarray
    # Per case, for the event sources: unit, case id, first and last day in the unit (the day before the export
    # while the case is open), and that span in days (at least 1).
    unit: np.ndarray
    case_id: np.ndarray
    start: np.ndarray
    end: np.ndarray
    span: np.ndarray

    def in_units_with(self, flag: str) -> np.ndarray:
        """Cases of the units that export the optional source `flag` (a `Unit` flag: attendance, ors, …)."""
        return np.isin(self.unit, [u.code for u in UNITS if getattr(u, flag)])

    def events(self, rng: np.random.Generator, mask: np.ndarray, per_days: float, cap: int, jitter: bool = True):
        """(case index, n-th event of the case, day) for events spread over each selected case's span."""
        idx = np.flatnonzero(mask)
        counts = np.minimum(cap, 1 + self.span[idx] // per_days).astype(int)
        rep = np.repeat(idx, counts)
        k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        day = self.start[rep] + (k * per_days).astype(int)
        if jitter:
            day = day + rng.integers(0, max(1, int(per_days)), len(rep))
        return rep, k, np.minimum(day, self.end[rep])


def draw_cases(rng: np.random.Generator, scale: float) -> Cases:
    """Persons and cases: the first draws of the generator, so the monthly increment can repeat them exactly."""
    export = days(EXPORT_DATE)
    parts = []
    for u in UNITS:
        n = max(1, int(round(u.cases * scale)))
        start = max(days(u.starts_on), days(HISTORY_START))
        end = min(days(u.ends_on) if u.ends_on else export, export) - 20
        enrolled = np.sort(rng.integers(start, end, n))
        duration = np.maximum(20, rng.gamma(2.0, u.mean_days / 2.0, n).astype(int))
        exited = enrolled + duration
        if u.ends_on:
            exited = np.minimum(exited, days(u.ends_on))
        is_exited = exited < export - 1
        reasons = np.array(list(u.exits))
        exit_reason = rng.choice(reasons, n, p=np.array(list(u.exits.values())))
        age = rng.integers(u.ages[0], u.ages[1] + 1, n)
        birth = enrolled - age * 365 - rng.integers(1, 360, n)
        female = rng.random(n) < u.female_share
        parts.append(
            pl.DataFrame(
                {
                    "unit_code": [u.code] * n,
                    "enrolled": enrolled,
                    "exited": exited,
                    "is_exited": is_exited,
                    "exit_reason": np.where(is_exited, exit_reason, None).tolist(),
                    "birth": birth,
                    "female": female,
                    "anonymous": rng.random(n) < u.anonymous_share,
                    "referral_source": rng.choice(np.array(u.referral), n).tolist(),
                    "enrolment_reason": [u.reason] * n,
                }
            )
        )
    cases = pl.concat(parts).with_row_index("n")
    n_cases = cases.height
    # About one person in eight comes back or moves on to another unit: same person, another case.
    reuse = rng.random(n_cases) < 0.12
    person_of = np.arange(n_cases)
    earlier = (rng.random(n_cases) * np.arange(n_cases)).astype(int)
    same_sex = cases["female"].to_numpy()[earlier] == cases["female"].to_numpy()
    c_units, c_enrolled = cases["unit_code"].to_numpy(), cases["enrolled"].to_numpy()
    # Back in the same unit only after leaving it; elsewhere at any time (that is what overlaps are).
    after_exit = cases["is_exited"].to_numpy()[earlier] & (cases["exited"].to_numpy()[earlier] < c_enrolled)
    plausible = same_sex & ((c_units[earlier] != c_units) | after_exit)
    person_of = np.where(reuse & plausible, earlier, person_of)
    person_of = person_of[person_of]  # chains point at the first case of the person
    births = cases["birth"].to_numpy()[person_of]
    females = cases["female"].to_numpy()[person_of]
    pnr_of_case = personnummer(births, females)
    pnr_of_case = pnr_of_case[person_of]
    cases = cases.with_columns(
        pl.Series("person_id", pnr_of_case),
        pl.Series("birth", births),
        pl.Series("female", females),
        pl.Series("case_id", [f"{u}-{i:06d}" for u, i in zip(cases["unit_code"], range(n_cases), strict=True)]),
    )
    # UPS hands over to UNGH; the BER unit registers some clients under reserve numbers.
    dest = np.where(
        (cases["unit_code"] == "UPS").to_numpy() & (cases["exit_reason"] == "transferred").fill_null(False).to_numpy(),
        "UNGH",
        None,
    )
    ber = (cases["unit_code"] == "BER").to_numpy()
    reserve = ber & (rng.random(n_cases) < 0.05)
    # One reserve number per reserve case: R-<year>-<serial>, 10 000 distinct ones before any repeats.
    k = np.cumsum(reserve) - 1
    person_ids = np.where(
        reserve,
        np.array([f"R-{2016 + (j // 1000) % 10}-{j % 1000:03d}" for j in k.tolist()]),
        cases["person_id"].to_numpy(),
    )
    anonymous = cases["anonymous"].to_numpy()
    phase = np.where(
        np.isin(cases["unit_code"].to_numpy(), ["PIMA", "C2C"]) & ~cases["is_exited"].to_numpy(),
        rng.integers(1, 4, n_cases),
        0,
    )
    enrol = pl.DataFrame(
        {
            "case_id": cases["case_id"],
            "person_id": np.where(anonymous, None, person_ids).tolist(),
            "anonymous": anonymous,
            "unit_code": cases["unit_code"],
            "enrolled_on": date_col(cases["enrolled"].to_numpy()),
            "gender": np.where(females, "female", "male").tolist(),
            "birth_date": date_col(births, reserve | anonymous),
            "referral_source": cases["referral_source"],
            "enrolment_reason": cases["enrolment_reason"],
            "exited_on": date_col(cases["exited"].to_numpy(), cases["is_exited"].to_numpy()),
            "exit_reason": cases["exit_reason"],
            "destination_unit_code": dest.tolist(),
            "phase": np.where(phase > 0, phase.astype(str), None).tolist(),
        }
    )
    start = cases["enrolled"].to_numpy()
    end = np.where(cases["is_exited"].to_numpy(), cases["exited"].to_numpy(), export - 1)
    return Cases(
        cases=cases,
        enrol=dirt.enrolments(canonical_text(enrol, "enrolments")),
        person_of=person_of,
        person_ids=person_ids,
        anonymous=anonymous,
        reserve=reserve,
        unit=cases["unit_code"].to_numpy(),
        case_id=cases["case_id"].to_numpy(),
        start=start,
        end=end,
        span=np.maximum(end - start, 1),
    )
