-- The headline figures of a unit's half-year self-evaluation, suppressed for publication (docs/privacy.md); its
-- periods run on after the unit's end (after_unit_end) with the outcome and money figures that are still followed up.
{#- A goal's status is published like the figure it rests on: only when the persons or cases behind it are at least
    k (a figure that is not per person, basis null, is always published); scorecard_figures() says which is which. #}
{%- set figures = scorecard_figures() -%}
{%- set columns = [
    'unit_code', 'period_label', 'period_type', 'after_unit_end', 'active_cases', 'new_cases', 'exited_cases',
    'ongoing_at_end', 'attendance_rate', 'action_plan_within_90_days_share', 'action_plan_within_90_days_share_ci_low',
    'action_plan_within_90_days_share_ci_high', 'positive_exits', 'positive_exit_share', 'positive_exit_share_ci_low',
    'positive_exit_share_ci_high', 'dropouts', 'ors_pairs', 'ors_reliable_improvement', 'ors_reliable_improvement_share',
    'ors_reliable_improvement_share_ci_low', 'ors_reliable_improvement_share_ci_high', 'wellbeing_pairs',
    'wellbeing_improved', 'wellbeing_improved_share', 'wellbeing_improved_share_ci_low',
    'wellbeing_improved_share_ci_high', 'srs_sessions', 'srs_alliance_flag_share', 'horizon_cohort_cases',
    'work_or_studies_at_horizon_share', 'work_or_studies_at_horizon_share_ci_low',
    'work_or_studies_at_horizon_share_ci_high', 'decided_sek', 'spent_sek', 'remaining_sek'
] -%}
{%- for metric in goal_metric_keys() -%}
    {%- do columns.append('goal_' ~ metric) -%}
{%- endfor %}
{%- for metric in goal_metric_keys() -%}
    {%- do columns.append('goal_' ~ metric ~ '_evidence') -%}
{%- endfor %}
with figures as (
    select * from {{ ref('int_unit_scorecards_assembled') }}
)

select
    {{- published_columns(columns, figures.counts, figures.shares) }}
from figures
