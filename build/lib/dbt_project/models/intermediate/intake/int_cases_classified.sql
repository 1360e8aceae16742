-- Cases with the derived attributes every mart uses: age and age band at enrolment, exit group and whether the
-- exit is positive (seed exit_groups: the one home of both; a reason without a fixed group is a dropout when the
-- exit is within 90 days of enrolment, else other).
with cases as (
    select * from {{ ref('stg_registry__enrolments') }}
),

aged as (
    select
        cases.*,
        {{ age_at('birth_date', 'enrolled_on') }} as age_at_enrolment
    from cases
)

select
    aged.case_id,
    aged.person_key,
    aged.is_anonymous,
    aged.unit_code,
    aged.enrolled_on,
    aged.exited_on,
    aged.birth_date,
    aged.gender,
    cast(aged.age_at_enrolment as integer) as age_at_enrolment,
    coalesce(bands.band_label, 'unknown') as age_band,
    aged.referral_source,
    aged.enrolment_reason,
    aged.exit_reason,
    case
        when aged.exited_on is null then null
        when exit_groups.exit_group is not null then exit_groups.exit_group
        when aged.exited_on <= {{ dbt.dateadd('day', 90, 'aged.enrolled_on') }} then 'dropout'
        else 'other'
    end as exit_group,
    aged.exited_on is not null and coalesce(exit_groups.is_positive_exit, false) as is_positive_exit,
    aged.destination_unit_code,
    aged.phase
from aged
left join {{ ref('age_bands') }} as bands
    on aged.age_at_enrolment between bands.min_age and bands.max_age
left join {{ ref('exit_groups') }} as exit_groups
    on exit_groups.exit_reason = aged.exit_reason
