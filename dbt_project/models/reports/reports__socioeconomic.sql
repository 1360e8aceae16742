-- cost.socioeconomic for publication: the programme's cost (money, not suppressed) and the socioeconomic benefit,
-- payback and net present value with the parameters used. The benefits are sums of the support and earnings of the
-- measured cases: per-person amounts, published only when at least k cases are measured (docs/privacy.md); so is
-- everything computed from them. The counterfactual figures (docs/reports.md) are read from cost.socioeconomic when
-- it has them (else null).
{%- set benefit_figures = [
    'gross_annual_saving_sek', 'annual_earnings_change_sek', 'adjusted_annual_benefit_sek', 'payback_months',
    'pv_benefits_sek', 'npv_sek', 'benefit_cost_ratio'
] -%}
{%- set optional = [
    ('counterfactual_annual_benefit_sek', 'double'), ('payback_months_ci_low', 'double'),
    ('payback_months_ci_high', 'double'), ('estimated_deadweight', 'double')
] -%}
{%- set shares = {'coverage': ['exited_cases_to_date', 'cases_measured']} -%}
{%- for f in benefit_figures %}{% do shares.update({f: ['cases_measured']}) %}{% endfor -%}
{%- for f in optional %}{% do shares.update({f[0]: ['cases_measured']}) %}{% endfor %}
with socioeconomic as (
    select
        s.*
        {%- for f in optional %},
        {{ optional_column('cost__socioeconomic', f[0], f[1], 's') }} as {{ f[0] }}_optional
        {%- endfor %}
    from {{ ref('cost__socioeconomic') }} as s
),

renamed as (
    select
        unit_code, period_label, cases_measured, exited_cases_to_date, coverage,
        {%- for f in benefit_figures %} {{ f }},{% endfor %}
        ledger_spent_sek, programme_cost_sek,
        {%- for f in optional %} {{ f[0] }}_optional as {{ f[0] }},{% endfor %}
        follow_up_months, discount_rate, horizon_years, deadweight, drop_off, optimism_bias_benefits,
        optimism_bias_costs, unit_cost_price_year
    from socioeconomic
)

select
    {{- published_columns(
        ['unit_code', 'period_label', 'cases_measured', 'exited_cases_to_date', 'coverage'] + benefit_figures
        + ['ledger_spent_sek', 'programme_cost_sek'] + optional | map('first') | list
        + ['follow_up_months', 'discount_rate', 'horizon_years', 'deadweight', 'drop_off', 'optimism_bias_benefits',
           'optimism_bias_costs', 'unit_cost_price_year'],
        ['cases_measured', 'exited_cases_to_date'],
        shares
    ) }}
from renamed
