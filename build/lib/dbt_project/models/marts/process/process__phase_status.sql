-- Unit x period x programme phase: cases ongoing at the period's end. The phase is the case's current
-- phase in the newest enrolments export (the register keeps no phase history); null when not recorded.
select
    unit_code,
    period_label,
    phase,
    cast(count(*) as bigint) as ongoing_at_end
from {{ ref('int_case_periods_joined') }}
where is_ongoing
group by unit_code, period_label, phase
