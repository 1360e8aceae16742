with source as (
    select * from {{ append_current(source('raw', 'ledger'), ['entry_id']) }} as current_rows
),

renamed as (
    select
        -- ids
        entry_id,
        unit_code,
        -- dates
        booked_on,
        -- codes and measures
        cost_category,
        amount_sek,
        funder,
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on
    from source
)

select * from renamed
