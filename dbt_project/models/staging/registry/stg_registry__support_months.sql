-- A table, not a view: the newest-export-wins pass over millions of rows runs once per build, and only over
-- the keys loaded since the last build (see append_current).
{{ config(materialized='incremental', incremental_strategy=upsert_strategy(), unique_key=['person_key', 'month', 'support_type'], on_schema_change='fail') }}

with source as (
    select * from {{ append_current(source('raw', 'support_months'), ['person_key', 'month', 'support_type']) }} as current_rows
),

renamed as (
    select
        -- ids
        person_key,
        -- dates
        person_birth_date,
        month,
        -- derived from the identity number on load (privacy.md)
        person_legal_sex,
        -- codes and measures
        support_type,
        amount_sek,
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on,
        _loaded_at as loaded_at
    from source
)

select * from renamed
