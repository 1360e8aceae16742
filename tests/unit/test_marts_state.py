"""When `followup run` may skip the dbt build: only when the marts were built, to the end, from this very state."""

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from orchestration import warehouse
from orchestration.config import Settings
from orchestration.automation.freshness import MartsState, fingerprint, state_path, up_to_date, write_state
from orchestration.publish.copy import copy_path
from orchestration.warehouse import ensure_all_tables


def _settings(tmp_path: Path) -> Settings:
    settings = Settings(
        warehouse_path=tmp_path / "warehouse" / "followup.duckdb",
        published_dir=tmp_path / "published",
        as_of_date=date(2018, 1, 29),
    )
    with warehouse.connect(settings.warehouse_path) as con:
        ensure_all_tables(con)
    copy = copy_path(settings.published_dir)
    copy.parent.mkdir(parents=True)
    copy.write_bytes(b"published")
    return settings


def _land_one_file(settings: Settings) -> None:
    with warehouse.connect(settings.warehouse_path) as con:
        con.execute(
            "INSERT INTO quality.load_ledger VALUES ('units', 'units_2018-01-29.csv', 'abc', DATE '2018-01-29', "
            "'canonical', ?, 3, 3, 0, 0, 'loaded', NULL)",
            [datetime(2018, 1, 29, 8, 0)],
        )


def test_a_finished_build_of_the_same_state_is_reused(tmp_path):
    settings = _settings(tmp_path)
    current = fingerprint(settings)
    write_state(settings, MartsState(current, "built", "2018-01-29T08:00:00", ("reports.exits:gx_suite",)))
    reused = up_to_date(settings, fingerprint(settings))
    assert reused is not None and reused.failed_checks == ("reports.exits:gx_suite",)


def test_a_build_that_did_not_finish_is_never_reused(tmp_path):
    settings = _settings(tmp_path)
    # What a run killed during dbt or publication leaves behind.
    write_state(settings, MartsState(fingerprint(settings), "building"))
    assert up_to_date(settings, fingerprint(settings)) is None
    state_path(settings).write_text("{not json", encoding="utf-8")
    assert up_to_date(settings, fingerprint(settings)) is None


def test_new_rows_another_as_of_date_or_threshold_change_the_fingerprint(tmp_path):
    settings = _settings(tmp_path)
    before = fingerprint(settings)
    assert fingerprint(replace(settings, as_of_date=date(2018, 1, 30))) != before
    assert fingerprint(replace(settings, suppression_threshold=3)) != before
    _land_one_file(settings)
    assert fingerprint(settings) != before


def test_a_missing_published_copy_is_rebuilt(tmp_path):
    settings = _settings(tmp_path)
    write_state(settings, MartsState(fingerprint(settings), "built", "2018-01-29T08:00:00"))
    copy_path(settings.published_dir).unlink()
    assert up_to_date(settings, fingerprint(settings)) is None
