-- Unit x period: the cases exited in the period, how many of them were positive exits (seed exit_groups) and how
-- many dropouts: the totals behind outcome.exits' shares, reports.exits' suppression and the scorecard's exits.
select
    unit_code,
    period_label,
    count(*) as period_exits,
    sum(case when is_positive_exit then 1 else 0 end) as positive_exits,
    sum(case when exit_group = 'dropout' then 1 else 0 end) as dropouts
from {{ ref('int_case_periods_joined') }}
where is_exited
group by unit_code, period_label
