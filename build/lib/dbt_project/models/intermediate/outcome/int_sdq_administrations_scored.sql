-- SDQ scales per administration (docs/instruments.md): reverse items from the sdq_items seed, a scale scored when at
-- least 3 of its 5 items are answered (prorated = round(mean x 5), halves up), total difficulties of the four
-- difficulty scales, impact, and the band of the total by informant (seed sdq_bands).
with administrations as (
    select
        s.*,
        c.unit_code
    from {{ ref('stg_surveys__sdq_administrations') }} as s
    inner join {{ ref('int_cases_classified') }} as c
        on c.case_id = s.case_id
),

answers as (
    {% for i in range(1, 26) -%}
    select response_id, {{ i }} as item_no, q{{ '%02d' % i }} as answer from administrations
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

scales as (
    select
        a.response_id,
        i.scale,
        count(a.answer) as answered,
        sum(case when i.reverse_scored then 2 - a.answer else a.answer end) as item_sum
    from answers as a
    inner join {{ ref('sdq_items') }} as i
        on i.item_no = a.item_no
    group by a.response_id, i.scale
),

prorated as (
    select
        response_id,
        scale,
        -- round(item_sum / answered * 5) with halves up, in integers: floor((10 * sum + n) / (2 * n))
        case when answered >= 3 then cast(floor((10.0 * item_sum + answered) / (2 * answered)) as integer) end
            as score
    from scales
),

wide as (
    select
        response_id,
        max(case when scale = 'emotional' then score end) as emotional,
        max(case when scale = 'conduct' then score end) as conduct,
        max(case when scale = 'hyperactivity' then score end) as hyperactivity,
        max(case when scale = 'peer' then score end) as peer,
        max(case when scale = 'prosocial' then score end) as prosocial
    from prorated
    group by response_id
),

impact_recoded as (
    select
        response_id,
        has_difficulties,
        {% set impact_items = ['impact_distress', 'impact_home', 'impact_friendships', 'impact_classroom', 'impact_leisure'] %}
        {% for item in impact_items -%}
        case when {{ item }} >= 2 then {{ item }} - 1 when {{ item }} is not null then 0 end as {{ item }}_points,
        {% endfor -%}
        (
            {% for item in impact_items -%}
            case when {{ item }} is not null then 1 else 0 end{% if not loop.last %} + {% endif %}
            {%- endfor %}
        ) as impact_answered
    from administrations
),

scored as (
    select
        a.response_id,
        a.case_id,
        a.unit_code,
        a.administered_on,
        a.informant,
        w.emotional,
        w.conduct,
        w.hyperactivity,
        w.peer,
        w.prosocial,
        case
            when w.emotional is not null and w.conduct is not null and w.hyperactivity is not null
                and w.peer is not null
            then w.emotional + w.conduct + w.hyperactivity + w.peer
        end as total_difficulties,
        case
            when a.informant = 'teacher' then null
            when i.has_difficulties = false then 0
            when i.has_difficulties and i.impact_answered > 0 then
                {% for item in impact_items -%}
                coalesce(i.{{ item }}_points, 0){% if not loop.last %} + {% endif %}
                {%- endfor %}
        end as impact
    from administrations as a
    inner join wide as w on w.response_id = a.response_id
    inner join impact_recoded as i on i.response_id = a.response_id
)

select
    scored.response_id,
    scored.case_id,
    scored.unit_code,
    scored.administered_on,
    scored.informant,
    cast(scored.emotional as integer) as emotional,
    cast(scored.conduct as integer) as conduct,
    cast(scored.hyperactivity as integer) as hyperactivity,
    cast(scored.peer as integer) as peer,
    cast(scored.prosocial as integer) as prosocial,
    cast(scored.total_difficulties as integer) as total_difficulties,
    cast(scored.impact as integer) as impact,
    bands.band_label as total_band,
    bands.band_order as total_band_order,
    bands.is_normal as total_band_is_normal,
    bands.band_set,
    'sdq-goodman-v1' as rule_version
from scored
left join {{ ref('sdq_bands') }} as bands
    on bands.informant = scored.informant
    and bands.scale = 'total'
    and scored.total_difficulties between bands.min_score and bands.max_score
