"""Propensity-score matching, difference-in-differences and a percentile bootstrap (docs/evaluation.md).

Per unit and cohort (the calendar year of the index month, and `all`):

1. **Sample.** Participants whose outcome window has closed (`measurable`), who were in the comparison pool's
   situation themselves (`in_pool`: income support in the 3 months before the index month) and whose legal sex and
   age band are known. Comparison candidates are the rows of the same unit at those participants' index months.
2. **Propensity score.** Logistic regression of participation on the covariates (scikit-learn, standardised
   covariates, ridge penalty C = 1, which with hundreds of rows is practically the maximum-likelihood fit and keeps
   separable samples finite). Matching uses the logit of the score.
3. **Matching.** Exact on index month, legal sex and age band; within a stratum the k nearest candidates on the
   logit (scipy's cKDTree), with replacement, no further than the caliper: caliper_sd x the pooled standard
   deviation of the logit. Every candidate as near as the k-th is a match too (ties included, as Abadie and
   Imbens' nearest-neighbour matching does): the matched set never depends on the order of the rows or on the
   pseudonyms. A stratum is an offset on the logit far larger than any distance within it, so one tree query
   matches every stratum at once. A participant with no candidate inside the caliper is unmatched.
4. **Effect.** For matched participant i with comparison persons j (weight 1/m_i each): d_i = (post_i - pre_i) -
   mean_j (post_j - pre_j); ATT = mean d_i. The naive before/after is the same participants' mean post - pre, so
   naive - ATT is the change the comparison group shows: what would have happened anyway.
5. **Interval.** scipy.stats.bootstrap, percentile method, over d_i: resampling participants resamples each with its
   matched set. The seed is a hash of unit, cohort, outcome and parameters, never the clock.
6. **Balance.** Standardised mean differences of each covariate, before (all participants in the sample against
   all candidates) and after matching (matched participants against their weighted matches), both over the
   pooled standard deviation before matching.
7. **Gates.** not_yet_measurable (no participant's window has closed), insufficient_cases (fewer matched than
   evaluation_min_cases), balance_not_reached (some |SMD after| > max_abs_smd), else published.

The result does not depend on the order of the input rows (everything is sorted by its keys first) and is the
same for the same input.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import sklearn
from scipy.spatial import cKDTree
from scipy.stats import bootstrap
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

COVARIATES = (
    "income_support_months",
    "income_support_sek",
    "wage_months",
    "other_support_months",
    "age",
    "legal_sex_female",
)
OUTCOMES = ("income_support_months", "public_cost_sek", "in_work_or_studies_at_horizon")
STATUSES = ("published", "insufficient_cases", "balance_not_reached", "not_yet_measurable")
METHOD = (
    "propensity score (logistic regression) matching, exact on index month, legal sex and age band, "
    "k nearest neighbours on the logit (ties included) with replacement within a caliper; difference-in-differences; "
    "percentile bootstrap over participants with their matched sets"
)
ALL_COHORTS = "all"
EFFECT_COLUMNS = (
    "unit_code",
    "cohort",
    "outcome",
    "n_participants",
    "n_matched",
    "n_comparison_persons",
    "mean_participants_pre",
    "mean_participants_post",
    "mean_comparison_pre",
    "mean_comparison_post",
    "naive_change",
    "att",
    "att_ci_low",
    "att_ci_high",
    "status",
    "method",
    "parameters",
)
BALANCE_COLUMNS = (
    "unit_code",
    "cohort",
    "covariate",
    "n_participants",
    "n_matched",
    "mean_participants",
    "mean_participants_matched",
    "mean_comparison_before",
    "smd_before",
    "mean_comparison_after",
    "smd_after",
)


@dataclass(frozen=True)
class Parameters:
    """The method's parameters (evaluation_parameters; defaults in docs/evaluation.md)."""

    comparison_k: int = 3
    caliper_sd: float = 0.2
    bootstrap_replicates: int = 1000
    evaluation_min_cases: int = 20
    max_abs_smd: float = 0.1

    def as_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass(frozen=True)
class Estimates:
    effects: pd.DataFrame  # EFFECT_COLUMNS: unit x cohort x outcome (of the groups computed)
    balance: pd.DataFrame  # BALANCE_COLUMNS: unit x cohort x covariate (of the groups computed)
    fingerprints: dict[tuple[str, str], str] = field(default_factory=dict)  # (unit, cohort) -> `fingerprint`
    reused: frozenset[tuple[str, str]] = frozenset()  # groups skipped: `previous` had their fingerprint


