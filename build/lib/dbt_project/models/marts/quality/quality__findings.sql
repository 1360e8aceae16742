-- Cross-source findings (docs/sources.md: checked in the warehouse and reported, never dropped).
with cases as (
    select case_id, person_key, unit_code, enrolled_on, exited_on from {{ ref('stg_registry__enrolments') }}
),

units as (
    select unit_code from {{ ref('stg_reference__units') }}
),

case_events as (
    select 'activities' as source, activity_id as record_key, case_id from {{ ref('stg_registry__activities') }}
    union all
    select 'attendance', case_id || ' ' || cast(attendance_on as varchar), case_id
    from {{ ref('stg_registry__attendance_days') }}
    union all
    select 'action_plans', plan_id, case_id from {{ ref('stg_registry__action_plans') }}
    union all
    select 'drug_tests', test_id, case_id from {{ ref('stg_registry__drug_tests') }}
),

survey_rows as (
    select 'ors' as source, response_id as record_key, case_id from {{ ref('stg_surveys__ors_administrations') }}
    union all
    select 'srs', response_id, case_id from {{ ref('stg_surveys__srs_administrations') }}
    union all
    select 'sdq', response_id, case_id from {{ ref('stg_surveys__sdq_administrations') }}
    union all
    select 'wellbeing', response_id, case_id from {{ ref('stg_surveys__wellbeing_administrations') }}
    union all
    select 'participant_survey', response_id, case_id
    from {{ ref('stg_surveys__participant_survey_responses') }}
    where case_id is not null
),

findings as (
    select 'orphan_case' as rule, e.source, e.record_key as key,
        'case ' || e.case_id || ' does not exist in enrolments' as detail
    from case_events as e
    where not exists (select 1 from cases as c where c.case_id = e.case_id)

    union all

    select 'survey_without_case', s.source, s.record_key,
        'case ' || s.case_id || ' does not exist in enrolments'
    from survey_rows as s
    where not exists (select 1 from cases as c where c.case_id = s.case_id)

    union all

    select 'unknown_unit', 'enrolments', c.case_id, 'unit ' || c.unit_code || ' is not in units'
    from cases as c
    where not exists (select 1 from units as u where u.unit_code = c.unit_code)

    union all

    select 'unknown_unit', 'enrolments', c.case_id,
        'destination unit ' || c.destination_unit_code || ' is not in units'
    from {{ ref('stg_registry__enrolments') }} as c
    where c.destination_unit_code is not null
        and not exists (select 1 from units as u where u.unit_code = c.destination_unit_code)

    union all

    select 'overlapping_enrolments', 'enrolments', a.case_id,
        'overlaps case ' || b.case_id || ' of the same person in unit ' || a.unit_code
    from cases as a
    inner join cases as b
        on a.person_key = b.person_key
        and a.unit_code = b.unit_code
        and a.case_id < b.case_id
        and a.enrolled_on <= coalesce(b.exited_on, {{ as_of_date() }})
        and b.enrolled_on <= coalesce(a.exited_on, {{ as_of_date() }})
    where a.person_key is not null
)

select rule, source, key, detail from findings
