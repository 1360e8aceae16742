"""Load one source's landing files into raw.<source>: ledger first, then rows, all or nothing per file."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from orchestration.warehouse import ensure_all_tables
from sources.contracts import Contract, load_contract
from sources.identity import mask_text, pseudonym
from sources.profiles import Profile
from sources.readers import ROW_NUMBER, RejectedFile, choose_profile, read_file
from sources.validation import validate

_EXPORT_DATE = re.compile(r"_(\d{4}-\d{2}-\d{2})\.(csv|xlsx)$", re.IGNORECASE)
LANDING_SUFFIXES = (".csv", ".xlsx")
INSERT_SLICE_ROWS = 1_000_000  # rows handed to DuckDB per insert: bounds the Arrow copy of a large file
UNREADABLE = "unreadable"  # the ledger's content_hash of a file that could not be read at all
# Errors of the warehouse or the machine (disk, memory, lock, interrupt) say nothing about the file: they fail the
# source's asset, and the next run tries the file again. Every other error rejects the file.
WAREHOUSE_ERRORS = (
    MemoryError,
    duckdb.IOException,
    duckdb.OutOfMemoryException,
    duckdb.FatalException,
    duckdb.InterruptException,
)


@dataclass(frozen=True)
class FileOutcome:
    source: str
    file_name: str
    # loaded, skipped_same_content, rejected; not recorded again: unchanged (seen before), previously_rejected
    # (rejected by an earlier run, same name and content)
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    profile: str | None = None
    error: str | None = None
    extra_columns: tuple[str, ...] = ()


def export_date_of(path: Path, first_seen: date) -> date:
    """The export date in the file name (…_YYYY-MM-DD.csv), else the day the file was first seen."""
    m = _EXPORT_DATE.search(path.name)
    if m:
        try:
            return date.fromisoformat(m.group(1))
        except ValueError:
            pass
    return first_seen


def content_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def landing_files(landing_dir: Path, source: str) -> list[Path]:
    """Every file in the source's folder: files of other kinds are seen too, and rejected with a reason."""
    folder = landing_dir / source
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def _ledger_row(
    con: duckdb.DuckDBPyConnection, outcome: FileOutcome, digest: str, exported_on: date | None, loaded_at: datetime
) -> None:
    con.execute(
        "INSERT INTO quality.load_ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            outcome.source,
            outcome.file_name,
            digest,
            exported_on,
            outcome.profile,
            loaded_at,
            outcome.rows_read,
            outcome.rows_loaded,
            outcome.rows_quarantined,
            outcome.rows_duplicate,
            outcome.status,
            outcome.error,
        ],
    )


def _pseudonymise(frame: pl.DataFrame, contract: Contract, person_ids: pl.DataFrame, key: bytes) -> pl.DataFrame:
    person = contract.person_field
    if person is None:
        return frame
    lookup = person_ids.select(
        person.name,
        pl.Series("person_key", [pseudonym(key, n) for n in person_ids["normalised"].to_list()], dtype=pl.Utf8),
        pl.col("birth_date").alias("person_birth_date"),
        pl.col("legal_sex").alias("person_legal_sex"),
    )
    if "person_legal_sex" not in contract.raw_columns():
        lookup = lookup.drop("person_legal_sex")
    # The raw number is dropped here, before anything is written.
    return frame.join(lookup, on=person.name, how="left").drop(person.name)


def _write_rows(con: duckdb.DuckDBPyConnection, contract: Contract, rows: pl.DataFrame) -> tuple[int, int]:
    """Insert a file's valid rows; for append sources skip keys already loaded with identical content.

    Returns (rows_loaded, rows_duplicate). Changed content under a known key is loaded (the newer export
    wins in staging) and recorded in quality.key_changes.

    Only rows whose key is already in raw go through the content comparison; the others (a new month's export:
    nearly all of them) are inserted as they are: comparing all of them cost gigabytes (BENCHMARKS.md). Both
    steps read raw only as committed before this file: DuckDB 2.0.0 scans a large table filled
    earlier in the same transaction as empty (a file once reported as loaded wrote nothing), so the rows are read
    straight from the registered Arrow frame and the comparison runs before any insert.
    """
    total, loaded = rows.height, 0
    known_numbers = _rows_with_known_keys(con, contract, rows) if contract.load_mode == "append" else []
    if len(known_numbers):
        known = pl.col(ROW_NUMBER).is_in(known_numbers.implode())
        loaded += _insert_changed(con, contract, rows.filter(known))
        rows = rows.filter(~known)
    for start in range(0, rows.height, INSERT_SLICE_ROWS):
        loaded += _insert(con, contract, rows.slice(start, INSERT_SLICE_ROWS))
    return loaded, total - loaded


