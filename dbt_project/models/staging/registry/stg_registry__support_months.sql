with source as (
    select * from {{ append_current(source('raw', 'support_months'), ['person_key', 'month', 'support_type']) }} as current_rows
),

renamed as (
    select
        -- ids
        person_key,
        -- dates
        person_birth_date,
        month,
        -- codes and measures
        support_type,
        amount_sek,
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on
    from source
)

select * from renamed
