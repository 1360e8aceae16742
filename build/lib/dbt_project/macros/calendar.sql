{# months(a, b): calendar months touched, both ends included (docs/metrics.md). #}
{% macro months_between(a, b) -%}
    (12 * (extract(year from {{ b }}) - extract(year from {{ a }})) + extract(month from {{ b }}) - extract(month from {{ a }}) + 1)
{%- endmacro %}

{# Completed years at a date. #}
{% macro age_at(birth_date, on_date) -%}
    (
        extract(year from {{ on_date }}) - extract(year from {{ birth_date }})
        - case
            when extract(month from {{ on_date }}) * 100 + extract(day from {{ on_date }})
               < extract(month from {{ birth_date }}) * 100 + extract(day from {{ birth_date }})
            then 1 else 0
          end
    )
{%- endmacro %}

{# Days between two dates, inclusive of both ends. #}
{% macro days_inclusive(a, b) -%}
    ({{ dbt.datediff(a, b, 'day') }} + 1)
{%- endmacro %}

{% macro two_digits(expr) -%}
    lpad(cast({{ expr }} as varchar), 2, '0')
{%- endmacro %}
