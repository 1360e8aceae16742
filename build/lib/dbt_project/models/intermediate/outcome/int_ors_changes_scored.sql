-- ORS: first and last scored administration per case and the reliable-change classification of docs/instruments.md
-- (reliable change 5 points, clinical cut-off by form and age at the first administration).
with scored as (
    select
        case_id,
        unit_code,
        'ors_total' as measure,
        form,
        administered_on,
        response_id,
        cast(total as decimal(7, 3)) as score,
        age_at_administration
    from {{ ref('int_ors_administrations_scored') }}
    where total is not null
),

ordered as (
    select
        scored.*,
        row_number() over (partition by case_id, measure order by administered_on, response_id) as nth,
        count(*) over (partition by case_id, measure) as n_administrations
    from scored
),

pairs as (
    select
        f.case_id,
        f.unit_code,
        f.measure,
        f.n_administrations,
        f.form,
        f.age_at_administration as age_at_first,
        f.administered_on as first_on,
        f.score as first_score,
        l.administered_on as last_on,
        l.score as last_score
    from ordered as f
    left join ordered as l
        on l.case_id = f.case_id
        and l.measure = f.measure
        and l.nth = l.n_administrations
        and l.n_administrations >= 2
    where f.nth = 1
),

with_cutoff as (
    select
        pairs.*,
        cut.cutoff,
        coalesce(cut.rule_version, 'ors-2003-v1') as rule_version,
        pairs.last_score - pairs.first_score as change
    from pairs
    left join {{ ref('ors_cutoffs') }} as cut
        on cut.form = pairs.form
        and pairs.age_at_first between cut.min_age and cut.max_age
)

select
    case_id,
    unit_code,
    measure,
    cast(n_administrations as integer) as n_administrations,
    first_on,
    first_score,
    last_on,
    last_score,
    change,
    case when cutoff is null then null else first_score < cutoff end as clinical_at_start,
    case
        when last_score is null then 'not_classifiable'
        when change >= 5 then 'reliable_improvement'
        when change <= -5 then 'reliable_deterioration'
        else 'no_reliable_change'
    end as classification,
    coalesce(change >= 5 and first_score < cutoff and last_score >= cutoff, false) as recovered,
    coalesce(change > 0, false) as improved,
    cast(null as varchar) as first_band,
    cast(null as varchar) as last_band,
    rule_version
from with_cutoff
