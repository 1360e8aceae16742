"""A failing blocking check upstream stops the published copy: the previous copy stays, the failure names the check."""

from pathlib import Path

import dagster as dg
import duckdb

from orchestration.publish.assets import published_copy
from orchestration.publish.copy import copy_path
from orchestration.resources import PublishedResource, WarehouseResource, WriterLockResource
from orchestration.transform.checks import gx_checks

PERIOD_SUMMARY = dg.AssetKey(["intake", "period_summary"])


def _definitions(tmp_path: Path, new_cases: int) -> dg.Definitions:
    @dg.asset(key=PERIOD_SUMMARY)
    def period_summary(warehouse: WarehouseResource) -> None:
        # Stands in for the dbt model: the row the GX suite checks (new cases can never exceed active cases).
        with warehouse.connect() as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS intake")
            con.execute(
                "CREATE OR REPLACE TABLE intake.period_summary AS SELECT 'PIMA' AS unit_code, '2017-H2' AS "
                f"period_label, 11 AS active_cases, {new_cases} AS new_cases, 5 AS exited_cases, "
                "6 AS ongoing_at_end, 11 AS distinct_persons"
            )

    check = next(c for c in gx_checks() if PERIOD_SUMMARY in {k.asset_key for k in c.check_keys})
    return dg.Definitions(
        assets=[period_summary, published_copy],
        asset_checks=[check],
        resources={
            "warehouse": WarehouseResource(path=str(tmp_path / "warehouse.duckdb"), memory_limit="1GB", threads=1),
            "published": PublishedResource(published_dir=str(tmp_path / "published")),
            "writer_lock": WriterLockResource(warehouse_path=str(tmp_path / "warehouse.duckdb")),
        },
    )


def test_failing_blocking_check_keeps_the_previous_copy(tmp_path):
    instance = dg.DagsterInstance.ephemeral()
    good = _definitions(tmp_path, new_cases=3).resolve_implicit_global_asset_job_def()
    assert good.execute_in_process(instance=instance).success
    copy = copy_path(tmp_path / "published")
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute("SELECT new_cases FROM intake.period_summary").fetchone() == (3,)
    before = copy.read_bytes()

    bad = _definitions(tmp_path, new_cases=12).resolve_implicit_global_asset_job_def()
    result = bad.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.check_name == "great_expectations"
    assert "expect_column_pair_values_a_to_be_greater_than_b" in evaluation.description  # which check, which rows
    assert ": 1 rows, e.g." in evaluation.description and "12" in evaluation.description
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == {PERIOD_SUMMARY}  # the copy was not built
    assert copy.read_bytes() == before  # still the copy with 3 new cases
