with source as (
    select * from {{ snapshot_current(source('raw', 'units')) }} as current_rows
),

renamed as (
    select
        -- ids
        unit_code,
        -- dates
        starts_on,
        ends_on,
        -- codes and measures
        unit_name,
        organisation,
        municipality,
        kind,
        funding,
        target_group,
        capacity_places,
        staff_fte,
        person_id_pattern,
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on
    from source
)

select * from renamed
