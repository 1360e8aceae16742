"""The Dagster code location of the follow-up warehouse."""
