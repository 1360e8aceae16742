with source as (
    select * from {{ snapshot_current(source('raw', 'placements')) }} as current_rows
),

renamed as (
    select
        -- ids
        placement_id,
        person_key,
        -- dates
        person_birth_date,
        started_on,
        ended_on,
        -- codes and measures
        placement_type,
        cost_per_day_sek,
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on
    from source
)

select * from renamed
