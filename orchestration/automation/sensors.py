"""Sensors: new landing files start one load of the sources they belong to; a finished load starts the build of the
marts unless the marts already hold what it would produce. Both decisions are freshness.py's, the same ones
`followup run` takes."""

import hashlib
import json
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.automation.freshness import reusable_build, sources_with_new_files
from orchestration.automation.jobs import build_marts_job, load_landing_job
from orchestration.resources import (
    LandingResource,
    PseudonymiserResource,
    PublishedResource,
    ReportingResource,
    WarehouseResource,
)
from sources.contracts import all_contracts


@dg.sensor(
    name="landing_folder",
    job=load_landing_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts one load of the sources whose landing folder has new or changed files since their last "
    "load (by any run: the command line's or the daemon's).",
)
def landing_folder_sensor(
    context: dg.SensorEvaluationContext, landing: LandingResource, pseudonymiser: PseudonymiserResource
):
    if problem := pseudonymiser.problem():
        # The load would refuse every source: start nothing until a usable key is configured.
        return dg.SkipReason(f"not loading: {problem}")
    sources = [c.source for c in all_contracts()]
    changed = sources_with_new_files(context.instance, Path(landing.landing_dir), sources)
    if not changed:
        return dg.SkipReason("no new files in the landing folder")
    # One run for the whole batch; the run key makes the same batch idempotent (a rejected file is not retried
    # every minute: it is retried when it changes).
    batch_key = hashlib.sha256(json.dumps(changed, sort_keys=True).encode()).hexdigest()[:16]
    return dg.RunRequest(
        run_key=f"landing-{batch_key}",
        asset_selection=[dg.AssetKey(["raw", source]) for source in changed],
        tags={"followup/new_files": str(sum(len(files) for files in changed.values()))},
    )


def _build_after(status: dg.DagsterRunStatus) -> dg.SensorDefinition:
    # A rejected file fails only its source's asset; the marts are still rebuilt on what is loaded,
    # which a single job cannot do (Dagster skips everything downstream of a failed step).
    @dg.run_status_sensor(
        name=f"build_marts_after_load_{status.value.lower()}",
        run_status=status,
        monitored_jobs=[load_landing_job],
        request_job=build_marts_job,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def _sensor(
        context: dg.RunStatusSensorContext,
        warehouse: WarehouseResource,
        published: PublishedResource,
        reporting: ReportingResource,
    ):
        try:
            reused = reusable_build(
                context.instance,
                Path(warehouse.path),
                Path(published.published_dir),
                reporting.resolved_as_of(),
                reporting.suppression_threshold,
            )
        except duckdb.Error:
            reused = None  # the warehouse is busy or missing: build (the run queue serialises writers)
        if reused is not None:
            return dg.SkipReason(f"marts up to date: nothing loaded since the build of run {reused.run_id[:8]}")
        return dg.RunRequest(run_key=context.dagster_run.run_id)

    return _sensor


build_marts_after_load = [_build_after(dg.DagsterRunStatus.SUCCESS), _build_after(dg.DagsterRunStatus.FAILURE)]
