"""Shared fixtures: a hand-made landing folder and a pipeline run on it in a temporary directory."""

import os
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
TEST_KEY = "test-secret-not-for-production-use-0123456789"  # >= 32 bytes, as every key must be

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


_ = None  # an unanswered item

# Wellbeing forms (5 items, 1-5): 8 pairs in 2017-H2, 6 improved (tests/integration/test_marts_outcome_quality.py).
WELLBEING_ROWS = [
    ("response_id", "case_id", "administered_on", "occasion", "q01", "q02", "q03", "q04", "q05"),
    ("W01", "P08", "2017-01-20", "baseline", 3, 3, 3, 3, 3),
    ("W02", "P08", "2017-09-25", "exit", 4, 4, 4, 4, 4),
    ("W03", "P09", "2017-03-05", "baseline", 2, 2, 2, 2, 2),
    ("W04", "P09", "2017-10-30", "exit", 3, 3, 3, 3, 3),
    ("W05", "P10", "2017-03-05", "baseline", 3, 3, 3, 3, _),
    ("W06", "P10", "2017-11-20", "follow_up", 4, 4, 4, 3, 3),
    ("W07", "P11", "2017-03-05", "baseline", 4, 4, 4, 4, 4),
    ("W08", "P11", "2017-12-14", "exit", 4, 4, 4, 4, 4),
    ("W09", "P12", "2017-04-05", "baseline", 4, 4, 4, 4, 4),
    ("W10", "P12", "2017-08-30", "exit", 3, 3, 3, 3, 3),
    ("W11", "P13", "2017-08-24", "baseline", 2, 2, 3, _, _),
    ("W12", "P13", "2017-11-20", "follow_up", 3, 3, 3, 3, 3),
    ("W13", "P14", "2017-08-24", "baseline", 2, 2, 2, 2, 2),
    ("W14", "P14", "2017-10-15", "follow_up", 3, 3, 3, 3, 3),
    ("W15", "P14", "2017-12-01", "follow_up", 1, 1, _, _, _),
    ("W16", "P15", "2017-08-24", "baseline", 3, 3, 3, 3, 3),
    ("W17", "P16", "2017-06-01", "follow_up", 2, 2, 2, 2, 2),
    ("W18", "P16", "2017-11-20", "follow_up", 3, 3, 3, 3, 3),
    ("W19", "P17", "2017-01-10", "follow_up", 1, 1, 1, 1, 1),
    ("W20", "P17", "2017-02-01", "baseline", 3, 3, 3, 3, 3),
]

_SDQ_HEADER = (
    "response_id",
    "case_id",
    "administered_on",
    "informant",
    *(f"q{i:02d}" for i in range(1, 26)),
    "has_difficulties",
    "impact_distress",
    "impact_home",
    "impact_friendships",
    "impact_classroom",
    "impact_leisure",
)


def _ticks(items: str) -> list[int | None]:
    """Items as ticked, one character each: 0/1/2 (the five impact items 0..3), "." for a blank."""
    return [None if c == "." else int(c) for c in items]


# SDQ self-reports: items 1..25 as ticked (reverse scoring is the scorer's job), has_difficulties, impact items.
SDQ_ROWS = [
    _SDQ_HEADER,
    ("Q1", "P13", "2017-08-24", "self", *_ticks("1221110221111222100100.11"), "true", *_ticks("32103")),
    ("Q2", "P13", "2017-12-01", "self", *_ticks("111100211120011110.11..02"), "false", *_ticks("11...")),
    ("Q3", "P14", "2017-09-01", "self", *_ticks("1111002111200.1110.11..02"), _, *_ticks(".....")),
]

SRS_ROWS = [
    ("response_id", "case_id", "administered_on", "session_no", "relationship", "goals", "approach", "overall"),
    ("S1", "P13", "2017-08-24", 1, 9.0, 9.0, 9.0, 9.0),
    ("S2", "P13", "2017-09-04", 2, 9.5, 9.5, 9.0, 9.5),
    ("S3", "P13", "2017-09-18", 3, 9.5, 9.5, 9.5, 8.0),
    ("S4", "P13", "2017-10-02", 4, 10.0, 10.0, 10.0, 10.0),
    ("S5", "P13", "2017-10-16", 5, 9.8, 9.8, 9.5, 9.9),
    ("S6", "P14", "2017-08-30", 1, 8.5, 9.0, 9.0, 9.0),
]

# An anonymous staff survey: six respondents in PIMA (published), three in ADD (never published).
STAFF_SURVEY_ROWS = [
    ("response_id", "unit_code", "survey_round", "role", "q01", "q02", "q03", "q04"),
    ("T01", "PIMA", "2017-H2", "employee", 5, 3, 4, 5),
    ("T02", "PIMA", "2017-H2", "employee", 4, 2, 4, 4),
    ("T03", "PIMA", "2017-H2", "employee", 3, 2, _, _),
    ("T04", "PIMA", "2017-H2", "employee", 5, 1, 5, _),
    ("T05", "PIMA", "2017-H2", "manager", 2, 4, 4, _),
    ("T06", "PIMA", "2017-H2", "employee", 4, 3, 1, _),
    ("T07", "ADD", "2017-H2", "employee", 5, 5, 5, _),
    ("T08", "ADD", "2017-H2", "employee", 5, 5, 5, _),
    ("T09", "ADD", "2017-H2", "manager", 4, 4, 4, _),
]

# Survey files of the PIMA fixture, written as XLSX the way survey tools deliver them: source -> rows.
SURVEY_FILES = {
    "ors": ORS_ROWS,
    "wellbeing": WELLBEING_ROWS,
    "sdq": SDQ_ROWS,
    "srs": SRS_ROWS,
    "staff_survey": STAFF_SURVEY_ROWS,
}


def write_pima_landing(target: Path) -> Path:
    shutil.copytree(FIXTURES / "landing_pima", target)
    from openpyxl import Workbook

    for source, rows in SURVEY_FILES.items():
        wb = Workbook()
        ws = wb.active
        for row in rows:
            ws.append(list(row))
        (target / source).mkdir(exist_ok=True)
        wb.save(target / source / f"{source}_2018-01-29.xlsx")
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
        dagster_home=tmp / "dagster",
    )


@pytest.fixture(scope="session")
def pima_run(tmp_path_factory):
    """The whole asset graph materialized once on the PIMA fixture (as of 2018-01-29)."""
    from followup.pipeline import run_pipeline

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
