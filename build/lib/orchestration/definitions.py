"""The follow-up warehouse's Dagster definitions: everything the UI, the daemon and `followup run` use.

One module per stage: ingest (landing -> raw), transform (dbt and the checks on the marts), publish (the published
copy and frozen periods), automation (jobs, schedules, sensors).
"""

from __future__ import annotations

import dagster as dg

from orchestration.automation import jobs, schedules, sensors
from orchestration.config import Settings, load_settings
from orchestration.ingest import assets as ingest
from orchestration.publish import assets as publish
from orchestration.resources import build_resources
from orchestration.transform import assets as transform
from orchestration.transform import checks


def build_definitions(settings: Settings, loggers: dict[str, dg.LoggerDefinition] | None = None) -> dg.Definitions:
    return dg.Definitions(
        assets=[
            *ingest.ingest_assets(),
            transform.followup_dbt_models,
            publish.published_copy,
            *publish.period_publications,
        ],
        asset_checks=checks.gx_checks(),
        jobs=[jobs.followup_job, jobs.load_landing_job, jobs.build_marts_job, *jobs.publication_jobs.values()],
        schedules=[schedules.nightly, *schedules.publication_schedules],
        sensors=[sensors.landing_folder_sensor, *sensors.build_marts_after_load],
        resources=build_resources(settings),
        # `followup run` adds its progress logger; the UI keeps Dagster's console logger.
        loggers={"console": dg.colored_console_logger, **(loggers or {})},
        # One process, one step at a time: DuckDB takes one writer per file.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    # Loaded when the code location loads, not at import: configuration is read here, once.
    return build_definitions(load_settings())
