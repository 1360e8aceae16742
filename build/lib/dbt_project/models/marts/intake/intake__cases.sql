select
    case_id,
    person_key,
    is_anonymous as anonymous,
    unit_code,
    enrolled_on,
    exited_on,
    gender,
    age_at_enrolment,
    age_band,
    referral_source,
    enrolment_reason,
    exit_reason,
    exit_group,
    destination_unit_code,
    phase
from {{ ref('int_cases_classified') }}
