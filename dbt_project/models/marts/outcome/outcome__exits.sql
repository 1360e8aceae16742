-- Exits per unit, period and group; the period's positive-exit and dropout shares repeated on its rows.
with exits as (
    select
        unit_code,
        period_label,
        exit_group,
        exit_reason,
        destination_unit_code,
        count(*) as exited_cases
    from {{ ref('int_case_periods_joined') }}
    where is_exited
    group by unit_code, period_label, exit_group, exit_reason, destination_unit_code
),

totals as (
    select
        unit_code,
        period_label,
        sum(exited_cases) as period_exits,
        sum(case when exit_group in ('work', 'studies') then exited_cases else 0 end) as positive_exits,
        sum(case when exit_group = 'dropout' then exited_cases else 0 end) as dropouts
    from exits
    group by unit_code, period_label
)

select
    e.unit_code,
    e.period_label,
    e.exit_group,
    e.exit_reason,
    e.destination_unit_code,
    cast(e.exited_cases as bigint) as exited_cases,
    cast(1.0 * t.positive_exits / t.period_exits as double) as positive_exit_share,
    cast(1.0 * t.dropouts / t.period_exits as double) as dropout_share
from exits as e
inner join totals as t
    on t.unit_code = e.unit_code
    and t.period_label = e.period_label
