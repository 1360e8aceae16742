"""The large append sources' staging tables and the process marts' event figures are incremental: a second run
recomputes only the keys it loaded and the unit-periods they or the new snapshot touch, and ends exactly where a
build from scratch would (newest export wins, whatever order the files were loaded in)."""

import json
import os
import shutil
from datetime import date

import duckdb
import pytest

from orchestration.transform.assets import INCREMENTAL_RECORD
from orchestration.transform.dbt_project import incremental_code_digest
from tests.conftest import TEST_KEY, settings_for, write_pima_landing

pytestmark = pytest.mark.slow

CURRENT_ACTIVITIES = """
    SELECT activity_id, minutes FROM raw.activities
    QUALIFY row_number() OVER (PARTITION BY activity_id ORDER BY _exported_on DESC, _loaded_at DESC,
                               _row_number DESC) = 1
"""


def _activity_figures(con) -> tuple:
    return con.execute(
        """SELECT activities, activity_minutes FROM process.period_summary
           WHERE unit_code = 'PIMA' AND period_label = '2017-H2'"""
    ).fetchone()


PROCESS_MARTS = ("process.period_summary", "process.activity_mix")
ESTIMATES = "intermediate.int_comparison_estimates_computed"


def _estimates(con) -> dict[tuple[str, str], tuple[str, set[str]]]:
    """(unit, cohort) -> (the fingerprint of its input, the methods of its rows)."""
    found: dict[tuple[str, str], tuple[str, set[str]]] = {}
    for unit, cohort, fingerprint, method in con.execute(
        f"SELECT unit_code, cohort, fingerprint, method FROM {ESTIMATES} WHERE record = 'effect'"
    ).fetchall():
        found.setdefault((unit, cohort), (fingerprint, set()))[1].add(method)
    return found


