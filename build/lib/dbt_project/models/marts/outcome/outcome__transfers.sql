-- Period x sending unit x receiving unit: cases exited in the period with exit_reason transferred.
select
    period_label,
    unit_code as from_unit,
    coalesce(destination_unit_code, 'unknown') as to_unit,
    cast(count(*) as bigint) as transferred_cases
from {{ ref('int_case_periods_joined') }}
where is_exited
    and exit_reason = 'transferred'
group by period_label, unit_code, coalesce(destination_unit_code, 'unknown')
