-- Exited, non-anonymous cases with their socioeconomic windows (docs/metrics.md cost.socioeconomic_cases):
-- baseline = the F months before the enrolment month, follow-up = the F months after the exit month,
-- F = the unit's follow_up_months. A window is complete when its last day is on or before the as-of date.
with cases as (
    select
        c.case_id,
        c.person_key,
        c.unit_code,
        c.enrolled_on,
        c.exited_on,
        c.exit_group,
        p.follow_up_months,
        cast({{ dbt.date_trunc('month', 'c.enrolled_on') }} as date) as enrolment_month,
        cast({{ dbt.date_trunc('month', 'c.exited_on') }} as date) as exit_month
    from {{ ref('int_cases_classified') }} as c
    inner join {{ ref('int_evaluation_parameters_resolved') }} as p on p.unit_code = c.unit_code
    where c.exited_on is not null
        and c.person_key is not null
),

windows as (
    select
        case_id,
        person_key,
        unit_code,
        enrolled_on,
        exited_on,
        exit_group,
        follow_up_months,
        cast({{ dbt.dateadd('month', '-follow_up_months', 'enrolment_month') }} as date) as baseline_from,
        cast({{ dbt.dateadd('day', -1, 'enrolment_month') }} as date) as baseline_to,
        cast({{ dbt.dateadd('month', 1, 'exit_month') }} as date) as follow_up_from,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 'follow_up_months + 1', 'exit_month')) }} as date)
            as follow_up_to
    from cases
)

select
    windows.*,
    follow_up_to <= {{ as_of_date() }} as is_complete
from windows
