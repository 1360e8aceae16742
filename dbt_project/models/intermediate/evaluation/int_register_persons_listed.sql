-- One row per person of the income-support register with the birth date and legal sex derived from the identity
-- number on load (privacy.md); reserve numbers give neither.
select
    person_key,
    hash(person_key) as person_hash,
    min(person_birth_date) as birth_date,
    min(person_legal_sex) as legal_sex
from {{ ref('stg_registry__support_months') }}
where person_key is not null
group by person_key
