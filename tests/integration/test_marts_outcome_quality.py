"""Outcome and quality marts and the outcome reports on the PIMA fixture (tests/conftest.py), as of 2018-01-29.

Figures computed by hand from the fixture (enrolments as in test_pipeline.py; survey rows in tests/conftest.py):

Wellbeing (5 items, 1-5; a form is scored when >= 3 of 5 items are answered, score = mean of the answered):
  P08 baseline 3.0 -> exit 4.0 (improved); P09 2.0 -> exit 3.0 (improved); P10 3.0 (4 items) -> 3.6 (improved);
  P11 4.0 -> exit 4.0 (equal: not improved, strict); P12 4.0 -> exit 3.0 (not improved);
  P13 (2+2+3)/3 = 2.333 (3 of 5 answered) -> 3.0 (improved);
  P14 2.0 -> 3.0 on 2017-10-15 (improved); its 2017-12-01 form has 2 of 5 items: unscored, not the follow-up;
  P15 baseline only: no pair; P16 no baseline occasion, so the earliest (2.0, 2017-06-01) -> 3.0 (improved);
  P17 a follow_up before the baseline and none after it: no pair.
  Pairs with the follow-up in 2017-H2 (and in 2017): 8, improved 6 -> wellbeing_improved_share 0.75 (the seed
  report's 75 %), follow_up_coverage 8 / 11 active in 2017-H2.
Goals of PIMA in 2017-H2: attendance 36 / 48 = 0.75 against >= 0.9: not_met; action plan 7 / 11 against 0.9: not_met;
  wellbeing 0.75 against 1.0 (100 %): not_met; work or studies after 18 months: the earliest horizon date is
  P00's 2016-08-15 + 18 months = 2018-02-15, after measured_to (2017-12-31, and 2018-01-29 for 2018): empty cohort,
  not_yet_measurable with a null actual value.
ADD's goal dropout_share <= 0.5: 2017 exits A1 (dropout, 42 days) and A2 (transferred): 1/2 = 0.5 met;
  2017-03 only A1: 1.0 not_met; 2017-04 no exits: no_data; 2017-10 only A2: 0.0 met.
ORS summary 2017-H2: pairs P13 (reliable improvement, recovered), P14 (no change), P15 (deterioration) -> 3 pairs,
  share 1/3, coverage 3 / 11.
SDQ self-reports (reverse items 7, 11, 14, 21, 25; a scale needs >= 3 of 5 items, round(mean x 5) halves up):
  Q1 P13: emotional 2+2+1+2+1 = 8; conduct 1 + (2-0) + 1 + 0 + 0 = 4; hyperactivity 2+1+2 + (2-0) + (2-1) = 8;
      peer 1 + (2-1) + (2-2) + 0, item 23 blank: 2/4 x 5 = 2.5 -> 3; prosocial 6; total 23 (self band 20-40
      abnormal); impact: distress 3->2, home 2->1, friendships 1->0, classroom 0, leisure 3->2 = 5.
  Q2 P13: emotional 3; conduct 0 (4 items); hyperactivity 1+1+1 + (2-1) + (2-2) = 4; peer 0 + (2-2) + (2-1) = 1 of 3
      items: 5/3 = 1.67 -> 2; prosocial 5; total 9 (normal); has_difficulties false: impact 0.
  Q3 P14: peer has 2 items answered: peer and total missing, so P14 has no sdq_total row.
  P13 sdq_total:self 23 -> 9, change -14, abnormal -> normal, no norms loaded: not_classifiable, improved.
SRS alliance flags: P13 36.0 (no), 37.5 (no), 36.5 (item 8.0 < 9 and a drop of 1.0), 40.0 (no), 39.0 (drop of exactly
  1.0); P14 35.5 (< 36, item 8.5): flagged S3, S5, S6 -> 3 of 6 sessions (2 cases) in 2017-H2.
Follow-up completeness PIMA 2017-H2 (11 active): ORS >= 1 P13-P16 = 4, >= 2 = 3 (P17's form is quarantined);
  SDQ >= 1 P13, P14 = 2, >= 2 = 1; wellbeing >= 1 all but P18 = 10, >= 2 all but P15, P18 = 9.
  2017-09 (10 active: P08-P11, P13-P18; administrations to 2017-09-30): ORS 4 / 0, SDQ 2 / 0, wellbeing 9 / 2
  (P08 and P17 have two by then).
Transfers: A2 ADD -> PIMA exited 2017-10-02: 1 in 2017-10, 2017-Q4, 2017-H2, 2017.
By subgroup PIMA 2017 (all female, unemployment; age at enrolment): 18-20 P01 P03 P04 P05 P07 P08 P11 = 7 exits,
  4 positive; 21-25 P02 P06 P09 P10 P12 = 5 exits, 3 positive. ORS pairs: 18-20 P13 (improvement), P15; 21-25 P14.
Wilson score 95 % intervals (z = 1.959964, z^2 = 3.841459; low, high = (x + z^2/2 -/+ z sqrt(x(n - x)/n + z^2/4)) /
  (n + z^2)): 7 of 12 positive exits in 2017: (8.920729 -/+ 1.959964 x sqrt(2.916667 + 0.960365) = 3.859206) /
  15.841459 = [0.3195, 0.8067]; 0 of 12 dropouts: [0, 3.841459 / 15.841459 = 0.2425]. 6 of 8 wellbeing: (7.920729
  -/+ 1.959964 x sqrt(1.5 + 0.960365) = 3.074311) / 11.841459 = [0.4093, 0.9285]. 7 of 11 action plans: (8.920729 -/+
  1.959964 x sqrt(2.545455 + 0.960365) = 3.669803) / 14.841459 = [0.3538, 0.8483]. 1 of 2 (ADD dropouts 2017):
  (2.920729 -/+ 1.959964 x sqrt(0.5 + 0.960365) = 2.368530) / 5.841459 = [0.0945, 0.9055]. By subgroup 4 of 7:
  [0.2505, 0.8418], 3 of 5: [0.2307, 0.8824].
Goal evidence PIMA 2017-H2: action plan 7/11 [0.3538, 0.8483] against >= 0.9: clearly_not_met; wellbeing 0.75
  [0.4093, 0.9285] against >= 1.0: clearly_not_met; attendance (hours: no interval) 0.75, not met: clearly_not_met.
  ADD dropout_share <= 0.5: 2017 1 of 2 [0.0945, 0.9055] inconclusive; 2017-03 1 of 1 [0.2065, 1] inconclusive
  (not met, but the interval reaches below 0.5); 2017-10 0 of 1 [0, 0.7935] inconclusive.
Staff survey PIMA 2017-H2 (6 respondents): q01 5,4,3,5,2,4 -> n 6, mean 23/6, agreeing 4/6; q02 3,2,2,1,4,3 -> 1/6,
  mean 2.5; q03 4,4,5,4,1 -> n 5, agreeing 4/5, mean 3.6; q04 answered by 2: suppressed. ADD has 3 respondents:
  not published.
"""

