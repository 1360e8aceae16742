-- Unit x period x exit group (every group of the code list code_labels.exit_group, 0 when none): the period's exits
-- summed per group from outcome.exits, so that a group's total is published even when each of its reasons is small.
-- The groups of a unit-period are the parts of exited_cases in reports.unit_scorecard: primary and secondary
-- suppression within the unit-period (docs/privacy.md).
with groups as (
    select code as exit_group from {{ ref('code_labels') }} where code_list = 'exit_group'
),

summed as (
    select unit_code, period_label, exit_group, sum(exited_cases) as exited_cases
    from {{ ref('outcome__exits') }}
    group by unit_code, period_label, exit_group
),

grid as (
    select
        p.unit_code,
        p.period_label,
        g.exit_group,
        cast(coalesce(s.exited_cases, 0) as bigint) as exited_cases
    from {{ ref('int_unit_periods_joined') }} as p
    cross join groups as g
    left join summed as s
        on s.unit_code = p.unit_code
        and s.period_label = p.period_label
        and s.exit_group = g.exit_group
),

flagged as (
    select
        grid.*,
        {{ is_small('exited_cases') }}
            or {{ is_secondary_suppressed('exited_cases', ['unit_code', 'period_label'], 'exit_group') }}
            as exited_cases_suppressed
    from grid
)

select
    unit_code,
    period_label,
    exit_group,
    case when exited_cases_suppressed then null else exited_cases end as exited_cases,
    case when exited_cases_suppressed then 'exited_cases' else '' end as suppressed_columns
from flagged
