"""Ingest: landing files -> validated, pseudonymised rows in raw.<source>, quarantine and the load ledger."""
