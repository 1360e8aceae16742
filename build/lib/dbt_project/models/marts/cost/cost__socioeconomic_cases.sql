{%- set payers = ['municipality', 'social_insurance', 'state', 'other'] -%}
-- One row per exited case with a complete follow-up window (docs/metrics.md): public cost by payer and
-- earnings in the baseline window (F months before the enrolment month) and the follow-up window (F months
-- after the exit month). saving_* = baseline - follow-up (positive = less public cost after the programme);
-- earnings_change_sek = follow-up - baseline earnings.
with windows as (
    select * from {{ ref('int_case_windows_defined') }}
    where is_complete
),

costs as (
    select * from {{ ref('int_window_costs_summed') }}
),

price_year as (
    select max(price_year) as unit_cost_price_year from {{ ref('stg_reference__unit_costs') }}
),

pivoted as (
    select
        w.case_id,
        {%- for window in ['baseline', 'follow_up'] %}
        {%- for payer in payers %}
        coalesce(sum(case when c.window_name = '{{ window }}' and c.counts_as = 'public_cost'
            and c.payer = '{{ payer }}' then c.amount_sek end), 0) as {{ window }}_{{ payer }}_sek,
        {%- endfor %}
        coalesce(sum(case when c.window_name = '{{ window }}' and c.counts_as = 'public_cost'
            then c.amount_sek end), 0) as {{ window }}_public_cost_sek,
        coalesce(sum(case when c.window_name = '{{ window }}' and c.counts_as = 'earnings'
            then c.amount_sek end), 0) as {{ window }}_earnings_sek{{ ',' if not loop.last }}
        {%- endfor %}
    from windows as w
    left join costs as c on c.case_id = w.case_id
    group by w.case_id
)

select
    w.case_id,
    w.unit_code,
    w.enrolled_on,
    w.exited_on,
    w.exit_group,
    cast(w.follow_up_months as integer) as follow_up_months,
    w.baseline_from,
    w.baseline_to,
    w.follow_up_from,
    w.follow_up_to,
    {%- for window in ['baseline', 'follow_up'] %}
    {%- for payer in payers %}
    cast(p.{{ window }}_{{ payer }}_sek as decimal(18, 2)) as {{ window }}_{{ payer }}_sek,
    {%- endfor %}
    cast(p.{{ window }}_public_cost_sek as decimal(18, 2)) as {{ window }}_public_cost_sek,
    cast(p.{{ window }}_earnings_sek as decimal(18, 2)) as {{ window }}_earnings_sek,
    {%- endfor %}
    {%- for payer in payers %}
    cast(p.baseline_{{ payer }}_sek - p.follow_up_{{ payer }}_sek as decimal(18, 2)) as saving_{{ payer }}_sek,
    {%- endfor %}
    cast(p.baseline_public_cost_sek - p.follow_up_public_cost_sek as decimal(18, 2)) as public_cost_saving_sek,
    cast(p.follow_up_earnings_sek - p.baseline_earnings_sek as decimal(18, 2)) as earnings_change_sek,
    cast(py.unit_cost_price_year as integer) as unit_cost_price_year
from windows as w
inner join pivoted as p on p.case_id = w.case_id
cross join price_year as py
