-- outcome.by_subgroup suppressed for publication (docs/privacy.md). The groups of a unit and period add up to the unit's
-- totals published in reports.unit_scorecard, so within a unit and period, when exactly one group's count is
-- suppressed, the next smallest non-zero count is suppressed too.
{%- set counts = ['exited_cases', 'positive_exits', 'ors_pairs', 'ors_reliable_improvement'] %}
{%- set share_columns = ['positive_exit_share', 'positive_exit_share_ci_low', 'positive_exit_share_ci_high'] %}
with groups as (
    select * from {{ ref('outcome__by_subgroup') }}
),

flagged as (
    select
        groups.*,
        {%- for c in counts %}
        {{ is_secondary_suppressed(c, ['unit_code', 'period_label'], 'gender, age_band, enrolment_reason') }}
            as {{ c }}_secondary{{ ',' if not loop.last }}
        {%- endfor %}
    from groups
)

select
    unit_code,
    period_label,
    gender,
    age_band,
    enrolment_reason,
    {%- for c in counts %}
    case when {{ c }}_secondary then null else {{ suppress_count(c) }} end as {{ c }},
    {%- endfor %}
    {#- The share (and its interval) would give back a suppressed count of exits or positive exits. #}
    {%- for column in share_columns %}
    case when exited_cases_secondary or positive_exits_secondary then null
        else {{ suppress_by_denominator(column, 'exited_cases', 'positive_exits') }}
    end as {{ column }},
    {%- endfor %}
    concat_ws(',',
        {%- for c in counts %}
        case when {{ is_small(c) }} or {{ c }}_secondary then '{{ c }}' end,
        {%- endfor %}
        {%- for column in share_columns %}
        case when {{ column }} is not null
            and ({{ share_is_hidden('exited_cases', 'positive_exits') }} or exited_cases_secondary
                or positive_exits_secondary)
            then '{{ column }}' end{{ ',' if not loop.last }}
        {%- endfor %}
    ) as suppressed_columns
from flagged
