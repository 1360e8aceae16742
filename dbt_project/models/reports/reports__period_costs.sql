-- cost.period_costs for publication. The money spent within the period is not suppressed; an amount per case, per
-- case-month or per positive exit is a per-person amount, published only when the cases behind it are at least k
-- (docs/privacy.md). spent_in_period_sek is the money booked within the period (reports.budget_vs_actual's
-- spent_sek is cumulative to the period's end).
with costs as (
    select
        c.*,
        c.spent_sek as spent_in_period_sek,
        c.positive_exits as positive_exit_basis
    from {{ ref('cost__period_costs') }} as c
)

select
    {{- published_columns(
        ['unit_code', 'period_label', 'spent_in_period_sek', 'active_cases', 'case_months', 'cost_per_case',
         'cost_per_case_month', 'positive_exits', 'cost_per_positive_exit', 'staff_fte', 'cost_per_fte_month'],
        ['active_cases', 'positive_exits'],
        {
            'case_months': ['active_cases'],
            'cost_per_case': ['active_cases'],
            'cost_per_case_month': ['active_cases'],
            'cost_per_positive_exit': ['positive_exit_basis'],
        }
    ) }}
from costs
