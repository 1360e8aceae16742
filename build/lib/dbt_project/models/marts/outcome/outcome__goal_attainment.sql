-- Unit x period x target in unit_targets: the actual value of the target's metric (docs/metrics.md metric keys) read
-- from the marts, and its status: met / not_met by the comparator, not_yet_measurable when the horizon cohort is
-- empty (work_or_studies_at_horizon_share), no_data when there is no actual value. basis_cases is the number of
-- persons or cases behind the actual value (null for figures that are not per person), for suppression.
with process as (
    select * from {{ ref('process__period_summary') }}
),

exits as (
    select distinct unit_code, period_label, positive_exit_share, dropout_share,
        sum(exited_cases) over (partition by unit_code, period_label) as exited_cases
    from {{ ref('outcome__exits') }}
),

instruments as (
    select * from {{ ref('outcome__instrument_summary') }}
),

actuals as (
    select unit_code, period_label, 'attendance_rate' as metric, attendance_rate as actual_value,
        attendance_cases as basis_cases, cast(null as varchar) as measurement_status
    from process
    union all
    select unit_code, period_label, 'action_plan_within_90_days_share', action_plan_within_90_days_share,
        plan_eligible_cases, null
    from process
    union all
    select unit_code, period_label, 'drug_free_share', drug_free_share, tested_cases, null
    from process
    union all
    select unit_code, period_label, 'activities_per_case_month', activities_per_case_month, null, null
    from process
    union all
    select unit_code, period_label, 'caseload_per_fte', caseload_per_fte, null, null
    from process
    union all
    select unit_code, period_label, 'positive_exit_share', positive_exit_share, exited_cases, null
    from exits
    union all
    select unit_code, period_label, 'dropout_share', dropout_share, exited_cases, null
    from exits
    union all
    select unit_code, period_label, 'work_or_studies_at_horizon_share', work_or_studies_at_horizon_share,
        cohort_cases, measurement_status
    from {{ ref('outcome__status_at_horizon') }}
    union all
    select unit_code, period_label, 'ors_reliable_improvement_share', ors_reliable_improvement_share,
        cases_with_pair, null
    from instruments
    where measure = 'ors_total'
    union all
    select unit_code, period_label, 'wellbeing_improved_share', wellbeing_improved_share, cases_with_pair, null
    from instruments
    where measure = 'wellbeing'
    union all
    select unit_code, period_label, 'cost_per_case', cost_per_case, active_cases, null
    from {{ ref('cost__period_costs') }}
    union all
    select unit_code, period_label, 'budget_spent_share', budget_spent_share, null, null
    from {{ ref('cost__budget_vs_actual') }}
    where cost_category = 'total'
    union all
    select unit_code, period_label, 'payback_months', payback_months, null, null
    from {{ ref('cost__socioeconomic') }}
),

targets as (
    select
        p.unit_code,
        p.period_label,
        t.metric,
        t.comparator,
        t.target_value,
        t.horizon_months
    from {{ ref('int_unit_periods_joined') }} as p
    inner join {{ ref('stg_reference__unit_targets') }} as t
        on t.unit_code = p.unit_code
)

select
    t.unit_code,
    t.period_label,
    t.metric,
    t.comparator,
    cast(t.target_value as double) as target_value,
    cast(t.horizon_months as integer) as horizon_months,
    cast(a.actual_value as double) as actual_value,
    cast(a.basis_cases as bigint) as basis_cases,
    case
        when a.measurement_status = 'not_yet_measurable' then 'not_yet_measurable'
        when a.actual_value is null then 'no_data'
        when t.comparator = '>=' and a.actual_value >= t.target_value then 'met'
        when t.comparator = '<=' and a.actual_value <= t.target_value then 'met'
        when t.comparator = '=' and abs(a.actual_value - t.target_value) < 0.000000001 then 'met'
        else 'not_met'
    end as status
from targets as t
left join actuals as a
    on a.unit_code = t.unit_code
    and a.period_label = t.period_label
    and a.metric = t.metric
