-- Exits per unit, period and group; the period's positive-exit and dropout shares, each with its Wilson 95 % interval,
-- repeated on its rows. Exits are what the unit did: the periods of its life only (int_case_periods_joined).
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
)

select
    e.unit_code,
    e.period_label,
    e.exit_group,
    e.exit_reason,
    e.destination_unit_code,
    cast(e.exited_cases as bigint) as exited_cases,
    cast(1.0 * t.positive_exits / t.period_exits as double) as positive_exit_share,
    {{ wilson_ci_columns('positive_exit_share', 't.positive_exits', 't.period_exits') }},
    cast(1.0 * t.dropouts / t.period_exits as double) as dropout_share,
    {{ wilson_ci_columns('dropout_share', 't.dropouts', 't.period_exits') }}
from exits as e
inner join {{ ref('int_unit_period_exits_summed') }} as t
    on t.unit_code = e.unit_code
    and t.period_label = e.period_label