def estimate(
    rows: pd.DataFrame,
    parameters: Parameters | Mapping[str, Parameters] | None = None,
    *,
    covariates: Sequence[str] = COVARIATES,
    outcomes: Sequence[str] = OUTCOMES,
    previous: Mapping[tuple[str, str], str] | None = None,
) -> Estimates:
    """Effects and balance for every unit x cohort in `rows`.

    `rows`: one row per unit, person and index month; participants (`is_participant`) and comparison candidates.
    Columns: unit_code, person_key, index_month, is_participant, in_pool, measurable, legal_sex, age_band, the
    covariates, and per outcome `<o>_pre`, `<o>_post` (NaN: not observed) and `<o>_closed` (the participant's
    window for the outcome has closed by the as-of date). `person_key` is text or an integer (the dbt model
    passes the 64-bit person_hash: sorting integers is far cheaper than 64-character pseudonyms). `parameters`:
    one set for every unit, or per unit_code (a unit missing from the mapping gets the defaults). `previous`:
    (unit, cohort) -> the fingerprint of the input its stored estimate was computed from; a group whose
    fingerprint is unchanged is not computed again (listed in `reused`, its rows left to the caller), so a build
    after one new month recomputes only the cohorts whose rows changed (and `all`).
    """
    data = _Columns(rows, covariates, outcomes)
    effects: list[dict] = []
    balance: list[dict] = []
    fingerprints: dict[tuple[str, str], str] = {}
    reused = set()
    for unit_code in sorted(set(data.unit.tolist())):
        params = _parameters_for(parameters, unit_code)
        unit = np.flatnonzero(data.unit == unit_code)
        years = sorted(set(data.year[unit[data.is_participant[unit]]].tolist()))
        for cohort in [str(y) for y in years] + [ALL_COHORTS]:
            group = unit if cohort == ALL_COHORTS else unit[data.year[unit] == int(cohort)]
            fingerprints[(unit_code, cohort)] = digest = fingerprint(unit_code, cohort, data, group, params)
            if previous is not None and previous.get((unit_code, cohort)) == digest:
                reused.add((unit_code, cohort))
                continue
            e, b = _estimate_group(unit_code, cohort, data, group, params, covariates, outcomes)
            effects += e
            balance += b
    return Estimates(
        effects=pd.DataFrame(effects, columns=list(EFFECT_COLUMNS)),
        balance=pd.DataFrame(balance, columns=list(BALANCE_COLUMNS)),
        fingerprints=fingerprints,
        reused=frozenset(reused),
    )


# Any change to this module or to the libraries it computes with changes every fingerprint: a stored estimate is
# reused only by the code that made it.
_CODE = hashlib.sha256(
    Path(__file__).read_bytes() + "|".join(m.__version__ for m in (np, pd, scipy, sklearn)).encode("utf-8")
).hexdigest()


def fingerprint(unit_code: str, cohort: str, data: _Columns, group: np.ndarray, params: Parameters) -> str:
    """SHA-256 of everything a group's estimate is computed from: its rows (in their sorted order, every column
    the estimate reads), the parameters and this module's code. Persons and the text columns enter as pandas'
    64-bit hashes of their values (`pd.util.hash_array`, a fixed key), computed once for all groups."""
    h = hashlib.sha256("|".join((_CODE, unit_code, cohort, params.as_json())).encode("utf-8"))
    arrays = [*data.hashed, data.month, data.is_participant, data.in_pool, data.measurable, data.x]
    arrays += [a for o in sorted(data.pre) for a in (data.pre[o], data.post[o], data.closed[o])]
    for array in arrays:
        h.update(np.ascontiguousarray(array[group]).tobytes())
    return h.hexdigest()


