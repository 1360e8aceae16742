{#- The metrics read from tables that run on after a unit's end (docs/metrics.md#periods-after-a-unit-ends): their
    targets have rows in the unit's follow-up periods too; the others only in the periods of its life. -#}
{%- set followed_up_metrics = [
    'work_or_studies_at_horizon_share', 'ors_reliable_improvement_share', 'wellbeing_improved_share',
    'budget_spent_share', 'payback_months'
] -%}
-- Unit x period x target in unit_targets: the actual value of the target's metric (docs/metrics.md metric keys) read
-- from the marts, and its status: met / not_met by the comparator, not_yet_measurable when the horizon cohort is
-- empty (work_or_studies_at_horizon_share), no_data when there is no actual value. basis_cases is the number of
-- persons or cases behind the actual value (null for figures that are not per person), for suppression.
-- A share of persons or cases brings its Wilson 95 % interval (ci_low, ci_high) from its mart, and evidence says
-- where the whole interval lies against the target; a figure without an interval is taken as it is.
with process as (
    select * from {{ ref('process__period_summary') }}
),

exits as (
    select distinct unit_code, period_label, positive_exit_share, positive_exit_share_ci_low,
        positive_exit_share_ci_high, dropout_share, dropout_share_ci_low, dropout_share_ci_high,
        sum(exited_cases) over (partition by unit_code, period_label) as exited_cases
    from {{ ref('outcome__exits') }}
),

instruments as (
    select * from {{ ref('outcome__instrument_summary') }}
),

actuals as (
    select unit_code, period_label, 'attendance_rate' as metric, attendance_rate as actual_value,
        attendance_cases as basis_cases, cast(null as varchar) as measurement_status,
        cast(null as double) as ci_low, cast(null as double) as ci_high
    from process
    union all
    select unit_code, period_label, 'action_plan_within_90_days_share', action_plan_within_90_days_share,
        plan_eligible_cases, null, action_plan_within_90_days_share_ci_low, action_plan_within_90_days_share_ci_high
    from process
    union all
    select unit_code, period_label, 'drug_free_share', drug_free_share, tested_cases, null,
        drug_free_share_ci_low, drug_free_share_ci_high
    from process
    union all
    select unit_code, period_label, 'activities_per_case_month', activities_per_case_month, null, null, null, null
    from process
    union all
    select unit_code, period_label, 'caseload_per_fte', caseload_per_fte, null, null, null, null
    from process
    union all
    select unit_code, period_label, 'positive_exit_share', positive_exit_share, exited_cases, null,
        positive_exit_share_ci_low, positive_exit_share_ci_high
    from exits
    union all
    select unit_code, period_label, 'dropout_share', dropout_share, exited_cases, null,
        dropout_share_ci_low, dropout_share_ci_high
    from exits
    union all
    select unit_code, period_label, 'work_or_studies_at_horizon_share', work_or_studies_at_horizon_share,
        cohort_cases, measurement_status, work_or_studies_at_horizon_share_ci_low,
        work_or_studies_at_horizon_share_ci_high
    from {{ ref('outcome__status_at_horizon') }}
    union all
    select unit_code, period_label, 'ors_reliable_improvement_share', ors_reliable_improvement_share,
        cases_with_pair, null, ors_reliable_improvement_share_ci_low, ors_reliable_improvement_share_ci_high
    from instruments
    where measure = 'ors_total'
    union all
    select unit_code, period_label, 'wellbeing_improved_share', wellbeing_improved_share, cases_with_pair, null,
        wellbeing_improved_share_ci_low, wellbeing_improved_share_ci_high
    from instruments
    where measure = 'wellbeing'
    union all
    select unit_code, period_label, 'cost_per_case', cost_per_case, active_cases, null, null, null
    from {{ ref('cost__period_costs') }}
    union all
    select unit_code, period_label, 'budget_spent_share', budget_spent_share, null, null, null, null
    from {{ ref('cost__budget_vs_actual') }}
    where cost_category = 'total'
    union all
    select unit_code, period_label, 'payback_months', payback_months, null, null, null, null
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
    from {{ ref('int_unit_follow_up_periods_joined') }} as p
    inner join {{ ref('stg_reference__unit_targets') }} as t
        on t.unit_code = p.unit_code
    where not p.after_unit_end
        or t.metric in ({% for m in followed_up_metrics %}'{{ m }}'{{ ', ' if not loop.last }}{% endfor %})
),

statuses as (
    select
        t.unit_code,
        t.period_label,
        t.metric,
        t.comparator,
        t.target_value,
        t.horizon_months,
        a.actual_value,
        a.basis_cases,
        a.ci_low,
        a.ci_high,
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
)

select
    unit_code,
    period_label,
    metric,
    comparator,
    cast(target_value as double) as target_value,
    cast(horizon_months as integer) as horizon_months,
    cast(actual_value as double) as actual_value,
    cast(basis_cases as bigint) as basis_cases,
    status,
    cast(ci_low as double) as ci_low,
    cast(ci_high as double) as ci_high,
    {#- Where the whole interval lies against the target (>=: low meets it / high misses it; <=: high meets it / low
        misses it; =: both ends on it / target outside it); touching the target within 1e-9, as the status compares
        =, meets it. Without an interval (a figure that is not a share of persons or cases) the status decides. #}
    case
        when status in ('not_yet_measurable', 'no_data') then status
        when ci_low is null or ci_high is null then case when status = 'met' then 'clearly_met' else 'clearly_not_met' end
        when comparator = '>=' and ci_low >= target_value - 0.000000001 then 'clearly_met'
        when comparator = '>=' and ci_high < target_value - 0.000000001 then 'clearly_not_met'
        when comparator = '<=' and ci_high <= target_value + 0.000000001 then 'clearly_met'
        when comparator = '<=' and ci_low > target_value + 0.000000001 then 'clearly_not_met'
        when comparator = '=' and ci_low >= target_value - 0.000000001
            and ci_high <= target_value + 0.000000001 then 'clearly_met'
        when comparator = '=' and (ci_high < target_value - 0.000000001 or ci_low > target_value + 0.000000001)
            then 'clearly_not_met'
        else 'inconclusive'
    end as evidence
from statuses
