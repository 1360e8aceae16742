{# The metric keys usable in unit_targets (docs/metrics.md), in the order the scorecard prints their goal status. #}
{% macro goal_metric_keys() -%}
    {{ return([
        'attendance_rate', 'action_plan_within_90_days_share', 'drug_free_share', 'activities_per_case_month',
        'positive_exit_share', 'dropout_share', 'work_or_studies_at_horizon_share', 'ors_reliable_improvement_share',
        'wellbeing_improved_share', 'cost_per_case', 'budget_spent_share', 'payback_months', 'caseload_per_fte'
    ]) }}
{%- endmacro %}

{# The denominator that decides whether a goal's status is published: the persons/cases behind it when they are
   1 <= n < k (suppressed), else k (published: 0 persons, or a figure that is not per person, reveal no one). #}
{% macro goal_basis(metric) -%}
    case when {{ is_small('goal_' ~ metric ~ '_basis') }} then goal_{{ metric }}_basis else {{ suppression_threshold() }} end
{%- endmacro %}
