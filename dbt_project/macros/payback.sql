{# Months until an annual benefit pays the programme cost back (docs/metrics.md): null when the benefit is not
   positive, because a programme that saves nothing never pays back. One rule for the typed-in and the
   counterfactual payback and for both ends of the counterfactual interval. #}
{% macro payback(programme_cost, annual_benefit) -%}
    cast(case when {{ annual_benefit }} > 0
        then {{ programme_cost }} / ({{ annual_benefit }} / 12.0) end as double)
{%- endmacro %}
