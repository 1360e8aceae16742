{# Small-cell suppression (docs/privacy.md): a count 1 <= n < k is published as null. #}
{% macro is_small(count_expr) -%}
    ({{ count_expr }} >= 1 and {{ count_expr }} < {{ suppression_threshold() }})
{%- endmacro %}

{% macro suppress_count(count_expr) -%}
    case when {{ is_small(count_expr) }} then null else {{ count_expr }} end
{%- endmacro %}

{# A share, mean or median only when the number of persons/cases behind it is at least k; and, when the
   share's count of persons is named (numerator_expr), not when that count is itself small: beside a published
   denominator the share would give the suppressed count back. #}
{% macro share_is_hidden(denominator_expr, numerator_expr=none) -%}
    (coalesce({{ denominator_expr }}, 0) < {{ suppression_threshold() }}
    {%- if numerator_expr %} or {{ is_small(numerator_expr) }}{% endif %})
{%- endmacro %}

{% macro suppress_by_denominator(value_expr, denominator_expr, numerator_expr=none) -%}
    case when {{ share_is_hidden(denominator_expr, numerator_expr) }} then null else {{ value_expr }} end
{%- endmacro %}

{# The names of the columns nulled on a row, comma-separated ('' when none).
   counts: [column, ...]; shares: [(column, denominator) or (column, denominator, numerator), ...] #}
{% macro suppressed_columns(counts, shares=[]) -%}
    concat_ws(','
    {%- for c in counts %}, case when {{ is_small(c) }} then '{{ c }}' end{% endfor %}
    {%- for s in shares %}, case when {{ s[0] }} is not null and {{ share_is_hidden(s[1], s[2] if s | length > 2 else none) }} then '{{ s[0] }}' end{% endfor %}
    )
{%- endmacro %}

{# Secondary suppression (docs/privacy.md): among the parts of a total that is shown (the rows of one partition),
   when exactly one part is suppressed, the next smallest non-zero part is suppressed too (ties broken by
   tiebreak). True on the row of that part. Window functions only: evaluate it in a CTE. #}
{% macro is_secondary_suppressed(count_expr, partition_by, tiebreak) -%}
    (
        sum(case when {{ is_small(count_expr) }} then 1 else 0 end) over (partition by {{ partition_by | join(', ') }}) = 1
        and not {{ is_small(count_expr) }}
        and {{ count_expr }} > 0
        and row_number() over (
            partition by {{ partition_by | join(', ') }}
            order by case when {{ is_small(count_expr) }} or {{ count_expr }} = 0 then 1 else 0 end, {{ count_expr }}, {{ tiebreak }}
        ) = 1
    )
{%- endmacro %}

{# A published row: each of `columns` in order, a count in `counts` suppressed when small, a share named in
   `shares` ({column: [denominator] or [denominator, numerator]}) suppressed by its denominator (and numerator),
   any other column as it is; then `suppressed_columns` (counts first, then shares, each in column order). #}
{% macro published_columns(columns, counts, shares) -%}
    {%- set row_counts = [] -%}
    {%- set row_shares = [] -%}
    {%- for c in columns -%}
        {%- if c in counts -%}
            {%- do row_counts.append(c) %}
    {{ suppress_count(c) }} as {{ c }},
        {%- elif c in shares -%}
            {%- do row_shares.append([c] + shares[c]) %}
    {{ suppress_by_denominator(c, shares[c][0], shares[c][1] if shares[c] | length > 1 else none) }} as {{ c }},
        {%- else %}
    {{ c }},
        {%- endif -%}
    {%- endfor %}
    {{ suppressed_columns(row_counts, row_shares) }} as suppressed_columns
{%- endmacro %}
