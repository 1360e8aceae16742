-- Unit x period: cases whose horizon date (enrolled_on + H months) is on or before measured_to, and how many were
-- in work or studies at the horizon. The share is null and measurement_status not_yet_measurable when the cohort
-- is empty. The periods run on after the unit's end until its last follow-up month (int_unit_follow_up_periods_joined),
-- so the horizons of its last participants are measured. The share carries its Wilson 95 % interval.
with statuses as (
    select * from {{ ref('int_horizon_statuses_derived') }}
),

horizons as (
    select unit_code, max(horizon_months) as horizon_months from statuses group by unit_code
),

cohorts as (
    select
        p.unit_code,
        p.period_label,
        count(*) as cohort_cases,
        sum(case when s.in_work_or_studies then 1 else 0 end) as in_work_or_studies,
        sum(case when s.status_source = 'support_months' then 1 else 0 end) as status_from_support_months,
        sum(case when s.status_source = 'exit' then 1 else 0 end) as status_from_exit
    from {{ ref('int_unit_follow_up_periods_joined') }} as p
    inner join statuses as s
        on s.unit_code = p.unit_code
        and {{ in_period('s.horizon_on', to_date=true) }}
    group by p.unit_code, p.period_label
)

select
    p.unit_code,
    p.period_label,
    cast(coalesce(h.horizon_months, 18) as integer) as horizon_months,
    cast(coalesce(c.cohort_cases, 0) as bigint) as cohort_cases,
    cast(coalesce(c.in_work_or_studies, 0) as bigint) as in_work_or_studies,
    cast(1.0 * c.in_work_or_studies / nullif(c.cohort_cases, 0) as double) as work_or_studies_at_horizon_share,
    {{ wilson_ci_columns('work_or_studies_at_horizon_share', 'c.in_work_or_studies', 'c.cohort_cases') }},
    cast(coalesce(c.status_from_support_months, 0) as bigint) as status_from_support_months,
    cast(coalesce(c.status_from_exit, 0) as bigint) as status_from_exit,
    case when coalesce(c.cohort_cases, 0) = 0 then 'not_yet_measurable' else 'measured' end as measurement_status
from {{ ref('int_unit_follow_up_periods_joined') }} as p
left join cohorts as c on c.unit_code = p.unit_code and c.period_label = p.period_label
left join horizons as h on h.unit_code = p.unit_code
