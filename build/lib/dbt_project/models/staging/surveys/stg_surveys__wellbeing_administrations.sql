with source as (
    select * from {{ append_current(source('raw', 'wellbeing'), ['response_id']) }} as current_rows
),

renamed as (
    select
        -- ids
        response_id,
        case_id,
        -- dates
        administered_on,
        -- codes and measures
        occasion,
        {{- item_columns(20) }}
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on
    from source
)

select * from renamed
