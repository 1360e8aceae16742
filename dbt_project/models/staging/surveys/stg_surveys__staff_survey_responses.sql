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
        q26,
        q27,
        q28,
        q29,
        q30,
        q31,
        q32,
        q33,
        q34,
        q35,
        q36,
        q37,
        q38,
        q39,
        q40,
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on
    from source
)

select * from renamed
