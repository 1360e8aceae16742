-- Every version of every row of raw.drug_tests, superseded ones too (macro event_versions).
{{ event_versions(source('raw', 'drug_tests'), ['test_id'], 'tested_on') }}
