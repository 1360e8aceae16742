-- Calendar periods (month, quarter, half-year, year) from the earliest enrolment's month to the as-of
-- date, plus the custom periods of the reporting_periods source.
with bounds as (
    select
        coalesce(
            {{ dbt.date_trunc('month', 'min(enrolled_on)') }},
            {{ dbt.date_trunc('month', as_of_date()) }}
        ) as first_month
    from {{ ref('stg_registry__enrolments') }}
),

digits as (
    select 0 as d union all select 1 union all select 2 union all select 3 union all select 4
    union all select 5 union all select 6 union all select 7 union all select 8 union all select 9
),

month_offsets as (
    -- 0..999 months: more than eighty years of history
    select ones.d + 10 * tens.d + 100 * hundreds.d as n
    from digits as ones cross join digits as tens cross join digits as hundreds
),

months as (
    select
        month_start,
        extract(year from month_start) as year_no,
        extract(month from month_start) as month_no
    from (
        select cast({{ dbt.dateadd('month', 'month_offsets.n', 'bounds.first_month') }} as date) as month_start
        from month_offsets
        cross join bounds
    ) as spine
    where month_start <= {{ as_of_date() }}
),

calendar as (
    -- each month with the period of each calendar type it belongs to (macros/periods.sql)
    {%- for period_type in calendar_period_types() %}
    select distinct
        '{{ period_type }}' as period_type,
        {{ calendar_period_label(period_type, 'year_no', 'month_no') }} as period_label,
        {{ calendar_period_starts_on(period_type, 'month_start', 'month_no') }} as starts_on,
        {{ calendar_period_ends_on(period_type, 'month_start', 'month_no') }} as ends_on
    from months
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

custom as (
    select 'custom' as period_type, period_label, starts_on, ends_on
    from {{ ref('stg_reference__reporting_periods') }}
    where starts_on <= {{ as_of_date() }}
),

all_periods as (
    select * from calendar
    union all
    select * from custom
)

select
    period_label,
    period_type,
    starts_on,
    ends_on,
    case when ends_on < {{ as_of_date() }} then ends_on else {{ as_of_date() }} end as measured_to,
    ends_on <= {{ as_of_date() }} as is_complete
from all_periods
