"""The dbt project as assets: staging -> intermediate -> marts -> reports, dbt tests as asset checks."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.assets.quality import preload_gx
from orchestration.dbt_project import FollowupTranslator, dbt_build_args, dbt_project, incremental_code_digest
from orchestration.resources import ReportingResource, WarehouseResource


def dbt_environment(warehouse: WarehouseResource, reporting: ReportingResource) -> dict[str, str]:
    """What profiles.yml and macros/run_parameters.sql read: the same values the Python side uses."""
    return {
        "FOLLOWUP_WAREHOUSE_PATH": warehouse.path,
        "FOLLOWUP_MEMORY_LIMIT": warehouse.memory_limit,
        "FOLLOWUP_THREADS": str(warehouse.threads),
        "FOLLOWUP_AS_OF_DATE": reporting.as_of_date,
        "FOLLOWUP_SUPPRESSION_THRESHOLD": str(reporting.suppression_threshold),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


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
    record = Path(warehouse.path).parent / INCREMENTAL_RECORD
    digest = incremental_code_digest(dbt_project().manifest_path)
    full_refresh = not record.exists() or record.read_text(encoding="utf-8") != digest
    if full_refresh:
        context.log.info("incremental models changed since the last build (or no build yet): full refresh")
    with _environment(dbt_environment(warehouse, reporting)):
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
