-- outcome.transfers for publication: cases one unit transferred to another in the period, suppressed when small
-- (docs/privacy.md); to_unit is 'unknown' when the export names no destination.
with transfers as (
    select * from {{ ref('outcome__transfers') }}
)

select
    {{- published_columns(
        ['period_label', 'from_unit', 'to_unit', 'transferred_cases'],
        ['transferred_cases'],
        {}
    ) }}
from transfers
