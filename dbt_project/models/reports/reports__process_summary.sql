-- process.period_summary for publication (docs/privacy.md): the counts of cases suppressed when small, each share
-- (and the hours behind the attendance rate) only when the cases it rests on are at least k and its numerator is not
-- small; activities and case-months are not counts of persons and stay. Caseload per FTE is hidden when the ongoing
-- cases it divides are 1 <= n < k (units.staff_fte is published, so it would give the count back).
with summary as (
    select
        pr.*,
        case when {{ is_small('i.ongoing_at_end') }} then i.ongoing_at_end else {{ suppression_threshold() }} end
            as caseload_basis
    from {{ ref('process__period_summary') }} as pr
    inner join {{ ref('intake__period_summary') }} as i
        on i.unit_code = pr.unit_code
        and i.period_label = pr.period_label
)

select
    {{- published_columns(
        ['unit_code', 'period_label', 'attendance_cases', 'scheduled_hours', 'attended_hours', 'attendance_rate',
         'plan_eligible_cases', 'plan_timely_cases', 'action_plan_within_90_days_share', 'tested_cases',
         'drug_free_cases', 'drug_free_share', 'activities', 'activity_minutes',
         'activities_per_case_month', 'sip_meetings', 'staff_fte', 'caseload_per_fte'],
        ['attendance_cases', 'plan_eligible_cases', 'plan_timely_cases', 'tested_cases', 'drug_free_cases'],
        {
            'scheduled_hours': ['attendance_cases'],
            'attended_hours': ['attendance_cases'],
            'attendance_rate': ['attendance_cases'],
            'action_plan_within_90_days_share': ['plan_eligible_cases', 'plan_timely_cases'],
            'drug_free_share': ['tested_cases', 'drug_free_cases'],
            'caseload_per_fte': ['caseload_basis'],
        }
    ) }}
from summary