class _Columns:
    """The input as numpy arrays, typed, de-duplicated and sorted by the keys (unit, index month, participant first
    or not, person), so that nothing can depend on the order rows arrive in. Groups are index arrays into them,
    never copies."""

    def __init__(self, rows: pd.DataFrame, covariates: Sequence[str], outcomes: Sequence[str]):
        wanted = ["unit_code", "person_key", "index_month", "is_participant", "in_pool", "measurable"]
        wanted += ["legal_sex", "age_band", *covariates]
        for o in outcomes:
            wanted += [f"{o}_pre", f"{o}_post", f"{o}_closed"]
        missing = [c for c in wanted if c not in rows.columns]
        if missing:
            raise ValueError(f"evaluation input lacks column(s) {', '.join(missing)}")
        unit, units = _codes(rows["unit_code"])
        person = rows["person_key"]
        # integers (the dbt model's person_hash) are their own order; anything else is compared as text
        person = person.to_numpy() if pd.api.types.is_integer_dtype(person) else person.astype(str).to_numpy()
        person_order = person if person.dtype.kind in "iu" else pd.factorize(person, sort=True)[0]
        month = pd.to_datetime(rows["index_month"]).astype("datetime64[ns]").to_numpy()
        is_participant = rows["is_participant"].fillna(False).astype(bool).to_numpy()
        # participants after candidates, as a sort on (..., is_participant, person_key) puts them
        keys = (person_order, is_participant, month.astype("int64"), unit)
        order = np.lexsort(keys)
        sorted_keys = [k[order] for k in keys]
        repeated = np.zeros(len(order), dtype=bool)
        repeated[1:] = np.logical_and.reduce([k[1:] == k[:-1] for k in sorted_keys])
        order = order[~repeated]  # the first row of each key stays

        def flags(c: str) -> np.ndarray:
            return rows[c].fillna(False).astype(bool).to_numpy()[order]

        def numbers(cs: Sequence[str]) -> np.ndarray:
            columns = [
                rows[c] if pd.api.types.is_float_dtype(rows[c]) else pd.to_numeric(rows[c], errors="coerce") for c in cs
            ]
            return np.column_stack([c.to_numpy(dtype="float64", na_value=np.nan)[order] for c in columns])

        self.unit = units[unit[order]]
        self.person = person[order]
        self.month = month[order]
        self.year = pd.DatetimeIndex(self.month).year.to_numpy()
        self.is_participant = is_participant[order]
        self.in_pool = flags("in_pool")
        self.measurable = flags("measurable")
        sex, sexes = _codes(rows["legal_sex"])
        band, bands = _codes(rows["age_band"])
        sex, band = sex[order], band[order]
        self.stratified = (sex >= 0) & (band >= 0)
        self.stratum = _strata(self.month, sex, len(sexes), band, len(bands))
        # 64-bit hashes of the person and the text columns, once for all groups (fingerprint).
        self.hashed = [pd.util.hash_array(self.person), _hashed(sex, sexes), _hashed(band, bands)]
        self.x = numbers(covariates)
        self.pre = {o: numbers([f"{o}_pre"])[:, 0] for o in outcomes}
        self.post = {o: numbers([f"{o}_post"])[:, 0] for o in outcomes}
        self.closed = {o: flags(f"{o}_closed") for o in outcomes}


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes in the sort order of the values as text (-1: missing) and the values."""
    codes, uniques = pd.factorize(column, sort=False)
    text = np.asarray([str(u) for u in uniques], dtype=object)  # a handful of units, sexes or bands
    rank = np.empty(len(text), dtype=np.int64)
    rank[np.argsort(text, kind="stable")] = np.arange(len(text))
    return np.where(codes >= 0, rank[np.maximum(codes, 0)], -1), np.sort(text)


def _hashed(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """pandas' 64-bit hash of each row's text (missing: the hash of an empty array)."""
    hashes = np.append(pd.util.hash_array(values), np.uint64(0)) if len(values) else np.zeros(1, dtype=np.uint64)
    return hashes[np.where(codes >= 0, codes, len(values))]


def _parameters_for(parameters, unit_code: str) -> Parameters:
    if parameters is None:
        return Parameters()
    if isinstance(parameters, Parameters):
        return parameters
    return parameters.get(unit_code, Parameters())


def _seed(*parts: object) -> int:
    """A seed from the parameters of the estimate, the same on every run and machine."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little")


def _strata(month: np.ndarray, sex: np.ndarray, sexes: int, band: np.ndarray, bands: int) -> np.ndarray:
    """The exact-matching stratum of each row, (index month, legal sex, age band), numbered in that sort order
    with an unknown sex or band after the known ones (_match)."""
    months = pd.factorize(month.astype("int64"), sort=True)[0]
    key = (months * (sexes + 1) + np.where(sex < 0, sexes, sex)) * (bands + 1) + np.where(band < 0, bands, band)
    return pd.factorize(key, sort=True)[0]


