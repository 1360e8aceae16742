-- The grain of every period table: each unit with each period that overlaps the unit's life
-- (units.starts_on .. ends_on, or the as-of date for a unit still running).
select
    u.unit_code,
    p.period_label,
    p.period_type,
    p.starts_on,
    p.ends_on,
    p.measured_to,
    p.is_complete,
    u.staff_fte
from {{ ref('stg_reference__units') }} as u
inner join {{ ref('int_periods_generated') }} as p
    on {{ period_overlaps('u.starts_on', 'coalesce(u.ends_on, ' ~ as_of_date() ~ ')') }}
