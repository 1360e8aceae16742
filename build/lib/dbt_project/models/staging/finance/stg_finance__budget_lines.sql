with source as (
    select * from {{ snapshot_current(source('raw', 'budget')) }} as current_rows
),

renamed as (
    select
        -- ids
        unit_code,
        decision_ref,
        -- dates
        decided_on,
        -- codes and measures
        cost_category,
        decided_sek,
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on
    from source
)

select * from renamed
