from datetime import date
from pathlib import Path

import polars as pl
import pytest

from sources.contracts import load_contract
from sources.profiles import available_profiles, load_profile
from sources.readers import RejectedFile, choose_profile, read_file
from sources.validation import validate

EXPORT = date(2018, 1, 29)
HEADER = "case_id,person_id,anonymous,unit_code,enrolled_on,gender,exited_on,exit_reason,phase"

SV_PROFILE = """
name: test-sv
source: enrolments
delimiter: ";"
encoding: cp1252
decimal: ","
date_formats: ["%Y-%m-%d", "%d.%m.%Y"]
true_values: ["ja"]
false_values: ["nej"]
columns:
  Ärende: case_id
  Personnummer: person_id
  Anonym: anonymous
  Enhet: unit_code
  Inskrivningsdatum: enrolled_on
  Kön: gender
  Utskrivningsdatum: exited_on
  Avslutsorsak: exit_reason
values:
  gender: {Kvinna: female, Man: male}
  exit_reason: {Arbete: work, Studier: studies}
"""


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _check(path: Path, profiles=None):
    contract = load_contract("enrolments")
    profiles = profiles or available_profiles("enrolments")
    profile = choose_profile(path, contract, profiles)
    return validate(read_file(path, contract, profile).frame, contract, profile, EXPORT)


def test_good_rows_load_typed(tmp_path):
    path = _write(tmp_path, "e.csv", HEADER + "\nC1,19811218-9876,false,PIMA,2017-01-10,female,2017-06-01,work,2\n")
    result = _check(path)
    assert result.findings.height == 0
    row = result.valid.row(0, named=True)
    assert row["enrolled_on"] == date(2017, 1, 10) and row["phase"] == 2 and row["anonymous"] is False
    assert result.person_ids.rows() == [("19811218-9876", "198112189876", date(1981, 12, 18), "male")]


def test_each_bad_row_is_quarantined_with_field_and_rule(tmp_path):
    rows = [
        "C1,19811218-9876,false,PIMA,2017-01-10,female,2017-06-01,work,",  # good (line 2)
        "C2,19811218-9875,false,PIMA,2017-01-10,femal,,,",  # bad check digit, code typo (line 3)
        "C3,,true,PIMA,2017-13-10,female,,,",  # impossible date (line 4)
        "C1,19811218-9876,false,PIMA,2017-01-10,female,2016-06-01,work,12",  # dup, order, range (line 5)
        "C4,,,PIMA,2017-01-10,female,2017-02-01,,",  # missing person and exit reason (line 6)
        "C5,19811218-9876,false,PIMA,2018-02-10,male,,,",  # after the export date (line 7)
    ]
    result = _check(_write(tmp_path, "e.csv", HEADER + "\n" + "\n".join(rows) + "\n"))
    found = sorted(result.findings.select("_row_number", "field", "rule", "value").iter_rows())
    assert found == [
        (3, "gender", "code_not_in_list", "femal"),
        (3, "person_id", "invalid_person_id", "19811218-****"),
        (4, "enrolled_on", "invalid_type", "2017-13-10"),
        (5, "case_id", "duplicate_key", "C1"),
        (5, "exited_on", "date_order", "2016-06-01"),
        (5, "phase", "out_of_range", "12"),
        (6, "exit_reason", "required_missing", None),
        (6, "person_id", "required_missing", None),
        (7, "enrolled_on", "date_after_export", "2018-02-10"),
    ]
    assert result.valid["case_id"].to_list() == ["C1"]
    assert result.valid.height + result.rows_quarantined == len(rows)


