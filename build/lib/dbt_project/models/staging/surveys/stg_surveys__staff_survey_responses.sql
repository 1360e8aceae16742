with source as (
    select * from {{ append_current(source('raw', 'staff_survey'), ['response_id']) }} as current_rows
),

renamed as (
    select
        -- ids
        response_id,
        unit_code,
        -- codes and measures
        survey_round,
        role,
        {{- item_columns(40) }}
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on
    from source
)

select * from renamed
