-- SRS sessions with the alliance flag of docs/instruments.md: total < 36, or any item < 9, or a drop of 1 point or
-- more from the previous session's total (the previous scored session of the same case).
with sessions as (
    select
        s.response_id,
        s.case_id,
        c.unit_code,
        s.administered_on,
        s.session_no,
        cast(s.relationship as decimal(4, 1)) as relationship,
        cast(s.goals as decimal(4, 1)) as goals,
        cast(s.approach as decimal(4, 1)) as approach,
        cast(s.overall as decimal(4, 1)) as overall
    from {{ ref('stg_surveys__srs_administrations') }} as s
    inner join {{ ref('int_cases_classified') }} as c
        on c.case_id = s.case_id
    where s.relationship is not null and s.goals is not null and s.approach is not null and s.overall is not null
),

totals as (
    select
        sessions.*,
        cast(relationship + goals + approach + overall as decimal(5, 1)) as total
    from sessions
),

with_previous as (
    select
        totals.*,
        lag(total) over (partition by case_id order by administered_on, session_no, response_id) as previous_total
    from totals
)

select
    response_id,
    case_id,
    unit_code,
    administered_on,
    session_no,
    total,
    previous_total,
    total < 36 as flag_low_total,
    (relationship < 9 or goals < 9 or approach < 9 or overall < 9) as flag_low_item,
    coalesce(previous_total - total >= 1, false) as flag_drop,
    (
        total < 36
        or relationship < 9 or goals < 9 or approach < 9 or overall < 9
        or coalesce(previous_total - total >= 1, false)
    ) as alliance_flag
from with_previous
