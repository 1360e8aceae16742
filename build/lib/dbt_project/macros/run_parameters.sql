{# Run parameters come from the one configuration (orchestration/config.py) through the environment. #}
{% macro as_of_date() -%}
    cast('{{ env_var("FOLLOWUP_AS_OF_DATE") }}' as date)
{%- endmacro %}

{% macro suppression_threshold() -%}
    {{ env_var("FOLLOWUP_SUPPRESSION_THRESHOLD") | int }}
{%- endmacro %}
