"""The published copy for analysts and BI tools, and frozen report periods (docs/operations.md, docs/metrics.md).

The copy is a separate DuckDB file built from the warehouse after a successful build: the marts, the reports and
the quality ledger and findings only. Its report tables go through disclosure control across tables
(`disclosure.py`), then every `reports` table is exported as Parquet, CSV (UTF-8 with BOM, for Excel) and XLSX,
code columns with their labels beside them (text that a spreadsheet would run as a formula neutralised). Database,
exports and manifest of one publication are one folder `versions/<n>`, written under a temporary name, synced,
renamed into place, and switched to readers with one atomic rename of the symbolic link `current`; the stable
paths `followup.duckdb`, `parquet/`, `csv/` and `manifest.json` are links through `current`. A reader sees one
whole version, never a half-written file, and readers never hold a lock the pipeline needs.

Frozen periods: publishing a complete period copies its rows of every period-keyed `reports` table, as readers
are shown them (disclosure control included), into the warehouse schema `publication` (owned by this module, like
raw/quality are owned by the ingest) as version 1, with the export batches loaded at the time. From then on the
published `reports.<table>` shows those rows for that period whatever later exports say; `followup publish
--period P --republish` adds version n + 1 and the earlier versions stay readable in `reports.<table>_history` and
`reports.publications`.
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
from orchestration.publish import disclosure
from orchestration.publish.labels import labelled_query
from orchestration.publish.workbooks import write_query_workbook

COPY_NAME = "followup.duckdb"
MANIFEST_NAME = "manifest.json"
VERSIONS_DIR = "versions"
CURRENT_LINK = "current"
# What readers open: symbolic links through `current`, so all of them change version at the same instant.
STABLE_PATHS = (COPY_NAME, "parquet", "csv", MANIFEST_NAME)
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
    path: Path  # the stable path <published_dir>/followup.duckdb
    tables: dict[str, int]  # schema.table -> rows
    exports: list[Path]
    version: Path | None = None  # <published_dir>/versions/<n>


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
    database = con.execute("SELECT current_database()").fetchone()[0]
    ensure_publication_tables(con)
    protected = _protected_rows(con, database, period_label)
    try:
        _freeze(con, database, protected, period_label, version, as_of, export_batches, now)
    finally:
        con.execute(f"DETACH {protected}")
    return version


def _freeze(con, database, protected, period_label, version, as_of, export_batches, now) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        for table in period_tables(con, database):
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
                f"FROM {protected}.reports.{_quote(table)} WHERE period_label = ?",
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


# ---------------------------------------------------------------------------------------------- the copy


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy_query(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    frozen: set[str],
    *,
    source: str = "wh",
    thawed: str | None = None,
) -> str:
    """The rows of `source`.schema.table as published. `thawed`: a frozen period shown from the current build (the
    one being frozen anew)."""
    relation = f"{_quote(source)}.{_quote(schema)}.{_quote(table)}"
    if schema != "reports" or table not in frozen:
        return f"SELECT * FROM {relation}"
    history = f"{_quote(source)}.{FROZEN_SCHEMA}.{_quote(table)}"
    versions = f"{_quote(source)}.{VERSIONS_TABLE}"
    # A report that gained a column since its last freeze: its frozen rows show null there (UNION ALL BY NAME).
    frozen_columns = set(_columns(con, source, FROZEN_SCHEMA, table))
    columns = ", ".join(_quote(c) for c in _columns(con, source, schema, table) if c in frozen_columns)
    skip = f" AND period_label <> {_literal(thawed)}" if thawed else ""
    # Frozen periods show their latest published version; every other period shows the current build.
    return f"""
        SELECT * FROM {relation}
        WHERE period_label NOT IN (SELECT period_label FROM {versions} WHERE true{skip})
        UNION ALL BY NAME
        SELECT {columns} FROM {history} h
        WHERE {VERSION_COLUMN} = (SELECT max({VERSION_COLUMN}) FROM {versions} v
                                  WHERE v.period_label = h.period_label){skip}"""


def _history_tables(con: duckdb.DuckDBPyConnection, frozen: set[str], *, source: str = "wh", thawed=None) -> None:
    """reports.<table>_history (every published version) and reports.publications, in the current catalog."""
    for table in sorted(frozen):
        con.execute(
            f"CREATE TABLE reports.{_quote(table + '_history')} AS "
            f"SELECT * FROM {_quote(source)}.{FROZEN_SCHEMA}.{_quote(table)} ORDER BY ALL"
        )
    if frozen:
        skip = f" WHERE period_label <> {_literal(thawed)}" if thawed else ""
        con.execute(
            f"CREATE TABLE reports.publications AS SELECT * FROM {_quote(source)}.{VERSIONS_TABLE}{skip} ORDER BY ALL"
        )


def _protected_rows(con: duckdb.DuckDBPyConnection, database: str, period_label: str) -> str:
    """The report tables as the published copy would show them with `period_label` frozen from the current
    build, disclosure control included, in an in-memory catalog; returns its name. What a publication freezes is
    what readers are shown, never the warehouse's table-by-table suppression."""
    scratch = "_freezing"
    con.execute(f"ATTACH ':memory:' AS {scratch}")
    frozen = set(frozen_tables(con, database))
    con.execute(f"USE {scratch}")
    try:
        con.execute("CREATE SCHEMA reports")
        for schema, table in _relations(con, database):
            if schema == "reports":
                query = _copy_query(con, schema, table, frozen, source=database, thawed=period_label)
                con.execute(f"CREATE TABLE reports.{_quote(table)} AS SELECT * FROM ({query}) ORDER BY ALL")
        _history_tables(con, frozen, source=database, thawed=period_label)
        disclosure.run(con)
    finally:
        con.execute(f"USE {_quote(database)}")
    return scratch


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _reached(point: str) -> None:
    """A named point of a publication (exported, versioned, switched). Does nothing; the kill tests replace it to
    stop a publication there."""


