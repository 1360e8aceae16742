{# Small-cell suppression (privacy.md): a count 1 <= n < k is published as null. #}
{% macro is_small(count_expr) -%}
    ({{ count_expr }} >= 1 and {{ count_expr }} < {{ suppression_threshold() }})
{%- endmacro %}

{% macro suppress_count(count_expr) -%}
    case when {{ is_small(count_expr) }} then null else {{ count_expr }} end
{%- endmacro %}

{# A share, mean or median only when the number of persons/cases behind it is at least k. #}
{% macro suppress_by_denominator(value_expr, denominator_expr) -%}
    case when coalesce({{ denominator_expr }}, 0) < {{ suppression_threshold() }} then null else {{ value_expr }} end
{%- endmacro %}

{# The names of the columns nulled on a row, comma-separated ('' when none).
   counts: [column, ...]; shares: [(column, denominator), ...] #}
{% macro suppressed_columns(counts, shares=[]) -%}
    concat_ws(','
    {%- for c in counts %}, case when {{ is_small(c) }} then '{{ c }}' end{% endfor %}
    {%- for s in shares %}, case when {{ s[0] }} is not null and coalesce({{ s[1] }}, 0) < {{ suppression_threshold() }} then '{{ s[0] }}' end{% endfor %}
    )
{%- endmacro %}
