"""Sensors: new files in the landing folder start one load run per batch of files, not one per file."""

import hashlib
import json
from pathlib import Path

import dagster as dg

from orchestration.jobs import load_landing_job
from orchestration.resources import LandingResource


def landing_snapshot(landing_dir: Path) -> dict[str, list[float]]:
    """Every landing file with its size and modification time: what the sensor compares between ticks."""
    if not landing_dir.is_dir():
        return {}
    return {
        str(p.relative_to(landing_dir)): [p.stat().st_size, p.stat().st_mtime]
        for p in sorted(landing_dir.glob("*/*"))
        if p.is_file() and not p.name.startswith(".")
    }


@dg.sensor(
    name="landing_folder",
    job=load_landing_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts one load of the landing folder when new or changed files have arrived since the last tick.",
)
def landing_folder_sensor(context: dg.SensorEvaluationContext, landing: LandingResource):
    current = landing_snapshot(Path(landing.landing_dir))
    previous = json.loads(context.cursor) if context.cursor else {}
    changed = sorted(name for name, stat in current.items() if previous.get(name) != stat)
    context.update_cursor(json.dumps(current))
    if not changed:
        return dg.SkipReason("no new files in the landing folder")
    # One run for the whole batch; the run key makes a re-evaluated tick idempotent.
    batch_key = hashlib.sha256(json.dumps({n: current[n] for n in changed}).encode()).hexdigest()[:16]
    return dg.RunRequest(run_key=f"landing-{batch_key}", tags={"followup/new_files": str(len(changed))})