import pytest

pytestmark = pytest.mark.slow


def approx(value):
    """A bound computed by hand to 4 decimals."""
    return pytest.approx(value, abs=5e-5)


def _goals(query, unit, period):
    return query(
        """SELECT metric, comparator, target_value, actual_value, status FROM outcome.goal_attainment
           WHERE unit_code = ? AND period_label = ? ORDER BY metric""",
        [unit, period],
    )


def test_wellbeing_change_per_case(query):
    rows = query(
        """SELECT case_id, first_on, first_score, last_on, last_score, improved FROM outcome.instrument_change
           WHERE measure = 'wellbeing' ORDER BY case_id"""
    )
    got = [
        (c, str(f_on), float(f), None if l_on is None else str(l_on), None if last is None else float(last), imp)
        for c, f_on, f, l_on, last, imp in rows
    ]
    assert got == [
        ("P08", "2017-01-20", 3.0, "2017-09-25", 4.0, True),
        ("P09", "2017-03-05", 2.0, "2017-10-30", 3.0, True),
        ("P10", "2017-03-05", 3.0, "2017-11-20", 3.6, True),
        ("P11", "2017-03-05", 4.0, "2017-12-14", 4.0, False),
        ("P12", "2017-04-05", 4.0, "2017-08-30", 3.0, False),
        ("P13", "2017-08-24", 2.333, "2017-11-20", 3.0, True),
        ("P14", "2017-08-24", 2.0, "2017-10-15", 3.0, True),
        ("P15", "2017-08-24", 3.0, None, None, False),
        ("P16", "2017-06-01", 2.0, "2017-11-20", 3.0, True),
        ("P17", "2017-02-01", 3.0, None, None, False),
    ]


