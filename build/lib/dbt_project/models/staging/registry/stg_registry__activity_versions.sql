-- Every version of every row of raw.activities, superseded ones too (macro event_versions).
{{ event_versions(source('raw', 'activities'), ['activity_id'], 'activity_on') }}
