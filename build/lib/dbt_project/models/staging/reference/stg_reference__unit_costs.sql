with source as (
    select * from {{ snapshot_current(source('raw', 'unit_costs')) }} as current_rows
),

renamed as (
    select
        -- ids
        cost_item,
        -- codes and measures
        per,
        price_sek,
        price_year,
        source,
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on
    from source
)

select * from renamed
