"""Periods after a unit has ended (docs/metrics.md#periods-after-a-unit-ends), on a small fixture of finished projects
(tests/fixtures/landing_finished), as of 2019-03-15, with k = 2.

Figures computed by hand from the fixture:

Units: FIN ran 2016-01-01..2016-12-31, KORT 2016-01-01..2016-06-30, SEN 2018-01-01..2018-12-31 (no cases).
The last follow-up month is the month of the latest of ends_on + H (the larger of the work-or-studies target's
horizon, 18 without one, and the largest horizon of any target), ends_on + F (follow_up_months) and the last exit +
12 months; the periods reach its last day, capped at the as-of date:
  FIN: H = 18 (its work target), F = 6, last exit 2016-12-15: 2018-06-30, 2017-06-30, 2017-12-15 -> 2018-06,
       follow_up_to 2018-06-30.
  KORT: H = 6 (its only target), F = 3, last exit 2016-09-15 (registered after the end): 2016-12-31, 2016-09-30,
       2017-09-15 -> 2017-09, follow_up_to 2017-09-30.
  SEN: no targets (H = 18), F = 12 (default), no exit: 2020-06-30, 2019-12-31 -> 2020-06, capped: 2019-03-15.

FIN cases (F = 6: baseline = the 6 months before the enrolment month, follow-up = the 6 months after the exit month):
  F1 2016-01-15..2016-06-30 work:       baseline 2015-07..12 income support 60 000; follow-up 2016-07..12 none,
                                        window closes 2016-12-31; horizon 2017-07-15: wage 20 000 that month -> in.
  F2 2016-02-01..2016-12-15 studies:    baseline 2015-08..2016-01 60 000; follow-up 2017-01..06 none, closes
                                        2017-06-30; horizon 2017-08-01: no support row, positive exit -> in.
  F3 2016-03-01..2016-09-30 self_ended: baseline 2015-09..2016-02 60 000; follow-up 2016-10..2017-03 60 000,
                                        closes 2017-03-31; horizon 2017-09-01: income support 8 000 -> not.
  F4 2016-11-01..2016-12-15 self_ended (44 days: dropout): no support; follow-up closes 2017-06-30; horizon
                                        2018-05-01: no support row, dropout -> not.
  Status cohort (cumulative): 2016-12 0 (not_yet_measurable), 2017-07 1 of 1, 2017-08 2 of 2, 2017-09..2018-04 2 of
  3, 2018-05 and 2018-06 2 of 4 = 0.5 (2 from support months, 2 from the exit).
  Wilson low of n of n = n / (n + z^2): 1 of 1 0.2065, 2 of 2 0.3424 (high 1); 2 of 3: (3.920729 -/+ 1.959964 *
  sqrt(2 / 3 + 0.960365)) / 6.841459 = (3.920729 -/+ 2.500036) / 6.841459 = [0.2077, 0.9385].
  Wilson 2 of 4 (z = 1.959964, z^2 = 3.841459): (2 + 1.920729 -/+ 1.959964 * sqrt(2 * 2 / 4 + 0.960365)) / 7.841459
  = (3.920729 -/+ 2.744204) / 7.841459 = [0.1500, 0.8500]: against the target >= 0.5, met but inconclusive.
  Money: ledger 100 000 (2016-03-31), 100 000 (2016-09-30), 20 000 (2017-02-15, after the end); no adjustments.
  Measured cases (exited and window closed by measured_to) and payback = ledger to date / (annual saving / 12):
    2016-12: F1 -> saving 60 000 x 12 / 6 = 120 000 a year; 200 000 / 10 000 = 20 months; coverage 1 of 4 exited,
             Wilson (2.920729 -/+ 1.959964 * sqrt(0.75 + 0.960365)) / 7.841459 = [0.0456, 0.6994];
    2017-03: F1, F3 -> 60 000 + 0 -> 120 000 a year; 220 000 / 10 000 = 22 months;
    2017-06 and every later period up to 2018-06: F1..F4 -> 120 000 -> 240 000 a year; 220 000 / 20 000 = 11 months
             (the final payback), coverage 4 of 4 = 1, Wilson low 4 / (4 + 3.841459) = 0.5101, high 1.
  Scorecard 2016-H2 (the unit's life): active F2, F3, F4 = 3, exited 3; spent 200 000. 2018-H1 (after the end): no
  cases, cohort 4, share 0.5 [0.1500, 0.8500], spent 220 000.
  Goal payback_months <= 24: met; payback is not a share of persons, so no interval and the status decides:
  clearly_met. Goal attendance_rate has rows only in the periods of the unit's life (no_data: no attendance).
KORT: K1 2016-01-10..2016-05-31 work (horizon 2016-07-10, decided by the exit: in), K2 2016-02-01..2016-09-15 moved
  (horizon 2016-08-01, not exited by then: not) -> from 2016-08 on: 1 of 2.
"""

