"""Shared fixtures: a hand-made landing folder and a pipeline run on it in a temporary directory."""

import os
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
TEST_KEY = "test-secret-not-for-production"

# ORS administrations of the PIMA fixture (written as XLSX, the way survey tools deliver them).
ORS_ROWS = [
    (
        "response_id",
        "case_id",
        "administered_on",
        "session_no",
        "form",
        "individual",
        "interpersonal",
        "social",
        "overall",
    ),
    ("R1", "P13", "2017-08-23", 1, "ors", 5.0, 5.0, 5.0, 5.0),
    ("R2", "P13", "2017-11-20", 6, "ors", 7.0, 7.0, 7.0, 7.0),
    ("R3", "P14", "2017-08-23", 1, "ors", 6.0, 6.0, 6.5, 6.5),
    ("R4", "P14", "2017-11-20", 6, "ors", 6.0, 6.0, 6.0, 6.0),
    ("R5", "P15", "2017-08-23", 1, "ors", 8.0, 8.0, 8.0, 8.0),
    ("R6", "P15", "2017-11-20", 6, "ors", 6.5, 6.5, 6.5, 6.5),
    ("R7", "P16", "2017-03-05", 1, "ors", 5.0, 5.0, 5.0, 5.0),
    ("R8", "P17", "2017-10-02", 1, "ors", 11.5, 5.0, 5.0, 5.0),
]


def write_pima_landing(target: Path) -> Path:
    shutil.copytree(FIXTURES / "landing_pima", target)
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in ORS_ROWS:
        ws.append(list(row))
    (target / "ors").mkdir(exist_ok=True)
    wb.save(target / "ors" / "ors_2018-01-29.xlsx")
    return target


def settings_for(tmp: Path, landing: Path, as_of: date):
    from orchestration.config import load_settings

    settings = load_settings({}, tmp / "no-config.toml")
    return replace(
        settings,
        landing_dir=landing,
        warehouse_path=tmp / "warehouse" / "followup.duckdb",
        published_dir=tmp / "published",
        pseudonym_key=TEST_KEY,
        pseudonym_key_file=None,
        as_of_date=as_of,
    )


@pytest.fixture(scope="session")
def pima_run(tmp_path_factory):
    """The whole asset graph materialized once on the PIMA fixture (as of 2018-01-29)."""
    from orchestration.cli import run_pipeline

    tmp = tmp_path_factory.mktemp("pima")
    landing = write_pima_landing(tmp / "landing")
    settings = settings_for(tmp, landing, date(2018, 1, 29))
    os.environ["FOLLOWUP_PSEUDONYM_KEY"] = TEST_KEY
    output: list[str] = []
    code = run_pipeline(settings, out=output.append)
    return settings, code, "\n".join(output)


@pytest.fixture
def query(pima_run):
    settings = pima_run[0]

    def _query(sql: str, params=None):
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    return _query
