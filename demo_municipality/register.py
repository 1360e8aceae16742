"""The municipality's income-support register: `support_months` for every recipient, not only participants.

What docs/evaluation.md needs to show, and how the register is drawn (vectorised over persons; the only Python
loops run over months, over a few rounds of assignment and over chunks of persons):

* **Spells that end on their own.** Every adult follows one monthly chain: on income support or not, with a
  persistent need `a` ~ N(0, 1) setting both the chance to stay on support (a spell lasts a few months) and to
  start a new one. Off support a person is in work or studies (wage or study allowance) or has no registered
  income. Nobody receives support before the year they turn 18.
* **Regression to the mean.** A person picked because of many months on support in the last year is, on average,
  at the bad end of their own spells: their next year is better whatever anyone does.
* **Participants selected on a worse baseline.** Histories are drawn for everyone first, participants and the
  `POOL` non-participants alike (same chain). Then each participant takes over a history of their birth year and
  sex, picked among `CANDIDATES` drawn at random from that group with weight exp(SELECTION x months on support in
  the 12 months before the enrolment month), and only among histories with support in the 3 months before; the
  person whose history it was gets one of the histories left over. The register as a whole is still a draw from
  the chain (histories only change hands), so a comparison person's future is as natural as a participant's would
  have been: the selection is on the observed history alone, the assumption the matched comparison needs.
* **A planted effect.** `planted_effect_months` per unit in units.yml: in months 1..12 after the enrolment month a
  participant's months of income support are each replaced by work with the probability that removes that many
  months on average for the unit (-2 for PIMA and C2C, -1 for UNGH, 0 for UPS and BER).
* **Who is in the file.** Everyone from 2015-01 up to the export (the chain runs from BURN_IN months earlier, so
  2015-01 is not a start in any particular state). Income support is always recorded; wages and other agencies'
  benefits only within `TRACKED_MONTHS` months after a month of income support (what the municipality follows
  up), which keeps the file about as large as the 18-month horizon needs. A participant's whole history is there:
  a participant of one unit can be a comparison person for another.

Participants exited to work or studies are in work or studies in the months they have neither support nor wage
otherwise. The register draws from its own random stream, so the other sources' files do not depend on it.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from demo_municipality.cases import Cases, personnummer
from demo_municipality.columns import EXPORT, days, month_col
from demo_municipality.units import UNITS

POOL = 2500  # non-participants at scale 1
HISTORY_FROM = days("2015-01-01")
BURN_IN = 24  # months of the chain before anything is recorded
CANDIDATES = 16  # histories drawn per participant, one picked by selection
SELECTION_MONTHS = 12  # a unit's selection looks at the months on support in the 12 months before enrolment
TRACKED_MONTHS = 21  # wages and other benefits are recorded up to this many months after a month of income support
OTHER_SHARE = 0.05  # months with another agency's benefit
CHUNK = 20_000  # persons written at a time

OFF, SUPPORT, ACTIVE = 0, 1, 2  # chain states: no registered income, income support, in work or studies
OTHER_TYPES = ("sickness_benefit", "unemployment_benefit", "activity_compensation")
TYPES = ("income_support", "wage", "study_allowance", *OTHER_TYPES)


def _month(day_numbers: np.ndarray) -> np.ndarray:
    return np.asarray(day_numbers, dtype="int64").astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _chain(
    rng: np.random.Generator, need: np.ndarray, adult_from: np.ndarray, first: np.ndarray, steps: int, on=None
) -> np.ndarray:
    """States (persons x steps) of the months first, first + 1, …; `on`: on support the month before `first`."""
    stay, start, active = _sigmoid(1.1 + 0.4 * need), _sigmoid(-3.6 + 0.8 * need), _sigmoid(0.4 - 0.8 * need)
    n = len(need)
    on = np.zeros(n, bool) if on is None else on.copy()
    out = np.empty((n, steps), np.int8)
    for t in range(steps):
        adult = first + t >= adult_from
        on = np.where(on, rng.random(n) < stay, rng.random(n) < start) & adult
        working = ~on & adult & (rng.random(n) < active)
        out[:, t] = np.where(on, SUPPORT, np.where(working, ACTIVE, OFF))
    return out


def _range() -> tuple[int, int]:
    """First simulated month (BURN_IN months before 2015-01) and the export month (months since 1970-01)."""
    return int(_month(np.array([HISTORY_FROM]))[0]) - BURN_IN, int(_month(np.array([EXPORT.astype(int)]))[0])


def _adult_from(births: np.ndarray) -> np.ndarray:
    """January of the year a person turns 18 (months since 1970-01): the same for everyone born the same year."""
    year = np.asarray(births, dtype="int64").astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
    return (year + 18) * 12


def _participant_histories(
    rng: np.random.Generator, adult_from: np.ndarray, t0: np.ndarray, selection: np.ndarray, steps: int
) -> np.ndarray:
    """Each participant's whole history: CANDIDATES histories drawn from the chain, one picked with weight
    exp(selection x months on support in the SELECTION_MONTHS months before the enrolment month), among those with
    support in the 3 months before when selection > 0 (a unit without selection takes the first draw as it is).
    Histories beyond the enrolment month are the chain's own continuation."""
    first, _ = _range()
    out = np.empty((len(t0), steps), np.int8)
    for lo in range(0, len(t0), CHUNK):
        sl = slice(lo, min(lo + CHUNK, len(t0)))
        n = sl.stop - sl.start
        paths = _chain(
            rng,
            rng.normal(0.0, 1.0, n * CANDIDATES),
            np.repeat(adult_from[sl], CANDIDATES),
            np.full(n * CANDIDATES, first),
            steps,
        ).reshape(n, CANDIDATES, steps)
        before = np.take_along_axis(paths, (t0[sl, None] + np.arange(-SELECTION_MONTHS, 0))[:, None, :], axis=2)
        months_before = (before == SUPPORT).sum(axis=2)
        chosen_by = selection[sl, None]
        eligible = (before[:, :, -3:] == SUPPORT).any(axis=2) | (chosen_by == 0)
        weight = np.where(eligible, np.exp(chosen_by * months_before), 0.0)
        weight[:, 1:] *= chosen_by > 0  # no selection: the first draw
        total = weight.sum(axis=1)
        draw = rng.random(n) * total
        pick = np.minimum((np.cumsum(weight, axis=1) < draw[:, None]).sum(axis=1), CANDIDATES - 1)
        pick = np.where(total > 0, pick, months_before.argmax(axis=1))  # none eligible: the worst history
        out[sl] = paths[np.arange(n), pick]
    return out


