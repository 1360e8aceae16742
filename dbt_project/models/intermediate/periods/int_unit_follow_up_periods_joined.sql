-- The grain of the outcome and cost tables that follow participants and money after a unit has ended
-- (docs/metrics.md#periods-after-a-unit-ends): each unit with each period that overlaps units.starts_on ..
-- follow_up_to (int_unit_follow_up_ends_derived). The periods of the unit's life are those of
-- int_unit_periods_joined; after_unit_end marks the periods that start after units.ends_on.
select
    u.unit_code,
    p.period_label,
    p.period_type,
    p.starts_on,
    p.ends_on,
    p.measured_to,
    p.is_complete,
    u.staff_fte,
    coalesce(p.starts_on > u.ends_on, false) as after_unit_end
from {{ ref('stg_reference__units') }} as u
inner join {{ ref('int_unit_follow_up_ends_derived') }} as f
    on f.unit_code = u.unit_code
inner join {{ ref('int_periods_generated') }} as p
    on {{ period_overlaps('u.starts_on', 'f.follow_up_to') }}
