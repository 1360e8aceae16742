-- The headline figures of a unit's half-year self-evaluation, before suppression.
with intake as (
    select * from {{ ref('intake__period_summary') }}
),

process as (
    select * from {{ ref('process__period_summary') }}
),

exits as (
    select
        unit_code,
        period_label,
        sum(case when exit_group in ('work', 'studies') then exited_cases else 0 end) as positive_exits,
        sum(case when exit_group = 'dropout' then exited_cases else 0 end) as dropouts
    from {{ ref('outcome__exits') }}
    group by unit_code, period_label
),

ors as (
    select
        p.unit_code,
        p.period_label,
        count(*) as ors_pairs,
        sum(case when ic.classification = 'reliable_improvement' then 1 else 0 end) as ors_reliable_improvement
    from {{ ref('int_unit_periods_joined') }} as p
    inner join {{ ref('outcome__instrument_change') }} as ic
        on ic.unit_code = p.unit_code
        and ic.measure = 'ors_total'
        and ic.classification <> 'not_classifiable'
        and ic.last_on between p.starts_on and p.measured_to
    group by p.unit_code, p.period_label
),

budget as (
    select unit_code, period_label, decided_sek, spent_sek, remaining_sek
    from {{ ref('cost__budget_vs_actual') }}
    where cost_category = 'total'
),

figures as (
    select
        i.unit_code,
        i.period_label,
        i.period_type,
        i.active_cases,
        i.new_cases,
        i.exited_cases,
        i.ongoing_at_end,
        pr.attendance_cases,
        pr.attendance_rate,
        pr.plan_eligible_cases,
        pr.action_plan_within_90_days_share,
        cast(coalesce(e.positive_exits, 0) as bigint) as positive_exits,
        cast(1.0 * e.positive_exits / nullif(i.exited_cases, 0) as double) as positive_exit_share,
        cast(coalesce(e.dropouts, 0) as bigint) as dropouts,
        cast(coalesce(o.ors_pairs, 0) as bigint) as ors_pairs,
        cast(coalesce(o.ors_reliable_improvement, 0) as bigint) as ors_reliable_improvement,
        cast(1.0 * o.ors_reliable_improvement / nullif(o.ors_pairs, 0) as double) as ors_reliable_improvement_share,
        b.decided_sek,
        b.spent_sek,
        b.remaining_sek
    from intake as i
    inner join process as pr on pr.unit_code = i.unit_code and pr.period_label = i.period_label
    left join exits as e on e.unit_code = i.unit_code and e.period_label = i.period_label
    left join ors as o on o.unit_code = i.unit_code and o.period_label = i.period_label
    left join budget as b on b.unit_code = i.unit_code and b.period_label = i.period_label
)

select * from figures