def test_a_declarative_profile_maps_a_swedish_export(tmp_path):
    profile_dir = tmp_path / "profiles"
    profile_dir.mkdir()
    (profile_dir / "test-sv.yml").write_text(SV_PROFILE, encoding="utf-8")
    text = (
        "Ärende;Personnummer;Anonym;Enhet;Inskrivningsdatum;Kön;Utskrivningsdatum;Avslutsorsak;Övrigt\n"
        "C1;811218-9876;nej;PIMA;10.01.2017;Kvinna;2017-06-01;Arbete;x\n"
    )
    path = _write(tmp_path, "e.csv", text, encoding="cp1252")
    contract = load_contract("enrolments")
    profiles = available_profiles("enrolments", profile_dir)
    profile = choose_profile(path, contract, profiles)
    assert profile.name == "test-sv"
    read = read_file(path, contract, profile)
    assert read.extra_columns == ("Övrigt",)
    result = validate(read.frame, contract, profile, EXPORT)
    assert result.findings.height == 0
    row = result.valid.row(0, named=True)
    assert (row["gender"], row["exit_reason"], row["enrolled_on"]) == ("female", "work", date(2017, 1, 10))


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("e.csv", b"", "e.csv: file is empty"),
        ("e.csv", b"case_id,unit_code\nC1,PIMA\n", "e.csv: missing required column(s) enrolled_on, gender"),
        ("e.csv", HEADER.encode() + b"\n", "e.csv: header only, no data rows"),
        ("e.csv", HEADER.encode() + b"\nC1,\xff\xfe,false\n", "e.csv: not readable as utf-8 (byte"),
    ],
)
def test_rejected_files_say_why(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RejectedFile) as exc:
        _check(path)
    assert str(exc.value).startswith(reason)


def test_profile_files_are_declarative(tmp_path):
    path = tmp_path / "p.yml"
    path.write_text(SV_PROFILE, encoding="utf-8")
    profile = load_profile(path)
    assert profile.canonical_name("Personnummer") == "person_id"
    assert profile.canonical_name("\ufeffcase_id") == "case_id"
    assert profile.values["gender"]["Kvinna"] == "female"


def test_xlsx_with_a_title_row(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["ORS export – Demoby"])
    ws.append(["response_id", "case_id", "administered_on", "form", "individual", "interpersonal", "social", "overall"])
    ws.append(["R1", "C1", "2017-03-01", "ors", 4.5, 5, 6.1, 5.0])
    ws.append(["R2", "C1", "2017-03-01", "ors", 11.5, 5, 6.1, 5.0])
    path = tmp_path / "ors.xlsx"
    wb.save(path)
    contract = load_contract("ors")
    profile = load_profile(Path("sources/profiles/canonical.yml"))
    profile = type(profile)(**{**profile.__dict__, "header_row": 2})
    read = read_file(path, contract, profile)
    result = validate(read.frame, contract, profile, EXPORT)
    assert result.valid.select("response_id", "individual").rows() == [("R1", 4.5)]
    assert result.findings.select("_row_number", "field", "rule").rows() == [(4, "individual", "out_of_range")]
    assert isinstance(result.valid, pl.DataFrame)


def test_xlsx_cells_read_as_the_text_of_a_csv_export(tmp_path):
    """Numbers take the profile's decimal mark, whole numbers lose their .0, dates their midnight; text, blank
    cells and columns that mix numbers with text are kept cell by cell; trailing blank rows are dropped."""
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["response_id", "case_id", "administered_on", "session_no", "form", "individual", "social", "overall"])
    ws.append(["R1", "C1", datetime(2017, 3, 1), 1, "ors", 4.5, 1e-05, 5.0])
    ws.append(["R2", 17, "2017-03-02", "2", None, 2.25, "7,5", -0.0])
    ws.append([None] * 8)
    path = tmp_path / "ors.xlsx"
    wb.save(path)
    profile = load_profile(Path("sources/profiles/canonical.yml"))
    profile = type(profile)(**{**profile.__dict__, "decimal": ","})
    frame = read_file(path, load_contract("ors"), profile).frame
    assert frame.drop("_row_number", "interpersonal").rows() == [
        ("R1", "C1", "2017-03-01", "1", "ors", "4,5", "1e-05", "5"),
        ("R2", "17", "2017-03-02", "2", None, "2,25", "7,5", "0"),
    ]
    assert frame["_row_number"].to_list() == [2, 3]


def test_reserve_numbers_are_valid_only_in_their_own_unit(tmp_path):
    rows = [
        "A2,R-2017-004,false,ADD,2017-05-01,male,,,",
        "P9,R-2017-004,false,PIMA,2017-05-01,female,,,",
    ]
    path = _write(tmp_path, "e.csv", HEADER + "\n" + "\n".join(rows) + "\n")
    contract = load_contract("enrolments")
    profile = choose_profile(path, contract, available_profiles("enrolments"))
    result = validate(read_file(path, contract, profile).frame, contract, profile, EXPORT, {"ADD": r"R-\d{4}-\d{3}"})
    assert result.valid["case_id"].to_list() == ["A2"]
    assert result.findings.select("_row_number", "rule", "value").rows() == [(3, "invalid_person_id", "****")]
    assert result.person_ids.rows() == [("R-2017-004", "reserve:R-2017-004", None, None)]
