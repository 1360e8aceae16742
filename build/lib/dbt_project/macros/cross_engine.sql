{#
  Engine-specific SQL, each piece behind adapter.dispatch('<name>', 'followup'). The default__ implementations are
  DuckDB's, the project's engine, and compile to the SQL the models had before. Models and macros call these, never
  the DuckDB syntax itself (`::` casts and dbt's own cross-database macros, dbt.dateadd etc., are fine as they are).

  Another adapter (dbt-spark, dbt-trino, ...) supplies <adapter>__<name>, e.g. spark__semi_join, for each of:

    upsert_strategy()                    incremental strategy replacing the rows of a unique_key   delete+insert
    semi_join(relation, on)              join clause keeping the rows that have a match            semi join
    anti_join(relation, on)              join clause keeping the rows that have no match           anti join
    struct_of(fields)                    a struct of [(name, expression), ...]                      struct_pack
    list_agg(expr, order_by)             aggregate: the list of the group's values, ordered        list(... order by)
    unnest_list(expr)                    select-list item: one row per element of a list           unnest
    arg_max_by(value, order_fields)      aggregate: value of the row with the largest order_fields  arg_max(struct)
    set_fingerprint(expr)                aggregate: order-independent hash of the group's values   bit_xor(hash())
    median(expr)                         aggregate: the continuous median                          percentile_cont

  A struct from struct_of, listed by list_agg, is read back after unnest_list with `alias.field`.
#}

{% macro upsert_strategy() -%}
    {{ return(adapter.dispatch('upsert_strategy', 'followup')()) }}
{%- endmacro %}

{% macro default__upsert_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}


{% macro semi_join(relation, on) -%}
    {{ adapter.dispatch('semi_join', 'followup')(relation, on) }}
{%- endmacro %}

{% macro default__semi_join(relation, on) -%}
    semi join {{ relation }} on {{ on }}
{%- endmacro %}


{% macro anti_join(relation, on) -%}
    {{ adapter.dispatch('anti_join', 'followup')(relation, on) }}
{%- endmacro %}

{% macro default__anti_join(relation, on) -%}
    anti join {{ relation }} on {{ on }}
{%- endmacro %}


{% macro struct_of(fields) -%}
    {{ adapter.dispatch('struct_of', 'followup')(fields) }}
{%- endmacro %}

{% macro default__struct_of(fields) -%}
    struct_pack({% for name, expr in fields %}{{ name }} := {{ expr }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}


{% macro list_agg(expr, order_by) -%}
    {{ adapter.dispatch('list_agg', 'followup')(expr, order_by) }}
{%- endmacro %}

{% macro default__list_agg(expr, order_by) -%}
    list({{ expr }} order by {{ order_by }})
{%- endmacro %}


{% macro unnest_list(expr) -%}
    {{ adapter.dispatch('unnest_list', 'followup')(expr) }}
{%- endmacro %}

{% macro default__unnest_list(expr) -%}
    unnest({{ expr }})
{%- endmacro %}


{% macro arg_max_by(value, order_fields) -%}
    {{ adapter.dispatch('arg_max_by', 'followup')(value, order_fields) }}
{%- endmacro %}

{% macro default__arg_max_by(value, order_fields) -%}
    arg_max({{ value }}, {{ followup.struct_of(order_fields) }})
{%- endmacro %}


{% macro set_fingerprint(expr) -%}
    {{ adapter.dispatch('set_fingerprint', 'followup')(expr) }}
{%- endmacro %}

{% macro default__set_fingerprint(expr) -%}
    coalesce(bit_xor(hash({{ expr }})), 0)
{%- endmacro %}


{% macro median(expr) -%}
    {{ adapter.dispatch('median', 'followup')(expr) }}
{%- endmacro %}

{% macro default__median(expr) -%}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}