def _population(rng: np.random.Generator, c: Cases, scale: float) -> dict[str, np.ndarray]:
    """Participants (each person's first case, without reserve number or anonymity) and the pool, with histories."""
    first_case = np.unique(c.person_of, return_index=True)[1]
    part = first_case[~c.anonymous[first_case] & ~c.reserve[first_case]]
    first, end = _range()
    t0 = _month(c.start[part]) - first
    selection = np.array([{u.code: u.baseline_selection for u in UNITS}[code] for code in np.unique(c.unit)])[
        np.unique(c.unit, return_inverse=True)[1][part]
    ]
    part_states = _participant_histories(
        rng, _adult_from(c.cases["birth"].to_numpy()[part]), t0, selection, end - first
    )
    n_pool = max(1, int(round(POOL * scale)))
    young = rng.random(n_pool) < 0.55
    born_from = np.where(young, days("1990-01-01"), days("1955-01-01"))
    born_to = np.where(young, days("2008-06-30"), days("1995-12-31"))
    births = born_from + (rng.random(n_pool) * (born_to - born_from)).astype(np.int64)
    female = rng.random(n_pool) < 0.5
    pool_states = _chain(rng, rng.normal(0.0, 1.0, n_pool), _adult_from(births), np.full(n_pool, first), end - first)
    ids = np.concatenate([c.person_ids[part], personnummer(births, female, start=len(c.case_id), first_rank=100)])
    return {"case": part, "t0": t0, "states": np.concatenate([part_states, pool_states]), "ids": ids}


def _plant_effects(rng: np.random.Generator, c: Cases, part: dict[str, np.ndarray]) -> dict[str, float]:
    """Months 1..12 after enrolment: income support -> work, each month with the unit's probability, chosen so that
    participants with income support in the 3 months before (the ones a matched comparison can evaluate) lose
    planted_effect_months on average. Returns the realised mean change of those participants per unit."""
    n = len(part["case"])
    states = part["states"][:n]
    cols = np.minimum(part["t0"][:, None] + np.arange(1, 13), states.shape[1] - 1)
    window = np.take_along_axis(states, cols, axis=1)
    before = np.take_along_axis(states, np.maximum(part["t0"][:, None] + np.arange(-3, 0), 0), axis=1)
    in_pool = (before == SUPPORT).any(axis=1)
    unit = c.unit[part["case"]]
    realised = {}
    for u in UNITS:
        rows = np.flatnonzero(unit == u.code)
        realised[u.code] = 0.0
        if not len(rows) or not u.planted_effect_months:
            continue
        support = window[rows] == SUPPORT
        evaluated = in_pool[rows]
        share = min(1.0, -u.planted_effect_months / max(support[evaluated].sum(axis=1).mean(), 1e-9))
        removed = support & (rng.random(support.shape) < share)
        window[rows] = np.where(removed, ACTIVE, window[rows])
        realised[u.code] = -float(removed[evaluated].sum(axis=1).mean())
    np.put_along_axis(states, cols, window, axis=1)
    return realised


