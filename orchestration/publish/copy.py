"""The published copy for analysts and BI tools, and frozen report periods (docs/operations.md, docs/metrics.md).

The copy is a separate DuckDB file built from the warehouse after a successful build: the marts, the reports and
the quality ledger and findings only. It is written under a temporary name in the published folder, checkpointed
and closed, then moved over `<published_dir>/followup.duckdb` with one atomic rename, so a reader always opens
either the previous copy or the new one, never a half-written file, and readers never hold a lock the pipeline
needs. Every `reports` table is also exported as Parquet and as CSV (UTF-8 with BOM, for Excel).

Frozen periods: publishing a complete period copies its rows of every period-keyed `reports` table into the
warehouse schema `publication` (owned by this module, like raw/quality are owned by the ingest) as version 1,
with the export batches loaded at the time. From then on the published `reports.<table>` shows those rows for
that period whatever later exports say; `followup publish --period P --republish` adds version n + 1 and the
earlier versions stay readable in `reports.<table>_history` and `reports.publications`.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from orchestration import warehouse
from orchestration.publish.labels import labelled_query
from orchestration.publish.workbooks import write_query_workbook

COPY_NAME = "followup.duckdb"
MANIFEST_NAME = "manifest.json"
MART_SCHEMAS = ("intake", "process", "outcome", "cost", "evaluation", "reports")
QUALITY_TABLES = ("load_ledger", "findings", "follow_up_completeness")
FROZEN_SCHEMA = "publication"
VERSIONS_TABLE = f"{FROZEN_SCHEMA}.versions"
VERSION_COLUMN = "publication_version"
# Report tables that describe periods rather than figures are never frozen.
NOT_FROZEN = ("periods",)
_TMP_PREFIX = ".publishing-"


class PublicationError(RuntimeError):
    """A publication that cannot be done, with a one-line reason."""


@dataclass(frozen=True)
class PublishedCopy:
    path: Path
    tables: dict[str, int]  # schema.table -> rows
    exports: list[Path]


def copy_path(published_dir: Path) -> Path:
    return published_dir / COPY_NAME


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _relations(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple[str, str]]:
    """The warehouse relations that go into the copy: the mart and report schemas, the ledger and findings."""
    rows = con.execute(
        """SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = $db
           UNION ALL SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = $db AND NOT internal""",
        {"db": database},
    ).fetchall()
    wanted = [(s, t) for s, t in rows if s in MART_SCHEMAS or (s == "quality" and t in QUALITY_TABLES)]
    return sorted(wanted)


def _columns(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            """SELECT column_name FROM duckdb_columns()
               WHERE database_name = ? AND schema_name = ? AND table_name = ? ORDER BY column_index""",
            [database, schema, table],
        ).fetchall()
    ]


def frozen_tables(con: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    """The report tables that have frozen rows in the warehouse's publication schema."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? AND table_name <> ?",
        [database, FROZEN_SCHEMA, "versions"],
    ).fetchall()
    return sorted(r[0] for r in rows)


