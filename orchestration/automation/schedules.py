"""Schedules: load nightly (the build follows through the sensors), publish closed periods."""

from datetime import timedelta

import dagster as dg

from orchestration.automation.jobs import load_landing_job, publication_jobs
from orchestration.publish.assets import PERIOD_KINDS, PUBLICATION_TIMEZONE
from orchestration.resources import PseudonymiserResource


@dg.schedule(
    name="nightly",
    job=load_landing_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/Stockholm",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00: load new exports; the marts are rebuilt when the load ends. Skipped while "
    "no usable pseudonymisation key is configured (the load itself would refuse too).",
)
def nightly(context: dg.ScheduleEvaluationContext, pseudonymiser: PseudonymiserResource):
    if problem := pseudonymiser.problem():
        return dg.SkipReason(f"not loading: {problem}")
    return dg.RunRequest()


# Publication of closed periods: the monthly one on the 1st at 06:00 for the previous month (after the nightly load
# and build), the half-year on 1 January and 1 July, the year on 1 January. The run queue puts them after the
# nightly build if it is still running.
PUBLICATION_CRON = {"month": "0 6 1 * *", "half_year": "0 6 1 1,7 *", "year": "0 6 1 1 *"}


def _publication_schedule(kind: str, job) -> dg.ScheduleDefinition:
    partitions_def = PERIOD_KINDS[kind][0]

    @dg.schedule(
        name=f"{job.name}_after_close",
        job=job,
        cron_schedule=PUBLICATION_CRON[kind],
        execution_timezone=PUBLICATION_TIMEZONE,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"Publishes (freezes) the {kind.replace('_', '-')} that has just closed.",
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        # The period that has just closed: the partition holding the day before the tick.
        day_before = context.scheduled_execution_time - timedelta(days=1)
        closed = partitions_def.get_partition_key_for_timestamp(day_before.timestamp())
        return dg.RunRequest(run_key=f"{kind}-{closed}", partition_key=closed)

    return _schedule


publication_schedules = [_publication_schedule(kind, job) for kind, job in publication_jobs.items()]
