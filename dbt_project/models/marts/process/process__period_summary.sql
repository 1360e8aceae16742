with case_periods as (
    select * from {{ ref('int_case_periods_joined') }}
),

attendance as (
    select
        cp.unit_code,
        cp.period_label,
        sum(a.scheduled_hours) as scheduled_hours,
        sum(a.attended_hours) as attended_hours,
        count(distinct a.case_id) as attendance_cases
    from case_periods as cp
    inner join {{ ref('stg_registry__attendance_days') }} as a
        on a.case_id = cp.case_id
        and a.attendance_on between cp.starts_on and cp.measured_to
    group by cp.unit_code, cp.period_label
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
    where {{ dbt.dateadd('day', 90, 'cp.enrolled_on') }} <= cp.measured_to
    group by cp.unit_code, cp.period_label
),

latest_tests as (
    -- Each case's latest conclusive test in the period (ties on the date: the highest test id). An aggregate,
    -- not a window: half the time at scale 100.
    select
        cp.unit_code,
        cp.period_label,
        t.case_id,
        arg_max(t.result, struct_pack(tested_on := t.tested_on, test_id := t.test_id)) as result
    from case_periods as cp
    inner join {{ ref('stg_registry__drug_tests') }} as t
        on t.case_id = cp.case_id
        and t.tested_on between cp.starts_on and cp.measured_to
        and t.result in ('negative', 'positive', 'refused')
    group by cp.unit_code, cp.period_label, t.case_id
),

drug_tests as (
    select
        unit_code,
        period_label,
        count(*) as tested_cases,
        sum(case when result = 'negative' then 1 else 0 end) as drug_free_cases
    from latest_tests
    group by unit_code, period_label
),

activities as (
    select
        cp.unit_code,
        cp.period_label,
        count(*) as activities,
        sum(coalesce(a.minutes, 0)) as activity_minutes,
        sum(case when a.activity_type = 'sip_meeting' then 1 else 0 end) as sip_meetings
    from case_periods as cp
    inner join {{ ref('stg_registry__activities') }} as a
        on a.case_id = cp.case_id
        and a.activity_on between cp.starts_on and cp.measured_to
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
        percentile_cont(0.5) within group (
            order by case when cp.is_new then {{ dbt.datediff('cp.enrolled_on', 'fa.first_activity_on', 'day') }} end
        ) as median_days_to_first_activity
    from case_periods as cp
    left join first_activities as fa
        on fa.case_id = cp.case_id
        and fa.first_activity_on >= cp.enrolled_on
    group by cp.unit_code, cp.period_label
)

select
    p.unit_code,
    p.period_label,
    cast(coalesce(att.scheduled_hours, 0) as decimal(18, 2)) as scheduled_hours,
    cast(coalesce(att.attended_hours, 0) as decimal(18, 2)) as attended_hours,
    cast(coalesce(att.attendance_cases, 0) as bigint) as attendance_cases,
    cast(att.attended_hours / nullif(att.scheduled_hours, 0) as double) as attendance_rate,
    cast(coalesce(pl.plan_eligible_cases, 0) as bigint) as plan_eligible_cases,
    cast(coalesce(pl.plan_timely_cases, 0) as bigint) as plan_timely_cases,
    cast(1.0 * pl.plan_timely_cases / nullif(pl.plan_eligible_cases, 0) as double) as action_plan_within_90_days_share,
    cast(coalesce(dt.tested_cases, 0) as bigint) as tested_cases,
    cast(coalesce(dt.drug_free_cases, 0) as bigint) as drug_free_cases,
    cast(1.0 * dt.drug_free_cases / nullif(dt.tested_cases, 0) as double) as drug_free_share,
    cast(coalesce(ac.activities, 0) as bigint) as activities,
    cast(coalesce(ac.activity_minutes, 0) as bigint) as activity_minutes,
    cast(coalesce(cm.case_months, 0) as decimal(18, 2)) as case_months,
    cast(1.0 * ac.activities / nullif(cm.case_months, 0) as double) as activities_per_case_month,
    cast(coalesce(ac.sip_meetings, 0) as bigint) as sip_meetings,
    cast(cm.median_days_to_first_activity as double) as median_days_to_first_activity,
    cast(p.staff_fte as decimal(10, 2)) as staff_fte,
    cast(1.0 * coalesce(cm.ongoing_at_end, 0) / nullif(p.staff_fte, 0) as double) as caseload_per_fte
from {{ ref('int_unit_periods_joined') }} as p
left join attendance as att on att.unit_code = p.unit_code and att.period_label = p.period_label
left join plans as pl on pl.unit_code = p.unit_code and pl.period_label = p.period_label
left join drug_tests as dt on dt.unit_code = p.unit_code and dt.period_label = p.period_label
left join activities as ac on ac.unit_code = p.unit_code and ac.period_label = p.period_label
left join case_months as cm on cm.unit_code = p.unit_code and cm.period_label = p.period_label
