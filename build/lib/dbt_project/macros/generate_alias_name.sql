{# A published model named <schema>__<table> is created as <schema>.<table> (intake__cases -> intake.cases):
   model names stay unique in dbt while the relations keep the names analysts query. #}
{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
    {%- if custom_alias_name -%}
        {{ custom_alias_name | trim }}
    {%- elif node.config.schema and node.name.startswith(node.config.schema ~ '__') -%}
        {{ node.name[(node.config.schema ~ '__') | length:] }}
    {%- else -%}
        {{ node.name }}
    {%- endif -%}
{%- endmacro %}
