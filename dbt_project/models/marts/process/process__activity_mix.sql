-- Unit x period x activity type x intervention category: activities dated in the period of cases active
-- in it (the same activities process.period_summary counts). A missing category counts as 'unknown'.
select
    cp.unit_code,
    cp.period_label,
    a.activity_type,
    coalesce(a.intervention_category, 'unknown') as intervention_category,
    cast(count(*) as bigint) as activities,
    cast(sum(coalesce(a.minutes, 0)) as bigint) as minutes,
    cast(count(distinct a.case_id) as bigint) as cases
from {{ ref('int_case_periods_joined') }} as cp
inner join {{ ref('stg_registry__activities') }} as a
    on a.case_id = cp.case_id
    and a.activity_on between cp.starts_on and cp.measured_to
group by cp.unit_code, cp.period_label, a.activity_type, coalesce(a.intervention_category, 'unknown')
