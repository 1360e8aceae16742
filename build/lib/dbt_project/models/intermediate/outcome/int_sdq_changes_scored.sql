-- SDQ total difficulties: first vs last scored administration per case and informant (docs/instruments.md). Lower is
-- better. Jacobson-Truax reliable change index when the instrument_norms seed holds SD and reliability for the
-- informant (SE = SD * sqrt(1 - r), S_diff = sqrt(2) * SE, |RC| > 1.96 is reliable); else not_classifiable.
with scored as (
    select
        case_id,
        unit_code,
        'sdq_total:' || informant as measure,
        informant,
        administered_on,
        response_id,
        total_difficulties as score,
        total_band,
        total_band_is_normal
    from {{ ref('int_sdq_administrations_scored') }}
    where total_difficulties is not null
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
        f.informant,
        f.n_administrations,
        f.administered_on as first_on,
        f.score as first_score,
        f.total_band as first_band,
        f.total_band_is_normal as first_is_normal,
        l.administered_on as last_on,
        l.score as last_score,
        l.total_band as last_band,
        l.total_band_is_normal as last_is_normal
    from ordered as f
    left join ordered as l
        on l.case_id = f.case_id
        and l.measure = f.measure
        and l.nth = l.n_administrations
        and l.n_administrations >= 2
    where f.nth = 1
),

with_index as (
    select
        pairs.*,
        pairs.last_score - pairs.first_score as change,
        (pairs.last_score - pairs.first_score)
        / nullif(sqrt(2.0) * norms.sd * sqrt(1.0 - norms.reliability), 0) as reliable_change_index
    from pairs
    left join {{ ref('instrument_norms') }} as norms
        on norms.instrument = 'sdq'
        and norms.informant = pairs.informant
        and norms.scale = 'total'
        and norms.sd is not null
        and norms.reliability is not null
),

classified as (
    select
        with_index.*,
        case
            when last_score is null or reliable_change_index is null then 'not_classifiable'
            when reliable_change_index < -1.96 then 'reliable_improvement'
            when reliable_change_index > 1.96 then 'reliable_deterioration'
            else 'no_reliable_change'
        end as classification
    from with_index
)

select
    case_id,
    unit_code,
    measure,
    cast(n_administrations as integer) as n_administrations,
    first_on,
    cast(first_score as decimal(7, 3)) as first_score,
    last_on,
    cast(last_score as decimal(7, 3)) as last_score,
    cast(change as decimal(8, 3)) as change,
    case when first_is_normal is null then null else not first_is_normal end as clinical_at_start,
    classification,
    coalesce(classification = 'reliable_improvement' and not first_is_normal and last_is_normal, false) as recovered,
    coalesce(change < 0, false) as improved,
    first_band,
    last_band,
    'sdq-goodman-v1' as rule_version
from classified
