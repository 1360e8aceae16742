-- Unit x period: cases active in the period and how many of them have at least one and at least two ORS, SDQ
-- (any informant) and wellbeing administrations on or before measured_to.
with administrations as (
    select 'ors' as instrument, case_id, administered_on from {{ ref('stg_surveys__ors_administrations') }}
    union all
    select 'sdq', case_id, administered_on from {{ ref('stg_surveys__sdq_administrations') }}
    union all
    select 'wellbeing', case_id, administered_on from {{ ref('stg_surveys__wellbeing_administrations') }}
),

per_case as (
    select
        cp.unit_code,
        cp.period_label,
        cp.case_id,
        sum(case when a.instrument = 'ors' then 1 else 0 end) as ors_n,
        sum(case when a.instrument = 'sdq' then 1 else 0 end) as sdq_n,
        sum(case when a.instrument = 'wellbeing' then 1 else 0 end) as wellbeing_n
    from {{ ref('int_case_periods_joined') }} as cp
    left join administrations as a
        on a.case_id = cp.case_id
        and a.administered_on <= cp.measured_to
    group by cp.unit_code, cp.period_label, cp.case_id
),

counts as (
    select
        unit_code,
        period_label,
        count(*) as active_cases,
        sum(case when ors_n >= 1 then 1 else 0 end) as cases_with_ors,
        sum(case when ors_n >= 2 then 1 else 0 end) as cases_with_ors_pair,
        sum(case when sdq_n >= 1 then 1 else 0 end) as cases_with_sdq,
        sum(case when sdq_n >= 2 then 1 else 0 end) as cases_with_sdq_pair,
        sum(case when wellbeing_n >= 1 then 1 else 0 end) as cases_with_wellbeing,
        sum(case when wellbeing_n >= 2 then 1 else 0 end) as cases_with_wellbeing_pair
    from per_case
    group by unit_code, period_label
)

select
    p.unit_code,
    p.period_label,
    cast(coalesce(c.active_cases, 0) as bigint) as active_cases,
    cast(coalesce(c.cases_with_ors, 0) as bigint) as cases_with_ors,
    cast(coalesce(c.cases_with_ors_pair, 0) as bigint) as cases_with_ors_pair,
    cast(coalesce(c.cases_with_sdq, 0) as bigint) as cases_with_sdq,
    cast(coalesce(c.cases_with_sdq_pair, 0) as bigint) as cases_with_sdq_pair,
    cast(coalesce(c.cases_with_wellbeing, 0) as bigint) as cases_with_wellbeing,
    cast(coalesce(c.cases_with_wellbeing_pair, 0) as bigint) as cases_with_wellbeing_pair
from {{ ref('int_unit_periods_joined') }} as p
left join counts as c on c.unit_code = p.unit_code and c.period_label = p.period_label