def _typed_select(contract: Contract, rows: pl.DataFrame) -> str:
    """The registered frame typed as the raw table."""
    typed = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in contract.raw_columns().items() if c in rows.columns)
    return f"(SELECT {typed} FROM _incoming_frame)"


def _unregister(con: duckdb.DuckDBPyConnection, view: str) -> None:
    """Unregister a frame; in an aborted transaction this raises, and must not hide the error that aborted it."""
    try:
        con.unregister(view)
    except duckdb.Error:
        pass


def _registered(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame, sql: str) -> list[tuple]:
    con.register("_incoming_frame", rows.to_arrow())
    try:
        return con.execute(sql).fetchall()
    finally:
        _unregister(con, "_incoming_frame")


def _key_match(contract: Contract) -> str:
    return " AND ".join(f'i."{k}" IS NOT DISTINCT FROM r."{k}"' for k in contract.raw_key)


def _rows_with_known_keys(con: duckdb.DuckDBPyConnection, contract: Contract, rows: pl.DataFrame) -> pl.Series:
    if not con.execute(f"SELECT EXISTS (SELECT 1 FROM raw.{contract.source})").fetchall()[0][0]:
        return pl.Series(ROW_NUMBER, [], dtype=rows[ROW_NUMBER].dtype)  # the first file: nothing to compare with
    found = _registered(
        con,
        rows,
        f"""SELECT i.{ROW_NUMBER} FROM {_typed_select(contract, rows)} i
            WHERE EXISTS (SELECT 1 FROM raw.{contract.source} r WHERE {_key_match(contract)})""",
    )
    return pl.Series(ROW_NUMBER, [r[0] for r in found], dtype=rows[ROW_NUMBER].dtype)


def _insert(con: duckdb.DuckDBPyConnection, contract: Contract, rows: pl.DataFrame) -> int:
    if not rows.height:
        return 0
    return _registered(
        con, rows, f"INSERT INTO raw.{contract.source} BY NAME SELECT * FROM {_typed_select(contract, rows)}"
    )[0][0]


def _insert_changed(con: duckdb.DuckDBPyConnection, contract: Contract, rows: pl.DataFrame) -> int:
    """Rows under keys already loaded: those with changed content are inserted and recorded, the rest are duplicates."""
    table, keys, incoming = f"raw.{contract.source}", contract.raw_key, _typed_select(contract, rows)
    on = _key_match(contract)
    content = [c for c in contract.raw_columns() if not c.startswith("_")]
    same = " AND ".join(f'i."{c}" IS NOT DISTINCT FROM r."{c}"' for c in content)
    key_text = " || '|' || ".join(f"coalesce(cast(i.\"{k}\" as varchar), '')" for k in keys)
    current = f"""(
        SELECT * FROM {table} r
        WHERE EXISTS (SELECT 1 FROM {incoming} i WHERE {on})
        QUALIFY row_number() OVER (PARTITION BY {", ".join(f'"{k}"' for k in keys)}
                                   ORDER BY _exported_on DESC, _loaded_at DESC, _row_number DESC) = 1)"""
    con.register("_incoming_frame", rows.to_arrow())
    try:
        con.execute(
            f"""
            INSERT INTO quality.key_changes
            SELECT '{contract.source}', {key_text}, i._file, r._file, i._loaded_at
            FROM {incoming} i JOIN {current} r ON {on} WHERE NOT ({same})
            """
        ).fetchall()
        changed = f"SELECT * FROM {incoming} i WHERE NOT EXISTS (SELECT 1 FROM {current} r WHERE {on} AND {same})"
        return con.execute(f"INSERT INTO {table} BY NAME {changed}").fetchall()[0][0]
    finally:
        _unregister(con, "_incoming_frame")


def display_name(path: Path) -> str:
    """The file's name as the warehouse, the logs and the instance store it: identity numbers masked."""
    return mask_text(path.name)


def rejection_reason(name: str, exc: Exception) -> str:
    """One line for the ledger: a RejectedFile's own message, else the exception's type and first line."""
    if isinstance(exc, RejectedFile):
        text = str(exc)
    else:
        first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
        text = f"{name}: could not be loaded ({type(exc).__name__}{': ' + first[:200] if first else ''})"
    # Exception texts may quote the file's name or values: identity numbers masked, on one line.
    return mask_text(" ".join(text.split())) or f"{name}: could not be loaded"


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass  # no transaction open any more


