with source as (
    select * from {{ append_current(source('raw', 'participant_survey'), ['response_id']) }} as current_rows
),

renamed as (
    select
        -- ids
        response_id,
        unit_code,
        case_id,
        -- dates
        administered_on,
        -- codes and measures
        {{- item_columns(30) }}
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on
    from source
)

select * from renamed
