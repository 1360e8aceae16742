-- The participants of the matched comparison (evaluation.md): every person with a non-anonymous case in a unit
-- listed in `units` (intention to treat: dropouts included), once per unit: their first enrolment in the unit (a
-- re-enrolment belongs to the first one's follow-up). Index month = the month of enrolled_on. Legal sex from the identity
-- number (the register's), else the case's gender when it is female or male; age in completed years on the first
-- day of the index month, and its band. Windows: the 12 months after the index month, and month H (the unit's
-- horizon of outcome.status_at_horizon), each closed when its last day is on or before the as-of date.
with horizons as (
    select unit_code, max(horizon_months) as horizon_months
    from {{ ref('int_horizon_statuses_derived') }}
    group by unit_code
),

cases as (
    select
        c.case_id,
        c.unit_code,
        c.person_key,
        c.enrolled_on,
        cast({{ dbt.date_trunc('month', 'c.enrolled_on') }} as date) as index_month,
        c.birth_date,
        coalesce(r.legal_sex, case when c.gender in ('female', 'male') then c.gender end) as legal_sex,
        cast(coalesce(h.horizon_months, 18) as integer) as horizon_months
    from {{ ref('int_cases_classified') }} as c
    inner join {{ ref('stg_reference__units') }} as u on u.unit_code = c.unit_code
    left join {{ ref('int_register_persons_listed') }} as r on r.person_key = c.person_key
    left join horizons as h on h.unit_code = c.unit_code
    where c.person_key is not null
    qualify row_number() over (partition by c.unit_code, c.person_key order by c.enrolled_on, c.case_id) = 1
),

aged as (
    select
        cases.*,
        cast({{ age_at('birth_date', 'index_month') }} as integer) as age
    from cases
)

select
    aged.case_id,
    aged.unit_code,
    aged.person_key,
    aged.enrolled_on,
    aged.index_month,
    aged.legal_sex,
    aged.age,
    coalesce(bands.band_label, 'unknown') as age_band,
    aged.horizon_months,
    cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 13, 'aged.index_month')) }} as date) <= {{ as_of_date() }}
        as outcome_window_closed,
    cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 'aged.horizon_months + 1', 'aged.index_month')) }} as date)
        <= {{ as_of_date() }} as horizon_month_closed
from aged
left join {{ ref('age_bands') }} as bands
    on aged.age between bands.min_age and bands.max_age
