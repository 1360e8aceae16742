"""Intake breakdowns, process and cost marts and their report tables on the PIMA fixture (as of 2018-01-29).

Reuses the session's one pipeline run (`pima_run` in tests/conftest.py). Figures computed by hand from the fixture:

Phases (seed 004: "6 inskrivna, 2 i fas 1, 2 i fas 2 och 2 i fas 3"): ongoing at 2017-12-31 P13, P14 (phase 1),
P15, P16 (phase 2), P17, P18 (phase 3).

Drug tests (drug_tests/): 2017-H2 active P08..P18. Tested (negative/positive/refused dated in H2): P09 (negative
07-15, refused 10-20: latest refused = not negative), P12 (refused), P13 (neg, pos, neg), P14 (neg), P15 (pos, neg),
P16 (neg 12-01), P17 (neg 12-05; the later invalid does not count), P18 (neg) = 8; P10 only invalid = not tested.
Drug free = P13..P18 = 6 -> 0.75. 2017: + P05 (positive) = 9 tested, 6 drug free.

Activities: 2017-H2 ACT1 (P13 individual 60), ACT2 (P13 group 120), ACT3 (P14 individual 45), ACT4 (P15 sip 90) =
4 activities, 315 minutes, 1 sip meeting; 2017 adds ACT5 (P16 individual 60) = 5, 375 minutes (ACT6 is an orphan,
ACT7 quarantined). First activity of cases new in H2: P13 1 day, P14 7, P15 20 -> median 7; in 2017 also P16 1 ->
median of 1, 1, 7, 20 = 4.
Active days in 2017 (both ends included): P01 74, P02 110, P03 59, P04 151, P05 151, P06 166, P07 124, P08 257,
P09 245, P10 275, P11 290, P12 151, P13-P15 131 each, P16 306, P17 350, P18 365 = 3467 -> 3467 / 30.4375 = 113.91
case-months. 2017-H2: P08 91, P09 123, P10 153, P11 168, P12 62, P13-P15 131 each, P16-P18 184 each = 1542 -> 50.66.
Caseload: 6 ongoing / 2.0 FTE = 3.

Breakdown PIMA 2017 by referral source (active/new/exited): employment_service P01 P05 P08 P10 P14 P17 = 6/5/4,
social_services P02 P06 P09 P12 P15 = 5/4/4, self P03 P04 P07 P11 P13 P16 = 6/4/4, other_unit P18 = 1/0/0.
Age at enrolment: 18-20 = P01 P03 P04 P05 P07 P08 P11 P13 P15 P17 (10/7/7), 21-25 = the other 8 (8/6/5).
Report with k = 5: active other_unit 1 is suppressed, the only one, so the next smallest non-zero part
(social_services 5) is suppressed too; new 4 and 4 suppressed (two parts: no secondary); every exited count is 4.

Period costs PIMA 2017: ledger booked in 2017 = 990 000 - 7 152 + 212 400 + 66 874 + 300 000 + 298 823 =
1 860 945 (= 2 510 945 cumulative - 650 000 booked in 2016); / 18 active = 103 385.83 per case; positive exits 7
-> 265 849.29; / (2.0 FTE x 12 months) = 77 539.375 per FTE-month.

Socioeconomics (support_months/, placements/, unit_costs/, evaluation_parameters/). Parameters for PIMA: the unit's
rows follow_up_months 6, discount_rate 0.05 (overrides the * row 0.04), deadweight 0.2, drop_off 0.5, optimism bias
0.1 on benefits and costs; horizon 5 from the * row. ADD: * rows (r 0.04, H 5, F 12), seed defaults 0 for the rest.
F = 6: a case is measured when exit month + 6 months ends by 2018-01-29, i.e. exits up to 2017-06: P00..P07 = 8 cases;
exited to 2017-12-31 = P00..P12 = 13 -> coverage 8/13.
- P01 (enrolled 2016-09, exited 2017-03): baseline 2016-03..08: income support 8 000 + 8 000 = 16 000 (the 2016-02
  and 2016-09 rows are outside); follow-up 2017-04..09: income support 3 000, wage 20 000 (2017-10 outside).
- P02 (2016-09, 2017-04): baseline unemployment benefit 6 000 (state) + sickness benefit 12 000 (social insurance);
  follow-up 2017-05..10: study allowance 3 000 (state), wage 15 000.
- P03 (2016-09, 2017-02): baseline placements residential care 2016-08-22..31 = 10 days x unit cost 4 000 = 40 000
  and foster care 2016-07-01..05 = 5 days x its own 1 000 = 5 000; follow-up 2017-03..08: supported housing from
  2017-08-30 (open) = 2 days x 500 = 1 000. All municipality.
Saving (baseline - follow-up): municipality 61 000 - 4 000 = 57 000, social insurance 12 000, state 6 000 - 3 000 =
3 000; total 72 000 over 6 months -> gross annual 144 000 (114 000 / 24 000 / 6 000); earnings +35 000 -> 70 000 a year.
Adjusted = 144 000 x 0.8 x 0.9 = 103 680. Programme cost 2017 = 2 510 945 x 1.1 = 2 762 039.50.
Payback = 2 762 039.50 / (103 680 / 12) = 2 762 039.50 / 8 640 = 319.6805 months.
PV = 103 680 x (1/1.05 + 0.5/1.05^2 + 0.25/1.05^3 + 0.125/1.05^4 + 0.0625/1.05^5)
   = 98 742.857 + 47 020.408 + 22 390.671 + 10 662.224 + 5 077.250 = 183 893.41;
NPV = 183 893.41 - 2 762 039.50 = -2 578 146.09; benefit-cost ratio = 183 893.41 / 2 762 039.50 = 0.066579.
ADD: no follow-up window complete (A1 2017-03 + 12 months, A2 2017-10 + 12) -> 0 of 2 measured, benefits null,
programme cost 400 000, payback null.
"""

