{# Snapshot sources keep every export batch in raw: the current state is the newest batch. #}
{% macro snapshot_current(relation) -%}
    (
        select * from {{ relation }}
        where _batch_id = (
            select _batch_id from {{ relation }}
            order by _exported_on desc, _loaded_at desc, _batch_id desc
            limit 1
        )
    )
{%- endmacro %}

{# Append sources may carry one key in several files: the newest export wins.
   In an incremental model (the large append sources), only the keys loaded since the model's last build are
   recomputed, from every version of those keys in raw; the model's unique_key replaces their old rows.
   Most keys have a single version: only the others go through the window (a sort of every row took 10 s of
   support months' 8.6 million rows, the split 4 s). #}
{% macro append_current(relation, keys) -%}
    {%- set same_key %}
        {%- for k in keys %}v.{{ k }} is not distinct from k.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
    {%- endset -%}
    (
        with versions as (
            select * from {{ relation }} as r
            {%- if is_incremental() %}
            where {{ has_version_loaded_after(relation, keys, '(select max(loaded_at) from ' ~ this ~ ')') }}
            {%- endif %}
        ),

        repeated_keys as (
            select {{ keys | join(', ') }} from versions group by {{ keys | join(', ') }} having count(*) > 1
        )

        select v.*, 1 as _version_rank
        from versions as v
        {{ anti_join('repeated_keys as k', same_key) }}

        union all

        select * from (
            select
                v.*,
                row_number() over (
                    partition by {{ keys | join(', ') }}
                    order by _exported_on desc, _loaded_at desc, _row_number desc
                ) as _version_rank
            from versions as v
            {{ semi_join('repeated_keys as k', same_key) }}
        ) as ranked
        where _version_rank = 1
    )
{%- endmacro %}

{# True on a row (alias r) of a relation of raw versions whose key has any version loaded after `loaded_after` (a
   SQL expression): an incremental build recomputes every version of such keys, since the newest may move or replace
   older ones. loaded_at names the relation's load-time column. #}
{% macro has_version_loaded_after(relation, keys, loaded_after, loaded_at='_loaded_at') -%}
    exists (
        select 1 from {{ relation }} as n
        where n.{{ loaded_at }} > {{ loaded_after }}
        {%- for k in keys %}
            and n.{{ k }} = r.{{ k }}
        {%- endfor %}
    )
{%- endmacro %}

{# Every version of every row of an append source of dated case events (raw keeps each export's row, superseded
   ones too): its key, case and date, and when it was loaded. int_unit_period_events_summed reads these to
   recompute the periods a corrected event leaves as well as the one it enters, and to record the newest load it
   has seen. #}
{% macro event_versions(relation, keys, date_column) -%}
select {{ (keys + ['case_id', date_column]) | unique | join(', ') }}, _loaded_at as loaded_at
from {{ relation }}
{%- endmacro %}
