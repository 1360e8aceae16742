"""The whole asset graph on the hand-made PIMA landing folder (tests/fixtures/landing_pima), as of 2018-01-29.

Figures computed by hand from the fixture files:

PIMA cases (P20 is quarantined: wrong check digit). Active in 2017 = P01..P18 = 18; new in 2017 = P05..P17 = 13;
exited in 2017 = P01..P12 = 12; ongoing at 2017-12-31 = P13..P18 = 6 (phases 1,1,2,2,3,3).
2017-H2: active = P08..P18 = 11, new = P13,P14,P15 = 3, exited = P08..P12 = 5, ongoing 6.
2016: active P00..P04 + P18 = 6 cases, 5 persons (P18 is P00's person, written in the 10-digit form).
Exits 2017: work 5 + work_and_studies 2 (group work = 7), misconduct 3, parental_leave 2 (group other = 5),
no dropouts. ADD 2017: A1 self_ended after 42 days = dropout, A2 transferred to PIMA; A3 anonymous, ongoing.
Duration 2017, exited: months 7,8,6,8,6,6,5,9,8,9,10,5 -> n 12, min 5, max 10, mean 7.25, median 7.5;
ongoing at 2017-12-31: 5,5,5,10,12,13 -> n 6, min 5, max 13, mean 8.33, median 7.5.
Attendance 2017-H2: 8 rows, scheduled 48 h, attended 36 h -> 0.75 (P18's 7 h of 6 is quarantined);
2017: + P05's 4 of 8 h -> 40 / 56.
Action plans 2017-H2: eligible 11 (P08..P18), timely 7 (P08,P09,P10,P12,P13,P14,P16; P11 and P15 late,
P17's plan quarantined for reviewed_on before established_on, P18 none).
ORS (adult cut-off 25): P13 20 -> 28 reliable improvement, recovered; P14 25.0 (not clinical) -> 24 no
reliable change; P15 32 -> 26 reliable deterioration; P16 one administration: not classifiable.
MISSB (seed 001, the addiction support unit): 7 anonymous cases closed in the custom period "2009 jan-maj"
(reporting_periods), months 14, 15, 18, 20, 24 (exits on the period's last day), 29, 168 (exits on its first day)
-> n 7, min 14, max 168, mean 288 / 7 = 41.14, median 20.
Budget PIMA to 2017-12-31: decided 4 385 000, spent 2 510 945, remaining 1 874 055 (per category as in
the seed's table); the 2018-01-15 entry counts only from 2018.
"""

from decimal import Decimal

import pytest

pytestmark = pytest.mark.slow


def test_run_succeeds_and_summarises(pima_run):
    _, code, output = pima_run
    assert code == 0, output
    assert "19 loaded, 0 skipped (same content), 0 rejected this run" in output
    assert "rows quarantined this run: 6" in output
    assert "checks failed: 0" in output


def test_every_row_is_loaded_or_quarantined(query):
    ledger = query(
        """SELECT source, rows_read, rows_loaded, rows_quarantined, rows_duplicate, status
           FROM quality.load_ledger ORDER BY source"""
    )
    assert ledger == [
        ("action_plans", 10, 9, 1, 0, "loaded"),
        ("activities", 7, 6, 1, 0, "loaded"),
        ("attendance", 10, 9, 1, 0, "loaded"),
        ("budget", 5, 5, 0, 0, "loaded"),
        ("drug_tests", 17, 17, 0, 0, "loaded"),
        ("enrolments", 30, 29, 1, 0, "loaded"),
        ("evaluation_parameters", 9, 9, 0, 0, "loaded"),
        ("ledger", 11, 10, 1, 0, "loaded"),
        ("ors", 8, 7, 1, 0, "loaded"),
        ("placements", 3, 3, 0, 0, "loaded"),
        ("reporting_periods", 1, 1, 0, 0, "loaded"),
        ("sdq", 3, 3, 0, 0, "loaded"),
        ("srs", 6, 6, 0, 0, "loaded"),
        ("staff_survey", 9, 9, 0, 0, "loaded"),
        ("support_months", 11, 11, 0, 0, "loaded"),
        ("unit_costs", 4, 4, 0, 0, "loaded"),
        ("unit_targets", 5, 5, 0, 0, "loaded"),
        ("units", 3, 3, 0, 0, "loaded"),
        ("wellbeing", 20, 20, 0, 0, "loaded"),
    ]


