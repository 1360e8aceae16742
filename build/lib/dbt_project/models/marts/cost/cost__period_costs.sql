-- Unit x period: money spent in the period (ledger booked starts_on..measured_to, corrections included)
-- against the cases, case-months, positive exits and staff of the period.
with spent as (
    select
        p.unit_code,
        p.period_label,
        sum(l.amount_sek) as spent_sek
    from {{ ref('int_unit_periods_joined') }} as p
    inner join {{ ref('stg_finance__ledger_entries') }} as l
        on l.unit_code = p.unit_code
        and {{ in_period('l.booked_on') }}
    group by p.unit_code, p.period_label
),

cases as (
    select
        unit_code,
        period_label,
        count(*) as active_cases,
        sum(active_days) / 30.4375 as case_months,
        sum(case when is_exited and is_positive_exit then 1 else 0 end) as positive_exits
    from {{ ref('int_case_periods_joined') }}
    group by unit_code, period_label
),

figures as (
    select
        p.unit_code,
        p.period_label,
        coalesce(s.spent_sek, 0) as spent_sek,
        coalesce(c.active_cases, 0) as active_cases,
        coalesce(c.case_months, 0) as case_months,
        coalesce(c.positive_exits, 0) as positive_exits,
        p.staff_fte,
        p.staff_fte * {{ months_between('p.starts_on', 'p.measured_to') }} as fte_months
    from {{ ref('int_unit_periods_joined') }} as p
    left join spent as s on s.unit_code = p.unit_code and s.period_label = p.period_label
    left join cases as c on c.unit_code = p.unit_code and c.period_label = p.period_label
)

select
    unit_code,
    period_label,
    cast(spent_sek as decimal(18, 2)) as spent_sek,
    cast(active_cases as bigint) as active_cases,
    cast(case_months as decimal(18, 2)) as case_months,
    cast(spent_sek / nullif(active_cases, 0) as double) as cost_per_case,
    cast(spent_sek / nullif(case_months, 0) as double) as cost_per_case_month,
    cast(positive_exits as bigint) as positive_exits,
    cast(spent_sek / nullif(positive_exits, 0) as double) as cost_per_positive_exit,
    cast(staff_fte as decimal(10, 2)) as staff_fte,
    cast(spent_sek / nullif(fte_months, 0) as double) as cost_per_fte_month
from figures