import os
import shutil
from dataclasses import replace
from datetime import date
from decimal import Decimal

import duckdb
import pytest

from tests.conftest import FIXTURES, TEST_KEY, settings_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    from followup.pipeline import run_pipeline

    tmp = tmp_path_factory.mktemp("finished")
    landing = tmp / "landing"
    shutil.copytree(FIXTURES / "landing_finished", landing)
    settings = replace(settings_for(tmp, landing, date(2019, 3, 15)), suppression_threshold=2)
    os.environ["FOLLOWUP_PSEUDONYM_KEY"] = TEST_KEY
    output: list[str] = []
    code = run_pipeline(settings, out=output.append)
    assert code == 0, "\n".join(output)

    def _query(sql: str, params=None):
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    return _query


def _months(query, table: str, unit: str) -> list[str]:
    """The monthly periods a unit has in a table."""
    rows = query(
        f"""SELECT DISTINCT t.period_label FROM {table} t JOIN reports.periods p USING (period_label)
            WHERE t.unit_code = ? AND p.period_type = 'month' ORDER BY 1""",
        [unit],
    )
    return [r[0] for r in rows]


def test_last_follow_up_month_per_unit(finished):
    rows = finished(
        """SELECT unit_code, ends_on, horizon_months, follow_up_months, last_exited_on, last_follow_up_month,
                  follow_up_to
           FROM intermediate.int_unit_follow_up_ends_derived ORDER BY unit_code"""
    )
    assert rows == [
        ("FIN", date(2016, 12, 31), 18, 6, date(2016, 12, 15), date(2018, 6, 1), date(2018, 6, 30)),
        ("KORT", date(2016, 6, 30), 6, 3, date(2016, 9, 15), date(2017, 9, 1), date(2017, 9, 30)),
        ("SEN", date(2018, 12, 31), 18, 12, None, date(2020, 6, 1), date(2019, 3, 15)),
    ]


def test_intake_and_process_stop_at_the_end_outcome_and_cost_go_on(finished):
    life = [f"2016-{m:02d}" for m in range(1, 13)]
    follow_up = life + [f"2017-{m:02d}" for m in range(1, 13)] + [f"2018-{m:02d}" for m in range(1, 7)]
    for table in ("intake.period_summary", "process.period_summary", "cost.period_costs"):
        assert _months(finished, table, "FIN") == life, table
    for table in ("outcome.status_at_horizon", "cost.socioeconomic", "cost.budget_vs_actual"):
        assert _months(finished, table, "FIN") == follow_up, table
    assert _months(finished, "outcome.status_at_horizon", "KORT")[-1] == "2017-09"
    assert _months(finished, "intake.period_summary", "KORT")[-1] == "2016-06"
    assert _months(finished, "outcome.status_at_horizon", "SEN")[-1] == "2019-03"  # capped at the as-of date
    # the year and half-year holding the last follow-up month are there, the ones after it are not
    labels = {r[0] for r in finished("SELECT period_label FROM cost.socioeconomic WHERE unit_code = 'FIN'")}
    assert {"2018", "2018-H1", "2018-Q2"} <= labels and not {"2018-H2", "2018-Q3", "2018-07"} & labels
    # reports.periods is the one period list, unchanged: every period up to the as-of date
    assert finished("SELECT max(period_label) FROM reports.periods WHERE period_type = 'month'") == [("2019-03",)]


