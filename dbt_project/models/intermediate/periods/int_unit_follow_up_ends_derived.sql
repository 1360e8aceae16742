-- Per unit: the last month its outcome and cost figures are followed up (docs/metrics.md#periods-after-a-unit-ends),
-- defined here once. After units.ends_on, a unit's last participants are still on their way to the horizon of its
-- targets and through their socioeconomic follow-up windows, so the follow-up runs to the month of the latest of
--   ends_on + the horizon: the larger of the status horizon of outcome.status_at_horizon (the unit's
--     work_or_studies_at_horizon_share target's horizon_months, 18 without one) and the largest horizon_months of
--     any of its targets;
--   ends_on + follow_up_months (the resolved socioeconomic parameter, default 12);
--   the unit's last exit + 12 months (an exit registered after ends_on);
-- and follow_up_to, the day its outcome and cost periods reach, is the last day of that month capped at the as-of
-- date (the as-of date for a unit without ends_on).
with targets as (
    select
        unit_code,
        max(horizon_months) as largest_target_horizon_months,
        max(case when metric = 'work_or_studies_at_horizon_share' then horizon_months end) as status_horizon_months
    from {{ ref('stg_reference__unit_targets') }}
    group by unit_code
),

last_exits as (
    select unit_code, max(exited_on) as last_exited_on
    from {{ ref('int_cases_classified') }}
    group by unit_code
),

units as (
    select
        u.unit_code,
        u.ends_on,
        cast(greatest(coalesce(t.status_horizon_months, 18), coalesce(t.largest_target_horizon_months, 18))
            as integer) as horizon_months,
        cast(p.follow_up_months as integer) as follow_up_months,
        e.last_exited_on
    from {{ ref('stg_reference__units') }} as u
    inner join {{ ref('int_evaluation_parameters_resolved') }} as p on p.unit_code = u.unit_code
    left join targets as t on t.unit_code = u.unit_code
    left join last_exits as e on e.unit_code = u.unit_code
),

last_months as (
    select
        units.*,
        case when ends_on is not null then cast({{ dbt.date_trunc('month', 'greatest('
            ~ dbt.dateadd('month', 'horizon_months', 'ends_on') ~ ', '
            ~ dbt.dateadd('month', 'follow_up_months', 'ends_on') ~ ', '
            ~ 'coalesce(' ~ dbt.dateadd('month', 12, 'last_exited_on') ~ ', ends_on))') }} as date) end
            as last_follow_up_month
    from units
)

select
    unit_code,
    ends_on,
    horizon_months,
    follow_up_months,
    last_exited_on,
    last_follow_up_month,
    cast(case
        when last_follow_up_month is null then {{ as_of_date() }}
        when {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'last_follow_up_month')) }} < {{ as_of_date() }}
            then {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'last_follow_up_month')) }}
        else {{ as_of_date() }}
    end as date) as follow_up_to
from last_months
