"""The estimator of evaluation/ on synthetic frames (docs/evaluation.md, "How we know it is right").

Two kinds of fixture:

* a hand-checked one, small enough to compute on paper: a caliper wide enough that every candidate of a stratum is
  a match, so each participant's comparison is the plain mean of its stratum;
* a synthetic register with the biases the method exists for: a persistent need per person plus a passing bad
  spell, so that persons selected on many months of income support improve anyway (regression to the mean), and
  participation that rises with the months of support before (selection on the observed baseline). The naive
  before/after then overstates the effect; the matched estimate must recover the planted one.
"""

import numpy as np
import pandas as pd
import pytest

from evaluation import Parameters, estimate

OUTCOME = ("income_support_months",)
COVS = ("income_support_months", "income_support_sek", "wage_months", "age", "legal_sex_female")


def _frame(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {
        "unit_code": ["U"] * n,
        "in_pool": [True] * n,
        "measurable": [True] * n,
        "legal_sex": ["female"] * n,
        "age_band": ["18-20"] * n,
        "income_support_months_closed": [True] * n,
    }
    base.update(columns)
    return pd.DataFrame(base)


def test_hand_checked_difference_in_differences():
    # One index month, two age bands. Caliper 100 SD and k = 10: every candidate of the stratum is a match.
    # 18-20: participant A  pre 10, post 6 (-4); candidates c1 pre 9 post 7 (-2), c2 pre 8 post 8 (0): mean -1
    #        participant B  pre 12, post 9 (-3);  same comparison: -1
    # 21-25: participant C  pre 6, post 2 (-4);  candidate c3 pre 6 post 5 (-1)
    # d = (-4 + 1, -3 + 1, -4 + 1) = (-3, -2, -3): ATT = -8/3; naive = mean post - mean pre = 17/3 - 28/3 = -11/3.
    # Comparison means per participant, averaged: pre (8.5 + 8.5 + 6) / 3 = 23/3, post (7.5 + 7.5 + 5) / 3 = 20/3.
    frame = _frame(
        person_key=["A", "B", "C", "c1", "c2", "c3"],
        index_month=["2020-03-01"] * 6,
        is_participant=[True, True, True, False, False, False],
        age_band=["18-20", "18-20", "21-25", "18-20", "18-20", "21-25"],
        income_support_months_pre=[10, 12, 6, 9, 8, 6],
        income_support_months_post=[6, 9, 2, 7, 8, 5],
        x=[1.0, 2.0, 3.0, 1.5, 2.5, 3.5],
    )
    result = estimate(
        frame,
        Parameters(comparison_k=10, caliper_sd=100.0, evaluation_min_cases=3, bootstrap_replicates=200),
        covariates=("x",),
        outcomes=OUTCOME,
    )
    row = result.effects.set_index("cohort").loc["all"]
    assert row["n_participants"] == 3 and row["n_matched"] == 3 and row["n_comparison_persons"] == 3
    assert row["att"] == pytest.approx(-8 / 3)
    assert row["naive_change"] == pytest.approx(-11 / 3)
    assert row["mean_comparison_pre"] == pytest.approx(23 / 3)
    assert row["mean_comparison_post"] == pytest.approx(20 / 3)
    # Every resample of d is a mean of -3s and -2s: the interval lies within [-3, -2] around the estimate.
    assert -3 <= row["att_ci_low"] <= row["att"] <= row["att_ci_high"] <= -2
    # Balance of x: participants 2.0 before and after; all candidates 2.5; matched (2.0 + 2.0 + 3.5) / 3.
    bal = result.balance.set_index(["cohort", "covariate"]).loc[("all", "x")]
    assert bal["mean_participants"] == pytest.approx(2.0)
    assert bal["mean_comparison_before"] == pytest.approx(2.5)
    assert bal["mean_comparison_after"] == pytest.approx(7.5 / 3)
    # One cohort (2020) and "all", the same sample.
    assert sorted(result.effects["cohort"]) == ["2020", "all"]


def test_every_candidate_tied_with_the_kth_nearest_is_a_match_whatever_the_pseudonyms():
    # k = 1, one stratum, one covariate x (the logit is linear in x, so nearness in x is nearness in the score).
    # A (x 1.0, pre 10 post 6: -4): c1, c2, c3 share x 1.2 (0.2 away), c4 is at 0.5 (0.5 away): all three tied
    #   candidates are matches, weight 1/3: c1 9 -> 6 (-3), c2 8 -> 8 (0), c3 4 -> 10 (+6), mean +1, d_A = -5.
    #   Any single one of them would give -1, -4 or -10.
    # B (x 3.0, pre 12 post 9: -3): c5 at 3.1 is nearest: 6 -> 5 (-1), d_B = -2.
    # ATT = (-5 - 2) / 2 = -3.5; comparison means per participant, averaged: pre (7 + 6) / 2, post (8 + 5) / 2.
    def frame(names):
        return _frame(
            person_key=names,
            index_month=["2020-03-01"] * 7,
            is_participant=[True, True, False, False, False, False, False],
            income_support_months_pre=[10, 12, 9, 8, 4, 3, 6],
            income_support_months_post=[6, 9, 6, 8, 10, 3, 5],
            x=[1.0, 3.0, 1.2, 1.2, 1.2, 0.5, 3.1],
        )

    params = Parameters(comparison_k=1, caliper_sd=100.0, evaluation_min_cases=2, bootstrap_replicates=200)
    names = ["A", "B", "c1", "c2", "c3", "c4", "c5"]
    rows = []
    for keys in (names, [n[::-1] + "-z" for n in reversed(names)], ["q", "r", "c", "b", "a", "e", "d"]):
        result = estimate(frame(keys), params, covariates=("x",), outcomes=OUTCOME)
        rows.append(result.effects.set_index("cohort").loc["all"])
    for row in rows:
        assert row["n_matched"] == 2 and row["n_comparison_persons"] == 4
        assert row["att"] == pytest.approx(-3.5)
        assert row["mean_comparison_pre"] == pytest.approx(6.5)
        assert row["mean_comparison_post"] == pytest.approx(6.5)


def register(
    n_participants: int,
    effect: float,
    *,
    unit: str = "PIMA",
    pool: int | None = None,
    seed: int = 0,
    months: int = 6,
) -> pd.DataFrame:
    """Participants and comparison candidates of one unit, drawn from one population.

    Need a ~ N(0, 1) is persistent; the spell e ~ N(0, 1) is drawn anew for the 12 months before and the 12 after.
    Months of income support before ~ Binomial(12, sigmoid(a + e_before)), after ~ Binomial(12, sigmoid(a + e_after)).
    Persons enter the project with probability rising steeply with the months before (selection on the baseline);
    the planted effect is added to the participants' months after.
    """
    rng = np.random.default_rng(seed)
    n = (pool or 40 * n_participants) + 12 * n_participants
    a = rng.normal(0.0, 1.0, n) - 1.0
    before = rng.binomial(12, 1 / (1 + np.exp(-(a + rng.normal(0, 1.0, n)))))
    after = rng.binomial(12, 1 / (1 + np.exp(-(a + rng.normal(0, 1.0, n))))).astype(float)
    age = rng.integers(18, 26, n)
    female = rng.random(n) < 0.5
    wage = rng.binomial(12 - before, 0.3)
    sek = before * 8000 + rng.normal(0, 3000, n)
    month = pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, months, n) * 31, unit="D")
    month = month.to_period("M").to_timestamp()
    # Participation probability rises with the months before; pick exactly n_participants by that weight.
    weight = np.exp(0.45 * before) * (before > 0)
    chosen = rng.choice(n, n_participants, replace=False, p=weight / weight.sum())
    is_part = np.zeros(n, bool)
    is_part[chosen] = True
    after = np.where(is_part, after + effect, after)
    in_pool = before > 0  # the pool: income support before
    keep = is_part | in_pool
    return pd.DataFrame(
        {
            "unit_code": unit,
            "person_key": [f"{unit}-{i:06d}" for i in range(n)],
            "index_month": month,
            "is_participant": is_part,
            "in_pool": in_pool,
            "measurable": True,
            "legal_sex": np.where(female, "female", "male"),
            "age_band": np.where(age <= 20, "18-20", "21-25"),
            "income_support_months": before.astype(float),
            "income_support_sek": sek,
            "wage_months": wage.astype(float),
            "age": age.astype(float),
            "legal_sex_female": female.astype(float),
            "income_support_months_pre": before.astype(float),
            "income_support_months_post": after,
            "income_support_months_closed": True,
        }
    )[keep]


