-- Each case's status at its horizon (docs/metrics.md outcome.status_at_horizon): horizon date = enrolled_on + H months
-- (H from the unit's work_or_studies_at_horizon_share target, default 18). In the horizon month the person's
-- support_months rows decide when there are any (positive when wage or study_allowance is the largest amount that
-- month; a tie with another type counts as positive); otherwise the exit does (a positive exit on or before the
-- horizon date). Anonymous cases have no person link and are decided by the exit.
with horizons as (
    select unit_code, max(horizon_months) as horizon_months
    from {{ ref('stg_reference__unit_targets') }}
    where metric = 'work_or_studies_at_horizon_share'
    group by unit_code
),

cases as (
    select
        c.case_id,
        c.person_key,
        c.unit_code,
        c.enrolled_on,
        c.exited_on,
        c.exit_group,
        c.is_positive_exit,
        cast(coalesce(h.horizon_months, 18) as integer) as horizon_months
    from {{ ref('int_cases_classified') }} as c
    left join horizons as h
        on h.unit_code = c.unit_code
),

with_horizon as (
    select
        cases.*,
        cast({{ dbt.dateadd('month', 'cases.horizon_months', 'cases.enrolled_on') }} as date) as horizon_on
    from cases
),

horizon_months as (
    select distinct person_key, cast({{ dbt.date_trunc('month', 'horizon_on') }} as date) as month
    from with_horizon
    where person_key is not null
),

person_months as (
    -- Only the horizon months are aggregated: one month per case, not the millions of support months.
    select
        s.person_key,
        s.month,
        max(s.amount_sek) as largest_amount,
        max(case when s.support_type in ('wage', 'study_allowance') then s.amount_sek end) as largest_positive_amount
    from {{ ref('stg_registry__support_months') }} as s
    inner join horizon_months as hm
        on hm.person_key = s.person_key
        and hm.month = s.month
    group by s.person_key, s.month
)

select
    h.case_id,
    h.person_key,
    h.unit_code,
    h.enrolled_on,
    h.exited_on,
    h.exit_group,
    h.horizon_months,
    h.horizon_on,
    case when pm.person_key is not null then 'support_months' else 'exit' end as status_source,
    case
        when pm.person_key is not null
            then {{ in_work_or_studies('pm.largest_positive_amount', 'pm.largest_amount') }}
        else coalesce(h.is_positive_exit and h.exited_on <= h.horizon_on, false)
    end as in_work_or_studies
from with_horizon as h
left join person_months as pm
    on pm.person_key = h.person_key
    and pm.month = cast({{ dbt.date_trunc('month', 'h.horizon_on') }} as date)
