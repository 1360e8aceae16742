-- Comparison candidates per unit and index month (evaluation.md): persons of the income-support register with at
-- least one month of income support in the 3 months before the index month, of a stratum (legal sex, age band at
-- the index month) in which the unit has participants that month; not enrolled in the evaluated unit before the end
-- of the outcome windows (the 12th month after the index month, or month H when later); not enrolled in any other
-- unit of kind `project` at any time in the 12 months before the index month.
-- Candidates are drawn only for the participants who can be matched: those of the estimate's sample (in the pool
-- themselves, outcome window closed, legal sex and age band known); the estimator reads no candidate of another
-- index month. To bound the size, about comparison_pool_factor x those participants of the index month and stratum
-- are kept (all when there are fewer): a candidate is kept when a hash of person, unit and month falls under that
-- share (deterministic, a different draw for every unit and month, and no sort); the exclusions are checked on the
-- kept ones.
with eligible as (
    -- a month of income support makes the person eligible in each of the 3 months after it
    select distinct
        r.person_hash,
        cast({{ dbt.dateadd('month', 'o.k', 'r.month') }} as date) as index_month
    from {{ ref('int_register_months_summed') }} as r
    cross join (values (1), (2), (3)) as o(k)
    where r.income_support = 1
),

participants as (
    -- the participants of the estimate's sample (int_comparison_estimates_computed): matchable
    select p.*
    from {{ ref('int_evaluation_participants_listed') }} as p
    semi join eligible as e
        on e.person_hash = hash(p.person_key)
        and e.index_month = p.index_month
    where p.legal_sex is not null and p.age_band != 'unknown' and p.outcome_window_closed
),

needed as (
    select unit_code, index_month, legal_sex, age_band, count(*) as participants, max(horizon_months) as horizon_months
    from participants
    group by unit_code, index_month, legal_sex, age_band
),

needed_months as (
    select distinct index_month from needed
),

stratified as (
    select
        p.person_key,
        e.person_hash,
        e.index_month,
        p.legal_sex,
        cast({{ age_at('p.birth_date', 'e.index_month') }} as integer) as age
    from eligible as e
    inner join needed_months as nm on nm.index_month = e.index_month
    inner join {{ ref('int_register_persons_listed') }} as p on p.person_hash = e.person_hash
    where p.legal_sex is not null and p.birth_date is not null
),

ages as (
    -- one row per year of age in a band: the band is then an equality join (a range join over every eligible
    -- person-month was a tenth of the model's time)
    select unnest(range(b.min_age, b.max_age + 1)) as age, b.band_label
    from {{ ref('age_bands') }} as b
),

banded as (
    select s.*, a.band_label as age_band
    from stratified as s
    inner join ages as a on a.age = s.age
),

stratum_sizes as (
    select b.index_month, b.legal_sex, b.age_band, count(*) as candidates
    from banded as b
    group by b.index_month, b.legal_sex, b.age_band
),

candidates as (
    select
        n.unit_code, b.person_key, b.person_hash, b.index_month, b.legal_sex, b.age, b.age_band, n.participants,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 'greatest(12, n.horizon_months) + 1', 'b.index_month')) }}
            as date) as windows_end
    from banded as b
    inner join needed as n
        on n.index_month = b.index_month
        and n.legal_sex = b.legal_sex
        and n.age_band = b.age_band
    inner join stratum_sizes as z
        on z.index_month = b.index_month
        and z.legal_sex = b.legal_sex
        and z.age_band = b.age_band
    inner join {{ ref('int_evaluation_parameters_resolved') }} as params on params.unit_code = n.unit_code
    -- keep each candidate with probability factor x participants / candidates of the stratum, by a hash of person,
    -- unit and month: deterministic, no sort, about that many kept
    where hash(b.person_hash, n.unit_code, b.index_month) % 1000000
        < 1000000.0 * params.comparison_pool_factor * n.participants / z.candidates
),

cases as (
    select
        hash(c.person_key) as person_hash,
        c.unit_code,
        c.enrolled_on,
        coalesce(c.exited_on, {{ as_of_date() }}) as active_to,
        u.kind
    from {{ ref('int_cases_classified') }} as c
    inner join {{ ref('stg_reference__units') }} as u on u.unit_code = c.unit_code
    where c.person_key is not null
),

in_pool as (
    select cand.*
    from candidates as cand
    where not exists (
        select 1 from cases as c
        where c.person_hash = cand.person_hash
            and c.unit_code = cand.unit_code
            and c.enrolled_on <= cand.windows_end
    )
    and not exists (
        select 1 from cases as c
        where c.person_hash = cand.person_hash
            and c.unit_code != cand.unit_code
            and c.kind = 'project'
            and c.enrolled_on < cand.index_month
            and c.active_to >= cast({{ dbt.dateadd('month', -12, 'cand.index_month') }} as date)
    )
)

select
    p.unit_code,
    p.person_key,
    p.person_hash,
    p.index_month,
    p.legal_sex,
    p.age,
    p.age_band
from in_pool as p
