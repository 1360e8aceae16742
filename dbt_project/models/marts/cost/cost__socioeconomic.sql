{%- set payers = ['municipality', 'social_insurance', 'state', 'other'] -%}
-- Unit x period: the socioeconomic calculation of docs/metrics.md on the cases exited on or before measured_to
-- whose follow-up window had ended by then, with every parameter used and the unit costs' price year.
-- Benefits are null when no case is measured yet (nothing to annualise); payback_months also when the
-- adjusted benefit is not positive. The periods run on after the unit's end until its last follow-up month
-- (int_unit_follow_up_periods_joined), so the follow-up windows of its last participants close inside them and the
-- final payback is reported. coverage carries its Wilson 95 % interval.
-- The counterfactual columns (docs/evaluation.md) replace the typed-in deadweight with the matched comparison: the
-- unit's ATT on public cost over the 12 months after enrolment (cohort 'all') times the cases measured. Payback is
-- monotone in the ATT, so the percentile interval of the bootstrap ATT maps to the percentile interval of payback;
-- its upper bound is null when the interval's smallest benefit is not positive (payback not established).
with periods as (
    select * from {{ ref('int_unit_follow_up_periods_joined') }}
),

params as (
    select * from {{ ref('int_evaluation_parameters_resolved') }}
),

measured as (
    select
        p.unit_code,
        p.period_label,
        count(*) as cases_measured,
        {%- for payer in payers %}
        sum(s.saving_{{ payer }}_sek) as saving_{{ payer }}_sek,
        {%- endfor %}
        sum(s.public_cost_saving_sek) as public_cost_saving_sek,
        sum(s.earnings_change_sek) as earnings_change_sek
    from periods as p
    inner join {{ ref('cost__socioeconomic_cases') }} as s
        on s.unit_code = p.unit_code
        and {{ in_period('s.exited_on', to_date=true) }}
        and {{ in_period('s.follow_up_to', to_date=true) }}
    group by p.unit_code, p.period_label
),

exited as (
    select p.unit_code, p.period_label, count(*) as exited_cases_to_date
    from periods as p
    inner join {{ ref('int_cases_classified') }} as c
        on c.unit_code = p.unit_code
        and {{ in_period('c.exited_on', to_date=true) }}
    group by p.unit_code, p.period_label
),

ledger as (
    select p.unit_code, p.period_label, sum(l.amount_sek) as ledger_spent_sek
    from periods as p
    inner join {{ ref('stg_finance__ledger_entries') }} as l
        on l.unit_code = p.unit_code
        and {{ in_period('l.booked_on', to_date=true) }}
    group by p.unit_code, p.period_label
),

effect as (
    select att, att_ci_low, att_ci_high, naive_change, status, unit_code
    from {{ ref('evaluation__comparison_effects') }}
    where cohort = 'all' and outcome = 'public_cost_sek'
),

price_year as (
    select max(price_year) as unit_cost_price_year from {{ ref('stg_reference__unit_costs') }}
),

benefits as (
    select
        p.unit_code,
        p.period_label,
        coalesce(m.cases_measured, 0) as cases_measured,
        coalesce(e.exited_cases_to_date, 0) as exited_cases_to_date,
        {%- for payer in payers %}
        m.saving_{{ payer }}_sek * 12.0 / pr.follow_up_months as gross_annual_saving_{{ payer }}_sek,
        {%- endfor %}
        m.public_cost_saving_sek * 12.0 / pr.follow_up_months as gross_annual_saving_sek,
        m.earnings_change_sek * 12.0 / pr.follow_up_months as annual_earnings_change_sek,
        m.public_cost_saving_sek * 12.0 / pr.follow_up_months
            * (1 - pr.deadweight) * (1 - pr.optimism_bias_benefits) as adjusted_annual_benefit_sek,
        coalesce(l.ledger_spent_sek, 0) as ledger_spent_sek,
        coalesce(l.ledger_spent_sek, 0) * (1 + pr.optimism_bias_costs) as programme_cost_sek,
        -ef.att * m.cases_measured as counterfactual_annual_benefit_sek,
        -ef.att_ci_high * m.cases_measured as counterfactual_annual_benefit_low_sek,
        -ef.att_ci_low * m.cases_measured as counterfactual_annual_benefit_high_sek,
        case when ef.naive_change < 0 then 1 - ef.att / ef.naive_change end as estimated_deadweight,
        ef.status as effect_status,
        pr.follow_up_months,
        pr.discount_rate,
        pr.horizon_years,
        pr.deadweight,
        pr.drop_off,
        pr.optimism_bias_benefits,
        pr.optimism_bias_costs
    from periods as p
    inner join params as pr on pr.unit_code = p.unit_code
    left join measured as m on m.unit_code = p.unit_code and m.period_label = p.period_label
    left join exited as e on e.unit_code = p.unit_code and e.period_label = p.period_label
    left join ledger as l on l.unit_code = p.unit_code and l.period_label = p.period_label
    left join effect as ef on ef.unit_code = p.unit_code
),

