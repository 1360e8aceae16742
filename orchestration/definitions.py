"""The follow-up warehouse's Dagster definitions: everything the UI, the schedules and `followup run` use."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.dbt import followup_dbt_models
from orchestration.assets.ingest import ingest_assets
from orchestration.assets.publish import period_publications, published_copy
from orchestration.assets.quality import gx_checks
from orchestration.config import Settings, load_settings
from orchestration.jobs import build_marts_job, followup_job, load_landing_job, publication_jobs
from orchestration.progress import progress_logger
from orchestration.resources import build_resources
from orchestration.schedules import build_marts_after_load, nightly, publication_schedules
from orchestration.sensors import landing_folder_sensor


def build_definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=[*ingest_assets(), followup_dbt_models, published_copy, *period_publications],
        asset_checks=gx_checks(),
        jobs=[followup_job, load_landing_job, build_marts_job, *publication_jobs.values()],
        schedules=[nightly, *publication_schedules],
        sensors=[landing_folder_sensor, *build_marts_after_load],
        resources=build_resources(settings),
        # `followup run` adds the progress logger to its run config; the UI keeps Dagster's console logger.
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
        # One process, one step at a time: DuckDB takes one writer per file.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    # Loaded when the code location loads, not at import: configuration is read here, once.
    return build_definitions(load_settings())