@pytest.fixture(scope="module")
def planted():
    """Three units: -2 months (PIMA), no effect (BER), and one with too few participants (TINY)."""
    rows = pd.concat(
        [
            register(400, -2.0, unit="PIMA", seed=1),
            register(400, 0.0, unit="BER", seed=2),
            register(12, -2.0, unit="TINY", seed=3),
        ]
    )
    return rows, estimate(rows, Parameters(), covariates=COVS, outcomes=OUTCOME)


def _effect(result, unit, cohort="all"):
    effects = result.effects
    return effects[(effects.unit_code == unit) & (effects.cohort == cohort)].iloc[0]


def test_planted_effect_is_recovered_and_the_naive_change_is_biased(planted):
    _, result = planted
    pima = _effect(result, "PIMA")
    assert pima["status"] == "published"
    assert pima["att_ci_low"] <= -2.0 <= pima["att_ci_high"]
    # Regression to the mean: the participants improve a lot anyway; the naive before/after lies outside.
    assert not (pima["att_ci_low"] <= pima["naive_change"] <= pima["att_ci_high"])
    assert pima["naive_change"] < pima["att_ci_low"] - 0.5
    # The comparison group improved too: that is the change that would have happened anyway.
    assert pima["mean_comparison_post"] < pima["mean_comparison_pre"]


