with source as (
    select * from {{ append_current(source('raw', 'action_plans'), ['plan_id']) }} as current_rows
),

renamed as (
    select
        -- ids
        plan_id,
        case_id,
        -- dates
        established_on,
        reviewed_on,
        -- codes and measures
        direction,
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on
    from source
)

select * from renamed
