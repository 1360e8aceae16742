"""Automation: jobs, schedules, sensors and the one decision of what a run rebuilds (freshness)."""
