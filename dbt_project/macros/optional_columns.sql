{# A column of another model when that model declares it (its YAML, enforced by its contract), else a typed null:
   lets a published table carry a figure an upstream mart gains later (intervals, evidence, counterfactual payback)
   without a second change here. At parse time (no graph yet) the null. #}
{% macro optional_column(model_name, column, data_type, relation_alias=none) -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ model_name) if execute else none -%}
    {%- if node is not none and column in node.columns -%}
        cast({{ relation_alias ~ '.' if relation_alias }}{{ column }} as {{ data_type }})
    {%- else -%}
        cast(null as {{ data_type }})
    {%- endif -%}
{%- endmacro %}
