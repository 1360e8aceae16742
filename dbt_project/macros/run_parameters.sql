{# Run parameters come from the one configuration (orchestration/config.py) through the environment. #}
{% macro as_of_date() -%}
    cast('{{ env_var("FOLLOWUP_AS_OF_DATE", run_started_at.strftime("%Y-%m-%d")) }}' as date)
{%- endmacro %}

{% macro suppression_threshold() -%}
    {{ env_var("FOLLOWUP_SUPPRESSION_THRESHOLD", "5") | int }}
{%- endmacro %}
