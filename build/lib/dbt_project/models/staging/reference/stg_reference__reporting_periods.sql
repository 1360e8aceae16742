with source as (
    select * from {{ snapshot_current(source('raw', 'reporting_periods')) }} as current_rows
),

renamed as (
    select
        -- ids
        period_label,
        -- dates
        starts_on,
        ends_on,
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on
    from source
)

select * from renamed
