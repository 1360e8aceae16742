"""Every code a reader can meet has a label in Swedish, Danish and English (docs/reports.md), and the published
files carry those labels beside the codes: read from the PIMA fixture's published copy."""

import csv

import duckdb
import pytest
from openpyxl import load_workbook

from orchestration.publish.labels import DEPENDENT_CODE_COLUMNS, LANGUAGES, UNIT_COLUMNS, code_list

pytestmark = pytest.mark.slow


def test_every_published_code_has_three_labels(pima_run):
    settings = pima_run[0]
    with duckdb.connect(str(settings.published_dir / "followup.duckdb"), read_only=True) as con:
        labels = {
            (cl, code): (sv, da, en)
            for cl, code, sv, da, en in con.execute(
                "SELECT code_list, code, sv, da, en FROM reports.code_labels"
            ).fetchall()
        }
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'reports' ORDER BY 1"
            ).fetchall()
        ]
        missing, checked = [], 0
        for table in tables:
            columns = [r[0] for r in con.execute(f"DESCRIBE reports.{table}").fetchall()]
            for column in columns:
                listed = code_list(table, column)
                if listed is not None:
                    pairs = con.execute(
                        f"SELECT DISTINCT '{listed}', CAST({column} AS VARCHAR) FROM reports.{table} "
                        f"WHERE {column} IS NOT NULL"
                    ).fetchall()
                elif column in DEPENDENT_CODE_COLUMNS:
                    pairs = con.execute(
                        f"SELECT DISTINCT {DEPENDENT_CODE_COLUMNS[column]}, CAST({column} AS VARCHAR) "
                        f"FROM reports.{table} WHERE {column} IS NOT NULL"
                    ).fetchall()
                else:
                    continue
                for pair in pairs:
                    checked += 1
                    found = labels.get(pair)
                    if found is None or not all(found):
                        missing.append((table, column, *pair))
    assert checked > 50
    assert not missing, missing


def test_published_files_carry_labels_and_unit_names(pima_run):
    settings = pima_run[0]
    folder = settings.published_dir / "csv"
    with (folder / "exits.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    header = list(rows[0])
    at = header.index("exit_group")
    assert header[at + 1 : at + 4] == [f"exit_group_label_{lang}" for lang in LANGUAGES]
    assert header[header.index("unit_code") + 1] == "unit_name"
    misconduct = next(r for r in rows if r["exit_reason"] == "misconduct")
    assert (
        misconduct["exit_reason_label_sv"],
        misconduct["exit_reason_label_da"],
        misconduct["exit_reason_label_en"],
    ) == ("Misskötsel", "Misligholdelse", "Misconduct")
    assert misconduct["unit_name"] == "PIMA - Personlig Inkludering Mot Arbete"
    with (folder / "intake_breakdown.csv").open(encoding="utf-8-sig", newline="") as f:
        breakdown = list(csv.DictReader(f))
    woman = next(r for r in breakdown if r["dimension_value"] == "female")
    assert woman["dimension_value_label_sv"] == "Kvinna" and woman["dimension_label_en"] == "Gender"
    # every reports table also as XLSX beside its CSV: numbers as numbers, the same labelled columns
    for csv_file in folder.glob("*.csv"):
        assert csv_file.with_suffix(".xlsx").exists(), csv_file.name
    sheet = load_workbook(folder / "budget_vs_actual.xlsx").active
    header = [c.value for c in sheet[1]]
    assert header[:6] == [
        "unit_code",
        "unit_name",
        "period_label",
        "cost_category",
        "cost_category_label_sv",
        "cost_category_label_da",
    ]
    total = next(
        r for r in sheet.iter_rows(min_row=2) if r[0].value == "PIMA" and r[2].value == "2017" and r[3].value == "total"
    )
    decided = total[header.index("decided_sek")]
    assert decided.value == 4385000 and decided.number_format == "#,##0"
    units = load_workbook(folder / "units.xlsx").active
    assert [c.value for c in units[1]][:3] == ["unit_code", "unit_name", "organisation"]
    assert set(UNIT_COLUMNS) >= {"unit_code", "from_unit"}
