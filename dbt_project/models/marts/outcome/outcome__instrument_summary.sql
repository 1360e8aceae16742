-- Unit x period x measure: the cases whose last administration (of a first/last pair) falls in the period, their
-- classifications, and the follow-up coverage against the cases active in the period. The periods run on after the
-- unit's end until its last follow-up month (int_unit_follow_up_periods_joined): a follow-up form filled in after the
-- end is a measured outcome (active_cases is 0 then, follow_up_coverage null). Every share carries its Wilson 95 %
-- interval.
with changes as (
    select * from {{ ref('int_instrument_changes_scored') }}
    where last_score is not null
),

measures as (
    select distinct unit_code, measure from {{ ref('int_instrument_changes_scored') }}
),

active as (
    select unit_code, period_label, count(*) as active_cases
    from {{ ref('int_case_periods_joined') }}
    group by unit_code, period_label
),

pairs as (
    select
        p.unit_code,
        p.period_label,
        c.measure,
        count(*) as cases_with_pair,
        sum(case when c.classification = 'reliable_improvement' then 1 else 0 end) as reliable_improvement,
        sum(case when c.classification = 'no_reliable_change' then 1 else 0 end) as no_reliable_change,
        sum(case when c.classification = 'reliable_deterioration' then 1 else 0 end) as reliable_deterioration,
        sum(case when c.recovered then 1 else 0 end) as recovered,
        sum(case when c.improved then 1 else 0 end) as improved
    from {{ ref('int_unit_follow_up_periods_joined') }} as p
    inner join changes as c
        on c.unit_code = p.unit_code
        and {{ in_period('c.last_on') }}
    group by p.unit_code, p.period_label, c.measure
)

select
    p.unit_code,
    p.period_label,
    m.measure,
    cast(coalesce(pr.cases_with_pair, 0) as bigint) as cases_with_pair,
    cast(coalesce(pr.reliable_improvement, 0) as bigint) as reliable_improvement,
    cast(coalesce(pr.no_reliable_change, 0) as bigint) as no_reliable_change,
    cast(coalesce(pr.reliable_deterioration, 0) as bigint) as reliable_deterioration,
    cast(coalesce(pr.recovered, 0) as bigint) as recovered,
    cast(coalesce(pr.improved, 0) as bigint) as improved,
    cast(case when m.measure = 'ors_total' then 1.0 * pr.reliable_improvement / nullif(pr.cases_with_pair, 0) end
        as double) as ors_reliable_improvement_share,
    {{ wilson_ci_columns(
        'ors_reliable_improvement_share',
        "case when m.measure = 'ors_total' then pr.reliable_improvement end",
        'pr.cases_with_pair'
    ) }},
    cast(case when m.measure = 'wellbeing' then 1.0 * pr.improved / nullif(pr.cases_with_pair, 0) end
        as double) as wellbeing_improved_share,
    {{ wilson_ci_columns(
        'wellbeing_improved_share', "case when m.measure = 'wellbeing' then pr.improved end", 'pr.cases_with_pair'
    ) }},
    cast(coalesce(a.active_cases, 0) as bigint) as active_cases,
    cast(1.0 * coalesce(pr.cases_with_pair, 0) / nullif(a.active_cases, 0) as double) as follow_up_coverage,
    {{ wilson_ci_columns('follow_up_coverage', 'coalesce(pr.cases_with_pair, 0)', 'a.active_cases') }}
from {{ ref('int_unit_follow_up_periods_joined') }} as p
inner join measures as m on m.unit_code = p.unit_code
left join pairs as pr
    on pr.unit_code = p.unit_code
    and pr.period_label = p.period_label
    and pr.measure = m.measure
left join active as a on a.unit_code = p.unit_code and a.period_label = p.period_label