def test_instrument_summary_wellbeing_75_percent_and_ors(query):
    rows = query(
        """SELECT measure, cases_with_pair, reliable_improvement, no_reliable_change, reliable_deterioration,
                  recovered, improved, ors_reliable_improvement_share, wellbeing_improved_share, active_cases,
                  follow_up_coverage
           FROM outcome.instrument_summary WHERE unit_code = 'PIMA' AND period_label = '2017-H2' ORDER BY measure"""
    )
    assert rows == [
        ("ors_total", 3, 1, 1, 1, 1, 1, pytest.approx(1 / 3), None, 11, pytest.approx(3 / 11)),
        ("sdq_total:self", 1, 0, 0, 0, 0, 1, None, None, 11, pytest.approx(1 / 11)),
        ("wellbeing", 8, 0, 0, 0, 0, 6, None, 0.75, 11, pytest.approx(8 / 11)),
    ]


def test_goal_attainment_pima_2017_h2(query):
    assert _goals(query, "PIMA", "2017-H2") == [
        ("action_plan_within_90_days_share", ">=", 0.9, pytest.approx(7 / 11), "not_met"),
        ("attendance_rate", ">=", 0.9, 0.75, "not_met"),
        ("wellbeing_improved_share", ">=", 1.0, 0.75, "not_met"),
        ("work_or_studies_at_horizon_share", ">=", 0.6, None, "not_yet_measurable"),
    ]
    # the 18-month goal is not measurable in any period up to the as-of date
    statuses = query(
        """SELECT DISTINCT status FROM outcome.goal_attainment
           WHERE unit_code = 'PIMA' AND metric = 'work_or_studies_at_horizon_share'"""
    )
    assert statuses == [("not_yet_measurable",)]


def test_goal_attainment_met_not_met_and_no_data(query):
    got = {
        period: (actual, status)
        for period, actual, status in query(
            """SELECT period_label, actual_value, status FROM outcome.goal_attainment
               WHERE unit_code = 'ADD' AND metric = 'dropout_share'
                 AND period_label IN ('2017', '2017-03', '2017-04', '2017-10')"""
        )
    }
    assert got == {
        "2017": (0.5, "met"),
        "2017-03": (1.0, "not_met"),
        "2017-04": (None, "no_data"),
        "2017-10": (0.0, "met"),
    }


def test_status_at_horizon_is_not_yet_measurable(query):
    rows = query(
        """SELECT period_label, horizon_months, cohort_cases, in_work_or_studies, work_or_studies_at_horizon_share,
                  measurement_status
           FROM outcome.status_at_horizon WHERE unit_code = 'PIMA' AND period_label IN ('2017', '2017-H2', '2018')
           ORDER BY period_label"""
    )
    assert rows == [
        ("2017", 18, 0, 0, None, "not_yet_measurable"),
        ("2017-H2", 18, 0, 0, None, "not_yet_measurable"),
        ("2018", 18, 0, 0, None, "not_yet_measurable"),
    ]


