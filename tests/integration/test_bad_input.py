"""The bad-input corpus: every kind of bad file or bad row gets an exact ledger status and quarantine
reason, and nothing else in the warehouse changes.

| # | kind | source | expected |
|---|---|---|---|
| 1 | empty file | enrolments | rejected: file is empty |
| 2 | header only | enrolments | rejected: header only, no data rows |
| 3 | missing required column | enrolments | rejected: missing required column(s) gender |
| 4 | not CSV or XLSX (.txt) | enrolments | rejected: not a CSV or XLSX file |
| 5 | wrong encoding (Latin-1 bytes in a UTF-8 profile) | enrolments | rejected: not readable as utf-8 |
| 6 | binary content named .csv | enrolments | rejected: binary content |
| 7 | truncated XLSX | ors | rejected: not a readable XLSX workbook |
| 8 | XLSX without the sheet its profile names | ors | rejected: sheet 'Svar' not found |
| 9 | two columns mapping to one field | enrolments | rejected: a canonical field appears in more than one column |
| 10 | ragged CSV (a row with extra fields) | enrolments | rejected: malformed CSV |
| 11 | wrong delimiter (tabs) | enrolments | rejected: missing required column(s) |
| 12 | required field empty | enrolments | unit_code required_missing |
| 13 | integer not a number | enrolments | phase invalid_type |
| 14 | impossible date | enrolments | enrolled_on invalid_type |
| 15 | decimal not a number | ledger | amount_sek invalid_type |
| 16 | boolean not a boolean | enrolments | anonymous invalid_type |
| 17 | month not a month | support_months | month invalid_type |
| 18 | code not in its list | enrolments | gender code_not_in_list |
| 19 | integer out of range | enrolments | phase out_of_range |
| 20 | ORS item above 10 | ors | individual out_of_range |
| 21 | negative budget | budget | decided_sek out_of_range |
| 22 | zero scheduled hours | attendance | scheduled_hours out_of_range |
| 23 | more attended than scheduled | attendance | attended_hours out_of_range |
| 24 | minutes above a day | activities | minutes out_of_range |
| 25 | wrong check digit | enrolments | person_id invalid_person_id, masked |
| 26 | impossible birth date in the number | enrolments | person_id invalid_person_id |
| 27 | samordningsnummer with day 95 | enrolments | person_id invalid_person_id |
| 28 | reserve number of another unit | enrolments | person_id invalid_person_id |
| 29 | CPR-shaped number in a Swedish export | enrolments | person_id invalid_person_id |
| 30 | date after the export date | enrolments | enrolled_on date_after_export |
| 31 | exit before enrolment | enrolments | exited_on date_order |
| 32 | review before the plan | action_plans | reviewed_on date_order |
| 33 | exit reason without exit date | enrolments | exited_on required_missing |
| 34 | exit date without exit reason | enrolments | exit_reason required_missing |
| 35 | no identity number, not anonymous | enrolments | person_id required_missing |
| 36 | duplicate key within a file | activities | activity_id duplicate_key |
| 37 | append row already loaded (same content) | activities | rows_duplicate 1, nothing loaded |
| 38 | same content under a new file name | activities | skipped_same_content, nothing loaded |
| 39 | unit missing in units (loads; a finding) | enrolments | loaded, no quarantine |
| 40 | XLSX whose sheet XML is cut off | ors | rejected: not a readable XLSX workbook (ParseError in the sheet) |
| 41 | amount 1e20 (beyond DECIMAL(18,4)) | ledger | amount_sek out_of_range |
| 42 | amount NaN / -inf / Infinity | ledger | amount_sek invalid_type |
| 43 | integer beyond 32 bits | ors | session_no out_of_range |
| 44 | identity number in fullwidth / Arabic-Indic digits | enrolments | person_id invalid_person_id, masked |
| 45 | CR-only line ends (classic Mac) | enrolments | loaded, row numbers as lines |
| 46 | a value DuckDB refuses while writing | ledger | rejected with DuckDB's reason; the next file loads |
| 47 | identity number in the file name | enrolments | loaded; the name masked in ledger, raw, quarantine |
"""

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.loading import load_source, reserve_patterns
from orchestration.warehouse import ensure_all_tables
from sources.contracts import load_contract
from sources.profiles import available_profiles

