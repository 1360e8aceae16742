"""Privacy by construction: after a demo run, no identity number is anywhere but the landing folder.

Planted on top of the demo's exports: identity numbers in file names (ASCII and fullwidth digits), and identity
numbers written in look-alike digits (fullwidth, Arabic-Indic) in the person field. Every file the commands wrote
(warehouse, published copy and its CSV/Parquet, the Dagster instance's storage and captured logs, this run's dbt
folder), every text column of the warehouse and the published copy, and everything the commands printed is then
searched for every planted number in every form: 12 and 10 digits, with and without the dash, in every script.
"""

import os
import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.transform.dbt_project import DBT_PROJECT_DIR
from sources.identity import InvalidId, parse_swedish

pytestmark = pytest.mark.slow

FOLLOWUP = str(Path(sys.executable).parent / "followup")
# Swedish forms (10 or 12 digits, optional - or +); candidates are confirmed by the check digit.
CANDIDATE = re.compile(rb"(?<![0-9A-Za-z])((?:19|20)?\d{6}[-+]?\d{4})(?![0-9A-Za-z])")
SCRIPTS = {
    "ascii": str.maketrans("", ""),
    "fullwidth": str.maketrans("0123456789", "０１２３４５６７８９"),
    "arabic_indic": str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"),
}
# Numbers planted in file names only (valid check digits), written as 12 and as 10 digits.
IN_NAMES = {
    "placements_19410924-4170_2026-10-20.csv": "placements_19410924-****_2026-10-20.csv",
    "placements_４１０９２４４１７０_2026-10-21.csv": "placements_４１０９２４-****_2026-10-21.csv",
    "support_months_٥٠٠١٠١٢٣٨٩_2026-10-21.csv": "support_months_٥٠٠١٠١-****_2026-10-21.csv",
}
NAME_NUMBERS = ("19410924-4170", "4109244170", "5001012389")


def _identity_numbers(data: bytes) -> set[str]:
    found = set()
    for match in CANDIDATE.finditer(data):
        value = match.group(1).decode()
        try:
            parse_swedish(value, date(2026, 11, 1))
        except InvalidId:
            continue
        found.add(value)
    return found


def _written_forms(number: str) -> set[str]:
    digits = number.replace("-", "").replace("+", "")
    ten = digits[-10:]
    ascii_forms = {number, digits, ten, f"{ten[:6]}-{ten[6:]}", f"{digits[:-4]}-{digits[-4:]}"}
    return {form.translate(script) for form in ascii_forms for script in SCRIPTS.values()}


def _plant(landing: Path) -> list[tuple[str, str]]:
    """Files named with identity numbers, and person fields in look-alike digits: (file, look-alike value)."""
    for source in ("placements", "support_months"):
        (genuine,) = (landing / source).glob("*.csv")
        header, *rows = genuine.read_text(encoding="utf-8").splitlines()
        for i, name in enumerate([n for n in IN_NAMES if n.startswith(source)]):
            part = rows[i::2][:15]  # different rows in each file: the same content would be skipped
            (landing / source / name).write_text("\n".join([header, *part]) + "\n", encoding="utf-8")
    header, *rows = (landing / "support_months" / "support_months_2026-11-01.csv").read_text().splitlines()
    persons = sorted({r.split(",")[0] for r in rows if _identity_numbers(r.split(",")[0].encode())})
    look_alike = []
    for i, script in enumerate(("fullwidth", "arabic_indic")):
        name = f"support_months_look_alike_{script}_2026-10-2{5 + i}.csv"
        out = [header]
        for number in persons[10 * i : 10 * i + 10]:
            value = number.translate(SCRIPTS[script])
            look_alike.append((name, value))
            out.append(f"{value},2026-09,income_support,1000")
        (landing / "support_months" / name).write_text("\n".join(out) + "\n", encoding="utf-8")
    return look_alike


