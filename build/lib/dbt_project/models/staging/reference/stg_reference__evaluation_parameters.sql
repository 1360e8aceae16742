with source as (
    select * from {{ snapshot_current(source('raw', 'evaluation_parameters')) }} as current_rows
),

renamed as (
    select
        -- ids
        unit_code,
        parameter,
        -- codes and measures
        value,
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on
    from source
)

select * from renamed
