-- outcome.unit_overlap for publication: persons with cases in two units (ever, and concurrently within the
-- period), each count suppressed when small (docs/privacy.md).
with overlap as (
    select * from {{ ref('outcome__unit_overlap') }}
)

select
    {{- published_columns(
        ['period_label', 'unit_a', 'unit_b', 'persons_ever', 'persons_concurrent'],
        ['persons_ever', 'persons_concurrent'],
        {}
    ) }}
from overlap
