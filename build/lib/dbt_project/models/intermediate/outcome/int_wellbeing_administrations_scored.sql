-- Wellbeing form scores (docs/instruments.md): the mean of the answered items when at least half the form's items are
-- answered. The form's item count is taken from its export file (batch): the number of q-columns anyone in that
-- file answered, since the raw table holds every file's items in q01..q20.
with administrations as (
    select
        w.*,
        c.unit_code
    from {{ ref('stg_surveys__wellbeing_administrations') }} as w
    inner join {{ ref('int_cases_classified') }} as c
        on c.case_id = w.case_id
),

answers as (
    {% for i in range(1, 21) -%}
    select response_id, batch_id, {{ i }} as item_no, q{{ '%02d' % i }} as answer from administrations
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

form_items as (
    select batch_id, count(distinct item_no) as items_on_form
    from answers
    where answer is not null
    group by batch_id
),

per_response as (
    select
        a.response_id,
        a.batch_id,
        count(a.answer) as items_answered,
        avg(cast(a.answer as double)) as mean_answer
    from answers as a
    group by a.response_id, a.batch_id
)

select
    a.response_id,
    a.case_id,
    a.unit_code,
    a.administered_on,
    a.occasion,
    cast(r.items_answered as integer) as items_answered,
    cast(f.items_on_form as integer) as items_on_form,
    case
        when 2 * r.items_answered >= f.items_on_form then cast(r.mean_answer as decimal(6, 3))
    end as score
from administrations as a
inner join per_response as r on r.response_id = a.response_id
left join form_items as f on f.batch_id = a.batch_id
