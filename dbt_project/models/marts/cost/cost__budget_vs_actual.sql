-- Budget decided (current budget export) against money spent: the ledger booked on or before
-- measured_to, cumulatively (what a project's budget table reports), per category and in total. Money booked after
-- the unit's end (final invoices) still counts: the periods run on until its last follow-up month
-- (int_unit_follow_up_periods_joined), like cost.socioeconomic's programme cost.
with budget as (
    select unit_code, cost_category, sum(decided_sek) as decided_sek
    from {{ ref('stg_finance__budget_lines') }}
    group by unit_code, cost_category
),

categories as (
    select unit_code, cost_category from budget
    union
    select distinct unit_code, cost_category from {{ ref('stg_finance__ledger_entries') }}
),

per_category as (
    select
        p.unit_code,
        p.period_label,
        c.cost_category,
        coalesce(b.decided_sek, 0) as decided_sek,
        coalesce((
            select sum(l.amount_sek)
            from {{ ref('stg_finance__ledger_entries') }} as l
            where l.unit_code = p.unit_code
                and l.cost_category = c.cost_category
                and {{ in_period('l.booked_on', to_date=true) }}
        ), 0) as spent_sek
    from {{ ref('int_unit_follow_up_periods_joined') }} as p
    inner join categories as c on c.unit_code = p.unit_code
    left join budget as b on b.unit_code = c.unit_code and b.cost_category = c.cost_category
),

with_total as (
    select unit_code, period_label, cost_category, decided_sek, spent_sek from per_category
    union all
    select unit_code, period_label, 'total', sum(decided_sek), sum(spent_sek)
    from per_category
    group by unit_code, period_label
)

select
    unit_code,
    period_label,
    cost_category,
    cast(decided_sek as decimal(18, 2)) as decided_sek,
    cast(spent_sek as decimal(18, 2)) as spent_sek,
    cast(decided_sek - spent_sek as decimal(18, 2)) as remaining_sek,
    cast(spent_sek / nullif(decided_sek, 0) as double) as budget_spent_share
from with_total
