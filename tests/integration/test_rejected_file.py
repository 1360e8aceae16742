"""A rejected file fails only its source's asset: the ledger says why, the marts are still built."""

import os
from datetime import date

import duckdb
import pytest

from tests.conftest import TEST_KEY, settings_for, write_pima_landing

pytestmark = pytest.mark.slow


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