def _remove_leftovers(published_dir: Path) -> None:
    """Temporary files of a publication that was killed: never in place, safe to remove (one writer at a time)."""
    for folder in (published_dir, published_dir / VERSIONS_DIR):
        if not folder.is_dir():
            continue
        for leftover in folder.glob(f"{_TMP_PREFIX}*"):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)


# A text cell that a spreadsheet would run as a formula (OWASP: CSV injection) starts with one of these.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _export_query(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """`query` for a spreadsheet: a text cell starting with = + - @, a tab or a carriage return gets a leading
    single quote, so that Excel or LibreOffice shows it as text instead of running it as a formula. Only in the
    exported file: the table keeps the value."""
    starts = ", ".join(f"chr({ord(c)})" for c in FORMULA_START)
    columns = []
    for name, type_, *_ in con.execute(f"DESCRIBE ({query})").fetchall():
        column = _quote(name)
        if type_ == "VARCHAR":
            columns.append(
                f"CASE WHEN left({column}, 1) IN ({starts}) THEN chr(39) || {column} ELSE {column} END AS {column}"
            )
        else:
            columns.append(column)
    return f"SELECT {', '.join(columns)} FROM ({query})"


def _export(con: duckdb.DuckDBPyConnection, table: str, staging: Path) -> list[Path]:
    """reports.<table> as Parquet, as CSV with a UTF-8 byte-order mark (Excel then reads å, ä, ö right) and as XLSX;
    code columns with their labels beside them (labels.py). Text a spreadsheet would run as a formula is
    neutralised in the CSV (`_export_query`) and written as text in the XLSX (workbooks.py)."""
    query = labelled_query(con, table)
    parquet = staging / "parquet" / f"{table}.parquet"
    con.execute(f"COPY ({query}) TO '{parquet}' (FORMAT parquet, COMPRESSION zstd)")
    plain = staging / f"{table}.plain.csv"
    con.execute(f"COPY ({_export_query(con, query)}) TO '{plain}' (FORMAT csv, HEADER true)")
    csv = staging / "csv" / f"{table}.csv"
    with csv.open("wb") as out, plain.open("rb") as src:
        out.write(b"\xef\xbb\xbf")
        shutil.copyfileobj(src, out)
    plain.unlink()
    return [parquet, csv, write_query_workbook(con, query, staging / "csv" / f"{table}.xlsx", table)]


# ---------------------------------------------------------------------------------------------- versions


def _version_number(path: Path) -> int | None:
    return int(path.name) if path.name.isdigit() else None


def current_version(published_dir: Path) -> Path | None:
    """The version folder readers see now (what `current` points to), or None."""
    link = published_dir / CURRENT_LINK
    if not link.is_symlink():
        return None
    target = (published_dir / os.readlink(link)).resolve()
    return target if target.is_dir() else None


def _point(link: Path, target: str) -> None:
    """Make `link` a symbolic link to `target` (relative to the link's folder) with one atomic rename. A real file
    there (a copy from before versioned publications) is replaced the same way; a real folder is moved aside
    first (the one moment that path is missing, once)."""
    tmp = link.parent / f"{_TMP_PREFIX}link-{os.getpid()}-{link.name}"
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    if link.is_dir() and not link.is_symlink():
        aside = link.parent / f"{_TMP_PREFIX}old-{os.getpid()}-{link.name}"
        os.replace(link, aside)
        os.replace(tmp, link)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        os.replace(tmp, link)


def _switch(published_dir: Path, version: Path) -> Path | None:
    """Point `current` at the new version (one atomic rename of a symbolic link) and make sure the stable paths
    lead through `current`. Returns the version that was current before."""
    before = current_version(published_dir)
    _point(published_dir / CURRENT_LINK, f"{VERSIONS_DIR}/{version.name}")
    _fsync(published_dir)
    _reached("switched")
    for name in STABLE_PATHS:
        link = published_dir / name
        wanted = f"{CURRENT_LINK}/{name}"
        if not (link.is_symlink() and os.readlink(link) == wanted):
            _point(link, wanted)
    _fsync(published_dir)
    return before


def _clean_versions(published_dir: Path, keep: set[Path]) -> None:
    """Every version but the current and the previous one (a reader that opened it keeps reading it)."""
    for path in (published_dir / VERSIONS_DIR).iterdir():
        if path.resolve() not in keep and _version_number(path) is not None:
            shutil.rmtree(path, ignore_errors=True)


def write_published_copy(
    warehouse_path: Path,
    published_dir: Path,
    *,
    memory_limit: str | None = None,
    threads: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> PublishedCopy:
    """Build a new version of the published copy and switch readers to it in one step.

    The database, its Parquet, CSV and XLSX exports and the manifest are written together into a temporary folder
    (`.publishing-<pid>`), checkpointed, closed and synced; the folder is renamed to `versions/<n>`; then the
    symbolic link `current` is pointed at it with one atomic rename. `followup.duckdb`, `parquet/`, `csv/` and
    `manifest.json` are stable symbolic links through `current`, so a reader sees the whole previous version or
    the whole new one. The previous version is kept; older ones are removed.

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
        _history_tables(con, frozen)
        con.execute("DETACH wh")
        # What is published is protected as a whole (docs/privacy.md#disclosure-control-across-tables).
        protection = disclosure.run(con)
        if progress:
            progress(
                f"disclosure control: {len(protection.added_variables)} more counts ({protection.added_cells} "
                f"cells) and {protection.hidden_shares} shares suppressed across tables"
            )
        for schema, table in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY ALL"
        ).fetchall():
            tables[f"{schema}.{table}"] = con.execute(
                f"SELECT count(*) FROM {_quote(schema)}.{_quote(table)}"
            ).fetchone()[0]
        if progress:
            progress(f"published copy: {len(tables)} tables built, exporting reports as Parquet, CSV and XLSX")
        for name in tables:
            schema, table = name.split(".", 1)
            if schema == "reports":
                exports += _export(con, table, staging)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    versions = published_dir / VERSIONS_DIR
    versions.mkdir(exist_ok=True)
    number = max((n for p in versions.iterdir() if (n := _version_number(p)) is not None), default=0) + 1
    manifest = {
        "version": number,
        "published_at": datetime.now().isoformat(timespec="seconds"),
        "copy": str(copy_path(published_dir)),
        "tables": tables,
        "disclosure_control": protection.summary(),
    }
    (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    for path in [tmp_db, staging / MANIFEST_NAME, *exports]:
        _fsync(path)
    for folder in (staging / "parquet", staging / "csv", staging):
        _fsync(folder)
    _reached("exported")
    version = versions / str(number)
    os.replace(staging, version)
    _fsync(versions)
    _reached("versioned")
    before = _switch(published_dir, version)
    _clean_versions(published_dir, {version.resolve(), *([before] if before else [])})
    moved = [published_dir / p.parent.name / p.name for p in exports]
    return PublishedCopy(copy_path(published_dir), tables, moved, version)


def _has_versions(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'wh' AND schema_name = ? "
            "AND table_name = 'versions'",
            [FROZEN_SCHEMA],
        ).fetchone()[0]
    )


def published_database(published_dir: Path) -> Path:
    """The database file of the version readers see now: `current` resolved once, so that a reader keeps one
    version even when a publication switches `current` while it reads (a copy from before versioned publications:
    its own file)."""
    version = current_version(published_dir)
    path = version / COPY_NAME if version is not None else copy_path(published_dir)
    if not path.exists():
        raise PublicationError(f"no published copy at {copy_path(published_dir)}: run `followup run` first")
    return path


def open_published(published_dir: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current version of the published copy that cannot reach other files (no
    ATTACH, COPY or reads)."""
    path = published_database(published_dir)
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
