-- Period x unit: the headline figures of every unit side by side, plus persons concurrently enrolled in another
-- unit and transfers out and in; suppressed for publication (docs/privacy.md). Like the scorecard, a unit's periods
-- run on after its end (after_unit_end).
with figures as (
    select * from {{ ref('int_unit_scorecards_assembled') }}
),

periods as (
    select period_label, starts_on, measured_to from {{ ref('int_periods_generated') }}
),

concurrent_pairs as (
    select p.period_label, pairs.person_key, pairs.unit_a, pairs.unit_b
    from periods as p
    inner join {{ ref('int_person_unit_pairs_joined') }} as pairs
        on {{ pair_concurrent_in_period('pairs', 'p') }}
),

overlap as (
    select period_label, unit_code, count(distinct person_key) as persons_in_other_units
    from (
        select period_label, person_key, unit_a as unit_code from concurrent_pairs
        union all
        select period_label, person_key, unit_b from concurrent_pairs
    ) as per_unit
    group by period_label, unit_code
),

transfers_out as (
    select period_label, from_unit as unit_code, sum(transferred_cases) as transfers_out
    from {{ ref('outcome__transfers') }}
    group by period_label, from_unit
),

transfers_in as (
    select period_label, to_unit as unit_code, sum(transferred_cases) as transfers_in
    from {{ ref('outcome__transfers') }}
    group by period_label, to_unit
),

joined as (
    select
        f.*,
        cast(f.spent_sek / nullif(f.decided_sek, 0) as double) as budget_spent_share,
        cast(coalesce(o.persons_in_other_units, 0) as bigint) as persons_in_other_units,
        cast(coalesce(t_out.transfers_out, 0) as bigint) as transfers_out,
        cast(coalesce(t_in.transfers_in, 0) as bigint) as transfers_in
    from figures as f
    left join overlap as o on o.unit_code = f.unit_code and o.period_label = f.period_label
    left join transfers_out as t_out on t_out.unit_code = f.unit_code and t_out.period_label = f.period_label
    left join transfers_in as t_in on t_in.unit_code = f.unit_code and t_in.period_label = f.period_label
)

select
    {{- published_columns([
        'period_label', 'period_type', 'unit_code', 'after_unit_end', 'active_cases', 'new_cases', 'exited_cases',
        'ongoing_at_end', 'attendance_rate', 'action_plan_within_90_days_share',
        'action_plan_within_90_days_share_ci_low', 'action_plan_within_90_days_share_ci_high', 'positive_exit_share',
        'positive_exit_share_ci_low', 'positive_exit_share_ci_high', 'ors_reliable_improvement_share',
        'ors_reliable_improvement_share_ci_low', 'ors_reliable_improvement_share_ci_high', 'wellbeing_improved_share',
        'wellbeing_improved_share_ci_low', 'wellbeing_improved_share_ci_high', 'work_or_studies_at_horizon_share',
        'work_or_studies_at_horizon_share_ci_low', 'work_or_studies_at_horizon_share_ci_high', 'decided_sek',
        'spent_sek', 'budget_spent_share', 'persons_in_other_units', 'transfers_out', 'transfers_in'
    ], scorecard_figures().counts, scorecard_figures().shares) }}
from joined