def test_quarantine_reasons_are_exact_and_masked(query):
    rows = query("SELECT source, row_number, field, rule, value FROM quality.quarantine ORDER BY source, row_number")
    assert rows == [
        ("action_plans", 11, "reviewed_on", "date_order", "2017-01-15"),
        ("activities", 8, "activity_type", "code_not_in_list", "grupp"),
        ("attendance", 11, "attended_hours", "out_of_range", "7.0"),
        ("enrolments", 21, "person_id", "invalid_person_id", "19960101-****"),
        ("ledger", 12, "booked_on", "invalid_type", "2017-13-30"),
        ("ors", 9, "individual", "out_of_range", "11.5"),
    ]


def test_same_person_same_key_and_no_raw_numbers(query):
    keys = dict(query("SELECT case_id, person_key FROM raw.enrolments WHERE case_id IN ('P00', 'P18')"))
    assert keys["P00"] == keys["P18"] and len(keys["P00"]) == 64
    assert query("SELECT person_key FROM raw.enrolments WHERE case_id = 'A3'") == [(None,)]
    cols = {r[0] for r in query("SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw'")}
    assert "person_id" not in cols


def _summary(query, unit, period):
    return query(
        """SELECT active_cases, new_cases, exited_cases, ongoing_at_end, distinct_persons, anonymous_cases
           FROM intake.period_summary WHERE unit_code = ? AND period_label = ?""",
        [unit, period],
    )


def test_intake_period_summary(query):
    assert _summary(query, "PIMA", "2017") == [(18, 13, 12, 6, 18, 0)]
    assert _summary(query, "PIMA", "2017-H2") == [(11, 3, 5, 6, 11, 0)]
    assert _summary(query, "PIMA", "2016") == [(6, 6, 1, 5, 5, 0)]
    assert _summary(query, "ADD", "2017") == [(3, 3, 2, 1, 2, 1)]


def test_duration_stats(query):
    rows = query(
        """SELECT case_state, n_cases, min_months, max_months, mean_months, median_months
           FROM intake.duration_stats WHERE unit_code = 'PIMA' AND period_label = '2017' ORDER BY case_state"""
    )
    assert [(s, n, lo, hi, float(mean), float(med)) for s, n, lo, hi, mean, med in rows] == [
        ("exited", 12, 5, 10, 7.25, 7.5),
        ("ongoing", 6, 5, 13, 8.33, 7.5),
    ]


def test_attendance_and_action_plans(query):
    h2 = query(
        """SELECT scheduled_hours, attended_hours, attendance_rate, plan_eligible_cases, plan_timely_cases,
                  action_plan_within_90_days_share
           FROM process.period_summary WHERE unit_code = 'PIMA' AND period_label = '2017-H2'"""
    )
    ((scheduled, attended, rate, eligible, timely, share),) = h2
    assert (float(scheduled), float(attended), float(rate)) == (48.0, 36.0, 0.75)
    assert (eligible, timely) == (11, 7)
    assert float(share) == pytest.approx(7 / 11)
    ((rate_2017,),) = query(
        "SELECT attendance_rate FROM process.period_summary WHERE unit_code = 'PIMA' AND period_label = '2017'"
    )
    assert float(rate_2017) == pytest.approx(40 / 56)


