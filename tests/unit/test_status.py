"""`followup sql` output formats and `followup status`'s list of Dagster runs."""

from pathlib import Path

import dagster as dg

from followup.pipeline import instance
from followup.status import format_csv, format_table, last_runs
from orchestration.config import Settings

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


def test_status_lists_every_run_of_the_instance_the_command_line_uses(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    settings = Settings(dagster_home=tmp_path / "dagster")
    assert last_runs(settings) == []  # no instance there yet

    @dg.asset
    def one() -> int:
        return 1

    @dg.asset
    def broken() -> int:
        raise ValueError("the landing folder is gone")

    with instance(settings) as dagster_instance:  # what `followup run` and `followup ui` open
        dg.materialize([one], instance=dagster_instance, tags={"followup/launched-by": "cli"})
        dg.materialize([broken], instance=dagster_instance, raise_on_error=False)
    newest, oldest = last_runs(settings)
    assert (tmp_path / "dagster" / "dagster.yaml").read_text() == (REPO_ROOT / "dagster.yaml").read_text()
    assert oldest[1:4] == ("__ephemeral_asset_job__", "cli", "success") and len(oldest[0]) == 8
    assert newest[2:4] == ("dagster", "failure")
    assert newest[6] == "broken: the landing folder is gone"
