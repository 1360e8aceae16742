{# The headline figures a unit is followed up on, as reports.unit_scorecard and reports.leadership_overview publish
   them: which are counts of persons or cases, and which are shares with the count they rest on (denominator) and,
   where named, the count they would give back (numerator); goal statuses and their evidence rest on their goal's
   basis. The Wilson interval of a share (<share>_ci_low, <share>_ci_high) is published with its share, and always
   with the share's count of persons named as numerator: an interval gives its denominator back, so beside it a
   share would give a small numerator back even where the denominator itself is not published
   (action_plan_within_90_days_share, whose plan_eligible_cases no report shows). #}
{% macro scorecard_figures() -%}
    {%- set shares = {
        'attendance_rate': ['attendance_cases'],
        'action_plan_within_90_days_share': ['plan_eligible_cases', 'plan_timely_cases'],
        'positive_exit_share': ['exited_cases', 'positive_exits'],
        'ors_reliable_improvement_share': ['ors_pairs', 'ors_reliable_improvement'],
        'wellbeing_improved_share': ['wellbeing_pairs', 'wellbeing_improved'],
        'srs_alliance_flag_share': ['srs_cases'],
        'work_or_studies_at_horizon_share': ['horizon_cohort_cases', 'horizon_in_work_or_studies'],
    } -%}
    {%- set intervals = {
        'action_plan_within_90_days_share': ['plan_eligible_cases', 'plan_timely_cases'],
        'positive_exit_share': ['exited_cases', 'positive_exits'],
        'ors_reliable_improvement_share': ['ors_pairs', 'ors_reliable_improvement'],
        'wellbeing_improved_share': ['wellbeing_pairs', 'wellbeing_improved'],
        'work_or_studies_at_horizon_share': ['horizon_cohort_cases', 'horizon_in_work_or_studies'],
    } -%}
    {%- for share, basis in intervals.items() -%}
        {%- do shares.update({share ~ '_ci_low': basis, share ~ '_ci_high': basis}) -%}
    {%- endfor -%}
    {%- for metric in goal_metric_keys() -%}
        {%- do shares.update({'goal_' ~ metric: [goal_basis(metric)]}) -%}
        {%- do shares.update({'goal_' ~ metric ~ '_evidence': [goal_basis(metric)]}) -%}
    {%- endfor -%}
    {{ return({
        'counts': [
            'active_cases', 'new_cases', 'exited_cases', 'ongoing_at_end', 'positive_exits', 'dropouts', 'ors_pairs',
            'ors_reliable_improvement', 'wellbeing_pairs', 'wellbeing_improved', 'srs_sessions',
            'horizon_cohort_cases', 'persons_in_other_units', 'transfers_out', 'transfers_in'
        ],
        'shares': shares,
    }) }}
{%- endmacro %}
