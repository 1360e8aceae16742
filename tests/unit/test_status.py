"""`followup sql` output formats and `followup status`'s list of Dagster runs."""

import shutil
from pathlib import Path

import dagster as dg

from followup.status import _dagster_runs, format_csv, format_table

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_text_table_and_csv():
    columns, rows = ["unit_code", "active_cases"], [("PIMA", 11), ("ADD", None)]
    assert format_table(columns, rows).splitlines() == [
        "unit_code  active_cases",
        "---------  ------------",
        "PIMA       11",
        "ADD",
        "(2 rows)",
    ]
    assert format_csv(columns, rows) == "unit_code,active_cases\nPIMA,11\nADD,\n"


def test_status_lists_the_instances_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    assert _dagster_runs() == []  # no instance configured there yet
    shutil.copy(REPO_ROOT / "dagster.yaml", tmp_path / "dagster.yaml")

    @dg.asset
    def one() -> int:
        return 1

    with dg.DagsterInstance.get() as instance:
        dg.materialize([one], instance=instance)
    [(run_id, job, status, started)] = _dagster_runs()
    assert job == "__ephemeral_asset_job__" and status == "SUCCESS" and started.startswith("20") and len(run_id) == 8
