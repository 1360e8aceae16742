-- Unit x period x dimension x value: active, new and exited cases. Each dimension splits the same cases,
-- so within one dimension the values sum to intake.period_summary. A missing value counts as 'unknown'.
with case_periods as (
    select * from {{ ref('int_case_periods_joined') }}
),

by_dimension as (
    {%- for dimension in ['gender', 'age_band', 'enrolment_reason', 'referral_source'] %}
    select
        unit_code,
        period_label,
        '{{ dimension }}' as dimension,
        coalesce(cast({{ dimension }} as {{ dbt.type_string() }}), 'unknown') as dimension_value,
        is_new,
        is_exited
    from case_periods
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    unit_code,
    period_label,
    dimension,
    dimension_value,
    cast(count(*) as bigint) as active_cases,
    cast(sum(case when is_new then 1 else 0 end) as bigint) as new_cases,
    cast(sum(case when is_exited then 1 else 0 end) as bigint) as exited_cases
from by_dimension
group by unit_code, period_label, dimension, dimension_value
