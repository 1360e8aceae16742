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
        _exported_on as exported_on
    from source
)

select * from renamed
