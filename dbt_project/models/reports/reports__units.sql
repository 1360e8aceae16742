-- The units as a dimension for readers and BI tools: names, organisation, municipality, funding and target group
-- beside the unit_code every other reports table carries (from the newest units export; no persons, not suppressed).
select
    unit_code,
    unit_name,
    organisation,
    municipality,
    kind,
    funding,
    target_group,
    starts_on,
    ends_on,
    cast(capacity_places as integer) as capacity_places,
    cast(staff_fte as decimal(10, 2)) as staff_fte
from {{ ref('stg_reference__units') }}