from datetime import date
from decimal import Decimal

import pytest

pytestmark = pytest.mark.slow


def test_phase_status_two_in_each_phase_at_year_end(query):
    rows = query(
        """SELECT phase, ongoing_at_end FROM process.phase_status
           WHERE unit_code = 'PIMA' AND period_label = '2017' ORDER BY phase"""
    )
    assert rows == [(1, 2), (2, 2), (3, 2)]
    ((ongoing,),) = query(
        "SELECT ongoing_at_end FROM intake.period_summary WHERE unit_code = 'PIMA' AND period_label = '2017'"
    )
    assert ongoing == 6 == sum(n for _, n in rows)


def _process(query, period):
    (row,) = query(
        """SELECT tested_cases, drug_free_cases, drug_free_share, activities, activity_minutes, case_months,
                  activities_per_case_month, sip_meetings, median_days_to_first_activity, staff_fte, caseload_per_fte
           FROM process.period_summary WHERE unit_code = 'PIMA' AND period_label = ?""",
        [period],
    )
    return row


def test_process_period_summary_drug_tests_activities_caseload(query):
    tested, free, share, acts, minutes, case_months, per_cm, sip, median, fte, caseload = _process(query, "2017-H2")
    assert (tested, free, share) == (8, 6, 0.75)
    assert (acts, minutes, sip, median) == (4, 315, 1, 7.0)
    assert case_months == Decimal("50.66")
    assert per_cm == pytest.approx(4 / (1542 / 30.4375))
    assert (fte, caseload) == (Decimal("2.00"), 3.0)

    tested, free, share, acts, minutes, case_months, per_cm, sip, median, _, _ = _process(query, "2017")
    assert (tested, free, share) == (9, 6, pytest.approx(6 / 9))
    assert (acts, minutes, sip, median) == (5, 375, 1, 4.0)
    assert case_months == Decimal("113.91")
    assert per_cm == pytest.approx(5 / (3467 / 30.4375))


def test_activity_mix(query):
    rows = query(
        """SELECT period_label, activity_type, intervention_category, activities, minutes, cases
           FROM process.activity_mix WHERE unit_code = 'PIMA' AND period_label IN ('2017', '2017-H2')
           ORDER BY period_label, activity_type"""
    )
    assert rows == [
        ("2017", "group_session", "developing", 1, 120, 1),
        ("2017", "individual_session", "developing", 3, 165, 3),
        ("2017", "sip_meeting", "compensating", 1, 90, 1),
        ("2017-H2", "group_session", "developing", 1, 120, 1),
        ("2017-H2", "individual_session", "developing", 2, 105, 2),
        ("2017-H2", "sip_meeting", "compensating", 1, 90, 1),
    ]


