with source as (
    select * from {{ append_current(source('raw', 'sdq'), ['response_id']) }} as current_rows
),

renamed as (
    select
        -- ids
        response_id,
        case_id,
        -- dates
        administered_on,
        -- codes and measures
        informant,
        {{- item_columns(25) }}
        has_difficulties,
        impact_distress,
        impact_home,
        impact_friendships,
        impact_classroom,
        impact_leisure,
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on
    from source
)

select * from renamed