def test_null_unit_interval_covers_zero(planted):
    _, result = planted
    ber = _effect(result, "BER")
    assert ber["status"] == "published"
    assert ber["att_ci_low"] <= 0.0 <= ber["att_ci_high"]
    assert ber["naive_change"] < ber["att_ci_low"]


def test_too_few_participants_are_insufficient_cases(planted):
    _, result = planted
    tiny = _effect(result, "TINY")
    assert tiny["n_participants"] == 12 and tiny["n_matched"] <= 12
    assert tiny["status"] == "insufficient_cases"
    assert not np.isnan(tiny["att"])  # the figures stay in the mart for the analyst


def test_balance_is_reached_by_matching_where_it_was_not_before(planted):
    _, result = planted
    bal = result.balance[(result.balance.unit_code == "PIMA") & (result.balance.cohort == "all")]
    bal = bal.set_index("covariate")
    assert abs(bal.loc["income_support_months", "smd_before"]) > 0.5  # selected on a worse baseline
    assert (bal["smd_after"].abs() <= 0.1).all(), bal[["smd_before", "smd_after"]]
    assert bal.loc["legal_sex_female", "smd_after"] == 0.0  # exact on legal sex


def test_same_input_same_interval_and_row_order_does_not_matter(planted):
    rows, result = planted
    again = estimate(rows, Parameters(), covariates=COVS, outcomes=OUTCOME)
    pd.testing.assert_frame_equal(again.effects, result.effects)
    shuffled = rows.sample(frac=1.0, random_state=7).reset_index(drop=True)
    reordered = estimate(shuffled, Parameters(), covariates=COVS, outcomes=OUTCOME)
    pd.testing.assert_frame_equal(reordered.effects, result.effects)
    pd.testing.assert_frame_equal(reordered.balance, result.balance)


def test_another_replicate_count_gives_another_but_close_interval(planted):
    rows, result = planted
    pima_rows = rows[rows.unit_code == "PIMA"]
    other = estimate(pima_rows, Parameters(bootstrap_replicates=500), covariates=COVS, outcomes=OUTCOME)
    first, second = _effect(result, "PIMA"), _effect(other, "PIMA")
    assert first["att"] == second["att"]  # the point estimate does not depend on the bootstrap
    assert abs(first["att_ci_low"] - second["att_ci_low"]) < 0.2