def period_tables(con: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    """Report tables keyed by period (a period_label column): the ones a publication freezes."""
    return [
        t
        for s, t in _relations(con, database)
        if s == "reports" and t not in NOT_FROZEN and "period_label" in _columns(con, database, s, t)
    ]


# ---------------------------------------------------------------------------------------------- frozen periods


def ensure_publication_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {FROZEN_SCHEMA}")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} (
                period_label VARCHAR, {VERSION_COLUMN} INTEGER, published_at TIMESTAMP, as_of_date DATE,
                export_batches VARCHAR)"""
    )


def published_versions(con: duckdb.DuckDBPyConnection, period_label: str) -> list[tuple[int, datetime]]:
    ensure_publication_tables(con)
    return con.execute(
        f"SELECT {VERSION_COLUMN}, published_at FROM {VERSIONS_TABLE} WHERE period_label = ? ORDER BY 1",
        [period_label],
    ).fetchall()


def freeze_period(
    con: duckdb.DuckDBPyConnection, period_label: str, *, republish: bool = False, now: datetime | None = None
) -> int | None:
    """Freeze a complete period's report rows as a new version; None when it is already published and this is
    not an explicit re-publish. One transaction: a killed publication leaves no partial version."""
    period = con.execute(
        "SELECT is_complete, measured_to FROM reports.periods WHERE period_label = ?", [period_label]
    ).fetchone()
    if period is None:
        raise PublicationError(f"period {period_label} is not in reports.periods (run the pipeline first)")
    if not period[0]:
        raise PublicationError(f"period {period_label} is not complete yet (measured to {period[1]})")
    versions = published_versions(con, period_label)
    if versions and not republish:
        return None
    version = (versions[-1][0] if versions else 0) + 1
    batches = con.execute(
        """SELECT source, file_name, exported_on, left(content_hash, 16) AS batch_id FROM quality.load_ledger
           WHERE status = 'loaded' ORDER BY source, exported_on, file_name"""
    ).fetchall()
    export_batches = json.dumps(
        [{"source": s, "file": f, "exported_on": str(e), "batch_id": b} for s, f, e, b in batches]
    )
    as_of = con.execute("SELECT max(measured_to) FROM reports.periods").fetchone()[0]
    con.execute("BEGIN TRANSACTION")
    try:
        for table in period_tables(con, con.execute("SELECT current_database()").fetchone()[0]):
            history = f"{FROZEN_SCHEMA}.{_quote(table)}"
            con.execute(
                f"CREATE TABLE IF NOT EXISTS {history} AS "
                f"SELECT *, 0::INTEGER AS {VERSION_COLUMN} FROM reports.{_quote(table)} LIMIT 0"
            )
            # A report that gained a column since its first freeze: the history gains it too (older rows null).
            have = set(_columns(con, con.execute("SELECT current_database()").fetchone()[0], FROZEN_SCHEMA, table))
            for name, type_, *_ in con.execute(f"DESCRIBE reports.{_quote(table)}").fetchall():
                if name not in have:
                    con.execute(f"ALTER TABLE {history} ADD COLUMN {_quote(name)} {type_}")
            con.execute(
                f"INSERT INTO {history} BY NAME SELECT *, {version}::INTEGER AS {VERSION_COLUMN} "
                f"FROM reports.{_quote(table)} WHERE period_label = ?",
                [period_label],
            )
        con.execute(
            f"INSERT INTO {VERSIONS_TABLE} VALUES (?, ?, ?, ?, ?)",
            [period_label, version, now or datetime.now(), as_of, export_batches],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return version


# ---------------------------------------------------------------------------------------------- the copy


def _copy_query(con: duckdb.DuckDBPyConnection, schema: str, table: str, frozen: set[str]) -> str:
    source = f"wh.{_quote(schema)}.{_quote(table)}"
    if schema != "reports" or table not in frozen:
        return f"SELECT * FROM {source}"
    history = f"wh.{FROZEN_SCHEMA}.{_quote(table)}"
    # A report that gained a column since its last freeze: its frozen rows show null there (UNION ALL BY NAME).
    frozen_columns = set(_columns(con, "wh", FROZEN_SCHEMA, table))
    columns = ", ".join(_quote(c) for c in _columns(con, "wh", schema, table) if c in frozen_columns)
    # Frozen periods show their latest published version; every other period shows the current build.
    return f"""
        SELECT * FROM {source}
        WHERE period_label NOT IN (SELECT period_label FROM wh.{VERSIONS_TABLE})
        UNION ALL BY NAME
        SELECT {columns} FROM {history} h
        WHERE {VERSION_COLUMN} = (SELECT max({VERSION_COLUMN}) FROM wh.{VERSIONS_TABLE} v
                                  WHERE v.period_label = h.period_label)"""


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_leftovers(published_dir: Path) -> None:
    """Temporary files of a publication that was killed: never in place, safe to remove (one writer at a time)."""
    for leftover in published_dir.rglob(f"{_TMP_PREFIX}*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _export(con: duckdb.DuckDBPyConnection, table: str, staging: Path) -> list[Path]:
    """reports.<table> as Parquet, as CSV with a UTF-8 byte-order mark (Excel then reads å, ä, ö right) and as XLSX;
    code columns with their labels beside them (labels.py)."""
    query = labelled_query(con, table)
    parquet = staging / "parquet" / f"{table}.parquet"
    con.execute(f"COPY ({query}) TO '{parquet}' (FORMAT parquet, COMPRESSION zstd)")
    plain = staging / f"{table}.plain.csv"
    con.execute(f"COPY ({query}) TO '{plain}' (FORMAT csv, HEADER true)")
    csv = staging / "csv" / f"{table}.csv"
    with csv.open("wb") as out, plain.open("rb") as src:
        out.write(b"\xef\xbb\xbf")
        shutil.copyfileobj(src, out)
    plain.unlink()
    return [parquet, csv, write_query_workbook(con, query, staging / "csv" / f"{table}.xlsx", table)]


def write_published_copy(
    warehouse_path: Path,
    published_dir: Path,
    *,
    memory_limit: str | None = None,
    threads: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> PublishedCopy:
    """Build the copy under a temporary name, checkpoint and close it, export the reports, then rename into place.

    The warehouse is only read (attached read-only); the caller makes sure no other process writes it.
    """
    published_dir.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(published_dir)
    staging = published_dir / f"{_TMP_PREFIX}{os.getpid()}"
    (staging / "parquet").mkdir(parents=True)
    (staging / "csv").mkdir()
    tmp_db = staging / COPY_NAME
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    if memory_limit:
        config["memory_limit"] = memory_limit
    if threads:
        config["threads"] = threads
    tables: dict[str, int] = {}
    exports: list[Path] = []
    con = duckdb.connect(str(tmp_db), config=config)
    try:
        con.execute(f"ATTACH '{warehouse_path.resolve()}' AS wh (READ_ONLY)")
        frozen = set(frozen_tables(con, "wh")) if _has_versions(con) else set()
        relations = _relations(con, "wh")
        for schema, table in relations:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}")
            con.execute(
                f"CREATE TABLE {_quote(schema)}.{_quote(table)} AS "
                f"SELECT * FROM ({_copy_query(con, schema, table, frozen)}) ORDER BY ALL"
            )
        for table in sorted(frozen):
            con.execute(
                f"CREATE TABLE reports.{_quote(table + '_history')} AS "
                f"SELECT * FROM wh.{FROZEN_SCHEMA}.{_quote(table)} ORDER BY ALL"
            )
        if frozen:
            con.execute(f"CREATE TABLE reports.publications AS SELECT * FROM wh.{VERSIONS_TABLE} ORDER BY ALL")
        con.execute("DETACH wh")
        for schema, table in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY ALL"
        ).fetchall():
            tables[f"{schema}.{table}"] = con.execute(
                f"SELECT count(*) FROM {_quote(schema)}.{_quote(table)}"
            ).fetchone()[0]
        if progress:
            progress(f"published copy: {len(tables)} tables built, exporting reports as Parquet and CSV")
        for name in tables:
            schema, table = name.split(".", 1)
            if schema == "reports":
                exports += _export(con, table, staging)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    _fsync(tmp_db)
    # Exports first, the database last: once the new copy is in place, its exports are too.
    for folder in ("parquet", "csv"):
        target = published_dir / folder
        target.mkdir(exist_ok=True)
        fresh = {p.name for p in (staging / folder).iterdir()}
        for path in sorted((staging / folder).iterdir()):
            os.replace(path, target / path.name)
        for stale in target.iterdir():
            if stale.name not in fresh:
                stale.unlink()
    final = copy_path(published_dir)
    os.replace(tmp_db, final)
    _fsync(published_dir)
    manifest = {
        "published_at": datetime.now().isoformat(timespec="seconds"),
        "copy": str(final),
        "tables": tables,
    }
    tmp_manifest = staging / MANIFEST_NAME
    tmp_manifest.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(tmp_manifest, published_dir / MANIFEST_NAME)
    shutil.rmtree(staging, ignore_errors=True)
    moved = [published_dir / p.parent.name / p.name for p in exports]
    return PublishedCopy(final, tables, moved)


def _has_versions(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'wh' AND schema_name = ? "
            "AND table_name = 'versions'",
            [FROZEN_SCHEMA],
        ).fetchone()[0]
    )


def open_published(published_dir: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published copy that cannot reach other files (no ATTACH, COPY or reads)."""
    path = copy_path(published_dir)
    if not path.exists():
        raise PublicationError(f"no published copy at {path}: run `followup run` first")
    return duckdb.connect(
        str(path),
        read_only=True,
        config={
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        },
    )


def publish_period(
    warehouse_path: Path, period_label: str, *, republish: bool = False, memory_limit: str | None = None
) -> int | None:
    with warehouse.connect(warehouse_path, memory_limit=memory_limit) as con:
        ensure_publication_tables(con)
        return freeze_period(con, period_label, republish=republish)
