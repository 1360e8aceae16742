-- outcome.exits suppressed for publication (docs/privacy.md). The rows of a unit and period are the parts of the
-- exits published in reports.unit_scorecard: primary and secondary suppression on exited_cases; the shares
-- only when the period's exits (their denominator) are at least k and their own count is not small; their Wilson
-- intervals with them.
{%- set shares = {'positive_exit_share': 'period_positive_exits', 'dropout_share': 'period_dropouts'} %}
with exits as (
    select
        e.*,
        t.period_exits,
        t.positive_exits as period_positive_exits,
        t.dropouts as period_dropouts
    from {{ ref('outcome__exits') }} as e
    inner join {{ ref('int_unit_period_exits_summed') }} as t
        on t.unit_code = e.unit_code
        and t.period_label = e.period_label
),

flagged as (
    select
        exits.*,
        {{ is_small('exited_cases') }}
            or {{ is_secondary_suppressed(
                'exited_cases', ['unit_code', 'period_label'],
                "exit_group || '/' || exit_reason || '/' || coalesce(destination_unit_code, '')"
            ) }} as exited_cases_suppressed
    from exits
)

select
    unit_code,
    period_label,
    exit_group,
    exit_reason,
    destination_unit_code,
    case when exited_cases_suppressed then null else exited_cases end as exited_cases,
    {%- for share, numerator in shares.items() %}
    {%- for column in [share, share ~ '_ci_low', share ~ '_ci_high'] %}
    {{ suppress_by_denominator(column, 'period_exits', numerator) }} as {{ column }},
    {%- endfor %}
    {%- endfor %}
    concat_ws(','
        , case when exited_cases_suppressed then 'exited_cases' end
        {%- for share, numerator in shares.items() %}
        {%- for column in [share, share ~ '_ci_low', share ~ '_ci_high'] %}
        , case when {{ column }} is not null and {{ share_is_hidden('period_exits', numerator) }} then '{{ column }}' end
        {%- endfor %}
        {%- endfor %}
    ) as suppressed_columns
from flagged