digits as (
    select 0 as d union all select 1 union all select 2 union all select 3 union all select 4
    union all select 5 union all select 6 union all select 7 union all select 8 union all select 9
),

years as (
    -- t = 1..100: more than any appraisal horizon
    select ones.d + 10 * tens.d + 1 as t
    from digits as ones cross join digits as tens
),

present_values as (
    select
        b.unit_code,
        b.period_label,
        sum(
            b.adjusted_annual_benefit_sek * power(1 - b.drop_off, y.t - 1) / power(1 + b.discount_rate, y.t)
        ) as pv_benefits_sek
    from benefits as b
    inner join years as y on y.t <= b.horizon_years
    group by b.unit_code, b.period_label
)

select
    b.unit_code,
    b.period_label,
    cast(b.cases_measured as bigint) as cases_measured,
    cast(b.exited_cases_to_date as bigint) as exited_cases_to_date,
    cast(1.0 * b.cases_measured / nullif(b.exited_cases_to_date, 0) as double) as coverage,
    {{ wilson_ci_columns('coverage', 'b.cases_measured', 'b.exited_cases_to_date') }},
    cast(b.gross_annual_saving_sek as decimal(18, 2)) as gross_annual_saving_sek,
    {%- for payer in payers %}
    cast(b.gross_annual_saving_{{ payer }}_sek as decimal(18, 2)) as gross_annual_saving_{{ payer }}_sek,
    {%- endfor %}
    cast(b.annual_earnings_change_sek as decimal(18, 2)) as annual_earnings_change_sek,
    cast(b.adjusted_annual_benefit_sek as decimal(18, 2)) as adjusted_annual_benefit_sek,
    cast(b.ledger_spent_sek as decimal(18, 2)) as ledger_spent_sek,
    cast(b.programme_cost_sek as decimal(18, 2)) as programme_cost_sek,
    {{ payback('b.programme_cost_sek', 'b.adjusted_annual_benefit_sek') }} as payback_months,
    cast(b.counterfactual_annual_benefit_sek as decimal(18, 2)) as counterfactual_annual_benefit_sek,
    cast(b.counterfactual_annual_benefit_low_sek as decimal(18, 2)) as counterfactual_annual_benefit_sek_ci_low,
    cast(b.counterfactual_annual_benefit_high_sek as decimal(18, 2)) as counterfactual_annual_benefit_sek_ci_high,
    {{ payback('b.programme_cost_sek', 'b.counterfactual_annual_benefit_sek') }} as counterfactual_payback_months,
    {{ payback('b.programme_cost_sek', 'b.counterfactual_annual_benefit_high_sek') }} as payback_months_ci_low,
    {{ payback('b.programme_cost_sek', 'b.counterfactual_annual_benefit_low_sek') }} as payback_months_ci_high,
    cast(b.estimated_deadweight as double) as estimated_deadweight,
    cast(b.effect_status as {{ dbt.type_string() }}) as effect_status,
    cast(pv.pv_benefits_sek as decimal(18, 2)) as pv_benefits_sek,
    cast(pv.pv_benefits_sek - b.programme_cost_sek as decimal(18, 2)) as npv_sek,
    cast(pv.pv_benefits_sek / nullif(b.programme_cost_sek, 0) as double) as benefit_cost_ratio,
    cast(b.follow_up_months as integer) as follow_up_months,
    cast(b.discount_rate as double) as discount_rate,
    cast(b.horizon_years as integer) as horizon_years,
    cast(b.deadweight as double) as deadweight,
    cast(b.drop_off as double) as drop_off,
    cast(b.optimism_bias_benefits as double) as optimism_bias_benefits,
    cast(b.optimism_bias_costs as double) as optimism_bias_costs,
    cast(py.unit_cost_price_year as integer) as unit_cost_price_year
from benefits as b
left join present_values as pv on pv.unit_code = b.unit_code and pv.period_label = b.period_label
cross join price_year as py
