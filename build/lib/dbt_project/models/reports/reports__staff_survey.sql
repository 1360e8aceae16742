-- Staff survey per question x unit x round (docs/instruments.md): n answered, mean and the share agreeing (4-5 on the
-- 1-5 scale). Published only for groups (unit x round) with at least k respondents (docs/privacy.md); a question answered
-- by fewer than k has its n, mean and share nulled.
with responses as (
    select * from {{ ref('stg_surveys__staff_survey_responses') }}
),

groups as (
    select unit_code, survey_round, count(*) as respondents
    from responses
    group by unit_code, survey_round
),

answers as (
    {% for i in range(1, 41) -%}
    select unit_code, survey_round, 'q{{ '%02d' % i }}' as question, q{{ '%02d' % i }} as answer from responses
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

per_question as (
    select
        unit_code,
        survey_round,
        question,
        count(*) as n_answered,
        avg(cast(answer as double)) as mean_answer,
        1.0 * sum(case when answer >= 4 then 1 else 0 end) / count(*) as share_agreeing
    from answers
    where answer is not null
    group by unit_code, survey_round, question
)

select
    q.unit_code,
    q.survey_round,
    q.question,
    cast(g.respondents as bigint) as respondents,
    cast({{ suppress_count('q.n_answered') }} as bigint) as n_answered,
    cast({{ suppress_by_denominator('q.mean_answer', 'q.n_answered') }} as double) as mean_answer,
    cast({{ suppress_by_denominator('q.share_agreeing', 'q.n_answered') }} as double) as share_agreeing,
    case when {{ is_small('q.n_answered') }} then 'n_answered,mean_answer,share_agreeing' else '' end
        as suppressed_columns
from per_question as q
inner join groups as g
    on g.unit_code = q.unit_code
    and g.survey_round = q.survey_round
where g.respondents >= {{ suppression_threshold() }}
