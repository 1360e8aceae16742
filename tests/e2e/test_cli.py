"""The README's path on a fresh directory: `followup demo` then `followup run`, twice."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

FOLLOWUP = str(Path(sys.executable).parent / "followup")


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    # A clean environment: only what a data team would set, nothing leaked from other tests.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "DAGSTER_"))}
    env["FOLLOWUP_AS_OF_DATE"] = "2026-11-01"
    return subprocess.run([FOLLOWUP, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_demo_then_run_twice(tmp_path):
    demo = _run(["demo", "--scale", "0.2", "--seed", "7"], tmp_path)
    assert demo.returncode == 0, demo.stderr
    key_file = tmp_path / "data" / "secrets" / "pseudonym.key"
    assert "created a local demo pseudonymisation key" in demo.stdout
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"

    first = _run(["run"], tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "all steps succeeded" in first.stdout
    warehouse = tmp_path / "data" / "warehouse" / "followup.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ledger = con.execute(
            "SELECT count(*), sum(rows_read), sum(rows_loaded + rows_quarantined + rows_duplicate) "
            "FROM quality.load_ledger WHERE status = 'loaded'"
        ).fetchone()
        units = {r[0] for r in con.execute("SELECT unit_code FROM raw.units").fetchall()}
        with_rows = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT unit_code FROM intake.period_summary WHERE active_cases > 0"
            ).fetchall()
        }
        quarantined = con.execute(
            "SELECT count(DISTINCT (source, file, row_number)) FROM quality.quarantine"
        ).fetchone()[0]
        schemas = {r[0] for r in con.execute("SELECT DISTINCT table_schema FROM information_schema.tables").fetchall()}
        raw_counts = con.execute("SELECT count(*) FROM raw.enrolments").fetchone()[0]
        ledger_rows = con.execute("SELECT count(*) FROM quality.load_ledger").fetchone()[0]
    assert ledger[0] >= 9 and ledger[1] == ledger[2]
    assert quarantined > 0
    assert units and with_rows == units, f"units without intake rows: {units - with_rows}"
    assert {"intake", "process", "outcome", "cost", "reports", "quality"} <= schemas

    copy = tmp_path / "data" / "published" / "followup.duckdb"
    copied_at = copy.stat().st_mtime_ns
    second = _run(["run"], tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "files: 0 loaded, 0 skipped (same content), 0 rejected this run" in second.stdout
    # Nothing new and the same as-of date: the marts and the published copy are kept as they are.
    assert "marts up to date: nothing loaded since their build at" in second.stdout
    assert "building marts" not in second.stdout
    assert copy.stat().st_mtime_ns == copied_at
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.enrolments").fetchone()[0] == raw_counts
        assert con.execute("SELECT count(*) FROM quality.load_ledger").fetchone()[0] == ledger_rows
