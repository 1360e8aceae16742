-- Unit x period: cases active in the period and how many of them have at least one and at least two ORS, SDQ
-- (any informant) and wellbeing administrations on or before measured_to.
with administrations as (
    select 'ors' as instrument, case_id, administered_on from {{ ref('stg_surveys__ors_administrations') }}
    union all
    select 'sdq', case_id, administered_on from {{ ref('stg_surveys__sdq_administrations') }}
    union all
    select 'wellbeing', case_id, administered_on from {{ ref('stg_surveys__wellbeing_administrations') }}
),

ranked as (
    select
        instrument,
        case_id,
        administered_on,
        row_number() over (partition by instrument, case_id order by administered_on) as nth
    from administrations
),

-- per case: the dates of its first and second administration of each instrument (one row per case, so that the
-- join with case x period stays the size of case x period)
milestones as (
    select
        case_id,
        {%- for instrument in ['ors', 'sdq', 'wellbeing'] %}
        min(case when instrument = '{{ instrument }}' and nth = 1 then administered_on end) as {{ instrument }}_first_on,
        min(case when instrument = '{{ instrument }}' and nth = 2 then administered_on end) as {{ instrument }}_second_on
        {{- ',' if not loop.last }}
        {%- endfor %}
    from ranked
    where nth <= 2
    group by case_id
),

per_case as (
    select
        cp.unit_code,
        cp.period_label,
        cp.case_id,
        {%- for instrument in ['ors', 'sdq', 'wellbeing'] %}
        case when {{ in_period('m.' ~ instrument ~ '_second_on', 'cp', to_date=true) }} then 2
            when {{ in_period('m.' ~ instrument ~ '_first_on', 'cp', to_date=true) }} then 1 else 0 end as {{ instrument }}_n
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_case_periods_joined') }} as cp
    left join milestones as m
        on m.case_id = cp.case_id
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
