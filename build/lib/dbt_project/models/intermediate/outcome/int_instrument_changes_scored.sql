-- One row per case and measure (ors_total, sdq_total:<informant>, wellbeing), each scored by its own rules.
{% set columns = 'case_id, unit_code, measure, n_administrations, first_on, first_score, last_on, last_score, change,
    clinical_at_start, classification, recovered, improved, first_band, last_band, rule_version' %}
select {{ columns }} from {{ ref('int_ors_changes_scored') }}
union all
select {{ columns }} from {{ ref('int_sdq_changes_scored') }}
union all
select {{ columns }} from {{ ref('int_wellbeing_changes_scored') }}
