{# The metric keys usable in unit_targets (docs/metrics.md), in the order the scorecard prints their goal status: the
   seed metric_keys, their one home (the unit_targets validation in sources/contracts.py reads the same file).
   The seed is read when the calling model is compiled (the seed is built before it: ref() makes it a parent);
   at parse time the list is empty. The relation comes from the graph, not from ref(), so that a unit test of a
   caller reads the seed's table rather than its fixture. #}
{% macro goal_metric_keys() -%}
    {%- do ref('metric_keys') -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set seed = graph.nodes['seed.followup.metric_keys'] -%}
    {%- set keys = run_query('select metric_key from ' ~ seed.relation_name ~ ' order by goal_order') -%}
    {{ return(keys.columns[0].values() | list) }}
{%- endmacro %}

{# The denominator that decides whether a goal's status is published: the persons/cases behind it when they are
   1 <= n < k (suppressed), else k (published: 0 persons, or a figure that is not per person, reveal no one). #}
{% macro goal_basis(metric) -%}
    case when {{ is_small('goal_' ~ metric ~ '_basis') }} then goal_{{ metric }}_basis else {{ suppression_threshold() }} end
{%- endmacro %}
