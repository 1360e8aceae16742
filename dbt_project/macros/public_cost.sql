{# How the warehouse values money by payer (metrics.md cost.socioeconomic_cases): one rule for the socioeconomic
   windows (int_window_costs_summed) and the matched comparison's months (int_register_months_summed). #}

{# The payer and kind (public_cost / earnings) of each support or placement type (reference.support_types). #}
{% macro cost_payers() -%}
    select cost_item, payer, counts_as from {{ ref('support_types') }}
{%- endmacro %}

{# An item the seed does not list is a public cost of payer `other` (decisions.md). #}
{% macro payer_of(payers_alias) -%}
    coalesce({{ payers_alias }}.payer, 'other')
{%- endmacro %}

{% macro counts_as_of(payers_alias) -%}
    coalesce({{ payers_alias }}.counts_as, 'public_cost')
{%- endmacro %}

{# The daily unit cost of each cost item: its price per day, else its monthly price / 30.4375. #}
{% macro daily_unit_costs() -%}
    select
        cost_item,
        max(case when per = 'day' then price_sek end) as per_day,
        max(case when per = 'month' then price_sek end) / 30.4375 as per_month_as_day
    from {{ ref('stg_reference__unit_costs') }}
    group by cost_item
{%- endmacro %}

{# Placement days at the placement's own daily cost, else the daily unit cost of its type (from daily_unit_costs). #}
{% macro placement_amount(days, cost_per_day_sek, unit_costs_alias) -%}
    {{ days }} * coalesce({{ cost_per_day_sek }}, {{ unit_costs_alias }}.per_day, {{ unit_costs_alias }}.per_month_as_day)
{%- endmacro %}

{# outcome.status_at_horizon's rule for a month with support_months rows: in work or studies when the largest
   amount of wage or study_allowance is at least the largest amount of any type and above 0 (a tie is positive). #}
{% macro in_work_or_studies(largest_positive_amount, largest_amount) -%}
    coalesce({{ largest_positive_amount }} >= {{ largest_amount }} and {{ largest_positive_amount }} > 0, false)
{%- endmacro %}
