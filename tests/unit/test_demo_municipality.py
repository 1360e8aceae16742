import csv
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from demo_municipality import DIRT, generate, generate_increment, personnummer
from demo_municipality.units import UNITS, UNITS_FILE, load_units
from demo_municipality.writing import write_xlsx
from sources.contracts import all_contracts
from sources.identity import InvalidId, parse_person_id


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate(out, scale=0.2, seed=3)


def _csv(out: Path, source: str) -> list[dict[str, str]]:
    path = next((out / source).glob("*.csv"))
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_source_has_one_export_with_the_canonical_header(demo):
    out, rows = demo
    assert set(rows) == {c.source for c in all_contracts()}
    for contract in all_contracts():
        files = list((out / contract.source).iterdir())
        assert len(files) == 1 and files[0].name.endswith("_2026-11-01" + files[0].suffix)
        if files[0].suffix == ".csv":
            header = files[0].read_text(encoding="utf-8").splitlines()[0].split(",")
            assert header[: len(contract.field_names)] == contract.field_names


def test_same_seed_same_bytes_other_seed_other_content(demo, tmp_path):
    out, _ = demo
    generate(tmp_path / "again", scale=0.2, seed=3)
    generate(tmp_path / "other", scale=0.2, seed=4)
    for source in ("enrolments", "attendance", "ledger"):
        first = next((out / source).glob("*.csv")).read_bytes()
        assert next((tmp_path / "again" / source).glob("*.csv")).read_bytes() == first
        assert next((tmp_path / "other" / source).glob("*.csv")).read_bytes() != first
    assert (tmp_path / "again/ors/ors_2026-11-01.xlsx").read_bytes() == (out / "ors/ors_2026-11-01.xlsx").read_bytes()


def test_scale_multiplies_cases(demo, tmp_path):
    _, rows = demo
    bigger = generate(tmp_path / "big", scale=0.4, seed=3)
    dirty = len(DIRT["enrolments"])
    # Each unit's case count is rounded on its own: allow one case per unit either way.
    assert abs((bigger["enrolments"] - dirty) - 2 * (rows["enrolments"] - dirty)) <= 8


def test_identity_numbers_are_valid_except_the_documented_dirt(demo):
    out, _ = demo
    from datetime import date

    invalid = []
    for row in _csv(out, "enrolments"):
        if not row["person_id"]:
            continue
        try:
            parse_person_id(row["person_id"], date(2026, 11, 1), reserve_pattern=r"R-\d{4}-\d{3}")
        except InvalidId:
            invalid.append(row["case_id"])
    assert len(invalid) == sum(rule == "invalid_person_id" for _, rule in DIRT["enrolments"])


def test_exactly_one_exit_before_enrolment(demo):
    out, _ = demo
    rows = _csv(out, "enrolments")
    assert sum(1 for r in rows if r["exited_on"] and r["exited_on"] < r["enrolled_on"]) == 1


def test_distinct_persons_get_distinct_identity_numbers():
    # 1 000 persons born on four days in turn: the old serial (position mod 500) gave persons 0 and 500 the
    # same number; at scale 100 that quarantined 5 619 support months as duplicate keys.
    days = np.array([10_000, 10_001, 10_002, 10_003] * 250)
    female = np.zeros(1000, dtype=bool)
    numbers = personnummer(days, female)
    normalised = {parse_person_id(n, date(2026, 11, 1)).normalised for n in numbers}
    assert len(normalised) == 1000
    later = personnummer(days[:10], female[:10], start=1000)  # a later batch never reuses a first-batch serial
    assert not normalised & {parse_person_id(n, date(2026, 11, 1)).normalised for n in later}


def test_units_catalogue_is_the_units_export(demo):
    out, _ = demo
    assert [u.code for u in UNITS] == ["PIMA", "C2C", "NPF", "SKOL", "HLT", "UPS", "UNGH", "BER"]
    exported = _csv(out, "units")
    assert [r["unit_code"] for r in exported] == [u.code for u in UNITS]
    assert [r["unit_name"] for r in exported] == [u.name for u in UNITS]
    assert {r["unit_code"]: r["person_id_pattern"] for r in exported if r["person_id_pattern"]} == {
        "BER": r"R-\d{4}-\d{3}"
    }
    assert all(isinstance(u.ages, tuple) and isinstance(u.staff_fte, float) for u in UNITS)
    # The optional sources come from the units that carry the flag, and only from them.
    from python_calamine import CalamineWorkbook

    for source in ("attendance", "drug_tests", "ors", "srs", "sdq", "wellbeing"):
        if source in ("attendance", "drug_tests"):
            case_ids = [r["case_id"] for r in _csv(out, source)]
        else:
            sheet = CalamineWorkbook.from_path(str(next((out / source).glob("*.xlsx")))).get_sheet_by_index(0)
            header, *rows = sheet.to_python()
            case_ids = [r[header.index("case_id")] for r in rows]
        assert {c.split("-")[0] for c in case_ids} == {u.code for u in UNITS if getattr(u, source)}, source


def test_units_file_with_an_unknown_key_is_refused(tmp_path):
    bad = tmp_path / "units.yml"
    bad.write_text((UNITS_FILE.read_text(encoding="utf-8")).replace("    srs: true", "    srs: true\n    sr: true"))
    with pytest.raises(ValueError, match="unit BER has unknown key"):
        load_units(bad)


@pytest.mark.parametrize("header_row", [1, 3])
def test_xlsx_sheet_layout(tmp_path, header_row):
    from python_calamine import CalamineWorkbook

    frame = pl.DataFrame({"case_id": ["A<&>1", None], "score": [1.5, 2.0], "n": [3, None]})
    path = tmp_path / "ors.xlsx"
    write_xlsx(frame, path, "ors", "ors – title", header_row, date(2026, 11, 1))
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["ors"]
    rows = book.get_sheet_by_name("ors").to_python(skip_empty_area=False)
    above = [["ors – title", "", ""], ["", "", ""]] if header_row == 3 else []
    assert rows == [*above, ["case_id", "score", "n"], ["A<&>1", 1.5, 3.0], ["", 2.0, ""]]
    write_xlsx(frame, tmp_path / "again.xlsx", "ors", "ors – title", header_row, date(2026, 11, 1))
    assert (tmp_path / "again.xlsx").read_bytes() == path.read_bytes()


def test_increment_keeps_every_case_and_adds_november(demo, tmp_path):
    out, _ = demo
    rows = generate_increment(tmp_path, scale=0.2, seed=3)
    assert {p.name for p in tmp_path.glob("*/*")} == {f"{s}_2026-12-01.{'xlsx' if s == 'ors' else 'csv'}" for s in rows}
    before = {r["case_id"] for r in _csv(out, "enrolments")}
    after = _csv(tmp_path, "enrolments")
    new = [r for r in after if r["case_id"] not in before]
    assert before <= {r["case_id"] for r in after} and new
    assert all("2026-11-01" <= r["enrolled_on"] <= "2026-11-30" for r in new)
    assert all(r["activity_on"].startswith("2026-11") for r in _csv(tmp_path, "activities"))
