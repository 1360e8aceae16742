"""The one decision of what a run rebuilds, taken the same way by `followup run` and by the daemon's sensors.

The marts are a pure function of the loaded rows (the load ledger's watermark), the as-of date, the suppression
threshold and the code (dbt manifest, orchestration modules): that is the marts' fingerprint. Every build records
the fingerprint it built from as a tag on its Dagster run (`record_build_fingerprint`, called by the dbt step, which
is the warehouse's writer at that moment). A build is needed unless a run that finished successfully (dbt build
and published copy) carries the current fingerprint and the published copy is still there. A run killed half way
never finished successfully, so it is never trusted.

Which landing files are new is decided from what the instance recorded too: every ingest step records the landing
folder it saw (`landing_snapshot`) as an observation of its raw asset, so a daemon started after `followup run`
does not load the same files again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import dagster as dg

from orchestration import warehouse
from orchestration.publish.copy import copy_path
from orchestration.transform.dbt_project import dbt_project
from sources.identity import mask_text

FINGERPRINT_TAG = "followup/marts-fingerprint"
MARTS_JOBS = ("build_marts", "followup")
LANDING_SNAPSHOT = "landing_snapshot"
_CODE_DIR = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class LastBuild:
    run_id: str
    built_at: str
    failed_checks: tuple[str, ...]


def marts_fingerprint(warehouse_path: Path, as_of: date, suppression_threshold: int) -> str:
    h = hashlib.sha256()
    with warehouse.connect(warehouse_path, read_only=True) as con:
        count, latest = con.execute("SELECT count(*), max(loaded_at) FROM quality.load_ledger").fetchone()
    h.update(f"ledger {count} {latest}\n".encode())
    h.update(f"as_of {as_of.isoformat()} k {suppression_threshold}\n".encode())
    h.update(dbt_project().manifest_path.read_bytes())
    for module in sorted(_CODE_DIR.rglob("*.py")):
        h.update(module.read_bytes())
    return h.hexdigest()


def record_build_fingerprint(context: dg.AssetExecutionContext, fingerprint: str) -> None:
    context.instance.add_run_tags(context.run.run_id, {FINGERPRINT_TAG: fingerprint})


def last_build(instance: dg.DagsterInstance, fingerprint: str) -> LastBuild | None:
    """The last successful build from exactly this fingerprint, with the checks that failed in it."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(
            job_name=None, statuses=[dg.DagsterRunStatus.SUCCESS], tags={FINGERPRINT_TAG: fingerprint}
        ),
        limit=1,
    )
    if not records:
        return None
    record = records[0]
    failed = [
        f"{e.asset_key.to_user_string()}:{e.check_name}"
        for entry in instance.all_logs(record.dagster_run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        if not (e := entry.get_dagster_event().event_specific_data).passed
    ]
    built_at = record.end_time or record.create_timestamp.timestamp()
    return LastBuild(
        record.dagster_run.run_id,
        datetime.fromtimestamp(built_at).isoformat(timespec="seconds"),
        tuple(failed),
    )


def reusable_build(
    instance: dg.DagsterInstance, warehouse_path: Path, published_dir: Path, as_of: date, suppression_threshold: int
) -> LastBuild | None:
    """The build that already holds what a new build would produce, or None: then build."""
    if not copy_path(published_dir).exists():
        return None
    return last_build(instance, marts_fingerprint(warehouse_path, as_of, suppression_threshold))


def landing_snapshot(source_dir: Path) -> dict[str, list[float]]:
    """Every file of one source's landing folder (masked name) with its size and modification time."""
    if not source_dir.is_dir():
        return {}
    snapshot: dict[str, list[float]] = {}
    for p in sorted(source_dir.iterdir()):
        if p.is_file() and not p.name.startswith("."):
            # Stored in the instance's event log: names with identity numbers masked, as in the ledger; files
            # whose masked names coincide are told apart by their order.
            name = key = mask_text(p.name)
            n = 1
            while key in snapshot:
                n += 1
                key = f"{name} #{n}"
            stat = p.stat()
            snapshot[key] = [stat.st_size, stat.st_mtime]
    return snapshot


def snapshot_observation(source: str, snapshot: dict[str, list[float]]) -> dg.AssetObservation:
    return dg.AssetObservation(
        asset_key=dg.AssetKey(["raw", source]), metadata={LANDING_SNAPSHOT: dg.MetadataValue.json(snapshot)}
    )


def recorded_snapshot(instance: dg.DagsterInstance, source: str) -> dict[str, list[float]]:
    """The landing folder of `source` as its last ingest step saw it."""
    result = instance.fetch_observations(dg.AssetKey(["raw", source]), limit=1)
    for record in result.records:
        value = record.asset_observation.metadata.get(LANDING_SNAPSHOT) if record.asset_observation else None
        if value is not None:
            return json.loads(json.dumps(value.value))
    return {}


def sources_with_new_files(instance: dg.DagsterInstance, landing_dir: Path, sources: list[str]) -> dict[str, list]:
    """Per source, the files that are new or changed since its last ingest step looked at the folder."""
    changed: dict[str, list] = {}
    for source in sources:
        current = landing_snapshot(landing_dir / source)
        recorded = recorded_snapshot(instance, source)
        new = sorted(name for name, stat in current.items() if recorded.get(name) != stat)
        if new:
            changed[source] = [[name, *current[name]] for name in new]
    return changed
