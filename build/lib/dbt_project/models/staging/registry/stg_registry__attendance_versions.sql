-- Every version of every row of raw.attendance, superseded ones too (macro event_versions).
{{ event_versions(source('raw', 'attendance'), ['case_id', 'attendance_on'], 'attendance_on') }}
