{# A survey form's numbered item columns q01..qNN (docs/sources.md), in order, each followed by a comma. #}
{% macro item_columns(count) -%}
    {%- for i in range(1, count + 1) %}
        q{{ '%02d' % i }},
    {%- endfor %}
{%- endmacro %}
