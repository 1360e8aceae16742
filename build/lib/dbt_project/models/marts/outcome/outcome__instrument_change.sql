select
    case_id,
    unit_code,
    measure,
    n_administrations,
    first_on,
    first_score,
    last_on,
    last_score,
    change,
    clinical_at_start,
    classification,
    recovered,
    improved,
    first_band,
    last_band,
    rule_version
from {{ ref('int_instrument_changes_scored') }}