KEY = b"bad-input-corpus-key-of-32-bytes-or-more"
E_HEAD = "case_id,person_id,anonymous,unit_code,enrolled_on,gender,exited_on,exit_reason,phase\n"
GOOD = "C1,19811218-9876,false,PIMA,2017-01-10,female,,,\n"
A_HEAD = "activity_id,case_id,activity_on,activity_type,intervention_category,minutes\n"
ORS_HEAD = ["response_id", "case_id", "administered_on", "form", "individual", "interpersonal", "social", "overall"]


def _xlsx(rows, sheet="Blad1") -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


REJECTED = [
    ("empty", "enrolments", "e_2018-01-29.csv", b"", "e_2018-01-29.csv: file is empty"),
    ("header_only", "enrolments", "e_2018-01-29.csv", E_HEAD.encode(), "e_2018-01-29.csv: header only, no data rows"),
    (
        "missing_column",
        "enrolments",
        "e_2018-01-29.csv",
        b"case_id,person_id,unit_code,enrolled_on\nC1,,PIMA,2017-01-10\n",
        "e_2018-01-29.csv: missing required column(s) gender (closest profile: canonical)",
    ),
    (
        "not_csv",
        "enrolments",
        "e_2018-01-29.txt",
        (E_HEAD + GOOD.replace("C1", "C3")).encode(),
        "e_2018-01-29.txt: not a CSV or XLSX file",
    ),
    (
        "wrong_encoding",
        "enrolments",
        "e_2018-01-29.csv",
        (E_HEAD + GOOD).encode() + "C2,,true,PIMA,2017-01-10,female,,,\n".replace("PIMA", "PIMÅ").encode("latin-1"),
        "e_2018-01-29.csv: not readable as utf-8 (byte",
    ),
    (
        "binary",
        "enrolments",
        "e_2018-01-29.csv",
        E_HEAD.encode() + b"\x00\x01\x02\x00\n",
        "e_2018-01-29.csv: binary content, not a text file",
    ),
    (
        "truncated_xlsx",
        "ors",
        "o_2018-01-29.xlsx",
        _xlsx([ORS_HEAD, ["R1", "C1", "2017-03-01", "ors", 5, 5, 5, 5]])[:300],
        "o_2018-01-29.xlsx: not a readable XLSX workbook",
    ),
    (
        "wrong_sheet",
        "ors",
        "o_2018-01-29.xlsx",
        _xlsx(
            [
                ["Svars-id", "Ärende", "Datum", "Formulär", "I", "R", "S", "Ö"],
                ["R1", "C1", "2017-03-01", "ORS", 5, 5, 5, 5],
            ]
        ),
        "o_2018-01-29.xlsx: sheet 'Svar' not found (has Blad1)",
    ),
    (
        "duplicate_field",
        "enrolments",
        "e_2018-01-29.csv",
        (E_HEAD.strip() + ",case_id\n" + GOOD.strip() + ",C1\n").encode(),
        "e_2018-01-29.csv: a canonical field appears in more than one column",
    ),
    (
        "ragged",
        "enrolments",
        "e_2018-01-29.csv",
        (E_HEAD + GOOD + "C2,,true,PIMA,2017-01-10,female,,,,x,y\n").encode(),
        "e_2018-01-29.csv: malformed CSV",
    ),
    (
        "wrong_delimiter",
        "enrolments",
        "e_2018-01-29.csv",
        (E_HEAD + GOOD).replace(",", "\t").encode(),
        "e_2018-01-29.csv: missing required column(s) case_id, unit_code, enrolled_on, gender",
    ),
]


