"""Two `followup run` at once on one warehouse: one writes, the other says in one line who does and exits 3 (or,
with --wait, waits for it); never DuckDB's "Could not set lock" or a traceback."""

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

FOLLOWUP = str(Path(sys.executable).parent / "followup")
BUSY = re.compile(
    r"error: a run is in progress \(pid (\d+) since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d, followup run\); the warehouse "
    r"takes one writer at a time: try again when it has finished\n"
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "DAGSTER_"))}
    return env | {"FOLLOWUP_AS_OF_DATE": "2026-11-01"}


def _together(cwd: Path, *commands: list[str]) -> list[tuple[int, int, str, str]]:
    """Start the commands at the same moment; (pid, exit code, stdout, stderr) of each."""
    procs = [
        subprocess.Popen([FOLLOWUP, *c], cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for c in commands
    ]
    done = []
    for p in procs:
        out, err = p.communicate(timeout=900)
        done.append((p.pid, p.returncode, out, err))
    return done


def _clean(out: str, err: str) -> None:
    for text in (out, err):
        assert "Could not set lock" not in text and "Traceback" not in text and "IOException" not in text, text


def _one_ran_one_refused(runs) -> tuple:
    assert sorted(code for _, code, _, _ in runs) == [0, 3], runs
    (winner,) = [r for r in runs if r[1] == 0]
    (refused,) = [r for r in runs if r[1] == 3]
    for _, _, out, err in runs:
        _clean(out, err)
    # The refusal names the process that writes, and says nothing else.
    match = BUSY.fullmatch(refused[3])
    assert match and int(match.group(1)) == winner[0], refused[3]
    assert refused[2] == ""
    assert "all steps succeeded" in winner[2]
    return winner, refused


def test_two_runs_at_once_one_writes_the_other_refuses_cleanly(tmp_path):
    demo = subprocess.run(
        [FOLLOWUP, "demo", "--scale", "0.05"], cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=300
    )
    assert demo.returncode == 0, demo.stderr
    warehouse = tmp_path / "data" / "warehouse" / "followup.duckdb"

    # Two full runs on an empty warehouse.
    winner, _ = _one_ran_one_refused(_together(tmp_path, ["run"], ["run"]))
    assert "building marts (dbt)" in winner[2]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        files = con.execute("SELECT count(*) FROM quality.load_ledger").fetchone()[0]
        loaded_twice = con.execute(
            "SELECT count(*) FROM (SELECT source, file_name FROM quality.load_ledger GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone()[0]
    landed = sum(1 for p in (tmp_path / "data" / "landing").rglob("*") if p.is_file())
    assert files == landed and loaded_twice == 0

    # Two no-op runs: the same, one of them refused (no more "both fail").
    winner, _ = _one_ran_one_refused(_together(tmp_path, ["run"], ["run"]))
    assert "marts up to date" in winner[2]

    # With --wait the one that does not get the lock waits for the other, then runs (a no-op as well).
    runs = _together(tmp_path, ["run", "--wait", "600"], ["run", "--wait", "600"])
    assert [code for _, code, _, _ in runs] == [0, 0], runs
    for _, _, out, err in runs:
        _clean(out, err)
        assert "marts up to date" in out and "all steps succeeded" in out
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM quality.load_ledger").fetchone()[0] == files