def _logit_scores(x_part: np.ndarray, x_cand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Logit of the propensity score of every participant and candidate."""
    x = np.vstack([x_part, x_cand])
    y = np.concatenate([np.ones(len(x_part)), np.zeros(len(x_cand))])
    scaled = StandardScaler().fit_transform(x)
    # Newton steps: a few iterations with six covariates, where L-BFGS needed dozens.
    model = LogisticRegression(C=1.0, solver="newton-cholesky", max_iter=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a fit that stops at max_iter still orders the rows; nothing to report
        model.fit(scaled, y)
    logit = model.decision_function(scaled)
    return logit[: len(x_part)], logit[len(x_part) :]


def _pooled_sd(a: np.ndarray, b: np.ndarray) -> float:
    var_a = np.var(a, ddof=1) if len(a) > 1 else 0.0
    var_b = np.var(b, ddof=1) if len(b) > 1 else 0.0
    return float(np.sqrt((var_a + var_b) / 2.0))


@dataclass(frozen=True)
class _Matches:
    """The matched pairs of a sample: pair i joins participant `part[i]` (a position in the sample) to candidate
    `cand[i]` (a position in the candidates); each participant's matches weigh 1/m_i."""

    n: int  # participants in the sample
    part: np.ndarray
    cand: np.ndarray

    def where(self, keep: np.ndarray) -> _Matches:
        return _Matches(self.n, self.part[keep], self.cand[keep])

    def matched(self) -> np.ndarray:
        return np.bincount(self.part, minlength=self.n) > 0

    def means(self, values: np.ndarray) -> np.ndarray:
        """Per participant, the mean of the candidates' `values` over its matches (NaN: left out; none: NaN)."""
        gathered = values[self.cand]
        observed = ~np.isnan(gathered)
        counts = np.bincount(self.part[observed], minlength=self.n)
        sums = np.bincount(self.part[observed], weights=gathered[observed], minlength=self.n)
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _match(data: _Columns, part: np.ndarray, cand: np.ndarray, params: Parameters) -> _Matches:
    """Each participant's k nearest candidates of its stratum on the logit, with every candidate tied with the
    k-th, within the caliper (fewer when fewer are inside it)."""
    k = max(1, int(params.comparison_k))
    logit_p, logit_c = _logit_scores(data.x[part], data.x[cand])
    caliper = params.caliper_sd * _pooled_sd(logit_p, logit_c)
    spread = float(np.ptp(np.concatenate([logit_p, logit_c]))) + caliper + 1.0
    # A stratum is an offset far larger than any distance within one: one query matches every stratum at once.
    z_part = (logit_p + data.stratum[part] * (10.0 * spread))[:, None]
    tree = cKDTree((logit_c + data.stratum[cand] * (10.0 * spread))[:, None])
    # p=1: in one dimension the distance is |z_c - z_p| itself, computed alike by both queries, so the k-th
    # candidate is inside its own radius and so is every candidate tied with it.
    dist, _ = tree.query(z_part, k=[min(k, len(cand))], p=1)
    limit = caliper + 1e-12 * max(1.0, spread)
    radius = np.where(dist[:, 0] <= limit, dist[:, 0], limit)
    found = tree.query_ball_point(z_part, r=radius, p=1, return_sorted=True)
    counts = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
    pairs_cand = np.fromiter(itertools.chain.from_iterable(found), dtype=np.int64, count=int(counts.sum()))
    return _Matches(len(part), np.repeat(np.arange(len(part)), counts), pairs_cand)


def _smd(mean_p: float, mean_c: float, sd: float) -> float:
    if np.isnan(mean_p) or np.isnan(mean_c):
        return float("nan")
    diff = mean_p - mean_c
    if sd > 0:
        return float(diff / sd)
    return 0.0 if diff == 0 else float(np.sign(diff) * np.inf)


def _estimate_group(
    unit_code: str,
    cohort: str,
    data: _Columns,
    group: np.ndarray,
    params: Parameters,
    covariates: Sequence[str],
    outcomes: Sequence[str],
) -> tuple[list[dict], list[dict]]:
    everyone = group[data.is_participant[group]]
    sample = everyone[data.measurable[everyone] & data.in_pool[everyone] & data.stratified[everyone]]
    cand = group[~data.is_participant[group] & data.stratified[group]]
    cand = cand[np.isin(data.month[cand], np.unique(data.month[sample]))]
    if len(sample) and len(cand):
        matches = _match(data, sample, cand, params)
    else:
        matches = _Matches(len(sample), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    matched = matches.matched()

    balance_rows = []
    balanced = bool(matched.any())
    for j, cov in enumerate(covariates):
        xp, xc = data.x[sample, j], data.x[cand, j]
        sd = _pooled_sd(xp, xc)
        mean_p = float(xp.mean()) if len(xp) else float("nan")
        mean_c = float(xc.mean()) if len(xc) else float("nan")
        mean_pm = float(xp[matched].mean()) if matched.any() else float("nan")
        mean_ca = float(matches.means(xc)[matched].mean()) if matched.any() else float("nan")
        smd_after = _smd(mean_pm, mean_ca, sd)
        if not np.isnan(smd_after) and abs(smd_after) > params.max_abs_smd:
            balanced = False
        balance_rows.append(
            {
                "unit_code": unit_code,
                "cohort": cohort,
                "covariate": cov,
                "n_participants": len(sample),
                "n_matched": int(matched.sum()),
                "mean_participants": mean_p,
                "mean_participants_matched": mean_pm,
                "mean_comparison_before": mean_c,
                "smd_before": _smd(mean_p, mean_c, sd),
                "mean_comparison_after": mean_ca,
                "smd_after": smd_after,
            }
        )

    effect_rows = []
    for o in outcomes:
        n_participants = int(data.closed[o][everyone].sum())
        pre_p, post_p = data.pre[o][sample], data.post[o][sample]
        pre_c, post_c = data.pre[o][cand], data.post[o][cand]
        observed_c = ~np.isnan(pre_c) & ~np.isnan(post_c)
        # A match counts for this outcome only where the comparison person's outcome is observed.
        usable_matches = matches.where(observed_c[matches.cand])
        comp_delta = usable_matches.means(np.where(observed_c, post_c - pre_c, np.nan))
        usable = data.closed[o][sample] & ~np.isnan(pre_p) & ~np.isnan(post_p) & usable_matches.matched()
        n = int(usable.sum())
        row = {
            "unit_code": unit_code,
            "cohort": cohort,
            "outcome": o,
            "n_participants": n_participants,
            "n_matched": n,
            "n_comparison_persons": 0,
            "mean_participants_pre": np.nan,
            "mean_participants_post": np.nan,
            "mean_comparison_pre": np.nan,
            "mean_comparison_post": np.nan,
            "naive_change": np.nan,
            "att": np.nan,
            "att_ci_low": np.nan,
            "att_ci_high": np.nan,
            "method": METHOD,
            "parameters": params.as_json(),
        }
        if n:
            um = usable_matches.where(usable[usable_matches.part])
            row["n_comparison_persons"] = len(np.unique(data.person[cand[um.cand]]))
            row["mean_participants_pre"] = float(pre_p[usable].mean())
            row["mean_participants_post"] = float(post_p[usable].mean())
            row["mean_comparison_pre"] = float(um.means(np.where(observed_c, pre_c, np.nan))[usable].mean())
            row["mean_comparison_post"] = float(um.means(np.where(observed_c, post_c, np.nan))[usable].mean())
            d = (post_p[usable] - pre_p[usable]) - comp_delta[usable]
            row["naive_change"] = row["mean_participants_post"] - row["mean_participants_pre"]
            row["att"] = float(d.mean())
            if n >= 2:
                row["att_ci_low"], row["att_ci_high"] = _interval(d, params, unit_code, cohort, o)
        if len(everyone) and n_participants == 0:
            status = "not_yet_measurable"
        elif n < params.evaluation_min_cases:
            status = "insufficient_cases"
        elif not balanced:
            status = "balance_not_reached"
        else:
            status = "published"
        row["status"] = status
        effect_rows.append(row)
    return effect_rows, balance_rows


def _interval(d: np.ndarray, params: Parameters, unit_code: str, cohort: str, outcome: str) -> tuple[float, float]:
    """95 % percentile bootstrap interval of mean(d), seeded by the estimate's own parameters."""
    if np.all(d == d[0]):
        return float(d[0]), float(d[0])
    rng = np.random.default_rng(_seed(unit_code, cohort, outcome, params.as_json()))
    res = bootstrap(
        (d,),
        np.mean,
        n_resamples=int(params.bootstrap_replicates),
        method="percentile",
        confidence_level=0.95,
        vectorized=True,
        batch=max(1, min(int(params.bootstrap_replicates), 2_000_000 // max(1, len(d)))),
        rng=rng,
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)