def _malformed_sheet_xml() -> bytes:
    """A workbook whose zip is intact but whose sheet XML stops half way (openpyxl parses it only when read)."""
    import io
    import zipfile

    good = zipfile.ZipFile(io.BytesIO(_xlsx([ORS_HEAD, ["R1", "C1", "2017-03-01", "ors", 5, 5, 5, 5]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as broken:
        for item in good.infolist():
            data = good.read(item.filename)
            broken.writestr(item, data[: len(data) // 2] if item.filename == "xl/worksheets/sheet1.xml" else data)
    return out.getvalue()


REJECTED += [
    (
        "malformed_sheet_xml",
        "ors",
        "o_2018-01-29.xlsx",
        _malformed_sheet_xml(),
        "o_2018-01-29.xlsx: not a readable XLSX workbook (ParseError in the sheet)",
    ),
]

LEDGER_HEAD = "entry_id,unit_code,booked_on,cost_category,amount_sek\n"
ORS_SESSION_HEAD = "response_id,case_id,administered_on,session_no,form,individual,interpersonal,social,overall\n"

ROWS = [
    (
        "required_missing",
        "enrolments",
        E_HEAD + "C2,19811218-9876,false,,2017-01-10,female,,,\n",
        [("unit_code", "required_missing", None)],
    ),
    (
        "int_type",
        "enrolments",
        E_HEAD + "C2,19811218-9876,false,PIMA,2017-01-10,female,,,two\n",
        [("phase", "invalid_type", "two")],
    ),
    (
        "date_type",
        "enrolments",
        E_HEAD + "C2,19811218-9876,false,PIMA,2017-02-30,female,,,\n",
        [("enrolled_on", "invalid_type", "2017-02-30")],
    ),
    (
        "dec_type",
        "ledger",
        "entry_id,unit_code,booked_on,cost_category,amount_sek\nL1,PIMA,2017-01-31,other,12x\n",
        [("amount_sek", "invalid_type", "12x")],
    ),
    (
        "bool_type",
        "enrolments",
        E_HEAD + "C2,19811218-9876,maybe,PIMA,2017-01-10,female,,,\n",
        [("anonymous", "invalid_type", "maybe")],
    ),
    (
        "month_type",
        "support_months",
        "person_id,month,support_type,amount_sek\n19811218-9876,2017-13,wage,100\n",
        [("month", "invalid_type", "2017-13")],
    ),
    (
        "code",
        "enrolments",
        E_HEAD + "C2,19811218-9876,false,PIMA,2017-01-10,femal,,,\n",
        [("gender", "code_not_in_list", "femal")],
    ),
    (
        "int_range",
        "enrolments",
        E_HEAD + "C2,19811218-9876,false,PIMA,2017-01-10,female,,,12\n",
        [("phase", "out_of_range", "12")],
    ),
    (
        "ors_range",
        "ors",
        "response_id,case_id,administered_on,form,individual,interpersonal,social,overall\n"
        "R1,C1,2017-03-01,ors,10.5,5,5,5\n",
        [("individual", "out_of_range", "10.5")],
    ),
    (
        "negative_budget",
        "budget",
        "unit_code,cost_category,decided_sek,decision_ref\nPIMA,other,-5,D1\n",
        [("decided_sek", "out_of_range", "-5")],
    ),
    (
        "zero_hours",
        "attendance",
        "case_id,attendance_on,scheduled_hours,attended_hours\nC1,2017-02-01,0,0\n",
        [("scheduled_hours", "out_of_range", "0")],
    ),
    (
        "over_attended",
        "attendance",
        "case_id,attendance_on,scheduled_hours,attended_hours\nC1,2017-02-01,6,6.5\n",
        [("attended_hours", "out_of_range", "6.5")],
    ),
    ("minutes", "activities", A_HEAD + "A1,C1,2017-02-01,home_visit,,2000\n", [("minutes", "out_of_range", "2000")]),
    (
        "check_digit",
        "enrolments",
        E_HEAD + "C2,19811218-9875,false,PIMA,2017-01-10,female,,,\n",
        [("person_id", "invalid_person_id", "19811218-****")],
    ),
    (
        "pnr_date",
        "enrolments",
        E_HEAD + "C2,19811318-9876,false,PIMA,2017-01-10,female,,,\n",
        [("person_id", "invalid_person_id", "19811318-****")],
    ),
    (
        "samordning",
        "enrolments",
        E_HEAD + "C2,19811295-9876,false,PIMA,2017-01-10,female,,,\n",
        [("person_id", "invalid_person_id", "19811295-****")],
    ),
    (
        "reserve_other_unit",
        "enrolments",
        E_HEAD + "C2,R-2017-004,false,PIMA,2017-01-10,female,,,\n",
        [("person_id", "invalid_person_id", "****")],
    ),
    (
        "cpr_shape",
        "enrolments",
        E_HEAD + "C2,311299-1234,false,PIMA,2017-01-10,female,,,\n",
        [("person_id", "invalid_person_id", "311299-****")],
    ),
    (
        "after_export",
        "enrolments",
        E_HEAD + "C2,19811218-9876,false,PIMA,2018-02-10,female,,,\n",
        [("enrolled_on", "date_after_export", "2018-02-10")],
    ),
    (
        "exit_order",
        "enrolments",
        E_HEAD + "C2,19811218-9876,false,PIMA,2017-01-10,female,2016-12-01,work,\n",
        [("exited_on", "date_order", "2016-12-01")],
    ),
    (
        "plan_order",
        "action_plans",
        "plan_id,case_id,established_on,direction,reviewed_on\nH1,C1,2017-03-01,work,2017-02-01\n",
        [("reviewed_on", "date_order", "2017-02-01")],
    ),
    (
        "reason_without_exit",
        "enrolments",
        E_HEAD + "C2,19811218-9876,false,PIMA,2017-01-10,female,,work,\n",
        [("exited_on", "required_missing", None)],
    ),
    (
        "exit_without_reason",
        "enrolments",
        E_HEAD + "C2,19811218-9876,false,PIMA,2017-01-10,female,2017-05-01,,\n",
        [("exit_reason", "required_missing", None)],
    ),
    (
        "person_missing",
        "enrolments",
        E_HEAD + "C2,,false,PIMA,2017-01-10,female,,,\n",
        [("person_id", "required_missing", None)],
    ),
    (
        "huge_amount",
        "ledger",
        LEDGER_HEAD + "L1,PIMA,2017-01-31,other,1e20\n",
        [("amount_sek", "out_of_range", "1e20")],
    ),
    ("nan_amount", "ledger", LEDGER_HEAD + "L1,PIMA,2017-01-31,other,NaN\n", [("amount_sek", "invalid_type", "NaN")]),
    ("minus_inf", "ledger", LEDGER_HEAD + "L1,PIMA,2017-01-31,other,-inf\n", [("amount_sek", "invalid_type", "-inf")]),
    (
        "infinity",
        "ledger",
        LEDGER_HEAD + "L1,PIMA,2017-01-31,other,Infinity\n",
        [("amount_sek", "invalid_type", "Infinity")],
    ),
    (
        "int_beyond_32_bits",
        "ors",
        ORS_SESSION_HEAD + "R1,C1,2017-03-01,3000000000,ors,5,5,5,5\n",
        [("session_no", "out_of_range", "3000000000")],
    ),
    (
        "fullwidth_digits",
        "enrolments",
        E_HEAD + "C2,１９８１１２１８-９８７６,false,PIMA,2017-01-10,female,,,\n",
        [("person_id", "invalid_person_id", "１９８１１２１８-****")],
    ),
    (
        "arabic_indic_digits",
        "enrolments",
        E_HEAD + "C2,١٩٨١١٢١٨٩٨٧٦,false,PIMA,2017-01-10,female,,,\n",
        [("person_id", "invalid_person_id", "١٩٨١١٢١٨-****")],
    ),
    (
        "duplicate_key",
        "activities",
        A_HEAD + "A1,C1,2017-02-01,home_visit,,30\nA1,C1,2017-02-02,home_visit,,30\n",
        [("activity_id", "duplicate_key", "A1")],
    ),
]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Path:
    """A warehouse holding units, one enrolments export and one activities export."""
    root = tmp_path_factory.mktemp("baseline")
    landing = root / "landing"
    for source, name, text in [
        (
            "units",
            "units_2018-01-29.csv",
            "unit_code,unit_name,organisation,municipality,kind,funding,starts_on,person_id_pattern\n"
            "PIMA,PIMA,Demoby,Demoby,project,other,2016-01-01,\nADD,Beroende,Demoby,Demoby,regular_service,own_budget,"
            "2015-01-01,R-\\d{4}-\\d{3}\n",
        ),
        ("enrolments", "enrolments_2018-01-29.csv", E_HEAD + GOOD),
        ("activities", "activities_2018-01-29.csv", A_HEAD + "A0,C1,2017-02-01,home_visit,,30\n"),
    ]:
        (landing / source).mkdir(parents=True)
        (landing / source / name).write_text(text, encoding="utf-8")
    db = root / "wh.duckdb"
    with duckdb.connect(str(db)) as con:
        ensure_all_tables(con)
        for source in ("units", "enrolments", "activities"):
            _load(con, landing, source)
    return db


def _load(con, landing: Path, source: str, profiles_dir: Path | None = None):
    contract = load_contract(source)
    files = sorted((landing / source).iterdir())
    patterns = reserve_patterns(con, [], [])
    return load_source(
        con, contract, files, available_profiles(source, profiles_dir), KEY, datetime(2018, 1, 30, 8, 0), patterns
    )


def _counts(con) -> dict[str, int]:
    tables = con.execute(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
    ).fetchall()
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for (t,) in tables}


def _apply(baseline: Path, tmp_path: Path, source: str, name: str, content: bytes, profiles_dir=None):
    db = tmp_path / "wh.duckdb"
    shutil.copy(baseline, db)
    landing = tmp_path / "landing"
    (landing / source).mkdir(parents=True)
    (landing / source / name).write_bytes(content)
    with duckdb.connect(str(db)) as con:
        before = _counts(con)
        outcomes = _load(con, landing, source, profiles_dir)
        after = _counts(con)
        quarantine = con.execute(
            "SELECT field, rule, value FROM quality.quarantine WHERE file = ? ORDER BY row_number, field", [name]
        ).fetchall()
    changed = {t: after[t] - before.get(t, 0) for t in after if after[t] != before.get(t, 0)}
    return outcomes, changed, quarantine


WRONG_SHEET_PROFILE = """
name: survey-tool
source: ors
sheet: Svar
columns: {Svars-id: response_id, Ärende: case_id, Datum: administered_on, Formulär: form, I: individual,
          R: interpersonal, S: social, Ö: overall}
values: {form: {ORS: ors}}
"""


@pytest.mark.parametrize("kind, source, name, content, reason", REJECTED, ids=[r[0] for r in REJECTED])
def test_rejected_file_loads_nothing_and_says_why(baseline, tmp_path, kind, source, name, content, reason):
    profiles_dir = None
    if kind == "wrong_sheet":
        profiles_dir = tmp_path / "profiles"
        profiles_dir.mkdir()
        (profiles_dir / "survey-tool.yml").write_text(WRONG_SHEET_PROFILE, encoding="utf-8")
    outcomes, changed, quarantine = _apply(baseline, tmp_path, source, name, content, profiles_dir)
    (outcome,) = outcomes
    assert outcome.status == "rejected"
    assert outcome.error.startswith(reason), outcome.error
    assert "\n" not in outcome.error
    assert changed == {"quality.load_ledger": 1} and quarantine == []


@pytest.mark.parametrize("kind, source, text, expected", ROWS, ids=[r[0] for r in ROWS])
def test_bad_row_is_quarantined_with_field_and_rule(baseline, tmp_path, kind, source, text, expected):
    name = f"bad_{source}_2018-01-29.csv"
    outcomes, changed, quarantine = _apply(baseline, tmp_path, source, name, text.encode())
    (outcome,) = outcomes
    assert outcome.status == "loaded"
    assert quarantine == expected
    assert outcome.rows_read == outcome.rows_loaded + outcome.rows_quarantined + outcome.rows_duplicate
    assert outcome.rows_quarantined == 1
    expected_changes = {"quality.load_ledger": 1, "quality.quarantine": len(expected)}
    if outcome.rows_loaded:
        expected_changes[f"raw.{source}"] = outcome.rows_loaded
    assert changed == expected_changes


def test_append_row_already_loaded_counts_as_duplicate(baseline, tmp_path):
    text = A_HEAD + "A0,C1,2017-02-01,home_visit,,30\nA9,C1,2017-02-03,home_visit,,45\n"
    outcomes, changed, quarantine = _apply(baseline, tmp_path, "activities", "activities_2018-02-28.csv", text.encode())
    (outcome,) = outcomes
    assert (outcome.status, outcome.rows_read, outcome.rows_loaded, outcome.rows_duplicate) == ("loaded", 2, 1, 1)
    assert changed == {"quality.load_ledger": 1, "raw.activities": 1} and quarantine == []


def test_changed_append_row_newer_export_wins_and_is_recorded(baseline, tmp_path):
    text = A_HEAD + "A0,C1,2017-02-01,home_visit,,90\n"
    outcomes, changed, _ = _apply(baseline, tmp_path, "activities", "activities_2018-02-28.csv", text.encode())
    assert outcomes[0].rows_loaded == 1
    assert changed == {"quality.load_ledger": 1, "raw.activities": 1, "quality.key_changes": 1}


def test_same_content_under_a_new_name_is_skipped(baseline, tmp_path):
    text = A_HEAD + "A0,C1,2017-02-01,home_visit,,30\n"
    outcomes, changed, _ = _apply(baseline, tmp_path, "activities", "copy_of_activities.csv", text.encode())
    (outcome,) = outcomes
    assert outcome.status == "skipped_same_content"
    assert outcome.error == "copy_of_activities.csv: same content as activities_2018-01-29.csv, already loaded"
    assert changed == {"quality.load_ledger": 1}


def test_case_in_an_unknown_unit_loads_for_the_findings(baseline, tmp_path):
    text = E_HEAD + GOOD + "C7,19811218-9876,false,NOPE,2017-01-10,female,,,\n"
    outcomes, changed, quarantine = _apply(baseline, tmp_path, "enrolments", "enrolments_2018-02-28.csv", text.encode())
    assert outcomes[0].rows_loaded == 2 and quarantine == []
    assert changed == {"quality.load_ledger": 1, "raw.enrolments": 2}


def test_a_corrected_snapshot_keeps_the_earlier_batch(baseline, tmp_path):
    corrected = E_HEAD + "C1,19811218-9876,false,PIMA,2017-01-10,female,2017-12-01,work,\n"
    outcomes, changed, _ = _apply(baseline, tmp_path, "enrolments", "enrolments_2018-02-28.csv", corrected.encode())
    assert outcomes[0].rows_loaded == 1
    assert changed == {"quality.load_ledger": 1, "raw.enrolments": 1}
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        batches = con.execute(
            "SELECT _exported_on, exited_on FROM raw.enrolments WHERE case_id = 'C1' ORDER BY _exported_on"
        ).fetchall()
    assert [(str(d), str(e) if e else None) for d, e in batches] == [("2018-01-29", None), ("2018-02-28", "2017-12-01")]


def test_relanding_the_same_files_changes_nothing(baseline, tmp_path):
    db = tmp_path / "wh.duckdb"
    shutil.copy(baseline, db)
    landing = tmp_path / "landing"
    (landing / "activities").mkdir(parents=True)
    (landing / "activities" / "activities_2018-01-29.csv").write_text(
        A_HEAD + "A0,C1,2017-02-01,home_visit,,30\n", encoding="utf-8"
    )
    with duckdb.connect(str(db)) as con:
        before = _counts(con)
        first = _load(con, landing, "activities")
        second = _load(con, landing, "activities")
        assert _counts(con) == before
    assert [o.status for o in first + second] == ["unchanged", "unchanged"]


def test_cr_only_line_ends_load_like_lf(baseline, tmp_path):
    text = E_HEAD + GOOD.replace("C1", "C5") + "C6,19811218-9875,false,PIMA,2017-01-10,female,,,\n"
    outcomes, changed, quarantine = _apply(
        baseline, tmp_path, "enrolments", "enrolments_2018-02-28.csv", text.replace("\n", "\r").encode()
    )
    (outcome,) = outcomes
    assert (outcome.status, outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == ("loaded", 2, 1, 1)
    assert quarantine == [("person_id", "invalid_person_id", "19811218-****")]
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT row_number FROM quality.quarantine WHERE file = 'enrolments_2018-02-28.csv'")
        assert rows.fetchall() == [(3,)]  # the line in the file, as with LF


def test_a_value_duckdb_refuses_rejects_the_file_and_the_next_file_loads(baseline, tmp_path):
    """The write is the last line of defence: whatever DuckDB refuses rejects that file with DuckDB's reason, in
    one line, and leaves nothing of it; the source's next file loads. Here the raw column is narrower than the
    contract (as an older warehouse could have it), so validation passes 123456.5 and the cast fails."""
    db = tmp_path / "wh.duckdb"
    shutil.copy(baseline, db)
    landing = tmp_path / "landing"
    (landing / "ledger").mkdir(parents=True)
    (landing / "ledger" / "ledger_2018-01-29.csv").write_text(
        LEDGER_HEAD + "L1,PIMA,2017-01-31,other,12.5\nL2,PIMA,2017-01-31,other,123456.5\n", encoding="utf-8"
    )
    (landing / "ledger" / "ledger_2018-02-28.csv").write_text(
        LEDGER_HEAD + "L3,PIMA,2017-02-28,other,99.5\n", encoding="utf-8"
    )
    with duckdb.connect(str(db)) as con:
        con.execute("ALTER TABLE raw.ledger ALTER amount_sek TYPE DECIMAL(6,2)")
        first, second = _load(con, landing, "ledger")
        ledger = con.execute(
            "SELECT file_name, status, rows_loaded, error FROM quality.load_ledger WHERE source = 'ledger'"
        )
        rows = ledger.fetchall()
        raw = con.execute("SELECT entry_id, _file FROM raw.ledger ORDER BY entry_id").fetchall()
        quarantine = con.execute("SELECT count(*) FROM quality.quarantine WHERE source = 'ledger'").fetchone()[0]
    assert (first.status, second.status) == ("rejected", "loaded")
    assert first.error.startswith("ledger_2018-01-29.csv: could not be loaded (ConversionException: ")
    assert "\n" not in first.error
    assert sorted(rows) == [
        ("ledger_2018-01-29.csv", "rejected", 0, first.error),
        ("ledger_2018-02-28.csv", "loaded", 1, None),
    ]
    assert raw == [("L3", "ledger_2018-02-28.csv")] and quarantine == 0  # nothing of the rejected file


def test_identity_numbers_in_file_names_are_masked_wherever_the_name_is_stored(baseline, tmp_path):
    name = "enrolments_19811218-9876_2018-02-28.csv"
    masked = "enrolments_19811218-****_2018-02-28.csv"
    text = E_HEAD + GOOD.replace("C1", "C8") + "C9,19811218-9875,false,PIMA,2017-01-10,female,,,\n"
    outcomes, changed, _ = _apply(baseline, tmp_path, "enrolments", name, text.encode())
    assert [(o.file_name, o.status, o.rows_loaded) for o in outcomes] == [(masked, "loaded", 1)]
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM quality.load_ledger WHERE file_name = ?", [masked]).fetchone() == (1,)
        assert con.execute("SELECT DISTINCT _file FROM raw.enrolments WHERE case_id = 'C8'").fetchall() == [(masked,)]
        assert con.execute(
            "SELECT DISTINCT file FROM quality.quarantine WHERE file LIKE 'enrol%-****%'"
        ).fetchall() == [(masked,)]
        names = con.execute(
            "SELECT file_name FROM quality.load_ledger UNION ALL SELECT _file FROM raw.enrolments "
            "UNION ALL SELECT file FROM quality.quarantine"
        ).fetchall()
    assert not [n for (n,) in names if "9876" in n]
    # Loading the folder again: the same (masked) name and content is recognised, nothing is recorded twice.
    db = tmp_path / "wh.duckdb"
    with duckdb.connect(str(db)) as con:
        again = _load(con, tmp_path / "landing", "enrolments")
    assert [o.status for o in again] == ["unchanged"]


def test_a_file_rejected_earlier_is_not_rejected_again(baseline, tmp_path):
    outcomes, changed, _ = _apply(baseline, tmp_path, "enrolments", "e_2018-01-29.csv", b"")
    assert [o.status for o in outcomes] == ["rejected"]
    with duckdb.connect(str(tmp_path / "wh.duckdb")) as con:
        again = _load(con, tmp_path / "landing", "enrolments")
        assert con.execute("SELECT count(*) FROM quality.load_ledger WHERE status = 'rejected'").fetchone() == (1,)
    assert [(o.status, o.error) for o in again] == [("previously_rejected", "e_2018-01-29.csv: file is empty")]


def test_names_stored_unmasked_by_an_older_version_are_masked_and_recognised(baseline, tmp_path):
    name, masked = "enrolments_19811218-9876_2018-02-28.csv", "enrolments_19811218-****_2018-02-28.csv"
    text = E_HEAD + GOOD.replace("C1", "C8") + "C9,19811218-9875,false,PIMA,2017-01-10,female,,,\n"
    _apply(baseline, tmp_path, "enrolments", name, text.encode())
    (tmp_path / "landing" / "enrolments" / "copy.csv").write_bytes(text.encode())
    with duckdb.connect(str(tmp_path / "wh.duckdb")) as con:
        # As a warehouse loaded before names were masked holds them.
        con.execute("UPDATE quality.load_ledger SET file_name = ? WHERE file_name = ?", [name, masked])
        con.execute("UPDATE raw.enrolments SET _file = ? WHERE _file = ?", [name, masked])
        con.execute("UPDATE quality.quarantine SET file = ? WHERE file = ?", [name, masked])
        outcomes = _load(con, tmp_path / "landing", "enrolments")
        texts = con.execute(
            """SELECT file_name || coalesce(error, '') FROM quality.load_ledger
               UNION ALL SELECT _file FROM raw.enrolments UNION ALL SELECT file FROM quality.quarantine"""
        ).fetchall()
    assert [(o.file_name, o.status) for o in outcomes] == [("copy.csv", "skipped_same_content"), (masked, "unchanged")]
    assert outcomes[0].error == f"copy.csv: same content as {masked}, already loaded"
    assert not [t for (t,) in texts if "9876" in t] and [t for (t,) in texts if masked in t]
