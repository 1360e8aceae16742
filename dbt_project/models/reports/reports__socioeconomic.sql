-- cost.socioeconomic for publication: the programme's cost (money, not suppressed) and the socioeconomic benefit,
-- payback and net present value with the parameters used. The benefits are sums of the support and earnings of the
-- measured cases: per-person amounts, published only when at least k cases are measured (docs/privacy.md); so is
-- everything computed from them. The counterfactual figures are shown only when the unit's effect on public cost
-- is published (evaluation.md's gates: enough matched participants and balance reached), as reports.effects does.
{%- set benefit_figures = [
    'gross_annual_saving_sek', 'annual_earnings_change_sek', 'adjusted_annual_benefit_sek', 'payback_months',
    'pv_benefits_sek', 'npv_sek', 'benefit_cost_ratio'
] -%}
{%- set counterfactual = [
    'counterfactual_annual_benefit_sek', 'counterfactual_annual_benefit_sek_ci_low',
    'counterfactual_annual_benefit_sek_ci_high', 'counterfactual_payback_months', 'payback_months_ci_low',
    'payback_months_ci_high', 'estimated_deadweight'
] -%}
{%- set shares = {'coverage': ['exited_cases_to_date', 'cases_measured']} -%}
{%- for f in benefit_figures + counterfactual %}{% do shares.update({f: ['cases_measured']}) %}{% endfor %}
with gated as (
    select
        unit_code, period_label, cases_measured, exited_cases_to_date, coverage,
        {%- for f in benefit_figures %} {{ f }},{% endfor %}
        ledger_spent_sek, programme_cost_sek,
        {%- for f in counterfactual %}
        case when effect_status = 'published' then {{ f }} end as {{ f }},
        {%- endfor %}
        follow_up_months, discount_rate, horizon_years, deadweight, drop_off, optimism_bias_benefits,
        optimism_bias_costs, unit_cost_price_year
    from {{ ref('cost__socioeconomic') }}
)

select
    {{- published_columns(
        ['unit_code', 'period_label', 'cases_measured', 'exited_cases_to_date', 'coverage'] + benefit_figures
        + ['ledger_spent_sek', 'programme_cost_sek'] + counterfactual
        + ['follow_up_months', 'discount_rate', 'horizon_years', 'deadweight', 'drop_off', 'optimism_bias_benefits',
           'optimism_bias_costs', 'unit_cost_price_year'],
        ['cases_measured', 'exited_cases_to_date'],
        shares
    ) }}
from gated
