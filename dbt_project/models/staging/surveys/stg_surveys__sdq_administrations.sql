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
        q01,
        q02,
        q03,
        q04,
        q05,
        q06,
        q07,
        q08,
        q09,
        q10,
        q11,
        q12,
        q13,
        q14,
        q15,
        q16,
        q17,
        q18,
        q19,
        q20,
        q21,
        q22,
        q23,
        q24,
        q25,
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