def test_sdq_scales_and_change(query):
    scales = query(
        """SELECT response_id, emotional, conduct, hyperactivity, peer, prosocial, total_difficulties, impact,
                  total_band
           FROM intermediate.int_sdq_administrations_scored ORDER BY response_id"""
    )
    assert scales == [
        ("Q1", 8, 4, 8, 3, 6, 23, 5, "abnormal"),
        ("Q2", 3, 0, 4, 2, 5, 9, 0, "normal"),
        ("Q3", 3, 0, 4, None, 5, None, None, None),
    ]
    change = query(
        """SELECT case_id, n_administrations, first_score, last_score, change, clinical_at_start, classification,
                  recovered, improved, first_band, last_band
           FROM outcome.instrument_change WHERE measure LIKE 'sdq_total:%' ORDER BY case_id"""
    )
    assert [(c, n, float(f), float(last), float(ch), *rest) for c, n, f, last, ch, *rest in change] == [
        ("P13", 2, 23.0, 9.0, -14.0, True, "not_classifiable", False, True, "abnormal", "normal"),
    ]


def test_srs_alliance_flags(query):
    flagged = query("SELECT response_id FROM intermediate.int_srs_sessions_flagged WHERE alliance_flag ORDER BY 1")
    assert flagged == [("S3",), ("S5",), ("S6",)]


def test_follow_up_completeness(query):
    rows = query(
        """SELECT active_cases, cases_with_ors, cases_with_ors_pair, cases_with_sdq, cases_with_sdq_pair,
                  cases_with_wellbeing, cases_with_wellbeing_pair
           FROM quality.follow_up_completeness WHERE unit_code = 'PIMA' AND period_label IN ('2017-H2', '2017-09')
           ORDER BY period_label"""
    )
    assert rows == [(10, 4, 0, 2, 0, 9, 2), (11, 4, 3, 2, 1, 10, 9)]


def test_transfers(query):
    rows = query("SELECT period_label, from_unit, to_unit, transferred_cases FROM outcome.transfers ORDER BY 1")
    assert [r for r in rows if r[0] in ("2017", "2017-H2", "2017-10")] == [
        ("2017", "ADD", "PIMA", 1),
        ("2017-10", "ADD", "PIMA", 1),
        ("2017-H2", "ADD", "PIMA", 1),
    ]
    assert len(rows) == 4  # and 2017-Q4


def test_by_subgroup_and_its_report(query):
    mart = query(
        """SELECT age_band, exited_cases, positive_exits, positive_exit_share, ors_pairs, ors_reliable_improvement
           FROM outcome.by_subgroup WHERE unit_code = 'PIMA' AND period_label = '2017' ORDER BY age_band"""
    )
    assert mart == [
        ("18-20", 7, 4, pytest.approx(4 / 7), 2, 1),
        ("21-25", 5, 3, pytest.approx(3 / 5), 1, 0),
    ]
    report = query(
        """SELECT age_band, exited_cases, positive_exits, positive_exit_share, ors_pairs, ors_reliable_improvement,
                  suppressed_columns
           FROM reports.outcome_by_subgroup WHERE unit_code = 'PIMA' AND period_label = '2017' ORDER BY age_band"""
    )
    # 4 of 7 and 3 of 5 positive exits are small counts: beside the published exits the shares would give them
    # back, so the shares go with them.
    assert report == [
        (
            "18-20",
            7,
            None,
            None,
            None,
            None,
            "positive_exits,ors_pairs,ors_reliable_improvement,positive_exit_share,positive_exit_share_ci_low,"
            "positive_exit_share_ci_high",
        ),
        (
            "21-25",
            5,
            None,
            None,
            None,
            0,
            "positive_exits,ors_pairs,positive_exit_share,positive_exit_share_ci_low,positive_exit_share_ci_high",
        ),
    ]
    intervals = query(
        """SELECT age_band, positive_exit_share_ci_low, positive_exit_share_ci_high FROM outcome.by_subgroup
           WHERE unit_code = 'PIMA' AND period_label = '2017' ORDER BY age_band"""
    )
    assert intervals == [
        ("18-20", pytest.approx(0.2505, abs=5e-5), pytest.approx(0.8418, abs=5e-5)),
        ("21-25", pytest.approx(0.2307, abs=5e-5), pytest.approx(0.8824, abs=5e-5)),
    ]
    assert query(
        """SELECT positive_exit_share_ci_low, positive_exit_share_ci_high FROM reports.outcome_by_subgroup
           WHERE unit_code = 'PIMA' AND period_label = '2017'"""
    ) == [(None, None), (None, None)]


