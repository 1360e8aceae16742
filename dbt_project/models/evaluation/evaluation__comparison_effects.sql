-- Effects against a matched comparison group (evaluation.md): unit x cohort (calendar year of the index month,
-- and 'all') x outcome, unsuppressed, every status (only `published` effects reach reports.effects).
{%- set counts = ['n_participants', 'n_matched', 'n_comparison_persons'] %}
{%- set figures = ['mean_participants_pre', 'mean_participants_post', 'mean_comparison_pre', 'mean_comparison_post',
    'naive_change', 'att', 'att_ci_low', 'att_ci_high'] %}
select
    cast(unit_code as varchar) as unit_code,
    cast(cohort as varchar) as cohort,
    cast(item as varchar) as outcome,
    {%- for c in counts %}
    cast(coalesce({{ c }}, 0) as bigint) as {{ c }},
    {%- endfor %}
    {%- for c in figures %}
    cast(case when isnan({{ c }}) then null else {{ c }} end as double) as {{ c }},
    {%- endfor %}
    cast(case when isnan(mean_comparison_post - mean_comparison_pre) then null
        else mean_comparison_post - mean_comparison_pre end as double) as change_without_project,
    cast(status as varchar) as status,
    cast(method as varchar) as method,
    cast(parameters as varchar) as parameters
from {{ ref('int_comparison_estimates_computed') }}
where record = 'effect'
