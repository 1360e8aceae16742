-- The headline figures of a unit's half-year self-evaluation, before suppression: assembled from the marts, so it
-- lives with the reports (models/reports/assembled) while its relation stays intermediate.int_unit_scorecards_assembled.
-- Its rows are the unit's periods with those of its follow-up after ends_on (int_unit_follow_up_periods_joined): there
-- the intake counts are 0, process figures null, and the outcome and money figures go on. Shares of persons or cases
-- carry their Wilson 95 % intervals, goals their evidence.
with periods as (
    select unit_code, period_label, period_type, after_unit_end from {{ ref('int_unit_follow_up_periods_joined') }}
),

intake as (
    select * from {{ ref('intake__period_summary') }}
),

process as (
    select * from {{ ref('process__period_summary') }}
),

exits as (
    select unit_code, period_label, positive_exits, dropouts from {{ ref('int_unit_period_exits_summed') }}
),

ors as (
    select
        p.unit_code,
        p.period_label,
        count(*) as ors_pairs,
        sum(case when ic.classification = 'reliable_improvement' then 1 else 0 end) as ors_reliable_improvement
    from {{ ref('int_unit_follow_up_periods_joined') }} as p
    inner join {{ ref('outcome__instrument_change') }} as ic
        on ic.unit_code = p.unit_code
        and ic.measure = 'ors_total'
        and ic.classification <> 'not_classifiable'
        and {{ in_period('ic.last_on') }}
    group by p.unit_code, p.period_label
),

wellbeing as (
    select unit_code, period_label, cases_with_pair as wellbeing_pairs, improved as wellbeing_improved,
        wellbeing_improved_share, wellbeing_improved_share_ci_low, wellbeing_improved_share_ci_high
    from {{ ref('outcome__instrument_summary') }}
    where measure = 'wellbeing'
),

srs as (
    select
        p.unit_code,
        p.period_label,
        count(*) as srs_sessions,
        sum(case when f.alliance_flag then 1 else 0 end) as srs_flagged_sessions,
        count(distinct f.case_id) as srs_cases
    from {{ ref('int_unit_periods_joined') }} as p
    inner join {{ ref('int_srs_sessions_flagged') }} as f
        on f.unit_code = p.unit_code
        and {{ in_period('f.administered_on') }}
    group by p.unit_code, p.period_label
),

horizon as (
    select
        unit_code,
        period_label,
        cohort_cases as horizon_cohort_cases,
        in_work_or_studies as horizon_in_work_or_studies,
        work_or_studies_at_horizon_share,
        work_or_studies_at_horizon_share_ci_low,
        work_or_studies_at_horizon_share_ci_high
    from {{ ref('outcome__status_at_horizon') }}
),

goals as (
    select
        unit_code,
        period_label,
        {%- for metric in goal_metric_keys() %}
        max(case when metric = '{{ metric }}' then status end) as goal_{{ metric }},
        max(case when metric = '{{ metric }}' then evidence end) as goal_{{ metric }}_evidence,
        max(case when metric = '{{ metric }}' then basis_cases end) as goal_{{ metric }}_basis{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('outcome__goal_attainment') }}
    group by unit_code, period_label
),

budget as (
    select unit_code, period_label, decided_sek, spent_sek, remaining_sek
    from {{ ref('cost__budget_vs_actual') }}
    where cost_category = 'total'
),

figures as (
    select
        p.unit_code,
        p.period_label,
        p.period_type,
        p.after_unit_end,
        cast(coalesce(i.active_cases, 0) as bigint) as active_cases,
        cast(coalesce(i.new_cases, 0) as bigint) as new_cases,
        cast(coalesce(i.exited_cases, 0) as bigint) as exited_cases,
        cast(coalesce(i.ongoing_at_end, 0) as bigint) as ongoing_at_end,
        pr.attendance_cases,
        pr.attendance_rate,
        pr.plan_eligible_cases,
        pr.plan_timely_cases,
        pr.action_plan_within_90_days_share,
        pr.action_plan_within_90_days_share_ci_low,
        pr.action_plan_within_90_days_share_ci_high,
        cast(coalesce(e.positive_exits, 0) as bigint) as positive_exits,
        cast(1.0 * e.positive_exits / nullif(i.exited_cases, 0) as double) as positive_exit_share,
        {{ wilson_ci_columns('positive_exit_share', 'e.positive_exits', 'i.exited_cases') }},
        cast(coalesce(e.dropouts, 0) as bigint) as dropouts,
        cast(coalesce(o.ors_pairs, 0) as bigint) as ors_pairs,
        cast(coalesce(o.ors_reliable_improvement, 0) as bigint) as ors_reliable_improvement,
        cast(1.0 * o.ors_reliable_improvement / nullif(o.ors_pairs, 0) as double) as ors_reliable_improvement_share,
        {{ wilson_ci_columns('ors_reliable_improvement_share', 'o.ors_reliable_improvement', 'o.ors_pairs') }},
        cast(coalesce(w.wellbeing_pairs, 0) as bigint) as wellbeing_pairs,
        cast(coalesce(w.wellbeing_improved, 0) as bigint) as wellbeing_improved,
        w.wellbeing_improved_share,
        w.wellbeing_improved_share_ci_low,
        w.wellbeing_improved_share_ci_high,
        cast(coalesce(s.srs_sessions, 0) as bigint) as srs_sessions,
        cast(coalesce(s.srs_cases, 0) as bigint) as srs_cases,
        cast(1.0 * s.srs_flagged_sessions / nullif(s.srs_sessions, 0) as double) as srs_alliance_flag_share,
        h.horizon_cohort_cases,
        h.horizon_in_work_or_studies,
        h.work_or_studies_at_horizon_share,
        h.work_or_studies_at_horizon_share_ci_low,
        h.work_or_studies_at_horizon_share_ci_high,
        b.decided_sek,
        b.spent_sek,
        b.remaining_sek,
        {%- for metric in goal_metric_keys() %}
        g.goal_{{ metric }},
        g.goal_{{ metric }}_evidence,
        g.goal_{{ metric }}_basis{{ ',' if not loop.last }}
        {%- endfor %}
    from periods as p
    left join intake as i on i.unit_code = p.unit_code and i.period_label = p.period_label
    left join process as pr on pr.unit_code = p.unit_code and pr.period_label = p.period_label
    left join exits as e on e.unit_code = p.unit_code and e.period_label = p.period_label
    left join ors as o on o.unit_code = p.unit_code and o.period_label = p.period_label
    left join budget as b on b.unit_code = p.unit_code and b.period_label = p.period_label
    left join wellbeing as w on w.unit_code = p.unit_code and w.period_label = p.period_label
    left join srs as s on s.unit_code = p.unit_code and s.period_label = p.period_label
    left join horizon as h on h.unit_code = p.unit_code and h.period_label = p.period_label
    left join goals as g on g.unit_code = p.unit_code and g.period_label = p.period_label
)

select * from figures
