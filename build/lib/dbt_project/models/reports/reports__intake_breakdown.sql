{%- set counts = ['active_cases', 'new_cases', 'exited_cases'] -%}
-- intake.period_breakdown suppressed for publication (docs/privacy.md). Within one dimension the values are the
-- parts of the period's totals published in reports.unit_scorecard, so each count gets primary suppression
-- (1 <= n < k) and secondary suppression (exactly one part suppressed: the next smallest non-zero part too).
with breakdown as (
    select * from {{ ref('intake__period_breakdown') }}
),

flagged as (
    select
        breakdown.*,
        {%- for c in counts %}
        {{ is_small(c) }} or {{ is_secondary_suppressed(c, ['unit_code', 'period_label', 'dimension'], 'dimension_value') }}
            as {{ c }}_suppressed{{ ',' if not loop.last }}
        {%- endfor %}
    from breakdown
)

select
    unit_code,
    period_label,
    dimension,
    dimension_value,
    {%- for c in counts %}
    case when {{ c }}_suppressed then null else {{ c }} end as {{ c }},
    {%- endfor %}
    concat_ws(','
        {%- for c in counts %}, case when {{ c }}_suppressed then '{{ c }}' end{% endfor %}
    ) as suppressed_columns
from flagged
