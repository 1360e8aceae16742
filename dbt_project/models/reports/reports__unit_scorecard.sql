-- The headline figures of a unit's half-year self-evaluation, suppressed for publication (privacy.md).
{%- set goal_shares = [] -%}
{%- for metric in goal_metric_keys() -%}
    {%- do goal_shares.append(('goal_' ~ metric, goal_basis(metric))) -%}
{%- endfor %}
with figures as (
    select * from {{ ref('int_unit_scorecards_assembled') }}
)

select
    unit_code,
    period_label,
    period_type,
    {{ suppress_count('active_cases') }} as active_cases,
    {{ suppress_count('new_cases') }} as new_cases,
    {{ suppress_count('exited_cases') }} as exited_cases,
    {{ suppress_count('ongoing_at_end') }} as ongoing_at_end,
    {{ suppress_by_denominator('attendance_rate', 'attendance_cases') }} as attendance_rate,
    {{ suppress_by_denominator('action_plan_within_90_days_share', 'plan_eligible_cases') }}
        as action_plan_within_90_days_share,
    {{ suppress_count('positive_exits') }} as positive_exits,
    {{ suppress_by_denominator('positive_exit_share', 'exited_cases', 'positive_exits') }} as positive_exit_share,
    {{ suppress_count('dropouts') }} as dropouts,
    {{ suppress_count('ors_pairs') }} as ors_pairs,
    {{ suppress_count('ors_reliable_improvement') }} as ors_reliable_improvement,
    {{ suppress_by_denominator('ors_reliable_improvement_share', 'ors_pairs', 'ors_reliable_improvement') }} as ors_reliable_improvement_share,
    {{ suppress_count('wellbeing_pairs') }} as wellbeing_pairs,
    {{ suppress_count('wellbeing_improved') }} as wellbeing_improved,
    {{ suppress_by_denominator('wellbeing_improved_share', 'wellbeing_pairs', 'wellbeing_improved') }} as wellbeing_improved_share,
    {{ suppress_count('srs_sessions') }} as srs_sessions,
    {{ suppress_by_denominator('srs_alliance_flag_share', 'srs_cases') }} as srs_alliance_flag_share,
    {{ suppress_count('horizon_cohort_cases') }} as horizon_cohort_cases,
    {{ suppress_by_denominator('work_or_studies_at_horizon_share', 'horizon_cohort_cases', 'horizon_in_work_or_studies') }}
        as work_or_studies_at_horizon_share,
    decided_sek,
    spent_sek,
    remaining_sek,
    {#- A goal's status is published like the figure it rests on: only when the persons or cases behind it are at
        least k (a figure that is not per person, basis null, is always published). #}
    {%- for metric in goal_metric_keys() %}
    {{ suppress_by_denominator('goal_' ~ metric, goal_basis(metric)) }} as goal_{{ metric }},
    {%- endfor %}
    {{ suppressed_columns(
        ['active_cases', 'new_cases', 'exited_cases', 'ongoing_at_end', 'positive_exits', 'dropouts',
         'ors_pairs', 'ors_reliable_improvement', 'wellbeing_pairs', 'wellbeing_improved', 'srs_sessions',
         'horizon_cohort_cases'],
        [('attendance_rate', 'attendance_cases'),
         ('action_plan_within_90_days_share', 'plan_eligible_cases'),
         ('positive_exit_share', 'exited_cases', 'positive_exits'),
         ('ors_reliable_improvement_share', 'ors_pairs', 'ors_reliable_improvement'),
         ('wellbeing_improved_share', 'wellbeing_pairs', 'wellbeing_improved'),
         ('srs_alliance_flag_share', 'srs_cases'),
         ('work_or_studies_at_horizon_share', 'horizon_cohort_cases', 'horizon_in_work_or_studies')]
        + goal_shares
    ) }} as suppressed_columns
from figures