def test_no_identity_number_outside_the_landing_folder(tmp_path):
    started = time.time()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "DAGSTER_"))}
    env |= {"FOLLOWUP_AS_OF_DATE": "2026-11-01", "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    printed = []
    landing = tmp_path / "data" / "landing"
    for args in (["demo", "--scale", "0.1"], ["run"], ["status"]):
        if args == ["run"]:
            look_alike = _plant(landing)
        done = subprocess.run([FOLLOWUP, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr
        printed.append(done.stdout + done.stderr)
    assert len(look_alike) == 20

    planted: set[str] = set(NAME_NUMBERS)
    for path in landing.rglob("*.csv"):
        planted |= _identity_numbers(path.read_bytes())
    assert len(planted) > 100  # the scanner does find numbers where they are
    # Binary files (SQLite run storage, DuckDB pages) hold random digit runs that pass Luhn by chance,
    # so files are scanned for the planted numbers themselves, in every form they could be written in.
    forms = {form.encode() for number in planted for form in _written_forms(number)}
    forms |= {value.encode() for _, value in look_alike}

    def leaks(data: bytes) -> list[bytes]:
        return [f for f in forms if f in data]

    # Nothing the commands printed holds a number (the file names they print are masked).
    for text in printed:
        assert not _identity_numbers(text.encode()) and not leaks(text.encode())
    assert "placements/placements_19410924-****_2026-10-20.csv: " in printed[1]

    scanned = 0
    this_run_dbt = [
        p for p in (DBT_PROJECT_DIR / "target").glob("followup_dbt_models-*") if p.stat().st_mtime >= started
    ]
    for folder in [tmp_path, *this_run_dbt]:
        for path in folder.rglob("*"):
            if path.is_file() and landing not in path.parents and path.name != "pseudonym.key":
                assert not leaks(path.read_bytes()), path
                scanned += 1
    assert scanned > 10  # the warehouse, the published copy and its exports, the instance's storage and logs
    assert this_run_dbt  # dbt's folder of this run's build was searched too

    # DuckDB compresses strings on disk, Parquet too: also read every text column back through SQL.
    warehouse = tmp_path / "data" / "warehouse" / "followup.duckdb"
    published = tmp_path / "data" / "published"
    for database in (warehouse, published / "followup.duckdb"):
        with duckdb.connect(str(database), read_only=True) as con:
            columns = con.execute(
                "SELECT table_schema, table_name, column_name FROM information_schema.columns "
                "WHERE data_type = 'VARCHAR'"
            ).fetchall()
            for schema, table, column in columns:
                values = con.execute(
                    f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}" WHERE "{column}" IS NOT NULL'
                )
                text = "\n".join(str(v[0]) for v in values.fetchall()).encode()
                assert not _identity_numbers(text) and not leaks(text), f"{database.name} {schema}.{table}.{column}"
    with duckdb.connect() as con:
        for parquet in (published / "parquet").glob("*.parquet"):
            text = str(con.execute(f"SELECT * FROM read_parquet('{parquet}')").fetchall()).encode()
            assert not leaks(text), parquet

    # The planted files loaded under their masked names; the look-alike digits were quarantined, masked.
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ledger = dict(con.execute("SELECT file_name, status FROM quality.load_ledger").fetchall())
        for masked in IN_NAMES.values():
            assert ledger[masked] == "loaded", masked
        quarantined = con.execute(
            """SELECT file, value FROM quality.quarantine
               WHERE file LIKE 'support_months_look_alike_%' AND field = 'person_id' AND rule = 'invalid_person_id'"""
        ).fetchall()
        raw_names = {r[0] for r in con.execute("SELECT _file FROM raw.placements").fetchall()}

    def masked(value: str) -> str:  # the birth-date part in the digits it was written in, never the serial
        digits = [c for c in value if c.isdigit()]
        return "".join(digits[: len(digits) - 4]) + "-****"

    assert sorted(quarantined) == sorted((file, masked(value)) for file, value in look_alike)
    assert "placements_19410924-****_2026-10-20.csv" in raw_names
    with duckdb.connect(str(published / "followup.duckdb"), read_only=True) as con:
        published_names = {r[0] for r in con.execute("SELECT file_name FROM quality.load_ledger").fetchall()}
    assert set(IN_NAMES.values()) <= published_names
