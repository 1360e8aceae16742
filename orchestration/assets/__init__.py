"""Assets by stage: ingest (landing -> raw), dbt (staging -> marts -> reports), quality checks."""
