with counts as (
    select
        unit_code,
        period_label,
        count(*) as active_cases,
        sum(case when is_new then 1 else 0 end) as new_cases,
        sum(case when is_exited then 1 else 0 end) as exited_cases,
        sum(case when is_ongoing then 1 else 0 end) as ongoing_at_end,
        count(distinct person_key) as distinct_persons,
        sum(case when is_anonymous then 1 else 0 end) as anonymous_cases
    from {{ ref('int_case_periods_joined') }}
    group by unit_code, period_label
)

select
    p.unit_code,
    p.period_label,
    p.period_type,
    p.starts_on,
    p.measured_to,
    cast(coalesce(c.active_cases, 0) as bigint) as active_cases,
    cast(coalesce(c.new_cases, 0) as bigint) as new_cases,
    cast(coalesce(c.exited_cases, 0) as bigint) as exited_cases,
    cast(coalesce(c.ongoing_at_end, 0) as bigint) as ongoing_at_end,
    cast(coalesce(c.distinct_persons, 0) as bigint) as distinct_persons,
    cast(coalesce(c.anonymous_cases, 0) as bigint) as anonymous_cases
from {{ ref('int_unit_periods_joined') }} as p
left join counts as c
    on c.unit_code = p.unit_code
    and c.period_label = p.period_label