def _rows(con, table: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def _built_through(con) -> dict[str, object]:
    return dict(
        con.execute(
            """SELECT period_label, activities_loaded_through FROM intermediate.int_unit_period_events_summed
               WHERE unit_code = 'PIMA'"""
        ).fetchall()
    )


def test_a_second_run_updates_only_what_it_loaded_and_matches_a_build_from_scratch(tmp_path):
    from followup.pipeline import run_pipeline

    landing = write_pima_landing(tmp_path / "landing")
    os.environ["FOLLOWUP_PSEUDONYM_KEY"] = TEST_KEY
    settings = settings_for(tmp_path, landing, date(2018, 1, 29))
    assert run_pipeline(settings, out=lambda _: None) == 0
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        before_rows = con.execute("SELECT count(*) FROM staging.stg_registry__activities").fetchone()[0]
        before = _activity_figures(con)
        first_built = _built_through(con)
        cohorts = _estimates(con)
    # A stored estimate is kept, not computed again, when its unit x cohort's input did not change: mark the 2016
    # cohort's stored rows to see that the next build takes them as they are.
    assert {("PIMA", "2016"), ("PIMA", "2017"), ("PIMA", "all")} <= set(cohorts)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(f"UPDATE {ESTIMATES} SET method = 'stored' WHERE unit_code = 'PIMA' AND cohort = '2016'")

    header = "activity_id,case_id,activity_on,activity_type,intervention_category,minutes\n"
    # A newer export corrects ACT1 (60 -> 90 minutes) and adds one activity in January.
    (landing / "activities" / "activities_2018-02-15.csv").write_text(
        header + "ACT1,P13,2017-08-24,individual_session,developing,90\n"
        "ACT3,P14,2017-10-05,individual_session,developing,45\n"  # moved from 2017-Q3 to 2017-Q4
        "ACT9001,P13,2018-01-10,individual_session,developing,45\n",
        encoding="utf-8",
    )
    # An older export landing late must not win over the newer one already loaded.
    (landing / "activities" / "activities_2017-12-01.csv").write_text(
        header + "ACT2,P13,2017-09-04,group_session,developing,999\n", encoding="utf-8"
    )
    (landing / "attendance" / "attendance_2018-02-15.csv").write_text(
        "case_id,attendance_on,scheduled_hours,attended_hours,absence_reason\nP15,2017-09-05,6.0,2.0,valid\n",
        encoding="utf-8",
    )
    # A new snapshot backdates P16's exit to 2017-09-15: it leaves 2017-10, 2017-Q4 and every later period.
    snapshot = (landing / "enrolments" / "enrolments_2018-01-29.csv").read_text(encoding="utf-8")
    p16 = next(line for line in snapshot.splitlines() if line.startswith("P16,"))
    exited = p16.replace(",,,,2", ",2017-09-15,work,,")
    (landing / "enrolments" / "enrolments_2018-02-15.csv").write_text(snapshot.replace(p16, exited), encoding="utf-8")
    settings = settings_for(tmp_path, landing, date(2018, 2, 20))
    output: list[str] = []
    assert run_pipeline(settings, out=output.append) == 0
    assert any(line.startswith("building marts") for line in output)

    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        staged = dict(con.execute("SELECT activity_id, minutes FROM staging.stg_registry__activities").fetchall())
        from_scratch = dict(con.execute(CURRENT_ACTIVITIES).fetchall())
        after = _activity_figures(con)
    assert staged == from_scratch
    assert len(staged) == before_rows + 1
    assert (staged["ACT1"], staged["ACT2"], staged["ACT9001"]) == (90, 120, 45)
    assert after == (before[0], before[1] + 30)  # ACT1's 30 more minutes, in the same number of activities

    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        incremental = {table: _rows(con, table) for table in PROCESS_MARTS}
        second_built = _built_through(con)
    # Periods nothing touched keep the rows of the first build; the touched ones were recomputed.
    assert second_built["2017-Q1"] == first_built["2017-Q1"]
    assert second_built["2016-H2"] == first_built["2016-H2"]
    for touched in ("2017-08", "2017-09", "2017-10", "2017-Q3", "2017-Q4", "2017-H2", "2017", "2018-01"):
        assert second_built[touched] > first_built[touched], touched
    assert "2018-02" in second_built and "2018-02" not in first_built

    # The evaluation: the 2016 cohort's input is the same (its windows closed long ago), so its stored rows were
    # kept; the cohort that gained P16's backdated exit and `all` were estimated again.
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        estimated = _estimates(con)
    assert estimated[("PIMA", "2016")] == (cohorts[("PIMA", "2016")][0], {"stored"})
    assert estimated[("PIMA", "all")][0] != cohorts[("PIMA", "all")][0]
    assert estimated[("PIMA", "all")][1] == cohorts[("PIMA", "all")][1] != {"stored"}

    # The same warehouse rebuilt from scratch (the incremental record gone: a full refresh) gives the same marts;
    # without the instance's record of the last build, nothing says the marts are up to date.
    (settings.warehouse_path.parent / INCREMENTAL_RECORD).unlink()
    shutil.rmtree(settings.dagster_home)
    assert run_pipeline(settings, out=lambda _: None) == 0
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rebuilt = {table: _rows(con, table) for table in PROCESS_MARTS}
        assert _built_through(con)["2017-Q1"] > first_built["2017-Q1"]
    assert incremental == rebuilt


def test_the_incremental_code_digest_follows_models_and_macros(tmp_path):
    manifest = {
        "nodes": {
            "model.followup.stg_a": {"config": {"materialized": "incremental"}, "raw_code": "select 1"},
            "model.followup.mart_b": {"config": {"materialized": "table"}, "raw_code": "select 2"},
        },
        "macros": {"macro.followup.append_current": {"package_name": "followup", "macro_sql": "{% macro %}"}},
    }
    path = tmp_path / "manifest.json"

    def digest() -> str:
        path.write_text(json.dumps(manifest), encoding="utf-8")
        return incremental_code_digest(path)

    first = digest()
    manifest["nodes"]["model.followup.mart_b"]["raw_code"] = "select 3"  # a table model: rebuilt anyway
    assert digest() == first
    manifest["macros"]["macro.followup.append_current"]["macro_sql"] = "{% macro changed %}"
    assert digest() != first
    second = digest()
    manifest["nodes"]["model.followup.stg_a"]["raw_code"] = "select 4"
    assert digest() != second
