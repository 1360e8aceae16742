-- Unit x period: the activities, attendance and drug tests dated in the period of the cases active in it, as
-- process.period_summary and process.activity_mix count them (the mix as a list, one entry per type and category).
-- Joining tens of millions of events to every period they fall in is the costliest step of a build, so the model
-- is incremental: a build recomputes only the unit-periods whose active cases or window changed since the last
-- build (the fingerprint columns) and those holding an event loaded since then, in any of its versions (a
-- corrected date or case moves an event out of one period and into another).
{{ config(
    materialized='incremental',
    incremental_strategy=upsert_strategy(),
    unique_key=['unit_code', 'period_label'],
    on_schema_change='fail'
) }}

{#- Every version of the events in raw (staging views): the name of the loaded_through column, key and date. #}
{%- set event_sources = [
    {'name': 'activities', 'versions': 'stg_registry__activity_versions', 'keys': ['activity_id'], 'date': 'activity_on'},
    {'name': 'attendance', 'versions': 'stg_registry__attendance_versions', 'keys': ['case_id', 'attendance_on'],
        'date': 'attendance_on'},
    {'name': 'drug_tests', 'versions': 'stg_registry__drug_test_versions', 'keys': ['test_id'], 'date': 'tested_on'},
] %}

with case_periods as (
    select unit_code, period_label, starts_on, measured_to, case_id
    from {{ ref('int_case_periods_joined') }}
),

fingerprints as (
    select
        p.unit_code,
        p.period_label,
        p.starts_on,
        p.measured_to,
        count(cp.case_id) as active_cases,
        {{ set_fingerprint('cp.case_id') }} as active_cases_hash
    from {{ ref('int_unit_periods_joined') }} as p
    left join case_periods as cp
        on cp.unit_code = p.unit_code
        and cp.period_label = p.period_label
    group by p.unit_code, p.period_label, p.starts_on, p.measured_to
),

loaded_through as (
    select
        {%- for s in event_sources %}
        (select max(loaded_at) from {{ ref(s.versions) }}) as {{ s.name }}_loaded_through{{ ',' if not loop.last }}
        {%- endfor %}
),

{% if is_incremental() %}
changed_events as (
    {%- for s in event_sources %}
    select r.case_id, r.{{ s.date }} as event_on
    from {{ ref(s.versions) }} as r
    where {{ has_version_loaded_after(
        ref(s.versions),
        s['keys'],
        "(select coalesce(max(" ~ s.name ~ "_loaded_through), timestamp '1970-01-01') from " ~ this ~ ")",
        loaded_at='loaded_at'
    ) }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

scope as (
    select f.unit_code, f.period_label
    from fingerprints as f
    left join {{ this }} as t
        on t.unit_code = f.unit_code
        and t.period_label = f.period_label
    where t.unit_code is null
        or t.starts_on <> f.starts_on
        or t.measured_to <> f.measured_to
        or t.active_cases <> f.active_cases
        or t.active_cases_hash <> f.active_cases_hash

    union

    select cp.unit_code, cp.period_label
    from changed_events as e
    inner join case_periods as cp
        on cp.case_id = e.case_id
        and {{ in_period('e.event_on', 'cp') }}
),

scoped_case_periods as (
    select cp.*
    from case_periods as cp
    {{ semi_join('scope as s', 's.unit_code = cp.unit_code and s.period_label = cp.period_label') }}
),

scoped_fingerprints as (
    select f.*
    from fingerprints as f
    {{ semi_join('scope as s', 's.unit_code = f.unit_code and s.period_label = f.period_label') }}
),
{% else %}
scoped_case_periods as (
    select * from case_periods
),

scoped_fingerprints as (
    select * from fingerprints
),
{% endif %}

case_activity_mix as (
    -- per case first, then per unit and period: the distinct cases are the rows (a third faster than
    -- count(distinct case_id) over tens of millions of case-period-activity pairs)
    select
        cp.unit_code,
        cp.period_label,
        a.activity_type,
        coalesce(a.intervention_category, 'unknown') as intervention_category,
        a.case_id,
        count(*) as activities,
        sum(coalesce(a.minutes, 0)) as minutes
    from scoped_case_periods as cp
    inner join {{ ref('stg_registry__activities') }} as a
        on a.case_id = cp.case_id
        and {{ in_period('a.activity_on', 'cp') }}
    group by cp.unit_code, cp.period_label, a.activity_type, coalesce(a.intervention_category, 'unknown'), a.case_id
),

activity_mix as (
    select
        unit_code,
        period_label,
        activity_type,
        intervention_category,
        sum(activities) as activities,
        sum(minutes) as minutes,
        count(*) as cases
    from case_activity_mix
    group by unit_code, period_label, activity_type, intervention_category
),

activities as (
    select
        unit_code,
        period_label,
        sum(activities) as activities,
        sum(minutes) as activity_minutes,
        sum(case when activity_type = 'sip_meeting' then activities else 0 end) as sip_meetings,
        {{ list_agg(
            struct_of([
                ('activity_type', 'activity_type'),
                ('intervention_category', 'intervention_category'),
                ('activities', 'activities'),
                ('minutes', 'minutes'),
                ('cases', 'cases'),
            ]),
            'activity_type, intervention_category'
        ) }} as activity_mix
    from activity_mix
    group by unit_code, period_label
),

attendance as (
    select
        cp.unit_code,
        cp.period_label,
        sum(a.scheduled_hours) as scheduled_hours,
        sum(a.attended_hours) as attended_hours,
        count(distinct a.case_id) as attendance_cases
    from scoped_case_periods as cp
    inner join {{ ref('stg_registry__attendance_days') }} as a
        on a.case_id = cp.case_id
        and {{ in_period('a.attendance_on', 'cp') }}
    group by cp.unit_code, cp.period_label
),

latest_tests as (
    -- Each case's latest conclusive test in the period (ties on the date: the highest test id). An aggregate,
    -- not a window: half the time at scale 100.
    select
        cp.unit_code,
        cp.period_label,
        t.case_id,
        {{ arg_max_by('t.result', [('tested_on', 't.tested_on'), ('test_id', 't.test_id')]) }} as result
    from scoped_case_periods as cp
    inner join {{ ref('stg_registry__drug_tests') }} as t
        on t.case_id = cp.case_id
        and {{ in_period('t.tested_on', 'cp') }}
        and t.result in ('negative', 'positive', 'refused')
    group by cp.unit_code, cp.period_label, t.case_id
),

drug_tests as (
    select
        unit_code,
        period_label,
        count(*) as tested_cases,
        sum(case when result = 'negative' then 1 else 0 end) as drug_free_cases
    from latest_tests
    group by unit_code, period_label
)

select
    f.unit_code,
    f.period_label,
    -- fingerprint of what the period's figures depend on besides the events themselves
    f.starts_on,
    f.measured_to,
    f.active_cases,
    f.active_cases_hash,
    -- measures: null when the period has no such events
    att.scheduled_hours,
    att.attended_hours,
    att.attendance_cases,
    dt.tested_cases,
    dt.drug_free_cases,
    ac.activities,
    ac.activity_minutes,
    ac.sip_meetings,
    ac.activity_mix,
    -- lineage: the raw loads this build has seen
    lt.activities_loaded_through,
    lt.attendance_loaded_through,
    lt.drug_tests_loaded_through
from scoped_fingerprints as f
cross join loaded_through as lt
left join attendance as att on att.unit_code = f.unit_code and att.period_label = f.period_label
left join drug_tests as dt on dt.unit_code = f.unit_code and dt.period_label = f.period_label
left join activities as ac on ac.unit_code = f.unit_code and ac.period_label = f.period_label