def test_final_18_month_status_after_the_end(finished):
    rows = finished(
        """SELECT period_label, cohort_cases, in_work_or_studies, work_or_studies_at_horizon_share,
                  work_or_studies_at_horizon_share_ci_low, work_or_studies_at_horizon_share_ci_high,
                  status_from_support_months, status_from_exit, measurement_status
           FROM outcome.status_at_horizon
           WHERE unit_code = 'FIN' AND period_label IN ('2016-12', '2017-07', '2017-08', '2017-09', '2018-06', '2018')
           ORDER BY period_label"""
    )
    assert rows == [
        ("2016-12", 0, 0, None, None, None, 0, 0, "not_yet_measurable"),
        ("2017-07", 1, 1, 1.0, pytest.approx(0.2065, abs=5e-5), 1.0, 1, 0, "measured"),
        ("2017-08", 2, 2, 1.0, pytest.approx(0.3424, abs=5e-5), 1.0, 1, 1, "measured"),
        ("2017-09", 3, 2, pytest.approx(2 / 3), pytest.approx(0.2077, abs=5e-5), pytest.approx(0.9385, abs=5e-5), 2, 1,
         "measured"),
        ("2018", 4, 2, 0.5, pytest.approx(0.1500, abs=5e-5), pytest.approx(0.8500, abs=5e-5), 2, 2, "measured"),
        ("2018-06", 4, 2, 0.5, pytest.approx(0.1500, abs=5e-5), pytest.approx(0.8500, abs=5e-5), 2, 2, "measured"),
    ]  # fmt: skip
    kort = finished(
        """SELECT period_label, horizon_months, cohort_cases, in_work_or_studies FROM outcome.status_at_horizon
           WHERE unit_code = 'KORT' AND period_label IN ('2016-06', '2016-07', '2017-09') ORDER BY period_label"""
    )
    assert kort == [("2016-06", 6, 0, 0), ("2016-07", 6, 1, 1), ("2017-09", 6, 2, 1)]


def test_last_follow_up_windows_close_after_the_end_and_the_final_payback(finished):
    windows = finished(
        "SELECT case_id, follow_up_to FROM cost.socioeconomic_cases WHERE unit_code = 'FIN' ORDER BY case_id"
    )
    assert windows == [
        ("F1", date(2016, 12, 31)),
        ("F2", date(2017, 6, 30)),
        ("F3", date(2017, 3, 31)),
        ("F4", date(2017, 6, 30)),
    ]
    rows = finished(
        """SELECT period_label, cases_measured, exited_cases_to_date, coverage, coverage_ci_low, coverage_ci_high,
                  gross_annual_saving_sek, programme_cost_sek, payback_months
           FROM cost.socioeconomic
           WHERE unit_code = 'FIN' AND period_label IN ('2016-12', '2017-03', '2017-06', '2018-06', '2018')
           ORDER BY period_label"""
    )
    d = Decimal
    assert rows == [
        ("2016-12", 1, 4, 0.25, pytest.approx(0.0456, abs=5e-5), pytest.approx(0.6994, abs=5e-5), d(120000),
         d(200000), 20.0),
        ("2017-03", 2, 4, 0.5, pytest.approx(0.1500, abs=5e-5), pytest.approx(0.8500, abs=5e-5), d(120000),
         d(220000), 22.0),
        ("2017-06", 4, 4, 1.0, pytest.approx(0.5101, abs=5e-5), 1.0, d(240000), d(220000), 11.0),
        ("2018", 4, 4, 1.0, pytest.approx(0.5101, abs=5e-5), 1.0, d(240000), d(220000), 11.0),
        ("2018-06", 4, 4, 1.0, pytest.approx(0.5101, abs=5e-5), 1.0, d(240000), d(220000), 11.0),
    ]  # fmt: skip
    # the invoice booked after the end counts in the budget table's periods after it
    assert finished(
        """SELECT period_label, spent_sek FROM cost.budget_vs_actual
           WHERE unit_code = 'FIN' AND cost_category = 'total' AND period_label IN ('2016-12', '2017-03', '2018-06')
           ORDER BY period_label"""
    ) == [("2016-12", d(200000)), ("2017-03", d(220000)), ("2018-06", d(220000))]