def test_window_not_closed_is_not_yet_measurable_and_unmatched_participants_count():
    rows = register(60, -2.0, unit="NEW", seed=4, months=1)
    rows["measurable"] = ~rows["is_participant"]
    rows["income_support_months_closed"] = False
    result = estimate(rows, Parameters(), covariates=COVS, outcomes=OUTCOME)
    assert set(result.effects["status"]) == {"not_yet_measurable"}
    assert (result.effects["n_participants"] == 0).all() and (result.effects["n_matched"] == 0).all()

    rows = register(60, -2.0, unit="OUT", seed=5, months=1)
    # Participants outside the pool (no income support before) or without an age band are never matched.
    part = rows.index[rows["is_participant"]]
    rows.loc[part[:5], "in_pool"] = False
    rows.loc[part[5:8], "age_band"] = None
    row = _effect(estimate(rows, Parameters(), covariates=COVS, outcomes=OUTCOME), "OUT")
    assert row["n_participants"] == 60 and row["n_matched"] <= 52


def test_year_cohorts_and_all():
    rows = register(80, -2.0, unit="Y", seed=6)
    late = rows.sample(frac=0.5, random_state=1).index
    rows.loc[late, "index_month"] = rows.loc[late, "index_month"] + pd.DateOffset(years=1)
    result = estimate(rows, Parameters(bootstrap_replicates=100), covariates=COVS, outcomes=OUTCOME)
    assert sorted(result.effects["cohort"]) == ["2020", "2021", "all"]
    by = result.effects.set_index("cohort")
    assert by.loc["2020", "n_participants"] + by.loc["2021", "n_participants"] == by.loc["all", "n_participants"]


def test_participants_without_any_comparison_candidate_are_counted_not_matched():
    rows = register(30, -2.0, unit="ALONE", seed=8)
    rows = rows[rows["is_participant"]]
    row = _effect(estimate(rows, Parameters(), covariates=COVS, outcomes=OUTCOME), "ALONE")
    assert row["n_participants"] == 30 and row["n_matched"] == 0 and row["status"] == "insufficient_cases"
    assert np.isnan(row["att"])
    assert estimate(rows.iloc[:0], Parameters(), covariates=COVS, outcomes=OUTCOME).effects.empty


def test_missing_input_column_is_refused():
    with pytest.raises(ValueError, match="lacks column"):
        estimate(pd.DataFrame({"unit_code": ["U"]}), covariates=COVS, outcomes=OUTCOME)


def test_a_build_after_new_data_estimates_again_only_the_cohorts_whose_rows_changed():
    """Fingerprints: a year cohort whose rows did not change is not estimated again; the changed year and `all` are.
    Row order does not change a fingerprint; parameters do."""
    rows = register(80, -2.0, unit="Y", seed=6)
    late = rows.sample(frac=0.5, random_state=1).index
    rows.loc[late, "index_month"] = rows.loc[late, "index_month"] + pd.DateOffset(years=1)
    params = Parameters(bootstrap_replicates=100)
    first = estimate(rows, params, covariates=COVS, outcomes=OUTCOME)
    assert set(first.fingerprints) == {("Y", "2020"), ("Y", "2021"), ("Y", "all")} and not first.reused

    shuffled = rows.sample(frac=1.0, random_state=3)
    unchanged = estimate(shuffled, params, covariates=COVS, outcomes=OUTCOME, previous=first.fingerprints)
    assert unchanged.reused == {("Y", "2020"), ("Y", "2021"), ("Y", "all")}
    assert unchanged.effects.empty and unchanged.balance.empty

    # A new month: one 2021 participant's outcome after is revised; the 2020 cohort's rows are as they were.
    newer = rows.copy()
    revised = newer.index[(newer.index_month.dt.year == 2021) & newer.is_participant][0]
    newer.loc[revised, "income_support_months_post"] += 1
    again = estimate(newer, params, covariates=COVS, outcomes=OUTCOME, previous=first.fingerprints)
    assert again.reused == {("Y", "2020")}
    assert sorted(set(again.effects.cohort)) == ["2021", "all"]
    assert again.fingerprints[("Y", "2020")] == first.fingerprints[("Y", "2020")]
    assert again.fingerprints[("Y", "2021")] != first.fingerprints[("Y", "2021")]
    # What was reused is what a full computation gives.
    full = estimate(newer, params, covariates=COVS, outcomes=OUTCOME)
    kept = first.effects[first.effects.cohort == "2020"].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, full.effects[full.effects.cohort == "2020"].reset_index(drop=True))

    other = estimate(
        rows, Parameters(bootstrap_replicates=200), covariates=COVS, outcomes=OUTCOME, previous=first.fingerprints
    )
    assert not other.reused
