{# An arithmetic invariant that must hold on every row (returns the rows where it does not). #}
{% test expression_is_true(model, expression) %}
select * from {{ model }} where not ({{ expression }})
{% endtest %}
