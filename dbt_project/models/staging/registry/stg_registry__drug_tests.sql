with source as (
    select * from {{ append_current(source('raw', 'drug_tests'), ['test_id']) }} as current_rows
),

renamed as (
    select
        -- ids
        test_id,
        case_id,
        -- dates
        tested_on,
        -- codes and measures
        result,
        reason,
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on
    from source
)

select * from renamed
