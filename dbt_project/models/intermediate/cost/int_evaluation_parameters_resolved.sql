-- One row per unit with every socioeconomic and matched-comparison parameter: the unit's own row in evaluation_parameters
-- overrides the '*' default row, which overrides the seed default (docs/metrics.md defaults).
with defaults as (
    select parameter, value from {{ ref('evaluation_parameter_defaults') }}
),

given as (
    select unit_code, parameter, value from {{ ref('stg_reference__evaluation_parameters') }}
),

resolved as (
    select
        u.unit_code,
        d.parameter,
        coalesce(own.value, star.value, d.value) as value
    from {{ ref('stg_reference__units') }} as u
    cross join defaults as d
    left join given as own on own.unit_code = u.unit_code and own.parameter = d.parameter
    left join given as star on star.unit_code = '*' and star.parameter = d.parameter
)

select
    unit_code,
    {%- for p in ['discount_rate', 'deadweight', 'drop_off', 'optimism_bias_benefits', 'optimism_bias_costs'] %}
    cast(max(case when parameter = '{{ p }}' then value end) as double) as {{ p }},
    {%- endfor %}
    cast(max(case when parameter = 'horizon_years' then value end) as integer) as horizon_years,
    cast(max(case when parameter = 'follow_up_months' then value end) as integer) as follow_up_months,
    -- the matched comparison (evaluation.md)
    {%- for p in ['evaluation_min_cases', 'comparison_k', 'bootstrap_replicates', 'comparison_pool_factor'] %}
    cast(max(case when parameter = '{{ p }}' then value end) as integer) as {{ p }},
    {%- endfor %}
    cast(max(case when parameter = 'caliper_sd' then value end) as double) as caliper_sd
from resolved
group by unit_code
