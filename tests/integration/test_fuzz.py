"""Malformed files of every kind (benchmarks/fuzz.py) beside the PIMA fixture's genuine exports, loaded by the real
`load_landing` job: every file reaches the ledger, loaded or rejected with a one-line reason; the genuine files load
and their rows add up; numbers a raw column cannot hold are quarantined on their field; the next run fails nothing.
"""

import csv
import io
from datetime import date

import dagster as dg
import duckdb
import pytest
from openpyxl import load_workbook

from benchmarks.fuzz import KINDS, genuine_files, ledger_report, write_fuzz_files
from followup.pipeline import execute
from followup.progress import progress_logger
from orchestration.definitions import build_definitions
from orchestration.ingest.loading import display_name
from tests.conftest import settings_for, write_pima_landing

pytestmark = pytest.mark.slow

SEED = 20261103
PER_KIND = 2


def _data_rows(path) -> int:
    if path.suffix == ".xlsx":
        rows = list(load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
        return sum(1 for r in rows[1:] if any(v is not None and v != "" for v in r))
    return len(list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))) - 1


def test_every_malformed_file_reaches_the_ledger_and_the_genuine_ones_load(tmp_path, monkeypatch):
    landing = write_pima_landing(tmp_path / "landing")
    genuine = genuine_files(landing)
    fuzz = write_fuzz_files(landing, PER_KIND * len(KINDS), SEED)
    assert {f.kind for f in fuzz} == set(KINDS) and len(fuzz) == 40
    settings = settings_for(tmp_path, landing, date(2018, 1, 29))
    monkeypatch.setenv("FOLLOWUP_PSEUDONYM_KEY", settings.pseudonym_key)
    defs = build_definitions(settings, loggers={"progress": progress_logger})

    with dg.DagsterInstance.ephemeral() as instance:
        failures, _ = execute(defs, "load_landing", instance)
        report = ledger_report(settings.warehouse_path, landing, genuine)
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            ledger = {
                (s, f): (status, error, read)
                for s, f, status, error, read in con.execute(
                    "SELECT source, file_name, status, error, rows_read FROM quality.load_ledger"
                ).fetchall()
            }
            quarantine = set(
                con.execute("SELECT source, file, row_number, field, rule FROM quality.quarantine").fetchall()
            )
        # The next run: nothing new, nothing recorded again, and the files rejected above fail nothing.
        again, _ = execute(defs, "load_landing", instance)
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM quality.load_ledger").fetchone()[0] == len(ledger)
    assert again == []

    # Every landing file is in the ledger; no rejection without its one-line reason.
    assert report["never_reached_ledger"] == []
    assert report["files_landed"] == report["files_in_ledger"] == len(ledger) == 19 + 40
    assert report["rejected_without_reason"] == []
    for (_, name), (status, error, _) in ledger.items():
        if status == "rejected":
            assert error.startswith(f"{name}: ") and "\n" not in error and len(error) < 400, error
    # The genuine exports loaded, every row counted: read = loaded + quarantined + duplicate, raw = sum of loaded.
    assert report["genuine_not_loaded"] == [] and report["sources_blocked"] == []
    assert report["rows_unbalanced"] == [] and report["raw_rows_not_ledger_rows"] == []
    for source, files in genuine.items():
        for path in files:
            assert ledger[(source, path.name)][2] == _data_rows(path), path.name

    # What each kind decides.
    rejected_sources = set()
    for f in fuzz:
        name = display_name(f.path)
        status, error, read = ledger[(f.source, name)]
        if status == "rejected":
            rejected_sources.add(f.source)
        if f.status:
            assert status == f.status, (f.kind, name, error)
        if f.reason:
            assert f.reason in error, (f.kind, error)
        if f.rows_read is not None:
            assert read == f.rows_read, (f.kind, name)
        for row, field, rule in f.findings:
            assert (f.source, name, row, field, rule) in quarantine, (f.kind, name, row, field, rule)
        for row in f.quarantined_rows:
            assert any(q[:3] == (f.source, name, row) for q in quarantine), (f.kind, name, row)
    numbers = [f for f in fuzz if f.kind in ("huge_numbers", "huge_numbers_xlsx")]
    assert sum(len(f.findings) for f in numbers) >= 10
    assert {rule for f in numbers for _, _, rule in f.findings} == {"out_of_range", "invalid_type"}
    # Identity numbers in file names are masked in the ledger.
    assert [n for (_, n) in ledger if "-****" in n] and not [n for (_, n) in ledger if "4170" in n or "9876" in n]

    # The first run failed exactly the sources with a rejected file, each with its ledger reasons; the others loaded.
    assert sorted(f.split(": ", 1)[0] for f in failures) == sorted(f"raw/{s}" for s in rejected_sources)
    assert len(rejected_sources) >= 8
