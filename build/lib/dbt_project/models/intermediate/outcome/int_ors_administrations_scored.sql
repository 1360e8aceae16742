-- ORS totals (0-40; no total when an item is missing), with the case's age at the administration.
select
    o.response_id,
    o.case_id,
    c.unit_code,
    o.administered_on,
    o.session_no,
    o.form,
    case
        when o.individual is null or o.interpersonal is null or o.social is null or o.overall is null then null
        else o.individual + o.interpersonal + o.social + o.overall
    end as total,
    {{ age_at('c.birth_date', 'o.administered_on') }} as age_at_administration
from {{ ref('stg_surveys__ors_administrations') }} as o
inner join {{ ref('int_cases_classified') }} as c
    on c.case_id = o.case_id