def _reject(
    con: duckdb.DuckDBPyConnection,
    source: str,
    name: str,
    digest: str,
    exported_on: date | None,
    loaded_at: datetime,
    reason: str,
) -> FileOutcome:
    outcome = FileOutcome(source, name, "rejected", error=reason)
    _ledger_row(con, outcome, digest, exported_on, loaded_at)
    return outcome


def load_file(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    path: Path,
    profiles: list[Profile],
    key: bytes,
    loaded_at: datetime,
    patterns: dict[str, str] | None = None,
) -> FileOutcome:
    """One landing file into the warehouse; whatever goes wrong with the file itself ends in its ledger row.

    Any exception while reading, validating, pseudonymising or writing the file rejects it with a one-line reason
    and leaves the warehouse as it was (the write is one transaction), so the source's other files still load.
    Only errors of the warehouse itself (WAREHOUSE_ERRORS) propagate: they say nothing about the file.
    """
    source = contract.source
    name = display_name(path)
    exported_on = export_date_of(path, loaded_at.date())
    try:
        digest = content_hash(path)
    except OSError as exc:
        digest = UNREADABLE  # recorded once, like any rejection; a readable version gets its own hash
        reason = f"{name}: file not readable ({exc.strerror or type(exc).__name__})"
    else:
        reason = None
    seen = con.execute(
        "SELECT file_name, status, error FROM quality.load_ledger WHERE source = ? AND content_hash = ?",
        [source, digest],
    ).fetchall()
    previous = next(((status, error) for n, status, error in seen if n == name), None)
    if previous is not None:
        # Seen before under this name and content: not recorded again. A file rejected by an earlier run stays
        # flagged (the run summary, `followup status`) but does not fail this run: that run reported it.
        status = "previously_rejected" if previous[0] == "rejected" else "unchanged"
        return FileOutcome(source, name, status, error=previous[1])
    if reason is not None:
        return _reject(con, source, name, digest, exported_on, loaded_at, reason)
    if any(status == "loaded" for _, status, _ in seen):
        outcome = FileOutcome(
            source,
            name,
            "skipped_same_content",
            error=f"{name}: same content as {mask_text(seen[0][0])}, already loaded",
        )
        _ledger_row(con, outcome, digest, exported_on, loaded_at)
        return outcome

    try:
        if path.suffix.lower() not in LANDING_SUFFIXES:
            raise RejectedFile(f"{path.name}: not a CSV or XLSX file")
        profile = choose_profile(path, contract, profiles)
        read = read_file(path, contract, profile)
        checked = validate(read.frame, contract, profile, exported_on, patterns)
        rows = _pseudonymise(checked.valid, contract, checked.person_ids, key).with_columns(
            pl.lit(digest[:16]).alias("_batch_id"),
            pl.lit(name).alias("_file"),
            pl.col(ROW_NUMBER).cast(pl.Int32),
            pl.lit(exported_on).alias("_exported_on"),
            pl.lit(loaded_at).alias("_loaded_at"),
        )
        quarantine = checked.findings.select(
            pl.lit(source).alias("source"),
            pl.lit(name).alias("file"),
            pl.col(ROW_NUMBER).cast(pl.Int32).alias("row_number"),
            "field",
            "rule",
            "value",
            pl.lit(loaded_at).alias("loaded_at"),
        )
    except WAREHOUSE_ERRORS:
        raise
    except Exception as exc:  # noqa: BLE001 (whatever a malformed file makes a reader raise: the file's problem)
        return _reject(con, source, name, digest, exported_on, loaded_at, rejection_reason(name, exc))

    con.execute("BEGIN TRANSACTION")
    try:
        loaded, duplicate = _write_rows(con, contract, rows)
        outcome = FileOutcome(
            source,
            name,
            "loaded",
            rows_read=read.frame.height,
            rows_loaded=loaded,
            rows_quarantined=checked.rows_quarantined,
            rows_duplicate=duplicate,
            profile=profile.name,
            extra_columns=read.extra_columns,
        )
        _ledger_row(con, outcome, digest, exported_on, loaded_at)
        if quarantine.height:
            con.register("_quarantine_frame", quarantine.to_arrow())
            try:
                con.execute("INSERT INTO quality.quarantine BY NAME SELECT * FROM _quarantine_frame").fetchall()
            finally:
                _unregister(con, "_quarantine_frame")
        con.execute("COMMIT")
    except WAREHOUSE_ERRORS:
        _rollback(con)
        raise
    except Exception as exc:  # noqa: BLE001 (a value DuckDB refuses: nothing of the file is kept)
        _rollback(con)
        return _reject(con, source, name, digest, exported_on, loaded_at, rejection_reason(name, exc))
    except BaseException:
        _rollback(con)
        raise
    return outcome