def test_exits_by_group(query):
    rows = query(
        """SELECT unit_code, exit_group, exit_reason, exited_cases FROM outcome.exits
           WHERE period_label = '2017' ORDER BY unit_code, exit_group, exit_reason"""
    )
    assert rows == [
        ("ADD", "dropout", "self_ended", 1),
        ("ADD", "transferred", "transferred", 1),
        ("PIMA", "other", "misconduct", 3),
        ("PIMA", "other", "parental_leave", 2),
        ("PIMA", "work", "work", 5),
        ("PIMA", "work", "work_and_studies", 2),
    ]


def test_ors_classification(query):
    rows = query(
        """SELECT case_id, n_administrations, first_score, last_score, change, clinical_at_start,
                  classification, recovered
           FROM outcome.instrument_change WHERE measure = 'ors_total' ORDER BY case_id"""
    )
    assert [
        (c, n, float(f), None if last is None else float(last), None if ch is None else float(ch), clin, cls, rec)
        for c, n, f, last, ch, clin, cls, rec in rows
    ] == [
        ("P13", 2, 20.0, 28.0, 8.0, True, "reliable_improvement", True),
        ("P14", 2, 25.0, 24.0, -1.0, False, "no_reliable_change", False),
        ("P15", 2, 32.0, 26.0, -6.0, False, "reliable_deterioration", False),
        ("P16", 1, 20.0, None, None, True, "not_classifiable", False),
    ]


def test_budget_vs_actual_to_the_krona(query):
    rows = query(
        """SELECT cost_category, decided_sek, spent_sek, remaining_sek FROM cost.budget_vs_actual
           WHERE unit_code = 'PIMA' AND period_label = '2017' ORDER BY cost_category"""
    )
    assert [(c, Decimal(d), Decimal(s), Decimal(r)) for c, d, s, r in rows] == [
        ("external_services", Decimal(220000), Decimal(212400), Decimal(7600)),
        ("other", Decimal(750000), Decimal(598823), Decimal(151177)),
        ("own_staff", Decimal(2665000), Decimal(1582848), Decimal(1082152)),
        ("premises_it", Decimal(750000), Decimal(116874), Decimal(633126)),
        ("total", Decimal(4385000), Decimal(2510945), Decimal(1874055)),
    ]


def test_cross_source_findings(query):
    assert query("SELECT rule, source, key, detail FROM quality.findings ORDER BY rule, key") == [
        ("orphan_case", "activities", "ACT6", "case X99 does not exist in enrolments"),
    ]


def test_calendar_periods_are_labelled_and_measured_to_the_as_of_date(query):
    rows = query(
        """SELECT period_label, period_type, starts_on, ends_on, measured_to, is_complete
           FROM reports.periods WHERE period_label IN ('2017-07', '2017-Q3', '2017-H2', '2017', '2018-Q1')
           ORDER BY starts_on, period_label"""
    )
    as_text = [(label, kind, str(s), str(e), str(m), done) for label, kind, s, e, m, done in rows]
    assert as_text == [
        ("2017", "year", "2017-01-01", "2017-12-31", "2017-12-31", True),
        ("2017-07", "month", "2017-07-01", "2017-07-31", "2017-07-31", True),
        ("2017-H2", "half_year", "2017-07-01", "2017-12-31", "2017-12-31", True),
        ("2017-Q3", "quarter", "2017-07-01", "2017-09-30", "2017-09-30", True),
        ("2018-Q1", "quarter", "2018-01-01", "2018-03-31", "2018-01-29", False),
    ]


def test_closed_case_durations_of_the_follow_up_system_in_a_custom_period(query):
    rows = query(
        """SELECT n_cases, min_months, max_months, mean_months, median_months FROM intake.duration_stats
           WHERE unit_code = 'MISSB' AND period_label = '2009 jan-maj' AND case_state = 'exited'"""
    )
    assert [tuple(float(v) for v in row) for row in rows] == [(7, 14, 168, 41.14, 20)]
    ((period_type, starts_on, ends_on),) = query(
        "SELECT period_type, starts_on, ends_on FROM reports.periods WHERE period_label = '2009 jan-maj'"
    )
    assert (period_type, str(starts_on), str(ends_on)) == ("custom", "2009-01-01", "2009-05-31")
