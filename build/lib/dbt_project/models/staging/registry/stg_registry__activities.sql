-- A table, not a view: the newest-export-wins pass over millions of rows runs once per build, and only over
-- the keys loaded since the last build (see append_current).
{{ config(materialized='incremental', incremental_strategy=upsert_strategy(), unique_key='activity_id', on_schema_change='fail') }}

with source as (
    select * from {{ append_current(source('raw', 'activities'), ['activity_id']) }} as current_rows
),

renamed as (
    select
        -- ids
        activity_id,
        case_id,
        -- dates
        activity_on,
        -- codes and measures
        activity_type,
        intervention_category,
        minutes,
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on,
        _loaded_at as loaded_at
    from source
)

select * from renamed
