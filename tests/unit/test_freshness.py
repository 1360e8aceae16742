"""What a run rebuilds: only what the Dagster instance does not already hold, decided the same way for the command
line and the daemon's sensors (orchestration/automation/freshness.py)."""

from datetime import date, datetime
from pathlib import Path

import dagster as dg
import pytest

from orchestration import warehouse
from orchestration.automation.freshness import (
    FINGERPRINT_TAG,
    marts_fingerprint,
    reusable_build,
    snapshot_observation,
    sources_with_new_files,
)
from orchestration.publish.copy import copy_path
from orchestration.warehouse import ensure_all_tables

AS_OF = date(2018, 1, 29)


@pytest.fixture
def paths(tmp_path: Path) -> tuple[Path, Path]:
    warehouse_path, published_dir = tmp_path / "warehouse" / "followup.duckdb", tmp_path / "published"
    with warehouse.connect(warehouse_path) as con:
        ensure_all_tables(con)
    copy = copy_path(published_dir)
    copy.parent.mkdir(parents=True)
    copy.write_bytes(b"published")
    return warehouse_path, published_dir


def _land_one_file(warehouse_path: Path) -> None:
    with warehouse.connect(warehouse_path) as con:
        con.execute(
            "INSERT INTO quality.load_ledger VALUES ('units', 'units_2018-01-29.csv', 'abc', DATE '2018-01-29', "
            "'canonical', ?, 3, 3, 0, 0, 'loaded', NULL)",
            [datetime(2018, 1, 29, 8, 0)],
        )


def _build_run(instance: dg.DagsterInstance, fingerprint: str, status: dg.DagsterRunStatus, failing_check=False):
    """A build_marts run as the dbt step records it: the fingerprint tag, and optionally a failed check."""

    @dg.asset(check_specs=[dg.AssetCheckSpec("gx_suite", asset="exits")])
    def exits():
        yield dg.Output(1)
        yield dg.AssetCheckResult(check_name="gx_suite", passed=not failing_check)

    @dg.asset(deps=[exits])
    def published_copy(context: dg.AssetExecutionContext):
        context.instance.add_run_tags(context.run.run_id, {FINGERPRINT_TAG: fingerprint})
        if status == dg.DagsterRunStatus.FAILURE:
            raise RuntimeError("killed during publication")

    result = dg.materialize([exits, published_copy], instance=instance, raise_on_error=False)
    assert result.success == (status == dg.DagsterRunStatus.SUCCESS)


def test_a_successful_build_of_the_same_state_is_reused_with_its_failed_checks(paths):
    warehouse_path, published_dir = paths
    with dg.DagsterInstance.ephemeral() as instance:
        assert reusable_build(instance, warehouse_path, published_dir, AS_OF, 5) is None  # never built
        _build_run(instance, marts_fingerprint(warehouse_path, AS_OF, 5), dg.DagsterRunStatus.SUCCESS, True)
        reused = reusable_build(instance, warehouse_path, published_dir, AS_OF, 5)
        assert reused is not None and reused.failed_checks == ("exits:gx_suite",)


def test_a_build_that_did_not_finish_is_never_reused(paths):
    warehouse_path, published_dir = paths
    with dg.DagsterInstance.ephemeral() as instance:
        _build_run(instance, marts_fingerprint(warehouse_path, AS_OF, 5), dg.DagsterRunStatus.FAILURE)
        assert reusable_build(instance, warehouse_path, published_dir, AS_OF, 5) is None


def test_new_rows_another_as_of_date_or_threshold_change_the_fingerprint(paths):
    warehouse_path, _ = paths
    before = marts_fingerprint(warehouse_path, AS_OF, 5)
    assert marts_fingerprint(warehouse_path, date(2018, 1, 30), 5) != before
    assert marts_fingerprint(warehouse_path, AS_OF, 3) != before
    _land_one_file(warehouse_path)
    assert marts_fingerprint(warehouse_path, AS_OF, 5) != before


def test_a_missing_published_copy_is_rebuilt(paths):
    warehouse_path, published_dir = paths
    with dg.DagsterInstance.ephemeral() as instance:
        _build_run(instance, marts_fingerprint(warehouse_path, AS_OF, 5), dg.DagsterRunStatus.SUCCESS)
        copy_path(published_dir).unlink()
        assert reusable_build(instance, warehouse_path, published_dir, AS_OF, 5) is None


def test_new_files_are_those_the_last_ingest_step_did_not_see(tmp_path):
    landing = tmp_path / "landing"
    (landing / "units").mkdir(parents=True)
    (landing / "units" / "units_2018-01-29.csv").write_text("unit_code\nPIMA\n", encoding="utf-8")
    from orchestration.automation.freshness import landing_snapshot

    @dg.asset(key=dg.AssetKey(["raw", "units"]))
    def raw_units(context: dg.AssetExecutionContext):
        context.log_event(snapshot_observation("units", landing_snapshot(landing / "units")))

    with dg.DagsterInstance.ephemeral() as instance:
        assert sources_with_new_files(instance, landing, ["units", "ledger"]) == {
            "units": [["units_2018-01-29.csv", 15, (landing / "units" / "units_2018-01-29.csv").stat().st_mtime]]
        }
        dg.materialize([raw_units], instance=instance)
        assert sources_with_new_files(instance, landing, ["units", "ledger"]) == {}
        (landing / "units" / "units_2018-02-28.csv").write_text("unit_code\nC2C\n", encoding="utf-8")
        assert list(sources_with_new_files(instance, landing, ["units"])["units"][0][:2]) == [
            "units_2018-02-28.csv",
            14,
        ]
