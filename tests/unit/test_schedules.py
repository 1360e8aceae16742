"""Every schedule and sensor evaluates once; the instance settings keep warehouse writers from overlapping."""

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg

from orchestration.publish.assets import period_label
from tests.unit.test_definitions import _defs

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_every_schedule_evaluates_to_its_run(tmp_path):
    defs = _defs(tmp_path)
    repo = defs.get_repository_def()
    expected = {
        # schedule: (tick, job, partition key, period label frozen)
        "nightly": (datetime(2018, 2, 1, 2, tzinfo=UTC), "load_landing", None, None),
        "publish_month_after_close": (
            datetime(2018, 2, 1, 6, tzinfo=UTC),
            "publish_month",
            "2018-01",
            "2018-01",
        ),
        "publish_half_year_after_close": (
            datetime(2018, 1, 1, 6, tzinfo=UTC),
            "publish_half_year",
            "2017-07",
            "2017-H2",
        ),
        "publish_year_after_close": (datetime(2018, 1, 1, 6, tzinfo=UTC), "publish_year", "2017", "2017"),
    }
    assert {s.name for s in defs.schedules} == set(expected)
    for name, (tick, job, partition, label) in expected.items():
        schedule = defs.resolve_schedule_def(name)
        assert schedule.job_name == job
        context = dg.build_schedule_context(
            scheduled_execution_time=tick,
            repository_def=repo,
            resources={"pseudonymiser": defs.resources["pseudonymiser"]},
        )
        requests = list(schedule.evaluate_tick(context).run_requests or [])
        assert len(requests) == 1, name
        assert requests[0].partition_key == partition
        if label:
            assert period_label(job.removeprefix("publish_"), partition) == label
    half_year = defs.resolve_schedule_def("publish_half_year_after_close")
    july = dg.build_schedule_context(scheduled_execution_time=datetime(2018, 7, 1, 6, tzinfo=UTC), repository_def=repo)
    assert [r.partition_key for r in half_year.evaluate_tick(july).run_requests] == ["2018-01"]
    assert period_label("half_year", "2018-01") == "2018-H1"


def test_every_sensor_evaluates(tmp_path):
    defs = _defs(tmp_path)
    assert {s.name for s in defs.sensors} == {
        "landing_folder",
        "build_marts_after_load_success",
        "build_marts_after_load_failure",
    }
    # The run-status sensors: a finished load (success or failure) requests one build of the marts, unless a
    # successful build from the same warehouse state is on record (then they skip, as `followup run` does).
    from orchestration import warehouse
    from orchestration.automation.freshness import FINGERPRINT_TAG, marts_fingerprint
    from orchestration.publish.copy import copy_path
    from orchestration.warehouse import ensure_all_tables

    settings_resources = {k: v for k, v in defs.resources.items() if k in ("warehouse", "published", "reporting")}
    with warehouse.connect(tmp_path / "wh.duckdb") as con:
        ensure_all_tables(con)
    instance = dg.DagsterInstance.ephemeral()
    load_job = defs.resolve_job_def("load_landing")

    def succeed(run: dg.DagsterRun) -> None:
        instance.handle_new_event(
            dg.EventLogEntry(
                error_info=None,
                level="debug",
                user_message="",
                run_id=run.run_id,
                timestamp=datetime.now().timestamp(),
                dagster_event=dg.DagsterEvent(dg.DagsterEventType.RUN_SUCCESS.value, job_name=run.job_name),
            )
        )

    def evaluate(status, sensor_name, event_type):
        run = instance.create_run_for_job(load_job, run_id=None)
        instance.report_run_failed(run) if status == dg.DagsterRunStatus.FAILURE else succeed(run)
        record = instance.get_records_for_run(run.run_id, of_type=event_type).records[0]
        context = dg.build_run_status_sensor_context(
            sensor_name=sensor_name,
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(run.run_id),
            dagster_event=record.event_log_entry.dagster_event,
            resources=settings_resources,
        )
        return run, defs.resolve_sensor_def(sensor_name)(context)

    statuses = (
        (dg.DagsterRunStatus.SUCCESS, "build_marts_after_load_success", dg.DagsterEventType.RUN_SUCCESS),
        (dg.DagsterRunStatus.FAILURE, "build_marts_after_load_failure", dg.DagsterEventType.RUN_FAILURE),
    )
    for args in statuses:
        run, result = evaluate(*args)
        assert isinstance(result, dg.RunRequest) and result.run_key == run.run_id

    # A build from this very state finished and published: nothing to rebuild.
    copy = copy_path(tmp_path / "published")
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(b"published")
    fingerprint = marts_fingerprint(tmp_path / "wh.duckdb", date(2018, 1, 29), 5)
    succeed(instance.create_run_for_job(defs.resolve_job_def("build_marts"), tags={FINGERPRINT_TAG: fingerprint}))
    for args in statuses:
        _, result = evaluate(*args)
        assert isinstance(result, dg.SkipReason) and result.skip_message.startswith("marts up to date")


def test_instance_settings_serialise_warehouse_writers(tmp_path, monkeypatch):
    shutil.copy(REPO_ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    queue = instance.get_concurrency_config().run_queue_config
    assert queue.max_concurrent_runs == 1
    assert {"key": "followup/writes-warehouse", "limit": 1} in queue.tag_concurrency_limits
    assert instance.run_monitoring_enabled and not instance.telemetry_enabled
    assert instance.root_directory == str(tmp_path)  # SQLite run, event and schedule storage under DAGSTER_HOME
    instance.dispose()
    defs = _defs(tmp_path)
    for job in ("load_landing", "build_marts", "followup", "publish_month", "publish_half_year", "publish_year"):
        assert defs.resolve_job_def(job).tags.get("followup/writes-warehouse") == "true", job