def test_staff_survey_report(query):
    rows = query(
        """SELECT unit_code, survey_round, question, respondents, n_answered, mean_answer, share_agreeing,
                  suppressed_columns
           FROM reports.staff_survey ORDER BY unit_code, question"""
    )
    assert rows == [
        ("PIMA", "2017-H2", "q01", 6, 6, pytest.approx(23 / 6), pytest.approx(4 / 6), ""),
        ("PIMA", "2017-H2", "q02", 6, 6, 2.5, pytest.approx(1 / 6), ""),
        ("PIMA", "2017-H2", "q03", 6, 5, 3.6, 0.8, ""),
        ("PIMA", "2017-H2", "q04", 6, None, None, None, "n_answered,mean_answer,share_agreeing"),
    ]


def test_scorecard_goal_statuses(query):
    rows = query(
        """SELECT wellbeing_pairs, wellbeing_improved_share, goal_attendance_rate,
                  goal_action_plan_within_90_days_share, goal_wellbeing_improved_share,
                  goal_work_or_studies_at_horizon_share, goal_dropout_share
           FROM reports.unit_scorecard WHERE unit_code = 'PIMA' AND period_label = '2017-H2'"""
    )
    assert rows == [(8, 0.75, "not_met", "not_met", "not_met", "not_yet_measurable", None)]
    # ADD's dropout goal rests on 2 exits (< k = 5): its status is suppressed and named
    ((status, suppressed),) = query(
        """SELECT goal_dropout_share, suppressed_columns FROM reports.unit_scorecard
           WHERE unit_code = 'ADD' AND period_label = '2017'"""
    )
    assert status is None and "goal_dropout_share" in suppressed.split(",")


def test_leadership_overview(query):
    rows = query(
        """SELECT unit_code, active_cases, exited_cases, attendance_rate, wellbeing_improved_share,
                  persons_in_other_units, transfers_out, transfers_in, suppressed_columns
           FROM reports.leadership_overview WHERE period_label = '2017' ORDER BY unit_code"""
    )
    assert rows == [
        (
            "ADD",
            None,
            None,
            None,
            None,
            0,
            None,
            0,
            "active_cases,new_cases,exited_cases,ongoing_at_end,transfers_out,action_plan_within_90_days_share,"
            "action_plan_within_90_days_share_ci_low,action_plan_within_90_days_share_ci_high,positive_exit_share,"
            "positive_exit_share_ci_low,positive_exit_share_ci_high",
        ),
        # MISSB closed its last cases in 2009: a unit with nothing in 2017 shows zeros, not a missing row.
        ("MISSB", 0, 0, None, None, 0, 0, 0, ""),
        (
            "PIMA",
            18,
            12,
            pytest.approx(40 / 56),
            0.75,
            0,
            0,
            None,
            "transfers_in,ors_reliable_improvement_share,ors_reliable_improvement_share_ci_low,"
            "ors_reliable_improvement_share_ci_high",
        ),
    ]


def test_srs_alliance_share_on_the_scorecard(query):
    # 6 sessions of 2 cases in 2017-H2, 3 flagged: 0.5 before suppression; 2 cases < k, so the share is not published
    assembled = query(
        """SELECT srs_sessions, srs_cases, srs_alliance_flag_share FROM intermediate.int_unit_scorecards_assembled
           WHERE unit_code = 'PIMA' AND period_label = '2017-H2'"""
    )
    assert assembled == [(6, 2, 0.5)]
    ((sessions, share, suppressed),) = query(
        """SELECT srs_sessions, srs_alliance_flag_share, suppressed_columns FROM reports.unit_scorecard
           WHERE unit_code = 'PIMA' AND period_label = '2017-H2'"""
    )
    assert (sessions, share) == (6, None) and "srs_alliance_flag_share" in suppressed.split(",")


