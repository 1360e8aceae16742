"""A rejected file fails only its source's asset: the ledger says why, the marts are still built. The run that
rejects it fails (exit 1); later runs flag it and succeed. Each dbt build leaves one per-run folder at most."""

import os
from dataclasses import replace
from datetime import date

import duckdb
import pytest

from followup.status import status_report
from orchestration.transform.dbt_project import DBT_PROJECT_DIR
from tests.conftest import TEST_KEY, settings_for, write_pima_landing

pytestmark = pytest.mark.slow


def _run_folders() -> set[str]:
    """dagster-dbt's per-invocation target folders (`followup_dbt_models-<run id>-<uuid>`)."""
    return {p.name for p in (DBT_PROJECT_DIR / "target").glob("followup_dbt_models-*") if p.is_dir()}


def test_a_file_without_a_required_column_is_rejected_and_the_rest_runs(tmp_path):
    from followup.pipeline import run_pipeline

    landing = write_pima_landing(tmp_path / "landing")
    (landing / "attendance" / "attendance_2018-02-01.csv").write_text(
        "case_id,attendance_on,attended_hours\nP13,2018-01-10,6.0\n", encoding="utf-8"
    )
    os.environ["FOLLOWUP_PSEUDONYM_KEY"] = TEST_KEY
    settings = settings_for(tmp_path, landing, date(2018, 1, 29))
    output: list[str] = []
    assert run_pipeline(settings, out=output.append) == 1
    text = "\n".join(output)
    reason = "attendance_2018-02-01.csv: missing required column(s) scheduled_hours (closest profile: canonical)"
    assert f"raw/attendance: {reason}" in text
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        ledger = con.execute(
            "SELECT status, rows_read, error FROM quality.load_ledger WHERE file_name = 'attendance_2018-02-01.csv'"
        ).fetchall()
        assert ledger == [("rejected", 0, reason)]
        # The good attendance file of the same source loaded, and the marts were built on it.
        (rate,) = con.execute(
            "SELECT attendance_rate FROM process.period_summary WHERE unit_code = 'PIMA' AND period_label = '2017-H2'"
        ).fetchone()
        assert rate == 0.75
    first_build = _run_folders()
    assert len(first_build) == 1

    # The next run (a day later, so the marts are built again): the file is still there, flagged, not a failure.
    later = replace(settings, as_of_date=date(2018, 1, 30))
    output = []
    assert run_pipeline(later, out=output.append) == 0, "\n".join(output)
    text = "\n".join(output)
    files = sum(1 for p in landing.rglob("*") if p.is_file())
    assert f"files: 0 loaded, 0 skipped (same content), 0 rejected this run; {files} in the ledger" in text
    assert (
        "rejected by earlier runs and still in the landing folder: 1 file(s), not loaded "
        "(attendance/attendance_2018-02-01.csv; `followup status` gives the reasons)"
    ) in text
    assert "all steps succeeded" in text and "FAILED" not in text
    assert "building marts (dbt)" in text
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM quality.load_ledger WHERE status = 'rejected'").fetchone() == (1,)
    status = status_report(later)
    assert f"  attendance/attendance_2018-02-01.csv: {reason}  [still in the landing folder: remove or replace it]" in (
        status
    )
    # Two builds, one per-run dbt folder left: the newest (manifest.json and partial_parse.msgpack stay in target/).
    second_build = _run_folders()
    assert len(second_build) == 1 and second_build != first_build
    assert (DBT_PROJECT_DIR / "target" / "manifest.json").exists()
    assert (DBT_PROJECT_DIR / "target" / "partial_parse.msgpack").exists()

    # Once the file is removed nothing is flagged any more.
    (landing / "attendance" / "attendance_2018-02-01.csv").unlink()
    assert "still in the landing folder" not in status_report(later)
