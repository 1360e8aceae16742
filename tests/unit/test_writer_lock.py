"""One writer at a time: the lock file beside the warehouse, held by another real process."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from orchestration.writer_lock import WarehouseBusy, holder, lock_path, writer_lock

HOLD = """
import sys, time
from pathlib import Path
from orchestration.writer_lock import writer_lock
with writer_lock(Path(sys.argv[1]), "followup run"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@contextmanager
def held_by_another_process(warehouse: Path, seconds: float = 60.0):
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(warehouse), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert proc.stdout.readline().strip() == "held"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_a_second_writer_is_told_who_writes(tmp_path):
    warehouse = tmp_path / "warehouse" / "followup.duckdb"
    assert holder(warehouse) is None
    with held_by_another_process(warehouse) as proc:
        who = holder(warehouse)
        assert who.startswith(f"pid {proc.pid} since ") and who.endswith(", followup run")
        started = time.monotonic()
        with pytest.raises(WarehouseBusy) as busy:
            with writer_lock(warehouse, "followup publish"):
                pass
        assert time.monotonic() - started < 1  # no wait asked: refused at once
        assert str(busy.value) == (
            f"a run is in progress ({who}); the warehouse takes one writer at a time: try again when it has finished"
        )
        with pytest.raises(WarehouseBusy):
            started = time.monotonic()
            with writer_lock(warehouse, "followup publish", wait_seconds=1.5):
                pass
        assert 1.4 < time.monotonic() - started < 5  # waited as long as asked, no longer
    # The holder died (killed, as a crashed run would): the lock is free, no stale lock to clean up.
    assert holder(warehouse) is None
    assert lock_path(warehouse) == tmp_path / "warehouse" / "followup.duckdb.lock"
    with writer_lock(warehouse, "followup run"):
        assert holder(warehouse).startswith(f"pid {os.getpid()} since ")
        with writer_lock(warehouse, "Dagster run"):  # re-entrant: the in-process run of `followup run`
            pass
        assert holder(warehouse) is not None
    assert holder(warehouse) is None


def test_a_waiting_writer_gets_the_lock_when_the_other_finishes(tmp_path):
    warehouse = tmp_path / "followup.duckdb"
    with held_by_another_process(warehouse, seconds=1.0):
        started = time.monotonic()
        with writer_lock(warehouse, "followup run", wait_seconds=30):
            waited = time.monotonic() - started
    assert 0.3 < waited < 10


def test_a_dagster_run_waits_then_fails_in_one_line_and_loads_nothing(tmp_path, monkeypatch):
    """A daemon's run (here the load job on the real definitions) while `followup run` writes: its writer_lock
    resource waits `wait_seconds`, then the run fails before any step, with who holds the lock."""
    from followup.pipeline import execute
    from followup.progress import progress_logger
    from orchestration import resources
    from orchestration.definitions import build_definitions
    from tests.conftest import settings_for, write_pima_landing

    monkeypatch.setattr(resources, "WRITER_WAIT_SECONDS", 1.0)
    settings = settings_for(tmp_path, write_pima_landing(tmp_path / "landing"), date(2018, 1, 29))
    monkeypatch.setenv("FOLLOWUP_PSEUDONYM_KEY", settings.pseudonym_key)
    defs = build_definitions(settings, loggers={"progress": progress_logger})
    with held_by_another_process(settings.warehouse_path) as proc, dg.DagsterInstance.ephemeral() as instance:
        failures, checks = execute(defs, "load_landing", instance)
        who = holder(settings.warehouse_path)
    assert who.startswith(f"pid {proc.pid} since ")
    assert failures == [
        f"load_landing: a run is in progress ({who}); the warehouse takes one writer at a time: try again when it "
        "has finished"
    ]
    assert checks == [] and not settings.warehouse_path.exists()


LATE_NOTE = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(0.3)  # the holder writes who it is just after taking the lock
os.pwrite(fd, f"pid {os.getpid()} since 2026-12-03T15:00:00, followup run\\n".encode(), 0)
time.sleep(30)
"""


def test_a_writer_refused_just_after_the_holder_took_the_lock_still_names_it(tmp_path):
    warehouse = tmp_path / "followup.duckdb"
    proc = subprocess.Popen(
        [sys.executable, "-c", LATE_NOTE, str(lock_path(warehouse))], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(WarehouseBusy) as busy:
            with writer_lock(warehouse, "followup run"):
                pass
        assert f"(pid {proc.pid} since 2026-12-03T15:00:00, followup run)" in str(busy.value)
    finally:
        proc.kill()
        proc.wait()
