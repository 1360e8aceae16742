-- Public cost and earnings of each case's baseline and follow-up window, by payer: support months
-- dated in the window at their amount, placement days in the window at the placement's own daily cost,
-- else the unit cost (a monthly unit cost is spread over 30.4375 days). Payers from the support_types seed. The
-- valuation rule lives in macros/public_cost.sql (the matched comparison values its months the same way).
with windows as (
    select case_id, person_key, 'baseline' as window_name, baseline_from as window_from, baseline_to as window_to
    from {{ ref('int_case_windows_defined') }}
    union all
    select case_id, person_key, 'follow_up', follow_up_from, follow_up_to
    from {{ ref('int_case_windows_defined') }}
),

payers as (
    {{ cost_payers() }}
),

daily_unit_costs as (
    {{ daily_unit_costs() }}
),

support as (
    select
        w.case_id,
        w.window_name,
        s.support_type as cost_item,
        s.amount_sek
    from windows as w
    inner join {{ ref('stg_registry__support_months') }} as s
        on s.person_key = w.person_key
        and s.month between w.window_from and w.window_to
),

placement_days as (
    select
        w.case_id,
        w.window_name,
        pl.placement_type as cost_item,
        pl.cost_per_day_sek,
        {{ days_inclusive(
            'case when pl.started_on > w.window_from then pl.started_on else w.window_from end',
            'case when coalesce(pl.ended_on, ' ~ as_of_date() ~ ') < w.window_to then coalesce(pl.ended_on, '
                ~ as_of_date() ~ ') else w.window_to end'
        ) }} as days
    from windows as w
    inner join {{ ref('stg_registry__placements') }} as pl
        on pl.person_key = w.person_key
        and pl.started_on <= w.window_to
        and coalesce(pl.ended_on, {{ as_of_date() }}) >= w.window_from
),

placements as (
    select
        d.case_id,
        d.window_name,
        d.cost_item,
        {{ placement_amount('d.days', 'd.cost_per_day_sek', 'u') }} as amount_sek
    from placement_days as d
    left join daily_unit_costs as u on u.cost_item = d.cost_item
    where d.days > 0
),

costs as (
    select * from support
    union all
    select * from placements
)

select
    costs.case_id,
    costs.window_name,
    {{ payer_of('payers') }} as payer,
    {{ counts_as_of('payers') }} as counts_as,
    sum(costs.amount_sek) as amount_sek
from costs
left join payers on payers.cost_item = costs.cost_item
group by costs.case_id, costs.window_name, {{ payer_of('payers') }}, {{ counts_as_of('payers') }}
