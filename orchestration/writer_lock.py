"""One writer at a time: an advisory lock file beside the warehouse (docs/operations.md, failure behaviour).

DuckDB lets one process write a database file; a second writer fails half way with "Could not set lock" errors.
Every writer takes `<warehouse>.lock` first with `fcntl.flock`: `followup run`, `followup publish` and
`followup dbt` for the whole command, a Dagster run (UI, daemon, schedules, sensors) for the whole run through the
`writer_lock` resource of its writing assets. The lock belongs to the open file, so it is released when the holder
exits, however it exits (a killed run leaves no stale lock); the file only tells who holds it.

Within one process the lock is re-entrant: `followup run` holds it and the Dagster run it executes in-process
takes it again at no cost.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

BUSY_EXIT_CODE = 3  # `followup` exit code when another writer holds the warehouse
LOCK_SUFFIX = ".lock"
_POLL_SECONDS = 0.5

_held: dict[str, list] = {}  # lock path -> [file descriptor, depth]: the locks this process holds
_guard = threading.Lock()


class WarehouseBusy(RuntimeError):
    """Another process is writing the warehouse; the message is one line."""


def lock_path(warehouse_path: Path) -> Path:
    warehouse_path = Path(warehouse_path).resolve()
    return warehouse_path.with_name(warehouse_path.name + LOCK_SUFFIX)


def _holder_of(fd: int, wait_seconds: float = 2.0) -> str:
    """What the lock file says about its holder. A holder writes that just after it takes the lock: a reader that
    comes in between finds the file empty and reads again for a moment."""
    deadline = time.monotonic() + wait_seconds
    while True:
        text = os.pread(fd, 400, 0).decode("utf-8", "replace").strip()
        if text or time.monotonic() >= deadline:
            return text or "pid unknown"
        time.sleep(0.05)


def holder(warehouse_path: Path) -> str | None:
    """Who writes the warehouse now ("pid N since T, what"), or None when nobody does."""
    path = lock_path(warehouse_path)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _holder_of(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def busy_message(who: str) -> str:
    return f"a run is in progress ({who}); the warehouse takes one writer at a time: try again when it has finished"


@contextmanager
def writer_lock(warehouse_path: Path, what: str, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the warehouse's writer lock; wait up to `wait_seconds` for it, then raise WarehouseBusy."""
    path = lock_path(warehouse_path)
    key = str(path)
    with _guard:
        if key in _held:
            _held[key][1] += 1
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield
        finally:
            with _guard:
                _held[key][1] -= 1
        return

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + max(wait_seconds, 0.0)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise WarehouseBusy(busy_message(_holder_of(fd))) from None
                time.sleep(min(_POLL_SECONDS, remaining))
    except BaseException:
        os.close(fd)
        raise
    try:
        since = datetime.now().isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {since}, {what}\n".encode(), 0)
        with _guard:
            _held[key] = [fd, 1]
        yield
    finally:
        with _guard:
            _held.pop(key, None)
        os.ftruncate(fd, 0)
        os.close(fd)  # releases the lock
