-- Person x month of the registers the matched comparison reads (evaluation.md): income support, wage, other
-- support types, public cost and the horizon-status rule, one row per person and month with any of them. Public cost is valued by payer with the rule of
-- cost.socioeconomic_cases (macros/public_cost.sql): support at its own amount, placement days at the placement's
-- daily cost, else the daily unit cost. A month has a row when the person has a support row or a placement day in it.
-- Persons are keyed by person_hash = hash(person_key) (64-bit) here and in the models reading this one: sorting and
-- joining millions of 64-character pseudonyms was most of the time.
with payers as (
    {{ cost_payers() }}
),

daily_unit_costs as (
    {{ daily_unit_costs() }}
),

support as (
    select
        hash(s.person_key) as person_hash,
        s.month,
        max(case when s.support_type = 'income_support' then 1 else 0 end) as income_support,
        sum(case when s.support_type = 'income_support' then s.amount_sek else 0 end) as income_support_sek,
        max(case when s.support_type = 'wage' then 1 else 0 end) as wage,
        max(case when s.support_type not in ('income_support', 'wage') then 1 else 0 end) as other_support,
        sum(case when {{ counts_as_of('p') }} = 'public_cost' then s.amount_sek else 0 end) as public_cost_sek,
        max(s.amount_sek) as largest_amount,
        max(case when s.support_type in ('wage', 'study_allowance') then s.amount_sek end) as largest_positive_amount
    from {{ ref('stg_registry__support_months') }} as s
    left join payers as p on p.cost_item = s.support_type
    where s.person_key is not null
    group by hash(s.person_key), s.month
),

placement_months as (
    select
        pl.person_key,
        pl.placement_type,
        pl.cost_per_day_sek,
        cast(m.month as date) as month,
        greatest(pl.started_on, cast(m.month as date)) as from_day,
        least(
            coalesce(pl.ended_on, {{ as_of_date() }}),
            cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'cast(m.month as date)')) }} as date)
        ) as to_day
    from {{ ref('stg_registry__placements') }} as pl
    cross join unnest(generate_series(
        cast({{ dbt.date_trunc('month', 'pl.started_on') }} as timestamp),
        cast({{ dbt.date_trunc('month', 'coalesce(pl.ended_on, ' ~ as_of_date() ~ ')') }} as timestamp),
        interval 1 month
    )) as m(month)
    where pl.person_key is not null
        and pl.started_on <= coalesce(pl.ended_on, {{ as_of_date() }})
),

placements as (
    select
        hash(d.person_key) as person_hash,
        d.month,
        sum(case when {{ counts_as_of('p') }} = 'public_cost'
            then {{ placement_amount(days_inclusive('d.from_day', 'd.to_day'), 'd.cost_per_day_sek', 'u') }}
            else 0 end) as public_cost_sek
    from placement_months as d
    left join daily_unit_costs as u on u.cost_item = d.placement_type
    left join payers as p on p.cost_item = d.placement_type
    where d.to_day >= d.from_day
    group by hash(d.person_key), d.month
),

months as (
    select
        coalesce(s.person_hash, pl.person_hash) as person_hash,
        coalesce(s.month, pl.month) as month,
        coalesce(s.income_support, 0) as income_support,
        coalesce(s.income_support_sek, 0) as income_support_sek,
        coalesce(s.wage, 0) as wage,
        coalesce(s.other_support, 0) as other_support,
        coalesce(s.public_cost_sek, 0) + coalesce(pl.public_cost_sek, 0) as public_cost_sek,
        s.person_hash is not null as has_support_row,
        case when s.person_hash is not null
            then {{ in_work_or_studies('s.largest_positive_amount', 's.largest_amount') }} end as in_work_or_studies
    from support as s
    full outer join placements as pl
        on pl.person_hash = s.person_hash
        and pl.month = s.month
)

select
    person_hash,
    month,
    cast(income_support as integer) as income_support,
    cast(income_support_sek as double) as income_support_sek,
    cast(wage as integer) as wage,
    cast(other_support as integer) as other_support,
    cast(public_cost_sek as double) as public_cost_sek,
    has_support_row,
    in_work_or_studies
from months
