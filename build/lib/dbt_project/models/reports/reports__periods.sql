select
    period_label,
    period_type,
    starts_on,
    ends_on,
    measured_to,
    is_complete
from {{ ref('int_periods_generated') }}
