-- process.phase_status for publication: cases ongoing at the period's end per programme phase ('unknown' when not
-- recorded). The phases of a unit-period are the parts of ongoing_at_end in reports.unit_scorecard: primary and
-- secondary suppression within the unit-period (docs/privacy.md).
with phases as (
    select
        unit_code,
        period_label,
        coalesce(cast(phase as {{ dbt.type_string() }}), 'unknown') as phase,
        ongoing_at_end
    from {{ ref('process__phase_status') }}
),

flagged as (
    select
        phases.*,
        {{ is_small('ongoing_at_end') }}
            or {{ is_secondary_suppressed('ongoing_at_end', ['unit_code', 'period_label'], 'phase') }}
            as ongoing_at_end_suppressed
    from phases
)

select
    unit_code,
    period_label,
    phase,
    cast(case when ongoing_at_end_suppressed then null else ongoing_at_end end as bigint) as ongoing_at_end,
    case when ongoing_at_end_suppressed then 'ongoing_at_end' else '' end as suppressed_columns
from flagged