def test_intake_period_breakdown(query):
    rows = query(
        """SELECT dimension, dimension_value, active_cases, new_cases, exited_cases FROM intake.period_breakdown
           WHERE unit_code = 'PIMA' AND period_label = '2017' ORDER BY dimension, dimension_value"""
    )
    assert rows == [
        ("age_band", "18-20", 10, 7, 7),
        ("age_band", "21-25", 8, 6, 5),
        ("enrolment_reason", "unemployment", 18, 13, 12),
        ("gender", "female", 18, 13, 12),
        ("referral_source", "employment_service", 6, 5, 4),
        ("referral_source", "other_unit", 1, 0, 0),
        ("referral_source", "self", 6, 4, 4),
        ("referral_source", "social_services", 5, 4, 4),
    ]


def test_intake_breakdown_report_primary_and_secondary_suppression(query):
    rows = query(
        """SELECT dimension_value, active_cases, new_cases, exited_cases, suppressed_columns
           FROM reports.intake_breakdown
           WHERE unit_code = 'PIMA' AND period_label = '2017' AND dimension = 'referral_source'
           ORDER BY dimension_value"""
    )
    assert rows == [
        ("employment_service", 6, 5, None, "exited_cases"),
        ("other_unit", None, 0, 0, "active_cases"),
        ("self", 6, None, None, "new_cases,exited_cases"),
        ("social_services", None, None, None, "active_cases,new_cases,exited_cases"),
    ]


def test_exits_report(query):
    rows = query(
        """SELECT exit_reason, exited_cases, positive_exit_share, dropout_share, suppressed_columns FROM reports.exits
           WHERE unit_code = 'PIMA' AND period_label = '2017' ORDER BY exit_reason"""
    )
    assert rows == [
        ("misconduct", None, pytest.approx(7 / 12), 0.0, "exited_cases"),
        ("parental_leave", None, pytest.approx(7 / 12), 0.0, "exited_cases"),
        ("work", 5, pytest.approx(7 / 12), 0.0, ""),
        ("work_and_studies", None, pytest.approx(7 / 12), 0.0, "exited_cases"),
    ]
    # ADD 2017: two exits behind the shares, so the shares are withheld too.
    assert query(
        "SELECT DISTINCT suppressed_columns FROM reports.exits WHERE unit_code = 'ADD' AND period_label = '2017'"
    ) == [
        (
            "exited_cases,positive_exit_share,positive_exit_share_ci_low,positive_exit_share_ci_high,dropout_share,"
            "dropout_share_ci_low,dropout_share_ci_high",
        )
    ]
    # PIMA 2017: 7 of 12 positive exits and 0 dropouts, published with their intervals
    assert query(
        """SELECT DISTINCT positive_exit_share_ci_low, positive_exit_share_ci_high, dropout_share_ci_low,
                  dropout_share_ci_high
           FROM reports.exits WHERE unit_code = 'PIMA' AND period_label = '2017'"""
    ) == [(pytest.approx(0.3195, abs=5e-5), pytest.approx(0.8067, abs=5e-5), 0.0, pytest.approx(0.2425, abs=5e-5))]


def test_budget_vs_actual_report_is_not_suppressed(query):
    rows = query(
        """SELECT cost_category, decided_sek, spent_sek, remaining_sek, suppressed_columns
           FROM reports.budget_vs_actual
           WHERE unit_code = 'PIMA' AND period_label = '2017' AND cost_category = 'total'"""
    )
    assert rows == [("total", Decimal(4385000), Decimal(2510945), Decimal(1874055), "")]


def test_period_costs(query):
    rows = query(
        """SELECT spent_sek, active_cases, case_months, cost_per_case, cost_per_case_month, positive_exits,
                  cost_per_positive_exit, staff_fte, cost_per_fte_month
           FROM cost.period_costs WHERE unit_code = 'PIMA' AND period_label = '2017'"""
    )
    ((spent, active, case_months, per_case, per_cm, positive, per_positive, fte, per_fte_month),) = rows
    assert (spent, active, case_months, positive, fte) == (
        Decimal("1860945.00"),
        18,
        Decimal("113.91"),
        7,
        Decimal("2.00"),
    )
    assert per_case == pytest.approx(1860945 / 18)
    assert per_cm == pytest.approx(1860945 / (3467 / 30.4375))
    assert per_positive == pytest.approx(1860945 / 7)
    assert per_fte_month == pytest.approx(77539.375)