def test_goals_after_the_end(finished):
    rows = finished(
        """SELECT period_label, metric, actual_value, status, ci_low, ci_high, evidence FROM outcome.goal_attainment
           WHERE unit_code = 'FIN' AND period_label IN ('2016-12', '2018-06') ORDER BY period_label, metric"""
    )
    assert rows == [
        ("2016-12", "attendance_rate", None, "no_data", None, None, "no_data"),
        ("2016-12", "payback_months", 20.0, "met", None, None, "clearly_met"),
        ("2016-12", "work_or_studies_at_horizon_share", None, "not_yet_measurable", None, None, "not_yet_measurable"),
        ("2018-06", "payback_months", 11.0, "met", None, None, "clearly_met"),
        ("2018-06", "work_or_studies_at_horizon_share", 0.5, "met", pytest.approx(0.1500, abs=5e-5),
         pytest.approx(0.8500, abs=5e-5), "inconclusive"),
    ]  # fmt: skip
    # a target on what the unit did (attendance) has rows only in the periods of its life
    last = finished(
        """SELECT metric, max(period_label) FROM outcome.goal_attainment JOIN reports.periods USING (period_label)
           WHERE unit_code = 'FIN' AND period_type = 'month' GROUP BY metric ORDER BY metric"""
    )
    assert last == [
        ("attendance_rate", "2016-12"),
        ("payback_months", "2018-06"),
        ("work_or_studies_at_horizon_share", "2018-06"),
    ]


def test_scorecard_goes_on_after_the_end(finished):
    rows = finished(
        """SELECT period_label, after_unit_end, active_cases, exited_cases, attendance_rate, horizon_cohort_cases,
                  work_or_studies_at_horizon_share, work_or_studies_at_horizon_share_ci_low,
                  work_or_studies_at_horizon_share_ci_high, spent_sek, goal_work_or_studies_at_horizon_share,
                  goal_work_or_studies_at_horizon_share_evidence, goal_payback_months, goal_payback_months_evidence,
                  goal_attendance_rate
           FROM reports.unit_scorecard WHERE unit_code = 'FIN' AND period_label IN ('2016-H2', '2018-H1')
           ORDER BY period_label"""
    )
    assert rows == [
        ("2016-H2", False, 3, 3, None, 0, None, None, None, Decimal(200000), "not_yet_measurable",
         "not_yet_measurable", "met", "clearly_met", "no_data"),
        ("2018-H1", True, 0, 0, None, 4, 0.5, pytest.approx(0.1500, abs=5e-5), pytest.approx(0.8500, abs=5e-5),
         Decimal(220000), "met", "inconclusive", "met", "clearly_met", None),
    ]  # fmt: skip
    assert finished(
        """SELECT count(*), min(period_label), bool_and(after_unit_end) FROM reports.unit_scorecard
           WHERE unit_code = 'FIN' AND period_label > '2017' AND period_label LIKE '____-__'
             AND period_label NOT LIKE '%H%' AND period_label NOT LIKE '%Q%'"""
    ) == [(18, "2017-01", True)]
