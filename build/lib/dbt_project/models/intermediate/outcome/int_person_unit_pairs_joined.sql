-- Pairs of cases of one person in two different units (unit_a < unit_b), with both enrolment intervals:
-- the base of outcome.unit_overlap and the leadership overview. Anonymous cases never count.
with cases as (
    select case_id, person_key, unit_code, enrolled_on, exited_on
    from {{ ref('int_cases_classified') }}
    where person_key is not null
        and not is_anonymous
)

select
    a.person_key,
    a.unit_code as unit_a,
    b.unit_code as unit_b,
    a.case_id as case_a,
    b.case_id as case_b,
    a.enrolled_on as a_enrolled_on,
    a.exited_on as a_exited_on,
    b.enrolled_on as b_enrolled_on,
    b.exited_on as b_exited_on
from cases as a
inner join cases as b
    on b.person_key = a.person_key
    and a.unit_code < b.unit_code