def test_socioeconomic_cases(query):
    rows = query(
        """SELECT case_id, baseline_from, baseline_to, follow_up_from, follow_up_to,
                  baseline_municipality_sek, baseline_social_insurance_sek, baseline_state_sek, baseline_earnings_sek,
                  follow_up_municipality_sek, follow_up_state_sek, follow_up_earnings_sek,
                  public_cost_saving_sek, earnings_change_sek, unit_cost_price_year
           FROM cost.socioeconomic_cases ORDER BY case_id"""
    )
    assert [r[0] for r in rows] == ["P00", "P01", "P02", "P03", "P04", "P05", "P06", "P07"]
    by_case = {r[0]: r[1:] for r in rows}
    d = Decimal
    assert by_case["P01"] == (
        date(2016, 3, 1), date(2016, 8, 31), date(2017, 4, 1), date(2017, 9, 30),
        d(16000), d(0), d(0), d(0), d(3000), d(0), d(20000), d(13000), d(20000), 2017,
    )  # fmt: skip
    assert by_case["P02"][4:] == (d(0), d(12000), d(6000), d(0), d(0), d(3000), d(15000), d(15000), d(15000), 2017)
    assert by_case["P03"][4:] == (d(45000), d(0), d(0), d(0), d(1000), d(0), d(0), d(44000), d(0), 2017)
    assert by_case["P04"][:4] == (date(2016, 4, 1), date(2016, 9, 30), date(2017, 6, 1), date(2017, 11, 30))
    assert sum(r[12] for r in rows) == d(72000)


def test_socioeconomic_with_parameters_and_price_year(query):
    rows = query(
        """SELECT cases_measured, exited_cases_to_date, coverage, gross_annual_saving_sek,
                  gross_annual_saving_municipality_sek, gross_annual_saving_social_insurance_sek,
                  gross_annual_saving_state_sek, annual_earnings_change_sek, adjusted_annual_benefit_sek,
                  programme_cost_sek, payback_months, pv_benefits_sek, npv_sek, benefit_cost_ratio,
                  follow_up_months, discount_rate, horizon_years, deadweight, drop_off, optimism_bias_benefits,
                  optimism_bias_costs, unit_cost_price_year
           FROM cost.socioeconomic WHERE unit_code = 'PIMA' AND period_label = '2017'"""
    )
    ((measured, exited, coverage, gross, muni, si, state, earn, adjusted, cost, payback, pv, npv, bcr, *params),) = rows
    assert (measured, exited, coverage) == (8, 13, pytest.approx(8 / 13))
    # Wilson 8 of 13: (9.920729 -/+ 1.959964 x sqrt(8 x 5 / 13 + 0.960365)) / 16.841459 = [0.3552, 0.8229]
    assert query(
        """SELECT coverage_ci_low, coverage_ci_high FROM cost.socioeconomic
           WHERE unit_code = 'PIMA' AND period_label = '2017'"""
    ) == [(pytest.approx(0.3552, abs=5e-5), pytest.approx(0.8229, abs=5e-5))]
    assert (gross, muni, si, state, earn) == (
        Decimal(144000),
        Decimal(114000),
        Decimal(24000),
        Decimal(6000),
        Decimal(70000),
    )
    assert (adjusted, cost) == (Decimal(103680), Decimal("2762039.50"))
    assert payback == pytest.approx(2762039.5 / 8640)
    assert (pv, npv) == (Decimal("183893.41"), Decimal("-2578146.09"))
    assert bcr == pytest.approx(183893.409492 / 2762039.5)
    assert params == [6, 0.05, 5, 0.2, 0.5, 0.1, 0.1, 2017]

    add = query(
        """SELECT cases_measured, exited_cases_to_date, coverage, gross_annual_saving_sek, programme_cost_sek,
                  payback_months, npv_sek, follow_up_months, discount_rate, horizon_years, deadweight
           FROM cost.socioeconomic WHERE unit_code = 'ADD' AND period_label = '2017'"""
    )
    assert add == [(0, 2, 0.0, None, Decimal(400000), None, None, 12, 0.04, 5, 0.0)]
