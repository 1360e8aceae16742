-- Wellbeing per case (docs/instruments.md): baseline = the first scored administration with occasion baseline (else the
-- earliest); follow-up = the latest later scored administration with occasion follow_up or exit.
-- improved = follow-up score > baseline score (strict). No reliable-change norms: not_classifiable.
with scored as (
    select *
    from {{ ref('int_wellbeing_administrations_scored') }}
    where score is not null
),

baseline_ranked as (
    select
        scored.*,
        row_number() over (
            partition by case_id
            order by case when occasion = 'baseline' then 0 else 1 end, administered_on, response_id
        ) as baseline_rank,
        count(*) over (partition by case_id) as n_administrations
    from scored
),

baselines as (
    select * from baseline_ranked where baseline_rank = 1
),

follow_ups as (
    select
        s.case_id,
        s.administered_on,
        s.score,
        row_number() over (partition by s.case_id order by s.administered_on desc, s.response_id desc) as recency
    from scored as s
    inner join baselines as b
        on b.case_id = s.case_id
        and s.administered_on > b.administered_on
    where s.occasion in ('follow_up', 'exit')
)

select
    b.case_id,
    b.unit_code,
    'wellbeing' as measure,
    cast(b.n_administrations as integer) as n_administrations,
    b.administered_on as first_on,
    cast(b.score as decimal(7, 3)) as first_score,
    f.administered_on as last_on,
    cast(f.score as decimal(7, 3)) as last_score,
    cast(f.score - b.score as decimal(8, 3)) as change,
    cast(null as boolean) as clinical_at_start,
    'not_classifiable' as classification,
    false as recovered,
    coalesce(f.score > b.score, false) as improved,
    cast(null as varchar) as first_band,
    cast(null as varchar) as last_band,
    'wellbeing-v1' as rule_version
from baselines as b
left join follow_ups as f
    on f.case_id = b.case_id
    and f.recency = 1
