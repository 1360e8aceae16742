"""Schedules and the sensors that chain them: load nightly, then build the marts whatever the load did."""

import dagster as dg

from orchestration.jobs import build_marts_job, load_landing_job

nightly = dg.ScheduleDefinition(
    name="nightly",
    job=load_landing_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/Stockholm",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00: load new exports; the marts are rebuilt when the load ends.",
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
    def _sensor(context: dg.RunStatusSensorContext):
        return dg.RunRequest(run_key=context.dagster_run.run_id)

    return _sensor


build_marts_after_load = [_build_after(dg.DagsterRunStatus.SUCCESS), _build_after(dg.DagsterRunStatus.FAILURE)]
