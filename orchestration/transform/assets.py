"""The dbt project as assets: staging -> intermediate -> marts -> reports, dbt tests as asset checks."""

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.automation.freshness import marts_fingerprint, record_build_fingerprint
from orchestration.config import dbt_environment
from orchestration.resources import ReportingResource, WarehouseResource, WriterLockResource
from orchestration.transform.checks import preload_gx
from orchestration.transform.dbt_project import FollowupTranslator, dbt_build_args, dbt_project, incremental_code_digest


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


_RUN_FOLDER = re.compile(r"[\w]+-[0-9a-f]{7}-[0-9a-f]{7}")  # dagster-dbt's per-invocation target folder
INCREMENTAL_RECORD = "dbt_incremental_code.txt"  # beside the warehouse: the digest its incremental tables were built by


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=FollowupTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def followup_dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    reporting: ReportingResource,
    writer_lock: WriterLockResource,  # held for the whole run: one writer at a time
):
    # DbtCliResource hands the parent's environment to the dbt process: this is how the run's
    # configuration reaches profiles.yml. dbt runs in its own process, so its DuckDB connection is
    # released when it exits; the Dagster process holds no connection meanwhile.
    # This step is the warehouse's only writer now: the fingerprint it records is what the build is built from.
    record_build_fingerprint(
        context,
        marts_fingerprint(Path(warehouse.path), reporting.resolved_as_of(), reporting.suppression_threshold),
    )
    record = Path(warehouse.path).parent / INCREMENTAL_RECORD
    digest = incremental_code_digest(dbt_project().manifest_path)
    full_refresh = not record.exists() or record.read_text(encoding="utf-8") != digest
    if full_refresh:
        context.log.info("incremental models changed since the last build (or no build yet): full refresh")
    run_env = dbt_environment(
        Path(warehouse.path),
        warehouse.memory_limit,
        warehouse.threads,
        reporting.resolved_as_of(),
        reporting.suppression_threshold,
    )
    with _environment(run_env):
        invocation = dbt.cli(dbt_build_args(warehouse.threads, full_refresh=full_refresh), context=context)
    preload_gx()  # the Great Expectations checks on the marts run next
    try:
        yield from invocation.stream()
        record.write_text(digest, encoding="utf-8")  # only after a build that succeeded as a whole
    finally:
        # If the step fails before dbt has finished, end dbt here: an orphaned dbt would keep the warehouse's
        # write lock and block the run summary, the published copy and the next run.
        if invocation.process.poll() is None:
            invocation.process.terminate()
            invocation.process.wait(timeout=60)
        remove_old_run_folders(invocation.target_path)


def remove_old_run_folders(current: Path) -> list[Path]:
    """dagster-dbt gives every dbt invocation its own target folder (`<op>-<run id>-<uuid>`: run_results.json,
    dbt.log and a copy of the compiled project, ~10 MB); nothing removes them. After each dbt step every such folder
    but this step's own is deleted, so `dbt_project/target/` keeps manifest.json, partial_parse.msgpack and the
    last build's artefacts. Only folders named like dagster-dbt's are touched."""
    current = Path(current)
    removed = []
    for folder in current.parent.glob(f"{followup_dbt_models.op.name}-*-*"):
        if folder.is_dir() and folder.name != current.name and _RUN_FOLDER.fullmatch(folder.name):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
