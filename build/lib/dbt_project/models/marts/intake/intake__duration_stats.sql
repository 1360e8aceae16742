-- Enrolment duration in months(a, b): ongoing cases measured to measured_to, exited cases to exited_on.
with durations as (
    select unit_code, period_label, 'ongoing' as case_state,
        {{ months_between('enrolled_on', 'measured_to') }} as months
    from {{ ref('int_case_periods_joined') }}
    where is_ongoing

    union all

    select unit_code, period_label, 'exited' as case_state,
        {{ months_between('enrolled_on', 'exited_on') }} as months
    from {{ ref('int_case_periods_joined') }}
    where is_exited
),

stats as (
    select
        unit_code,
        period_label,
        case_state,
        count(*) as n_cases,
        min(months) as min_months,
        max(months) as max_months,
        round(avg(months), 2) as mean_months,
        {{ median('months') }} as median_months
    from durations
    group by unit_code, period_label, case_state
),

grain as (
    select p.unit_code, p.period_label, s.case_state
    from {{ ref('int_unit_periods_joined') }} as p
    cross join (select 'ongoing' as case_state union all select 'exited') as s
)

select
    g.unit_code,
    g.period_label,
    g.case_state,
    cast(coalesce(s.n_cases, 0) as bigint) as n_cases,
    cast(s.min_months as integer) as min_months,
    cast(s.max_months as integer) as max_months,
    cast(s.mean_months as decimal(10, 2)) as mean_months,
    cast(s.median_months as decimal(10, 2)) as median_months
from grain as g
left join stats as s
    on s.unit_code = g.unit_code
    and s.period_label = g.period_label
    and s.case_state = g.case_state
