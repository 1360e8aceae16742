-- Unit x period x activity type x intervention category: activities dated in the period of cases active
-- in it (the same activities process.period_summary counts). A missing category counts as 'unknown'.
-- The figures come from the incremental int_unit_period_events_summed; the inner join to the current unit
-- periods leaves out a period that no longer exists (a custom period removed from reporting_periods).
with mix as (
    select e.unit_code, e.period_label, {{ unnest_list('e.activity_mix') }} as m
    from {{ ref('int_unit_period_events_summed') }} as e
    {{ semi_join(
        ref('int_unit_periods_joined') ~ ' as p',
        'p.unit_code = e.unit_code and p.period_label = e.period_label'
    ) }}
)

select
    unit_code,
    period_label,
    m.activity_type as activity_type,
    m.intervention_category as intervention_category,
    cast(m.activities as bigint) as activities,
    cast(m.minutes as bigint) as minutes,
    cast(m.cases as bigint) as cases
from mix
