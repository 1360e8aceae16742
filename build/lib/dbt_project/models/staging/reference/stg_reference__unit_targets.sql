with source as (
    select * from {{ snapshot_current(source('raw', 'unit_targets')) }} as current_rows
),

renamed as (
    select
        -- ids
        unit_code,
        metric,
        -- codes and measures
        comparator,
        target_value,
        horizon_months,
        note,
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on
    from source
)

select * from renamed
