-- Period x pair of units (unit_a < unit_b): persons enrolled in both units with intervals overlapping each other
-- within the period (persons_concurrent), and persons enrolled in both at any time up to measured_to
-- (persons_ever). Anonymous cases never count.
with pairs as (
    select * from {{ ref('int_person_unit_pairs_joined') }}
),

periods as (
    select period_label, starts_on, measured_to from {{ ref('int_periods_generated') }}
)

select
    p.period_label,
    pairs.unit_a,
    pairs.unit_b,
    cast(count(distinct case
        when {{ pair_concurrent_in_period('pairs', 'p') }}
        then pairs.person_key
    end) as bigint) as persons_concurrent,
    cast(count(distinct pairs.person_key) as bigint) as persons_ever
from periods as p
inner join pairs
    on {{ in_period('pairs.a_enrolled_on', to_date=true) }}
    and {{ in_period('pairs.b_enrolled_on', to_date=true) }}
group by p.period_label, pairs.unit_a, pairs.unit_b
