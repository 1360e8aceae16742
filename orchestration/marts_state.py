"""Whether the marts are already built from exactly what the warehouse holds now (the no-op run of operations.md).

The marts are a pure function of: the loaded rows (the load ledger's watermark), the as-of date, the suppression
threshold and the code (dbt manifest, orchestration modules). `followup run` skips the dbt build and the published
copy when that fingerprint equals the one of the last build that finished, and the copy is still there.

The state file is written "building" before the build starts and "built" only when it finished: a run killed in
between leaves "building", so the next run rebuilds even if nothing new has landed since.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from orchestration import warehouse
from orchestration.config import Settings
from orchestration.dbt_project import dbt_project
from orchestration.publish import copy_path

STATE_FILE = "marts_state.json"
_CODE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class MartsState:
    fingerprint: str
    status: str  # building, built
    built_at: str = ""
    failed_checks: tuple[str, ...] = ()


def state_path(settings: Settings) -> Path:
    return settings.warehouse_path.resolve().parent / STATE_FILE


def fingerprint(settings: Settings) -> str:
    h = hashlib.sha256()
    with warehouse.connect(settings.warehouse_path, read_only=True) as con:
        count, latest = con.execute("SELECT count(*), max(loaded_at) FROM quality.load_ledger").fetchone()
    h.update(f"ledger {count} {latest}\n".encode())
    h.update(f"as_of {settings.resolved_as_of().isoformat()} k {settings.suppression_threshold}\n".encode())
    h.update(dbt_project().manifest_path.read_bytes())
    for module in sorted(_CODE_DIR.rglob("*.py")):
        h.update(module.read_bytes())
    return h.hexdigest()


def read_state(settings: Settings) -> MartsState | None:
    path = state_path(settings)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return MartsState(data["fingerprint"], data["status"], data.get("built_at", ""), tuple(data["failed_checks"]))
    except (ValueError, KeyError, TypeError):
        return None  # an unreadable state means "not known to be built"


def write_state(settings: Settings, state: MartsState) -> None:
    path = state_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps(
            {
                "fingerprint": state.fingerprint,
                "status": state.status,
                "built_at": state.built_at,
                "failed_checks": list(state.failed_checks),
            }
        ),
        encoding="utf-8",
    )
    tmp.replace(path)


def up_to_date(settings: Settings, current: str) -> MartsState | None:
    """The state of the last finished build when it was built from `current` and its copy is still published."""
    state = read_state(settings)
    if state is None or state.status != "built" or state.fingerprint != current:
        return None
    if not copy_path(settings.published_dir.resolve()).exists():
        return None
    return state
