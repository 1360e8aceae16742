with source as (
    select * from {{ snapshot_current(source('raw', 'enrolments')) }} as current_rows
),

renamed as (
    select
        -- ids
        case_id,
        case when coalesce(anonymous, false) then null else person_key end as person_key,
        unit_code,
        destination_unit_code,
        -- dates
        enrolled_on,
        exited_on,
        coalesce(birth_date, person_birth_date) as birth_date,
        -- codes
        coalesce(anonymous, false) as is_anonymous,
        gender,
        referral_source,
        enrolment_reason,
        exit_reason,
        phase,
        -- lineage
        _batch_id as batch_id,
        _exported_on as exported_on
    from source
)

select * from renamed
