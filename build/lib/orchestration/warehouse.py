"""The DuckDB warehouse file: connections and the tables the ingest assets own (raw.*, quality.*)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from sources.contracts import Contract, all_contracts

LOAD_LEDGER_COLUMNS = {
    "source": "VARCHAR",
    "file_name": "VARCHAR",
    "content_hash": "VARCHAR",
    "exported_on": "DATE",
    "profile": "VARCHAR",
    "loaded_at": "TIMESTAMP",
    "rows_read": "BIGINT",
    "rows_loaded": "BIGINT",
    "rows_quarantined": "BIGINT",
    "rows_duplicate": "BIGINT",
    "status": "VARCHAR",
    "error": "VARCHAR",
}

QUARANTINE_COLUMNS = {
    "source": "VARCHAR",
    "file": "VARCHAR",
    "row_number": "INTEGER",
    "field": "VARCHAR",
    "rule": "VARCHAR",
    "value": "VARCHAR",
    "loaded_at": "TIMESTAMP",
}

# Changed content for an append key already loaded: the newer export wins, the change is recorded here.
CHANGES_COLUMNS = {
    "source": "VARCHAR",
    "key": "VARCHAR",
    "file": "VARCHAR",
    "previous_file": "VARCHAR",
    "loaded_at": "TIMESTAMP",
}


@contextmanager
def connect(
    path: Path, *, read_only: bool = False, memory_limit: str | None = None, threads: int | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse with extension downloads off; always closed on exit so dbt can take the file."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    if memory_limit:
        config["memory_limit"] = memory_limit
    if threads:
        config["threads"] = threads
    con = duckdb.connect(str(path), read_only=read_only, config=config)
    try:
        yield con
    finally:
        con.close()


def _ddl(table: str, columns: dict[str, str]) -> str:
    cols = ", ".join(f'"{name}" {type_}' for name, type_ in columns.items())
    return f"CREATE TABLE IF NOT EXISTS {table} ({cols})"


def ensure_quality_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS quality")
    con.execute(_ddl("quality.load_ledger", LOAD_LEDGER_COLUMNS))
    con.execute(_ddl("quality.quarantine", QUARANTINE_COLUMNS))
    con.execute(_ddl("quality.key_changes", CHANGES_COLUMNS))


def ensure_raw_table(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(_ddl(f"raw.{contract.source}", contract.raw_columns()))


def ensure_all_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Every raw table exists (empty if no file arrived yet), so dbt staging always has its sources."""
    ensure_quality_tables(con)
    for contract in all_contracts():
        ensure_raw_table(con, contract)
