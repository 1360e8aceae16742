with source as (
    select * from {{ append_current(source('raw', 'attendance'), ['case_id', 'attendance_on']) }} as current_rows
),

renamed as (
    select
        -- ids
        case_id,
        -- dates
        attendance_on,
        -- codes and measures
        scheduled_hours,
        attended_hours,
        absence_reason,
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on
    from source
)

select * from renamed