def _exits_to_work(c: Cases, part: dict[str, np.ndarray]) -> np.ndarray:
    """Participants who left for work or studies are in work or studies when they have no other income. Returns per
    person and month what an active month is: 1 studies, 2 work, 0 either (a fifth studies)."""
    case = part["case"]
    reasons = c.cases["exit_reason"].fill_null("").to_numpy()[case]
    positive = np.isin(reasons, ["work", "work_and_studies", "studies"])
    first, _ = _range()
    exit_col = _month(c.end[case]) - first
    after_exit = positive[:, None] & (np.arange(part["states"].shape[1])[None, :] > exit_col[:, None])
    states = part["states"][: len(case)]
    part["states"][: len(case)] = np.where(after_exit & (states == OFF), ACTIVE, states)
    activity = np.zeros(part["states"].shape, np.int8)
    activity[: len(case)] = np.where(after_exit, np.where(reasons == "studies", 1, 2)[:, None], 0)
    return activity


def _rows(
    rng: np.random.Generator,
    person_ids: pl.Series,
    states: np.ndarray,
    first: np.ndarray,
    studying: np.ndarray | None,
) -> pl.DataFrame:
    """Support-month rows of persons x months, CHUNK persons at a time: support always; wages, study allowance and
    other benefits only within TRACKED_MONTHS after a month of support; nothing before 2015-01 or from the export
    month on."""
    parts = []
    for lo in range(0, len(states), CHUNK):
        sl = slice(lo, min(lo + CHUNK, len(states)))
        chunk = _chunk_rows(rng, states[sl], first[sl], None if studying is None else studying[sl])
        parts.append(chunk.with_columns(pl.col("person") + lo))
    rows = pl.concat(parts)
    return pl.DataFrame(
        {
            "person_id": person_ids.gather(rows["person"]),
            "month": month_col(first[rows["person"].to_numpy()] + rows["step"].to_numpy()),
            "support_type": pl.Series(TYPES).gather(rows["stype"]),
            "amount_sek": rows["amount"].cast(pl.Utf8),
        }
    )


def _chunk_rows(
    rng: np.random.Generator, states: np.ndarray, first: np.ndarray, studying: np.ndarray | None
) -> pl.DataFrame:
    n, steps = states.shape
    t = np.arange(steps, dtype=np.int32)[None, :]
    months = first[:, None] + t
    last_support = np.maximum.accumulate(np.where(states == SUPPORT, t, np.int32(-10_000)), axis=1)
    tracked = (t - last_support <= TRACKED_MONTHS) & (months >= _month(np.array([HISTORY_FROM]))[0])
    tracked &= months < _month(np.array([EXPORT.astype(int)]))[0]
    support = (states == SUPPORT) & tracked
    active = (states == ACTIVE) & tracked
    either = rng.random((n, steps)) < 0.2
    study = active & ((studying == 1) | ((studying == 0) & either) if studying is not None else either)
    other = tracked & (states != OFF) & (rng.random((n, steps)) < OTHER_SHARE)
    kind = np.where(support, 0, np.where(study, 2, np.where(active, 1, -1)))
    person, step = np.nonzero(kind >= 0)
    stype = kind[person, step]
    o_person, o_step = np.nonzero(other)
    person = np.concatenate([person, o_person])
    step = np.concatenate([step, o_step])
    stype = np.concatenate([stype, 3 + rng.integers(0, len(OTHER_TYPES), len(o_person))])
    amount = np.select(
        [stype == 0, stype == 1, stype == 2],
        [rng.integers(60, 110, len(stype)) * 100, rng.integers(180, 280, len(stype)) * 100, np.full(len(stype), 3500)],
        rng.integers(90, 160, len(stype)) * 100,
    )
    order = np.lexsort((stype, step, person))
    return pl.DataFrame(
        {"person": person[order], "step": step[order], "stype": stype[order], "amount": amount[order]},
        schema={"person": pl.Int64, "step": pl.Int64, "stype": pl.Int64, "amount": pl.Int64},
    )


def support_months(rng: np.random.Generator, c: Cases, scale: float) -> tuple[pl.DataFrame, dict[str, float]]:
    """The register's rows (participants first, then the pool) and the realised effect per unit (months)."""
    first, _ = _range()
    people = _population(rng, c, scale)
    realised = _plant_effects(rng, c, people)
    studying = _exits_to_work(c, people)
    n = len(people["ids"])
    rows = _rows(rng, pl.Series(people["ids"]), people["states"], np.full(n, first), studying)
    return rows, realised
