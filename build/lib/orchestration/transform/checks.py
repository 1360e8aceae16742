"""Great Expectations suites on the published marts, run as Dagster asset checks.

GX 1.x has no DuckDB datasource, so each suite runs on a pandas batch read from the warehouse. A suite is a
query (with the derived columns its expectations compare) and a list of expectations; GX is imported lazily
(it costs seconds).
"""

import importlib
import threading
from dataclasses import dataclass
from typing import Any

import dagster as dg

from orchestration.resources import WarehouseResource


@dataclass(frozen=True)
class Suite:
    table: str  # schema.table, the asset the checks attach to
    query: str
    expectations: tuple[tuple[str, dict[str, Any]], ...]  # (GX expectation class name, its arguments)


def _between(column: str, low: float | None = 0, high: float | None = None) -> tuple[str, dict]:
    return ("ExpectColumnValuesToBeBetween", {"column": column, "min_value": low, "max_value": high})


def _not_above(a: str, b: str) -> tuple[str, dict]:
    """a <= b on every row."""
    return ("ExpectColumnPairValuesAToBeGreaterThanB", {"column_A": b, "column_B": a, "or_equal": True})


def _equal(a: str, b: str) -> tuple[str, dict]:
    return ("ExpectColumnPairValuesToBeEqual", {"column_A": a, "column_B": b})


SUITES = (
    Suite(
        "intake.period_summary",
        "SELECT * FROM intake.period_summary",
        (
            _between("active_cases"),
            _not_above("new_cases", "active_cases"),
            _not_above("exited_cases", "active_cases"),
            _not_above("ongoing_at_end", "active_cases"),
            _not_above("distinct_persons", "active_cases"),
        ),
    ),
    Suite(
        "process.period_summary",
        "SELECT * FROM process.period_summary",
        (
            _between("attendance_rate", 0, 1),
            _between("action_plan_within_90_days_share", 0, 1),
            _not_above("attended_hours", "scheduled_hours"),
            _not_above("plan_timely_cases", "plan_eligible_cases"),
        ),
    ),
    Suite(
        "outcome.exits",
        """SELECT s.unit_code, s.period_label, s.exited_cases,
                  coalesce(e.exits_by_group, 0) AS exits_by_group
           FROM intake.period_summary s
           LEFT JOIN (SELECT unit_code, period_label, sum(exited_cases) AS exits_by_group
                      FROM outcome.exits GROUP BY unit_code, period_label) e
             ON e.unit_code = s.unit_code AND e.period_label = s.period_label""",
        (_equal("exits_by_group", "exited_cases"),),
    ),
    Suite(
        "outcome.instrument_summary",
        """SELECT *, reliable_improvement + no_reliable_change + reliable_deterioration AS classified_cases
           FROM outcome.instrument_summary""",
        (
            _between("ors_reliable_improvement_share", 0, 1),
            _between("wellbeing_improved_share", 0, 1),
            _between("follow_up_coverage", 0, 1),
            _not_above("classified_cases", "cases_with_pair"),
            _not_above("recovered", "reliable_improvement"),
            _not_above("improved", "cases_with_pair"),
        ),
    ),
    Suite(
        "outcome.status_at_horizon",
        """SELECT *, status_from_support_months + status_from_exit AS cohort_by_source
           FROM outcome.status_at_horizon""",
        (
            _between("work_or_studies_at_horizon_share", 0, 1),
            _not_above("in_work_or_studies", "cohort_cases"),
            _equal("cohort_by_source", "cohort_cases"),
        ),
    ),
    Suite(
        "cost.budget_vs_actual",
        "SELECT *, decided_sek - spent_sek AS decided_minus_spent FROM cost.budget_vs_actual",
        (_equal("remaining_sek", "decided_minus_spent"), _between("decided_sek")),
    ),
)


def preload_gx() -> None:
    """Import GX in the background (~2.5 s of one core) while the dbt build, a separate process, runs: the suites
    that follow the build then start at once."""
    threading.Thread(target=importlib.import_module, args=("great_expectations",), daemon=True).start()


def run_suite(frame, suite: Suite) -> list[dict[str, Any]]:
    """Validate a pandas frame; one result per expectation: its type, column(s), success, unexpected values."""
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    batch = (
        context.data_sources.add_pandas("warehouse")
        .add_dataframe_asset(suite.table)
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    gx_suite = gx.ExpectationSuite(name=suite.table)
    for name, kwargs in suite.expectations:
        gx_suite.add_expectation(getattr(gx.expectations, name)(**kwargs))
    result = batch.validate(gx_suite)
    return [
        {
            "expectation": r.expectation_config.type,
            "kwargs": {k: v for k, v in r.expectation_config.kwargs.items() if k != "batch_id"},
            "success": bool(r.success),
            "unexpected_count": r.result.get("unexpected_count", 0),
            "unexpected_sample": [str(v) for v in (r.result.get("partial_unexpected_list") or [])[:5]],
        }
        for r in result.results
    ]


def build_gx_check(suite: Suite) -> dg.AssetChecksDefinition:
    schema, table = suite.table.split(".")

    @dg.asset_check(
        asset=dg.AssetKey([schema, table]),
        name="great_expectations",
        blocking=True,
        description=f"Great Expectations suite on {suite.table}: "
        + "; ".join(f"{n}({', '.join(str(v) for v in k.values() if v is not None)})" for n, k in suite.expectations),
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect(read_only=True) as con:
            frame = con.execute(suite.query).df()
        results = run_suite(frame, suite)
        failed = [r for r in results if not r["success"]]
        return dg.AssetCheckResult(
            passed=not failed,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "rows": dg.MetadataValue.int(len(frame)),
                "failed_expectations": dg.MetadataValue.json(failed),
            },
            description="; ".join(
                f"{r['expectation']} {r['kwargs']}: {r['unexpected_count']} rows, e.g. {r['unexpected_sample']}"
                for r in failed
            )
            or None,
        )

    return _check


def gx_checks() -> list[dg.AssetChecksDefinition]:
    return [build_gx_check(s) for s in SUITES]