def reserve_patterns(
    con: duckdb.DuckDBPyConnection, units_files: list[Path], profiles: list[Profile]
) -> dict[str, str]:
    """unit_code -> reserve-number pattern: from the newest readable units export in the landing folder (it
    may not be loaded yet: sources load in any order), else from the units already in the warehouse."""
    contract = load_contract("units")
    today = date.today()
    for path in sorted(units_files, key=lambda p: (export_date_of(p, today), p.name), reverse=True):
        try:
            frame = read_file(path, contract, choose_profile(path, contract, profiles)).frame
        except WAREHOUSE_ERRORS:
            raise
        except Exception:  # noqa: BLE001 (an unreadable units file: its own load rejects it with the reason)
            continue
        return _compiling(
            frame.filter(pl.col("person_id_pattern").is_not_null()).select("unit_code", "person_id_pattern").iter_rows()
        )
    return _compiling(
        con.execute(
            """SELECT unit_code, person_id_pattern FROM raw.units
               WHERE person_id_pattern IS NOT NULL
                 AND _exported_on = (SELECT max(_exported_on) FROM raw.units)"""
        ).fetchall()
    )


def _compiling(pairs) -> dict[str, str]:
    """Only patterns that are regular expressions: a broken one validates no reserve number (its unit's reserve
    numbers are quarantined) instead of failing every file that carries identity numbers."""
    patterns = {}
    for unit, pattern in pairs:
        try:
            re.compile(pattern, re.ASCII)  # as reserve_match uses it
        except re.error:
            continue
        patterns[unit] = pattern
    return patterns


def load_source(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    files: list[Path],
    profiles: list[Profile],
    key: bytes,
    loaded_at: datetime,
    patterns: dict[str, str] | None = None,
) -> list[FileOutcome]:
    ensure_all_tables(con)
    mask_stored_file_names(con, contract.source)
    # Oldest export first, so that "the newer export wins" follows the order files were exported in.
    ordered = sorted(files, key=lambda p: (export_date_of(p, loaded_at.date()), p.name))
    return [load_file(con, contract, path, profiles, key, loaded_at, patterns) for path in ordered]


def rejected_in_landing(con: duckdb.DuckDBPyConnection, landing_dir: Path) -> list[tuple[str, str, str, datetime]]:
    """Rejected files still in the landing folder (same masked name): source, file, reason, when rejected."""
    rejected = con.execute(
        """SELECT source, file_name, error, max(loaded_at) FROM quality.load_ledger
           WHERE status = 'rejected' GROUP BY ALL ORDER BY ALL"""
    ).fetchall()
    present: dict[str, set[str]] = {}
    for source in {r[0] for r in rejected}:
        present[source] = {display_name(p) for p in landing_files(landing_dir, source)}
    return [r for r in rejected if r[1] in present[r[0]]]


def mask_stored_file_names(con: duckdb.DuckDBPyConnection, source: str) -> int:
    """Mask identity numbers in the file names a warehouse loaded before names were masked (ledger, raw._file,
    quarantine, key changes), so that its files are recognised under their masked names and the number is gone.
    Costs one look at the source's ledger rows when there is nothing to do. Returns the names changed."""
    names = [
        n
        for (n,) in con.execute(
            "SELECT DISTINCT file_name FROM quality.load_ledger WHERE source = ?", [source]
        ).fetchall()
        if mask_text(n) != n
    ]
    if not names:
        return 0
    con.execute("BEGIN TRANSACTION")
    try:
        for name in names:
            masked = mask_text(name)
            con.execute(
                "UPDATE quality.load_ledger SET file_name = ? WHERE source = ? AND file_name = ?",
                [masked, source, name],
            )
            con.execute(
                "UPDATE quality.load_ledger SET error = replace(error, ?, ?) WHERE source = ? AND contains(error, ?)",
                [name, masked, source, name],
            )
            con.execute(f"UPDATE raw.{source} SET _file = ? WHERE _file = ?", [masked, name])
            con.execute("UPDATE quality.quarantine SET file = ? WHERE source = ? AND file = ?", [masked, source, name])
            con.execute("UPDATE quality.key_changes SET file = ? WHERE source = ? AND file = ?", [masked, source, name])
            con.execute(
                "UPDATE quality.key_changes SET previous_file = ? WHERE source = ? AND previous_file = ?",
                [masked, source, name],
            )
        con.execute("COMMIT")
    except BaseException:
        _rollback(con)
        raise
    return len(names)