def test_wilson_intervals_on_the_marts(query):
    assert query(
        """SELECT DISTINCT positive_exit_share_ci_low, positive_exit_share_ci_high, dropout_share_ci_low,
                  dropout_share_ci_high
           FROM outcome.exits WHERE unit_code = 'PIMA' AND period_label = '2017'"""
    ) == [(approx(0.3195), approx(0.8067), 0.0, approx(0.2425))]
    assert query(
        """SELECT wellbeing_improved_share_ci_low, wellbeing_improved_share_ci_high FROM outcome.instrument_summary
           WHERE unit_code = 'PIMA' AND period_label = '2017-H2' AND measure = 'wellbeing'"""
    ) == [(approx(0.4093), approx(0.9285))]
    assert query(
        """SELECT action_plan_within_90_days_share_ci_low, action_plan_within_90_days_share_ci_high
           FROM process.period_summary WHERE unit_code = 'PIMA' AND period_label = '2017-H2'"""
    ) == [(approx(0.3538), approx(0.8483))]
    # the horizon cohort is empty: no share, no interval
    assert query(
        """SELECT DISTINCT work_or_studies_at_horizon_share_ci_low, work_or_studies_at_horizon_share_ci_high
           FROM outcome.status_at_horizon WHERE unit_code = 'PIMA'"""
    ) == [(None, None)]


def test_goal_evidence(query):
    rows = query(
        """SELECT metric, ci_low, ci_high, evidence FROM outcome.goal_attainment
           WHERE unit_code = 'PIMA' AND period_label = '2017-H2' ORDER BY metric"""
    )
    assert rows == [
        ("action_plan_within_90_days_share", approx(0.3538), approx(0.8483), "clearly_not_met"),
        ("attendance_rate", None, None, "clearly_not_met"),
        ("wellbeing_improved_share", approx(0.4093), approx(0.9285), "clearly_not_met"),
        ("work_or_studies_at_horizon_share", None, None, "not_yet_measurable"),
    ]
    add = {
        period: (status, low, high, evidence)
        for period, status, low, high, evidence in query(
            """SELECT period_label, status, ci_low, ci_high, evidence FROM outcome.goal_attainment
               WHERE unit_code = 'ADD' AND metric = 'dropout_share'
                 AND period_label IN ('2017', '2017-03', '2017-04', '2017-10')"""
        )
    }
    assert add == {
        "2017": ("met", approx(0.0945), approx(0.9055), "inconclusive"),
        "2017-03": ("not_met", approx(0.2065), 1.0, "inconclusive"),
        "2017-04": ("no_data", None, None, "no_data"),
        "2017-10": ("met", 0.0, approx(0.7935), "inconclusive"),
    }


def test_scorecard_intervals_and_goal_evidence(query):
    rows = query(
        """SELECT after_unit_end, wellbeing_improved_share_ci_low, wellbeing_improved_share_ci_high,
                  action_plan_within_90_days_share_ci_low, positive_exit_share_ci_low,
                  goal_wellbeing_improved_share_evidence, goal_attendance_rate_evidence, goal_dropout_share_evidence
           FROM reports.unit_scorecard WHERE unit_code = 'PIMA' AND period_label = '2017-H2'"""
    )
    # 2 positive exits of 5: the share and its interval are suppressed together
    assert rows == [(False, approx(0.4093), approx(0.9285), approx(0.3538), None, "clearly_not_met", "clearly_not_met",
                     None)]  # fmt: skip
    ((evidence, suppressed),) = query(
        """SELECT goal_dropout_share_evidence, suppressed_columns FROM reports.unit_scorecard
           WHERE unit_code = 'ADD' AND period_label = '2017'"""
    )
    assert evidence is None and "goal_dropout_share_evidence" in suppressed.split(",")
