"""The large append sources' staging tables are incremental: a second run recomputes only the keys it loaded, and
ends exactly where a build from scratch would (newest export wins, whatever order the files were loaded in)."""

import json
import os
from datetime import date

import duckdb
import pytest

from orchestration.dbt_project import incremental_code_digest
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


def test_a_second_run_updates_only_what_it_loaded_and_matches_a_build_from_scratch(tmp_path):
    from orchestration.cli import run_pipeline

    landing = write_pima_landing(tmp_path / "landing")
    os.environ["FOLLOWUP_PSEUDONYM_KEY"] = TEST_KEY
    settings = settings_for(tmp_path, landing, date(2018, 1, 29))
    assert run_pipeline(settings, out=lambda _: None) == 0
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        before_rows = con.execute("SELECT count(*) FROM staging.stg_registry__activities").fetchone()[0]
        before = _activity_figures(con)

    header = "activity_id,case_id,activity_on,activity_type,intervention_category,minutes\n"
    # A newer export corrects ACT1 (60 -> 90 minutes) and adds one activity in January.
    (landing / "activities" / "activities_2018-02-15.csv").write_text(
        header + "ACT1,P13,2017-08-24,individual_session,developing,90\n"
        "ACT9001,P13,2018-01-10,individual_session,developing,45\n",
        encoding="utf-8",
    )
    # An older export landing late must not win over the newer one already loaded.
    (landing / "activities" / "activities_2017-12-01.csv").write_text(
        header + "ACT2,P13,2017-09-04,group_session,developing,999\n", encoding="utf-8"
    )
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
