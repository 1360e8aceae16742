-- cost.budget_vs_actual for publication. Money amounts are not suppressed (docs/privacy.md: only per-person
-- figures derived from fewer than k persons are, and this table has none), so suppressed_columns is empty.
select
    unit_code,
    period_label,
    cost_category,
    decided_sek,
    spent_sek,
    remaining_sek,
    budget_spent_share,
    cast('' as {{ dbt.type_string() }}) as suppressed_columns
from {{ ref('cost__budget_vs_actual') }}
