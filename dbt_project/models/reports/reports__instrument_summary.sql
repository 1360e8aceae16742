-- outcome.instrument_summary for publication (docs/privacy.md): per unit, period and measure the pairs and their
-- classifications (counts, suppressed when small), the improvement shares and the follow-up coverage (pairs among
-- the active cases), each share only when its denominator is at least k and its numerator not small.
with summary as (
    select * from {{ ref('outcome__instrument_summary') }}
)

select
    {{- published_columns(
        ['unit_code', 'period_label', 'measure', 'cases_with_pair', 'reliable_improvement', 'no_reliable_change',
         'reliable_deterioration', 'recovered', 'improved', 'ors_reliable_improvement_share',
         'wellbeing_improved_share', 'active_cases', 'follow_up_coverage'],
        ['cases_with_pair', 'reliable_improvement', 'no_reliable_change', 'reliable_deterioration', 'recovered',
         'improved', 'active_cases'],
        {
            'ors_reliable_improvement_share': ['cases_with_pair', 'reliable_improvement'],
            'wellbeing_improved_share': ['cases_with_pair', 'improved'],
            'follow_up_coverage': ['active_cases', 'cases_with_pair'],
        }
    ) }}
from summary
