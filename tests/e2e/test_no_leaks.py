"""Privacy by construction: after a demo run, no identity number is anywhere but the landing folder."""

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from sources.identity import InvalidId, parse_swedish

pytestmark = pytest.mark.slow

FOLLOWUP = str(Path(sys.executable).parent / "followup")
# Swedish forms (10 or 12 digits, optional - or +); candidates are confirmed by the check digit.
CANDIDATE = re.compile(rb"(?<![0-9A-Za-z])((?:19|20)?\d{6}[-+]?\d{4})(?![0-9A-Za-z])")


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
    return {number, digits, ten, f"{ten[:6]}-{ten[6:]}", f"{digits[:-4]}-{digits[-4:]}"}


def test_no_identity_number_outside_the_landing_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "DAGSTER_"))}
    env |= {"FOLLOWUP_AS_OF_DATE": "2026-11-01", "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    for args in (["demo", "--scale", "0.1"], ["run"]):
        done = subprocess.run([FOLLOWUP, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr
        # Nothing the commands print may hold a number either.
        assert not _identity_numbers((done.stdout + done.stderr).encode())

    landing = tmp_path / "data" / "landing"
    planted: set[str] = set()
    for path in landing.rglob("*.csv"):
        planted |= _identity_numbers(path.read_bytes())
    assert len(planted) > 100  # the scanner does find numbers where they are
    # Binary files (SQLite run storage, DuckDB pages) hold random digit runs that pass Luhn by chance,
    # so files are scanned for the planted numbers themselves, in every form they could be written in.
    forms = {form.encode() for number in planted for form in _written_forms(number)}

    scanned = 0
    for path in tmp_path.rglob("*"):
        if path.is_file() and landing not in path.parents and path.name != "pseudonym.key":
            data = path.read_bytes()
            assert not [f for f in forms if f in data], path
            scanned += 1
    assert scanned > 3  # the warehouse, the Dagster instance's storage and logs

    # DuckDB compresses strings on disk: also read every text column back through SQL.
    with duckdb.connect(str(tmp_path / "data" / "warehouse" / "followup.duckdb"), read_only=True) as con:
        columns = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR'"
        ).fetchall()
        for schema, table, column in columns:
            values = con.execute(f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}" WHERE "{column}" IS NOT NULL')
            text = "\n".join(str(v[0]) for v in values.fetchall()).encode()
            assert not _identity_numbers(text), f"{schema}.{table}.{column}"
