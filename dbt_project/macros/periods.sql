{# Period membership (docs/metrics.md), defined here once: which months make up a calendar period, and when a dated
   event, a case or a pair of cases belongs to a period. The periods themselves (calendar and custom) are the rows of
   int_periods_generated; every period table joins int_unit_periods_joined and tests membership with these macros. #}

{# The calendar period types, each with its length in months: the month of a month_no (1..12) belongs to the period
   of each type whose number within the year is calendar_period_number(). #}
{% macro calendar_period_types() -%}
    {{ return({'month': 1, 'quarter': 3, 'half_year': 6, 'year': 12}) }}
{%- endmacro %}

{% macro calendar_period_number(period_type, month_no) -%}
    cast(floor(({{ month_no }} - 1) / {{ calendar_period_types()[period_type] }}) + 1 as integer)
{%- endmacro %}

{# The label of the calendar period of a month: 2017-07, 2017-Q3, 2017-H2, 2017. #}
{% macro calendar_period_label(period_type, year_no, month_no) -%}
    {%- set number = 'cast(' ~ calendar_period_number(period_type, month_no) ~ ' as varchar)' -%}
    cast({{ year_no }} as varchar)
    {%- if period_type == 'month' %} || '-' || lpad({{ number }}, 2, '0')
    {%- elif period_type == 'quarter' %} || '-Q' || {{ number }}
    {%- elif period_type == 'half_year' %} || '-H' || {{ number }}
    {%- endif -%}
{%- endmacro %}

{# First and last day of the calendar period of a month (month_start: the month's first day). #}
{% macro calendar_period_starts_on(period_type, month_start, month_no) -%}
    cast({{ dbt.dateadd(
        'month',
        '(' ~ calendar_period_number(period_type, month_no) ~ ' - 1) * ' ~ calendar_period_types()[period_type],
        dbt.date_trunc('year', month_start)
    ) }} as date)
{%- endmacro %}

{% macro calendar_period_ends_on(period_type, month_start, month_no) -%}
    cast({{ dbt.dateadd('day', -1, dbt.dateadd(
        'month', calendar_period_types()[period_type], calendar_period_starts_on(period_type, month_start, month_no)
    )) }} as date)
{%- endmacro %}

{# A dated event belongs to a period (alias `period`, with starts_on and measured_to) when it falls within
   starts_on..measured_to; to date (cumulative figures), when it falls on or before measured_to. #}
{% macro in_period(date_expr, period='p', to_date=false) -%}
    {%- if to_date -%}
        {{ date_expr }} <= {{ period }}.measured_to
    {%- else -%}
        {{ date_expr }} between {{ period }}.starts_on and {{ period }}.measured_to
    {%- endif -%}
{%- endmacro %}

{# A case (alias `cases`, with enrolled_on and exited_on) is active in a period when enrolled on or before measured_to
   and not exited before starts_on. #}
{% macro case_active_in_period(cases='c', period='p') -%}
    {{ cases }}.enrolled_on <= {{ period }}.measured_to
    and ({{ cases }}.exited_on is null or {{ cases }}.exited_on >= {{ period }}.starts_on)
{%- endmacro %}

{# Two cases of one person (a row of int_person_unit_pairs_joined, alias `pair`) are concurrent in a period when
   both enrolment intervals and the period (to measured_to) have a day in common. #}
{% macro pair_concurrent_in_period(pair='pairs', period='p') -%}
    greatest({{ pair }}.a_enrolled_on, {{ pair }}.b_enrolled_on, {{ period }}.starts_on)
        <= least(
            coalesce({{ pair }}.a_exited_on, {{ period }}.measured_to),
            coalesce({{ pair }}.b_exited_on, {{ period }}.measured_to),
            {{ period }}.measured_to
        )
{%- endmacro %}

{# A period (alias `period`, with starts_on and ends_on) overlaps a span of days from_expr..to_expr: the periods of a
   unit's life (units.starts_on .. ends_on) and of its follow-up (.. int_unit_follow_up_ends_derived.follow_up_to). #}
{% macro period_overlaps(from_expr, to_expr, period='p') -%}
    {{ period }}.starts_on <= {{ to_expr }}
    and {{ period }}.ends_on >= {{ from_expr }}
{%- endmacro %}
