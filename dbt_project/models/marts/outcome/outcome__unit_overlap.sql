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
        when greatest(pairs.a_enrolled_on, pairs.b_enrolled_on, p.starts_on)
            <= least(
                coalesce(pairs.a_exited_on, p.measured_to),
                coalesce(pairs.b_exited_on, p.measured_to),
                p.measured_to
            )
        then pairs.person_key
    end) as bigint) as persons_concurrent,
    cast(count(distinct pairs.person_key) as bigint) as persons_ever
from periods as p
inner join pairs
    on pairs.a_enrolled_on <= p.measured_to
    and pairs.b_enrolled_on <= p.measured_to
group by p.period_label, pairs.unit_a, pairs.unit_b
