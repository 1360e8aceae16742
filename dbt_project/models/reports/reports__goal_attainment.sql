-- outcome.goal_attainment for publication: each goal with its target, the actual value and the persons or cases
-- behind it (basis_cases), its status, and, while it is not yet measurable, the month it becomes measurable (the
-- month the unit's first case reaches the goal's horizon). Suppressed like the scorecard's goal statuses
-- (docs/privacy.md): actual value, status, evidence and interval are nulled when 1 <= basis_cases < k; a figure that
-- is not per person (basis null) is published, except a caseload per FTE resting on 1 <= n < k ongoing cases.
-- evidence, ci_low and ci_high are read from outcome.goal_attainment when it has them (else null).
with goals as (
    select * from {{ ref('outcome__goal_attainment') }}
),

ongoing as (
    select unit_code, period_label, ongoing_at_end from {{ ref('intake__period_summary') }}
),

first_horizon as (
    select unit_code, horizon_months, min(horizon_on) as first_horizon_on
    from {{ ref('int_horizon_statuses_derived') }}
    group by unit_code, horizon_months
),

based as (
    select
        g.unit_code,
        g.period_label,
        g.metric,
        g.comparator,
        g.target_value,
        g.horizon_months,
        g.actual_value,
        g.basis_cases,
        g.status,
        g.evidence,
        g.ci_low,
        g.ci_high,
        case when g.status = 'not_yet_measurable'
            then cast({{ dbt.date_trunc('month', 'h.first_horizon_on') }} as date)
        end as measurable_from,
        case when {{ is_small('g.basis_cases') }} then g.basis_cases else {{ suppression_threshold() }} end
            as status_basis,
        case
            when {{ is_small('g.basis_cases') }} then g.basis_cases
            when g.metric = 'caseload_per_fte' and {{ is_small('o.ongoing_at_end') }} then o.ongoing_at_end
            else {{ suppression_threshold() }}
        end as actual_basis
    from goals as g
    left join ongoing as o on o.unit_code = g.unit_code and o.period_label = g.period_label
    left join first_horizon as h
        on h.unit_code = g.unit_code
        and g.metric = 'work_or_studies_at_horizon_share'
        and h.horizon_months = coalesce(g.horizon_months, 18)
)

select
    {{- published_columns(
        ['unit_code', 'period_label', 'metric', 'comparator', 'target_value', 'horizon_months', 'actual_value',
         'ci_low', 'ci_high', 'basis_cases', 'status', 'evidence', 'measurable_from'],
        ['basis_cases'],
        {
            'actual_value': ['actual_basis'],
            'ci_low': ['actual_basis'],
            'ci_high': ['actual_basis'],
            'status': ['status_basis'],
            'evidence': ['status_basis'],
        }
    ) }}
from based
