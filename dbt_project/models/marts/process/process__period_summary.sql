-- Unit x period (the unit's life): hours, action plans, drug tests, activities and caseload. The shares of cases
-- (action plans, drug free) carry their Wilson 95 % interval; attendance_rate is a share of hours and has none.
with case_periods as (
    select * from {{ ref('int_case_periods_joined') }}
),

first_plans as (
    select case_id, min(established_on) as first_plan_on
    from {{ ref('stg_registry__action_plans') }}
    group by case_id
),

plans as (
    select
        cp.unit_code,
        cp.period_label,
        count(*) as plan_eligible_cases,
        sum(case when fp.first_plan_on <= {{ dbt.dateadd('day', 90, 'cp.enrolled_on') }} then 1 else 0 end)
            as plan_timely_cases
    from case_periods as cp
    left join first_plans as fp on fp.case_id = cp.case_id
    where {{ in_period(dbt.dateadd('day', 90, 'cp.enrolled_on'), 'cp', to_date=true) }}
    group by cp.unit_code, cp.period_label
),

first_activities as (
    select case_id, min(activity_on) as first_activity_on
    from {{ ref('stg_registry__activities') }}
    group by case_id
),

case_months as (
    select
        cp.unit_code,
        cp.period_label,
        sum(cp.active_days) / 30.4375 as case_months,
        sum(case when cp.is_ongoing then 1 else 0 end) as ongoing_at_end,
        {{ median(
            'case when cp.is_new then ' ~ dbt.datediff('cp.enrolled_on', 'fa.first_activity_on', 'day') ~ ' end'
        ) }} as median_days_to_first_activity
    from case_periods as cp
    left join first_activities as fa
        on fa.case_id = cp.case_id
        and fa.first_activity_on >= cp.enrolled_on
    group by cp.unit_code, cp.period_label
)

select
    p.unit_code,
    p.period_label,
    cast(coalesce(ev.scheduled_hours, 0) as decimal(18, 2)) as scheduled_hours,
    cast(coalesce(ev.attended_hours, 0) as decimal(18, 2)) as attended_hours,
    cast(coalesce(ev.attendance_cases, 0) as bigint) as attendance_cases,
    cast(ev.attended_hours / nullif(ev.scheduled_hours, 0) as double) as attendance_rate,
    cast(coalesce(pl.plan_eligible_cases, 0) as bigint) as plan_eligible_cases,
    cast(coalesce(pl.plan_timely_cases, 0) as bigint) as plan_timely_cases,
    cast(1.0 * pl.plan_timely_cases / nullif(pl.plan_eligible_cases, 0) as double) as action_plan_within_90_days_share,
    {{ wilson_ci_columns('action_plan_within_90_days_share', 'pl.plan_timely_cases', 'pl.plan_eligible_cases') }},
    cast(coalesce(ev.tested_cases, 0) as bigint) as tested_cases,
    cast(coalesce(ev.drug_free_cases, 0) as bigint) as drug_free_cases,
    cast(1.0 * ev.drug_free_cases / nullif(ev.tested_cases, 0) as double) as drug_free_share,
    {{ wilson_ci_columns('drug_free_share', 'ev.drug_free_cases', 'ev.tested_cases') }},
    cast(coalesce(ev.activities, 0) as bigint) as activities,
    cast(coalesce(ev.activity_minutes, 0) as bigint) as activity_minutes,
    cast(coalesce(cm.case_months, 0) as decimal(18, 2)) as case_months,
    cast(1.0 * ev.activities / nullif(cm.case_months, 0) as double) as activities_per_case_month,
    cast(coalesce(ev.sip_meetings, 0) as bigint) as sip_meetings,
    cast(cm.median_days_to_first_activity as double) as median_days_to_first_activity,
    cast(p.staff_fte as decimal(10, 2)) as staff_fte,
    cast(1.0 * coalesce(cm.ongoing_at_end, 0) / nullif(p.staff_fte, 0) as double) as caseload_per_fte
from {{ ref('int_unit_periods_joined') }} as p
left join {{ ref('int_unit_period_events_summed') }} as ev
    on ev.unit_code = p.unit_code and ev.period_label = p.period_label
left join plans as pl on pl.unit_code = p.unit_code and pl.period_label = p.period_label
left join case_months as cm on cm.unit_code = p.unit_code and cm.period_label = p.period_label
