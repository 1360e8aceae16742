"""The `followup` command line and what it prints (status, run summary, progress, reports)."""
