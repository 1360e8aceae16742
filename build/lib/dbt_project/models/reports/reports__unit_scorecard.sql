-- The headline figures of a unit's half-year self-evaluation, suppressed for publication (docs/privacy.md).
{#- A goal's status is published like the figure it rests on: only when the persons or cases behind it are at least
    k (a figure that is not per person, basis null, is always published); scorecard_figures() says which is which. #}
{%- set figures = scorecard_figures() -%}
{%- set columns = [
    'unit_code', 'period_label', 'period_type', 'active_cases', 'new_cases', 'exited_cases', 'ongoing_at_end',
    'attendance_rate', 'action_plan_within_90_days_share', 'positive_exits', 'positive_exit_share', 'dropouts',
    'ors_pairs', 'ors_reliable_improvement', 'ors_reliable_improvement_share', 'wellbeing_pairs', 'wellbeing_improved',
    'wellbeing_improved_share', 'srs_sessions', 'srs_alliance_flag_share', 'horizon_cohort_cases',
    'work_or_studies_at_horizon_share', 'decided_sek', 'spent_sek', 'remaining_sek'
] -%}
{%- for metric in goal_metric_keys() -%}
    {%- do columns.append('goal_' ~ metric) -%}
{%- endfor %}
with figures as (
    select * from {{ ref('int_unit_scorecards_assembled') }}
)

select
    {{- published_columns(columns, figures.counts, figures.shares) }}
from figures
