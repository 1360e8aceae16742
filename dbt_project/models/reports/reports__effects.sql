-- evaluation.comparison_effects for publication (privacy.md, evaluation.md). Person counts 1 <= n < k are nulled,
-- and among the year cohorts of a unit and outcome (parts of the cohort 'all') one suppressed count takes the next
-- smallest with it. The participants' means and the naive before/after need at least k matched participants.
-- The comparison group's means, the change without the project, the effect and its interval are shown only when
-- the status is `published` (enough matched participants, balance reached) and rest on at least k persons on each
-- side: without the gate, published means would give an unpublished effect back by subtraction.
with effects as (
    select * from {{ ref('evaluation__comparison_effects') }}
),

years as (
    select
        effects.*,
        {{ is_small('n_participants') }}
            or {{ is_secondary_suppressed('n_participants', ['unit_code', 'outcome'], 'cohort') }}
            as n_participants_hidden,
        {{ is_small('n_matched') }}
            or {{ is_secondary_suppressed('n_matched', ['unit_code', 'outcome'], 'cohort') }} as n_matched_hidden
    from effects
    where cohort != 'all'
),

all_cohorts as (
    select
        effects.*,
        {{ is_small('n_participants') }} as n_participants_hidden,
        {{ is_small('n_matched') }} as n_matched_hidden
    from effects
    where cohort = 'all'
),

flagged as (
    select
        f.*,
        f.n_matched_hidden or coalesce(f.n_matched, 0) < {{ suppression_threshold() }} as participant_means_hidden,
        {{ is_small('n_comparison_persons') }} as n_comparison_persons_hidden
    from (select * from years union all by name select * from all_cohorts) as f
),

gated as (
    select
        flagged.*,
        status = 'published'
            and not participant_means_hidden
            and coalesce(n_comparison_persons, 0) >= {{ suppression_threshold() }} as effect_shown
    from flagged
)

select
    unit_code,
    cohort,
    outcome,
    status,
    case when n_participants_hidden then null else n_participants end as n_participants,
    case when n_matched_hidden then null else n_matched end as n_matched,
    case when n_comparison_persons_hidden then null else n_comparison_persons end as n_comparison_persons,
    case when participant_means_hidden then null else mean_participants_pre end as mean_participants_pre,
    case when participant_means_hidden then null else mean_participants_post end as mean_participants_post,
    case when participant_means_hidden then null else naive_change end as naive_change,
    case when effect_shown then mean_comparison_pre end as mean_comparison_pre,
    case when effect_shown then mean_comparison_post end as mean_comparison_post,
    case when effect_shown then change_without_project end as change_without_project,
    case when effect_shown then att end as att,
    case when effect_shown then att_ci_low end as att_ci_low,
    case when effect_shown then att_ci_high end as att_ci_high,
    method,
    concat_ws(','
        , case when n_participants_hidden and n_participants > 0 then 'n_participants' end
        , case when n_matched_hidden and n_matched > 0 then 'n_matched' end
        , case when n_comparison_persons_hidden then 'n_comparison_persons' end
        , case when participant_means_hidden and mean_participants_pre is not null then 'mean_participants_pre' end
        , case when participant_means_hidden and mean_participants_post is not null then 'mean_participants_post' end
        , case when participant_means_hidden and naive_change is not null then 'naive_change' end
    ) as suppressed_columns
from gated
