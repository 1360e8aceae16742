"""The dbt project as assets: staging -> intermediate -> marts -> reports, dbt tests as asset checks."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.automation.freshness import marts_fingerprint, record_build_fingerprint
from orchestration.config import dbt_environment
from orchestration.resources import ReportingResource, WarehouseResource
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
