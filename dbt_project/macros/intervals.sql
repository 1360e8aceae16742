{# Uncertainty of a share of persons or cases (docs/metrics.md#intervals-on-shares), defined here once: the Wilson
   score 95 % interval of x persons or cases out of n. With z = 1.959963984540054 (the 97.5 % quantile of the standard
   normal distribution; z^2 = 3.8414588206941254):

       low, high = ( x + z^2/2  -/+  z * sqrt( x * (n - x) / n + z^2/4 ) ) / ( n + z^2 )

   which is the textbook (p + z^2/2n -/+ z * sqrt(p(1 - p)/n + z^2/4n^2)) / (1 + z^2/n), p = x/n, multiplied through by
   n. The bounds are clamped to 0..1, so 0 of n has low exactly 0 and n of n has high exactly 1. Null when n is null
   or 0 (no share), or when x is not within 0..n. A closed formula, so plain SQL on every engine (sqrt, greatest,
   least), in double precision. #}

{% macro wilson_z() -%}
    cast(1.959963984540054 as double)
{%- endmacro %}

{# One bound of the interval of `successes` out of `trials` (SQL expressions: counts): sign -1 the low, +1 the high. #}
{% macro wilson_bound(successes, trials, sign) -%}
    {%- set x = 'cast(' ~ successes ~ ' as double)' -%}
    {%- set n = 'cast(' ~ trials ~ ' as double)' -%}
    {%- set z = wilson_z() -%}
    case
        when {{ n }} > 0 and {{ x }} >= 0 and {{ x }} <= {{ n }} then
            {{ 'greatest(0.0' if sign < 0 else 'least(1.0' }}, (
                {{ x }} + {{ z }} * {{ z }} / 2
                {{ '-' if sign < 0 else '+' }} {{ z }} * sqrt({{ x }} * ({{ n }} - {{ x }}) / {{ n }} + {{ z }} * {{ z }} / 4)
            ) / ({{ n }} + {{ z }} * {{ z }}))
    end
{%- endmacro %}

{% macro wilson_ci_low(successes, trials) -%}
    cast({{ wilson_bound(successes, trials, -1) }} as double)
{%- endmacro %}

{% macro wilson_ci_high(successes, trials) -%}
    cast({{ wilson_bound(successes, trials, 1) }} as double)
{%- endmacro %}

{# The interval columns of a share: <share>_ci_low, <share>_ci_high. #}
{% macro wilson_ci_columns(share, successes, trials) -%}
    {{ wilson_ci_low(successes, trials) }} as {{ share }}_ci_low,
    {{ wilson_ci_high(successes, trials) }} as {{ share }}_ci_high
{%- endmacro %}
