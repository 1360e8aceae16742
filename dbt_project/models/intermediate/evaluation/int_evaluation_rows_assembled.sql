-- The matched comparison's input (evaluation.md): one row per unit, person and index month, participants and
-- comparison candidates alike, with their covariates over the 12 months before the index month and each outcome
-- before and after it. Window sums are differences of the register's running totals, looked up as of a month:
--   before = months index-12 .. index-1 (running total at index-1 minus at index-13),
--   after  = months index+1 .. index+12 (at index+12 minus at index); the index month itself is in neither;
--   in the pool = income support in index-3 .. index-1 (at index-1 minus at index-4).
-- In work or studies: status_at_horizon's rule in month index+H (null when the person has no support row that
-- month: not observable), and before, in the latest month with support rows among the 12 before.
with participants as (
    select * from {{ ref('int_evaluation_participants_listed') }}
),

horizons as (
    select unit_code, max(horizon_months) as horizon_months from participants group by unit_code
),

unit_rows as (
    select
        unit_code, person_key, index_month, true as is_participant, legal_sex, age, age_band, horizon_months,
        outcome_window_closed, horizon_month_closed
    from participants
    union all
    select
        c.unit_code, c.person_key, c.index_month, false, c.legal_sex, c.age, c.age_band, h.horizon_months,
        true, true
    from {{ ref('int_comparison_candidates_sampled') }} as c
    inner join horizons as h on h.unit_code = c.unit_code
),

pairs as (
    select distinct person_key, index_month from unit_rows
),

lookups as (
    select
        pairs.person_key,
        pairs.index_month,
        o.offset_months,
        cast({{ dbt.dateadd('month', 'o.offset_months', 'pairs.index_month') }} as date) as lookup_month
    from pairs
    cross join (values (-13), (-4), (-1), (0), (12)) as o(offset_months)
),

looked_up as (
    select
        l.person_key,
        l.index_month,
        l.offset_months,
        coalesce(r.running_income_support, 0) as income_support,
        coalesce(r.running_income_support_sek, 0) as income_support_sek,
        coalesce(r.running_wage, 0) as wage,
        coalesce(r.running_other_support, 0) as other_support,
        coalesce(r.running_public_cost_sek, 0) as public_cost_sek,
        case when r.last_support_row_month >= cast({{ dbt.dateadd('month', -12, 'l.index_month') }} as date)
            then r.last_in_work_or_studies end as latest_status
    from lookups as l
    asof left join {{ ref('int_register_months_summed') }} as r
        on r.person_key = l.person_key
        and r.month <= l.lookup_month
),

features as (
    select
        person_key,
        index_month,
        {%- for c in ['income_support', 'income_support_sek', 'wage', 'other_support', 'public_cost_sek'] %}
        sum(case when offset_months = -1 then {{ c }} when offset_months = -13 then -{{ c }} else 0 end)
            as {{ c }}_before,
        {%- endfor %}
        sum(case when offset_months = 12 then income_support when offset_months = 0 then -income_support else 0 end)
            as income_support_after,
        sum(case when offset_months = 12 then public_cost_sek when offset_months = 0 then -public_cost_sek else 0 end)
            as public_cost_sek_after,
        sum(case when offset_months = -1 then income_support when offset_months = -4 then -income_support else 0 end)
            as income_support_last_3_months,
        bool_or(case when offset_months = -1 then latest_status end) as status_before
    from looked_up
    group by person_key, index_month
),

horizon_status as (
    select
        u.unit_code,
        u.person_key,
        u.index_month,
        r.in_work_or_studies as status_at_horizon
    from unit_rows as u
    inner join {{ ref('int_register_months_summed') }} as r
        on r.person_key = u.person_key
        and r.month = cast({{ dbt.dateadd('month', 'u.horizon_months', 'u.index_month') }} as date)
    where r.has_support_row
)

select
    u.unit_code,
    u.person_key,
    u.index_month,
    u.is_participant,
    f.income_support_last_3_months > 0 as in_pool,
    u.outcome_window_closed as measurable,
    u.legal_sex,
    u.age_band,
    cast(u.age as double) as age,
    cast(case when u.legal_sex = 'female' then 1 else 0 end as double) as legal_sex_female,
    cast(f.income_support_before as double) as income_support_months,
    cast(f.income_support_sek_before as double) as income_support_sek,
    cast(f.wage_before as double) as wage_months,
    cast(f.other_support_before as double) as other_support_months,
    cast(f.income_support_before as double) as income_support_months_pre,
    cast(f.income_support_after as double) as income_support_months_post,
    u.outcome_window_closed as income_support_months_closed,
    cast(f.public_cost_sek_before as double) as public_cost_sek_pre,
    cast(f.public_cost_sek_after as double) as public_cost_sek_post,
    u.outcome_window_closed as public_cost_sek_closed,
    cast(case when f.status_before then 1 when not f.status_before then 0 end as double)
        as in_work_or_studies_at_horizon_pre,
    cast(case when h.status_at_horizon then 1 when not h.status_at_horizon then 0 end as double)
        as in_work_or_studies_at_horizon_post,
    u.horizon_month_closed as in_work_or_studies_at_horizon_closed
from unit_rows as u
inner join features as f
    on f.person_key = u.person_key
    and f.index_month = u.index_month
left join horizon_status as h
    on h.unit_code = u.unit_code
    and h.person_key = u.person_key
    and h.index_month = u.index_month
