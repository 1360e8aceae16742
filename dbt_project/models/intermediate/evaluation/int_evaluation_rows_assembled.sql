-- The matched comparison's input (evaluation.md): one row per unit, person and index month, participants and
-- comparison candidates alike, with their covariates over the 12 months before the index month and each outcome
-- before and after it: before = months index-12 .. index-1, after = months index+1 .. index+12 (the index month
-- itself is in neither), in the pool = income support in index-3 .. index-1. Each pair's 24 months are joined to
-- the register's person-months on equality (no range join, no window).
-- In work or studies: status_at_horizon's rule in month index+H (null when the person has no support row that
-- month: not observable), and before, in the month before the index month (likewise). Persons are joined on
-- person_hash (int_register_months_summed).
with participants as (
    select * from {{ ref('int_evaluation_participants_listed') }}
),

horizons as (
    select unit_code, max(horizon_months) as horizon_months from participants group by unit_code
),

unit_rows as (
    select
        unit_code, person_key, hash(person_key) as person_hash, index_month, true as is_participant, legal_sex, age,
        age_band, horizon_months, outcome_window_closed, horizon_month_closed
    from participants
    union all
    select
        c.unit_code, c.person_key, c.person_hash, c.index_month, false, c.legal_sex, c.age, c.age_band,
        h.horizon_months, true, true
    from {{ ref('int_comparison_candidates_sampled') }} as c
    inner join horizons as h on h.unit_code = c.unit_code
),

pairs as (
    select distinct person_hash, index_month from unit_rows
),

{#- The persons in halves by person_hash, each half joined and summed on its own: one join and aggregation over
    every pair outgrows the warehouse's memory limit at large scales and spills (BENCHMARKS.md). #}
{%- set halves = 2 %}
features as (
    {%- for half in range(halves) %}
    select
        w.person_hash,
        w.index_month,
        {%- for c in ['income_support', 'income_support_sek', 'wage', 'other_support', 'public_cost_sek'] %}
        coalesce(sum(case when w.k < 0 then r.{{ c }} end), 0) as {{ c }}_before,
        {%- endfor %}
        coalesce(sum(case when w.k > 0 then r.income_support end), 0) as income_support_after,
        coalesce(sum(case when w.k > 0 then r.public_cost_sek end), 0) as public_cost_sek_after,
        coalesce(sum(case when w.k >= -3 and w.k < 0 then r.income_support end), 0) as income_support_last_3_months
    from (
        -- every month of a pair's windows: index-12 .. index+12 (the index month itself is in no window)
        select
            pairs.person_hash,
            pairs.index_month,
            o.k,
            cast({{ dbt.dateadd('month', 'o.k', 'pairs.index_month') }} as date) as month
        from pairs
        cross join (select unnest(range(-12, 13)) as k) as o
        where o.k != 0 and pairs.person_hash % {{ halves }} = {{ half }}
    ) as w
    inner join {{ ref('int_register_months_summed') }} as r
        on r.person_hash = w.person_hash
        and r.month = w.month
        and r.person_hash % {{ halves }} = {{ half }}
    group by w.person_hash, w.index_month
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

status_months as (
    select distinct person_hash, index_month, horizon_months from unit_rows
),

statuses as (
    select
        m.person_hash,
        m.index_month,
        m.horizon_months,
        b.in_work_or_studies as status_before,
        a.in_work_or_studies as status_at_horizon
    from status_months as m
    left join {{ ref('int_register_months_summed') }} as b
        on b.person_hash = m.person_hash
        and b.month = cast({{ dbt.dateadd('month', -1, 'm.index_month') }} as date)
        and b.has_support_row
    left join {{ ref('int_register_months_summed') }} as a
        on a.person_hash = m.person_hash
        and a.month = cast({{ dbt.dateadd('month', 'm.horizon_months', 'm.index_month') }} as date)
        and a.has_support_row
)

select
    u.unit_code,
    u.person_key,
    u.person_hash,
    u.index_month,
    u.is_participant,
    coalesce(f.income_support_last_3_months, 0) > 0 as in_pool,
    u.outcome_window_closed as measurable,
    u.legal_sex,
    u.age_band,
    cast(u.age as double) as age,
    cast(case when u.legal_sex = 'female' then 1 else 0 end as double) as legal_sex_female,
    cast(coalesce(f.income_support_before, 0) as double) as income_support_months,
    cast(coalesce(f.income_support_sek_before, 0) as double) as income_support_sek,
    cast(coalesce(f.wage_before, 0) as double) as wage_months,
    cast(coalesce(f.other_support_before, 0) as double) as other_support_months,
    cast(coalesce(f.income_support_before, 0) as double) as income_support_months_pre,
    cast(coalesce(f.income_support_after, 0) as double) as income_support_months_post,
    u.outcome_window_closed as income_support_months_closed,
    cast(coalesce(f.public_cost_sek_before, 0) as double) as public_cost_sek_pre,
    cast(coalesce(f.public_cost_sek_after, 0) as double) as public_cost_sek_post,
    u.outcome_window_closed as public_cost_sek_closed,
    cast(case when h.status_before then 1 when not h.status_before then 0 end as double)
        as in_work_or_studies_at_horizon_pre,
    cast(case when h.status_at_horizon then 1 when not h.status_at_horizon then 0 end as double)
        as in_work_or_studies_at_horizon_post,
    u.horizon_month_closed as in_work_or_studies_at_horizon_closed
from unit_rows as u
left join features as f
    on f.person_hash = u.person_hash
    and f.index_month = u.index_month
left join statuses as h
    on h.person_hash = u.person_hash
    and h.index_month = u.index_month
    and h.horizon_months = u.horizon_months
