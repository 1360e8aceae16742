-- One row per case and period in which it is active (docs/metrics.md common terms), with the flags the
-- period tables count. new, exited and ongoing cases are all active, so this join holds them all.
select
    p.unit_code,
    p.period_label,
    p.starts_on,
    p.measured_to,
    c.case_id,
    c.person_key,
    c.is_anonymous,
    c.enrolled_on,
    c.exited_on,
    c.gender,
    c.age_band,
    c.enrolment_reason,
    c.referral_source,
    c.exit_reason,
    c.exit_group,
    c.is_positive_exit,
    c.destination_unit_code,
    c.phase,
    c.enrolled_on >= p.starts_on as is_new,
    c.exited_on is not null and c.exited_on <= p.measured_to as is_exited,
    c.exited_on is null or c.exited_on > p.measured_to as is_ongoing,
    {{ days_inclusive(
        'case when c.enrolled_on > p.starts_on then c.enrolled_on else p.starts_on end',
        'case when c.exited_on is not null and c.exited_on < p.measured_to then c.exited_on else p.measured_to end'
    ) }} as active_days
from {{ ref('int_unit_periods_joined') }} as p
inner join {{ ref('int_cases_classified') }} as c
    on c.unit_code = p.unit_code
    and {{ case_active_in_period('c', 'p') }}
