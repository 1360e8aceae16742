-- For whom does it work: unit x period x gender x age band x enrolment reason, exits and ORS pairs; the positive-exit
-- share with its Wilson 95 % interval. The periods of the unit's life only (its exits are what the unit did).
with exits as (
    select
        unit_code,
        period_label,
        gender,
        age_band,
        coalesce(enrolment_reason, 'unknown') as enrolment_reason,
        sum(case when is_exited then 1 else 0 end) as exited_cases,
        sum(case when is_exited and is_positive_exit then 1 else 0 end) as positive_exits
    from {{ ref('int_case_periods_joined') }}
    group by unit_code, period_label, gender, age_band, coalesce(enrolment_reason, 'unknown')
),

ors as (
    select
        p.unit_code,
        p.period_label,
        c.gender,
        c.age_band,
        coalesce(c.enrolment_reason, 'unknown') as enrolment_reason,
        count(*) as ors_pairs,
        sum(case when ic.classification = 'reliable_improvement' then 1 else 0 end) as ors_reliable_improvement
    from {{ ref('int_unit_periods_joined') }} as p
    inner join {{ ref('int_instrument_changes_scored') }} as ic
        on ic.unit_code = p.unit_code
        and ic.measure = 'ors_total'
        and ic.last_score is not null
        and {{ in_period('ic.last_on') }}
    inner join {{ ref('int_cases_classified') }} as c
        on c.case_id = ic.case_id
    group by p.unit_code, p.period_label, c.gender, c.age_band, coalesce(c.enrolment_reason, 'unknown')
),

groups as (
    select unit_code, period_label, gender, age_band, enrolment_reason from exits
    union
    select unit_code, period_label, gender, age_band, enrolment_reason from ors
)

select
    g.unit_code,
    g.period_label,
    g.gender,
    g.age_band,
    g.enrolment_reason,
    cast(coalesce(e.exited_cases, 0) as bigint) as exited_cases,
    cast(coalesce(e.positive_exits, 0) as bigint) as positive_exits,
    cast(1.0 * e.positive_exits / nullif(e.exited_cases, 0) as double) as positive_exit_share,
    {{ wilson_ci_columns('positive_exit_share', 'e.positive_exits', 'e.exited_cases') }},
    cast(coalesce(o.ors_pairs, 0) as bigint) as ors_pairs,
    cast(coalesce(o.ors_reliable_improvement, 0) as bigint) as ors_reliable_improvement
from groups as g
left join exits as e
    on e.unit_code = g.unit_code and e.period_label = g.period_label and e.gender = g.gender
    and e.age_band = g.age_band and e.enrolment_reason = g.enrolment_reason
left join ors as o
    on o.unit_code = g.unit_code and o.period_label = g.period_label and o.gender = g.gender
    and o.age_band = g.age_band and o.enrolment_reason = g.enrolment_reason
