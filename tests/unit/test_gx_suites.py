import pandas as pd

from orchestration.transform.checks import SUITES, run_suite


def _suite(table):
    return next(s for s in SUITES if s.table == table)


def test_budget_suite_catches_a_remaining_that_does_not_add_up():
    frame = pd.DataFrame(
        {
            "decided_sek": [4385000.0, 100.0],
            "spent_sek": [2510945.0, 50.0],
            "remaining_sek": [1874055.0, 60.0],  # second row is broken: 100 - 50 != 60
        }
    )
    frame["decided_minus_spent"] = frame["decided_sek"] - frame["spent_sek"]
    results = run_suite(frame, _suite("cost.budget_vs_actual"))
    failed = [(r["expectation"], r["unexpected_count"]) for r in results if not r["success"]]
    assert failed == [("expect_column_pair_values_to_be_equal", 1)]


def test_process_suite_catches_shares_outside_0_1_and_more_attended_than_scheduled():
    frame = pd.DataFrame(
        {
            "attendance_rate": [0.75, 1.2],
            "action_plan_within_90_days_share": [0.5, None],
            "scheduled_hours": [48.0, 10.0],
            "attended_hours": [36.0, 12.0],
            "plan_eligible_cases": [11, 3],
            "plan_timely_cases": [7, 3],
        }
    )
    all_results = run_suite(frame, _suite("process.period_summary"))
    results = {r["expectation"] + ":" + str(r["kwargs"].get("column", "")): r for r in all_results}
    assert not results["expect_column_values_to_be_between:attendance_rate"]["success"]
    assert results["expect_column_values_to_be_between:attendance_rate"]["unexpected_sample"] == ["1.2"]
    assert results["expect_column_values_to_be_between:action_plan_within_90_days_share"]["success"]
    pair = [r for r in all_results if r["expectation"] == "expect_column_pair_values_a_to_be_greater_than_b"]
    assert [r["success"] for r in pair] == [False, True]


def test_outcome_suites_catch_more_classified_than_pairs_and_a_cohort_that_does_not_add_up():
    summary = pd.DataFrame(
        {
            "ors_reliable_improvement_share": [1 / 3, None],
            "wellbeing_improved_share": [None, 0.75],
            "follow_up_coverage": [3 / 11, 8 / 11],
            "cases_with_pair": [3, 8],
            "reliable_improvement": [1, 0],
            "recovered": [1, 0],
            "improved": [1, 6],
            "classified_cases": [4, 0],  # first row is broken: 4 classified of 3 pairs
        }
    )
    failed = [r["kwargs"] for r in run_suite(summary, _suite("outcome.instrument_summary")) if not r["success"]]
    assert failed == [{"column_A": "cases_with_pair", "column_B": "classified_cases", "or_equal": True}]

    horizon = pd.DataFrame(
        {
            "work_or_studies_at_horizon_share": [None, 0.5],
            "in_work_or_studies": [0, 2],
            "cohort_cases": [0, 4],
            "cohort_by_source": [0, 3],  # second row is broken: 3 statuses for a cohort of 4
        }
    )
    failed = [r["expectation"] for r in run_suite(horizon, _suite("outcome.status_at_horizon")) if not r["success"]]
    assert failed == ["expect_column_pair_values_to_be_equal"]
