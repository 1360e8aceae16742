-- Covariate balance of the matched comparison (evaluation.md): unit x cohort x covariate, standardised mean
-- differences before and after matching (both over the pooled standard deviation before matching).
{%- set figures = ['mean_participants', 'mean_participants_matched', 'mean_comparison_before', 'smd_before',
    'mean_comparison_after', 'smd_after'] %}
select
    cast(unit_code as varchar) as unit_code,
    cast(cohort as varchar) as cohort,
    cast(item as varchar) as covariate,
    cast(coalesce(n_participants, 0) as bigint) as n_participants,
    cast(coalesce(n_matched, 0) as bigint) as n_matched,
    {%- for c in figures %}
    cast(case when isnan({{ c }}) then null else {{ c }} end as double) as {{ c }}{{ ',' if not loop.last }}
    {%- endfor %}
from {{ ref('int_comparison_estimates_computed') }}
where record = 'balance'
