"""The published copy, as readers and BI tools see it, through `followup` in subprocesses on the PIMA fixture.

One story in few full runs (each test builds on the state the previous one left, in file order):
1. the session's PIMA run (tests/conftest.py, copied here) published the copy: only marts, reports, ledger and
   findings; no identity number in any published file;
2. 2017-H2 is published (frozen); a corrected enrolments export lands (one more PIMA case in 2017-H2);
3. a run killed (SIGKILL) during dbt, then one killed during publication: the copy is byte for byte the previous
   one and opens; the next run completes without repair while a second process reads the copy through
   SQLAlchemy + duckdb-engine (what Superset uses) in a loop: no lock error, every read a complete copy;
4. the frozen 2017-H2 rows are unchanged although the warehouse has the correction; an explicit re-publish adds
   version 2 with the corrected figures and version 1 stays readable.
"""

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from sources.identity import InvalidId, luhn_check_digit, parse_swedish
from tests.conftest import TEST_KEY

pytestmark = pytest.mark.slow

FOLLOWUP = str(Path(sys.executable).parent / "followup")
PUBLISHED_SCHEMAS = {"intake", "process", "outcome", "cost", "evaluation", "reports", "quality"}
PUBLISHED_QUALITY = {"load_ledger", "findings", "follow_up_completeness"}
CANDIDATE = re.compile(rb"(?<![0-9A-Za-z])((?:19|20)?\d{6}[-+]?\d{4})(?![0-9A-Za-z])")

READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    copy, stop, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    # What a BI tool configures: duckdb-engine, read-only. NullPool: every read opens the file afresh.
    engine = sa.create_engine(f"duckdb:///{copy}", connect_args={"read_only": True}, poolclass=NullPool)
    reads, last = [], False
    while not last:
        last = stop.exists()
        try:
            with engine.connect() as con:
                tables = sorted(
                    f"{s}.{t}" for s, t in con.execute(sa.text(
                        "SELECT table_schema, table_name FROM information_schema.tables")).fetchall()
                )
                ledger = con.execute(sa.text("SELECT count(*) FROM quality.load_ledger")).scalar()
                cards = con.execute(sa.text("SELECT count(*) FROM reports.unit_scorecard")).scalar()
            reads.append({"tables": tables, "ledger": ledger, "scorecards": cards})
        except Exception as exc:
            reads.append({"error": f"{type(exc).__name__}: {exc}"})
        time.sleep(0.02)
    out.write_text(json.dumps(reads))
    """
)


def _env(world: dict, as_of: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "DAGSTER_"))}
    tmp = world["tmp"]
    return env | {
        "FOLLOWUP_CONFIG": str(tmp / "followup.toml"),
        "FOLLOWUP_PSEUDONYM_KEY": TEST_KEY,
        "FOLLOWUP_AS_OF_DATE": as_of,
        "PYTHONUNBUFFERED": "1",
    }


def _followup(world: dict, *args: str, as_of: str = "2018-01-29") -> subprocess.CompletedProcess:
    return subprocess.run(
        [FOLLOWUP, *args], cwd=world["tmp"], env=_env(world, as_of), capture_output=True, text=True, timeout=600
    )


def _start(world: dict, as_of: str, log: Path) -> subprocess.Popen:
    with log.open("w") as fh:
        return subprocess.Popen(
            [FOLLOWUP, "run"],
            cwd=world["tmp"],
            env=_env(world, as_of),
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches dbt too, as when a machine dies
        )


def _wait_for(run: subprocess.Popen, log: Path, ready) -> None:
    deadline = time.monotonic() + 600
    while not ready():
        assert run.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.002)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _copy_tables(copy: Path) -> set[str]:
    with duckdb.connect(str(copy), read_only=True) as con:
        return {
            f"{s}.{t}"
            for s, t in con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
        }


def _as_frozen(now: list[tuple], then: list[tuple]) -> bool:
    """The same rows, each value as it was or hidden since (disclosure control may hide more in a frozen row when a
    later publication needs it; it never changes a value): rows of (unit, active_cases, suppressed_columns)."""
    return len(now) == len(then) and all(
        u == u0 and (a == a0 or a is None) and set(s.split(",")) >= set(s0.split(","))
        for (u, a, s), (u0, a0, s0) in zip(now, then, strict=True)
    )


def _scorecard(db: Path, period: str, table: str = "reports.unit_scorecard") -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            f"SELECT unit_code, active_cases, suppressed_columns FROM {table} WHERE period_label = ? ORDER BY ALL",
            [period],
        ).fetchall()


@pytest.fixture(scope="module")
def world(pima_run, tmp_path_factory):
    """A copy of the session's PIMA run (landing folder, warehouse, published copy, run log): one full run saved."""
    settings, code, output = pima_run
    assert code == 0, output
    tmp = tmp_path_factory.mktemp("publish")
    shutil.copytree(settings.landing_dir, tmp / "landing")
    shutil.copytree(settings.warehouse_path.parent, tmp / "warehouse")
    shutil.copytree(settings.published_dir, tmp / "published", symlinks=True)  # relative links: still a copy
    shutil.copytree(settings.dagster_home, tmp / "dagster")  # the Dagster instance: the run history
    (tmp / "followup.toml").write_text(
        'landing_dir = "landing"\nwarehouse_path = "warehouse/followup.duckdb"\npublished_dir = "published"\n'
        'dagster_home = "dagster"\n',
        encoding="utf-8",
    )
    return {
        "tmp": tmp,
        "warehouse": tmp / "warehouse" / "followup.duckdb",
        "published": tmp / "published",
        "copy": tmp / "published" / "followup.duckdb",
        "first_output": output,
        "first_copy": settings.published_dir / "followup.duckdb",
    }


def _identity_numbers(data: bytes) -> set[str]:
    found = set()
    for match in CANDIDATE.finditer(data):
        value = match.group(1).decode()
        try:
            parse_swedish(value, date(2018, 1, 29))
        except InvalidId:
            continue
        found.add(value)
    return found


def test_published_copy_holds_marts_reports_ledger_and_findings_only(world):
    assert f"published copy: {world['first_copy']} (replaced by this run" in world["first_output"]
    tables = _copy_tables(world["copy"])
    schemas = {t.split(".")[0] for t in tables}
    assert schemas == PUBLISHED_SCHEMAS
    assert {t.split(".")[1] for t in tables if t.startswith("quality.")} <= PUBLISHED_QUALITY
    assert {"quality.load_ledger", "quality.findings", "reports.periods", "reports.unit_scorecard"} <= tables
    assert not [t for t in tables if "quarantine" in t or "stg_" in t or t.startswith(("raw.", "staging."))]
    # Every reports table as Parquet and as CSV with a UTF-8 byte-order mark, with the copy's rows.
    reports = sorted(t.split(".")[1] for t in tables if t.startswith("reports."))
    with duckdb.connect(str(world["copy"]), read_only=True) as con:
        for table in reports:
            rows = con.execute(f"SELECT count(*) FROM reports.{table}").fetchone()[0]
            parquet = world["published"] / "parquet" / f"{table}.parquet"
            assert con.execute(f"SELECT count(*) FROM '{parquet}'").fetchone()[0] == rows
            csv = (world["published"] / "csv" / f"{table}.csv").read_bytes()
            assert csv.startswith(b"\xef\xbb\xbf") and csv.decode("utf-8-sig").count("\n") == rows + 1
    assert not list(world["published"].glob(".publishing-*"))

    # No identity number in any published file, in any written form (the landing folder is full of them).
    planted = set()
    for path in (world["tmp"] / "landing").rglob("*.csv"):
        planted |= _identity_numbers(path.read_bytes())
    assert len(planted) > 15
    forms = set()
    for number in planted:
        digits = number.replace("-", "").replace("+", "")
        forms |= {number.encode(), digits.encode(), digits[-10:].encode(), f"{digits[-10:-4]}-{digits[-4:]}".encode()}
    files = [p for p in world["published"].rglob("*") if p.is_file()]
    assert len(files) >= 5
    for path in files:
        data = path.read_bytes()
        assert not [f for f in forms if f in data], path
    with duckdb.connect(str(world["copy"]), read_only=True) as con:
        for schema, table, column in con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR'"
        ).fetchall():
            values = con.execute(f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}"').fetchall()
            assert not _identity_numbers("\n".join(str(v[0]) for v in values).encode()), f"{schema}.{table}"


def test_analyst_commands_read_the_published_copy(world):
    table = _followup(
        world,
        "sql",
        "SELECT unit_code, period_label, active_cases FROM intake.period_summary "
        "WHERE period_label = '2017-H2' ORDER BY unit_code",
    )
    assert table.returncode == 0, table.stderr
    assert re.search(r"^PIMA\s+2017-H2\s+11$", table.stdout, re.M), table.stdout
    csv = _followup(
        world,
        "sql",
        "--csv",
        "SELECT unit_code, active_cases FROM intake.period_summary "
        "WHERE period_label = '2017-H2' AND unit_code = 'PIMA'",
    )
    assert csv.stdout == "unit_code,active_cases\nPIMA,11\n"
    # Read-only, and no way out to other files (the warehouse with raw and quarantine is next door).
    write = _followup(world, "sql", "CREATE TABLE reports.x AS SELECT 1")
    assert write.returncode == 1 and "read-only" in write.stderr
    escape = _followup(world, "sql", f"ATTACH '{world['warehouse']}' AS wh")
    assert escape.returncode == 1 and "error:" in escape.stderr
    status = _followup(world, "status")
    assert status.returncode == 0, status.stderr
    assert re.search(r"^enrolments\s+loaded\s+1\s+30\s+29\s+1\s+0", status.stdout, re.M), status.stdout
    assert re.search(r"^enrolments\s+invalid_person_id\s+1$", status.stdout, re.M)
    assert re.search(r"^\w{8}\s+build_marts\s+cli\s+success\s", status.stdout, re.M), status.stdout
    assert "failing checks (last build): none" in status.stdout


def test_killed_runs_keep_the_previous_copy_and_the_next_run_needs_no_repair(world):
    published = _followup(world, "publish", "--period", "2017-H2")
    assert published.returncode == 0 and "2017-H2 published as version 1" in published.stdout, published.stderr
    world["frozen"] = _scorecard(world["copy"], "2017-H2")
    # What is frozen is what readers were shown: the rows after disclosure control across tables.
    frozen_rows = _scorecard(world["warehouse"], "2017-H2", "publication.unit_scorecard")
    assert frozen_rows == world["frozen"] and [r[0] for r in frozen_rows].count("PIMA") == 1

    # A corrected enrolments export: one more PIMA case active in 2017-H2.
    old = (world["tmp"] / "landing" / "enrolments" / "enrolments_2018-01-29.csv").read_text(encoding="utf-8")
    number = f"19960101-123{luhn_check_digit('960101123')}"
    corrected = old.rstrip("\n") + f"\nP30,{number},false,PIMA,2017-09-04,female,,self,unemployment,,,,1\n"
    (world["tmp"] / "landing" / "enrolments" / "enrolments_2018-02-15.csv").write_text(corrected, encoding="utf-8")
    before = _sha(world["copy"])

    # Killed during dbt, while it builds models.
    log = world["tmp"] / "run.log"
    run = _start(world, "2018-02-28", log)
    _wait_for(run, log, lambda: " OK created " in log.read_text())
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    assert "published copy" not in log.read_text()
    assert _sha(world["copy"]) == before
    assert "reports.unit_scorecard" in _copy_tables(world["copy"])

    # Killed during publication: the moment its temporary files appear.
    run = _start(world, "2018-02-28", log)
    _wait_for(run, log, lambda: bool(list(world["published"].glob(".publishing-*"))))
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    assert list(world["published"].glob(".publishing-*")), "killed after the publication finished"
    assert _sha(world["copy"]) == before
    assert _scorecard(world["copy"], "2017-H2") == world["frozen"]

    # The next run, with a BI tool's reader looping on the copy meanwhile.
    stop, out = world["tmp"] / "stop-reading", world["tmp"] / "reads.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(world["copy"]), str(stop), str(out)])
    time.sleep(1)
    run = _start(world, "2018-02-28", log)
    run.wait(timeout=600)
    output = log.read_text()
    stop.touch()
    reader.wait(timeout=60)
    assert run.returncode == 0, output
    assert "all steps succeeded" in output and "(replaced by this run" in output
    assert not list(world["published"].glob(".publishing-*"))  # the killed publication's leftovers are gone
    reads = json.loads(out.read_text())
    errors = [r["error"] for r in reads if "error" in r]
    assert errors == []
    complete = set(_copy_tables(world["copy"]))
    assert len(reads) > 20
    assert all(set(r["tables"]) == complete and r["scorecards"] > 0 for r in reads)
    ledgers = [r["ledger"] for r in reads]
    first_ledger = ledgers[0]
    assert set(ledgers) == {first_ledger, first_ledger + 1}, "the reader saw the old copy, then the new one"
    assert ledgers == sorted(ledgers)


def test_frozen_period_stays_as_published_until_an_explicit_republish(world):
    # The warehouse has the correction; the published 2017-H2 rows are as published.
    assert ("PIMA", 12) in [r[:2] for r in _scorecard(world["warehouse"], "2017-H2")]
    assert _as_frozen(_scorecard(world["copy"], "2017-H2"), world["frozen"])
    again = _followup(world, "publish", "--period", "2017-H2", as_of="2018-02-28")
    assert again.returncode == 0 and "already published" in again.stdout

    republished = _followup(world, "publish", "--period", "2017-H2", "--republish", as_of="2018-02-28")
    assert republished.returncode == 0 and "version 2" in republished.stdout, republished.stderr
    # The shown rows are version 2, frozen from the corrected build (12 active PIMA cases in the marts).
    v2 = _scorecard(
        world["warehouse"], "2017-H2", "(SELECT * FROM publication.unit_scorecard WHERE publication_version = 2)"
    )
    assert _as_frozen(_scorecard(world["copy"], "2017-H2"), v2)
    with duckdb.connect(str(world["copy"]), read_only=True) as con:
        assert con.execute(
            "SELECT active_cases FROM intake.period_summary WHERE unit_code = 'PIMA' AND period_label = '2017-H2'"
        ).fetchone() == (12,)
    with duckdb.connect(str(world["copy"]), read_only=True) as con:
        v1 = con.execute(
            """SELECT unit_code, active_cases, suppressed_columns FROM reports.unit_scorecard_history
               WHERE period_label = '2017-H2' AND publication_version = 1 ORDER BY ALL"""
        ).fetchall()
        batches = dict(
            con.execute(
                "SELECT publication_version, export_batches FROM reports.publications WHERE period_label = '2017-H2'"
            ).fetchall()
        )
    assert _as_frozen(v1, world["frozen"])
    files = {b["file"] for b in json.loads(batches[1])} ^ {b["file"] for b in json.loads(batches[2])}
    assert files == {"enrolments_2018-02-15.csv"}  # version 2 came from the corrected export, version 1 did not

    # The half-year publication job (what the schedule runs) on the same partition: already published, kept as is.
    import dagster as dg

    from orchestration.config import load_settings
    from orchestration.definitions import build_definitions

    exports = {p.name: p.read_bytes() for p in sorted((world["published"] / "csv").iterdir())}
    env = _env(world, "2018-02-28")
    settings = load_settings(env, world["tmp"] / "followup.toml")
    cwd = Path.cwd()
    os.chdir(world["tmp"])  # the configuration's relative paths
    try:
        result = (
            build_definitions(settings)
            .resolve_job_def("publish_half_year")
            .execute_in_process(partition_key="2017-07", instance=dg.DagsterInstance.ephemeral())
        )
    finally:
        os.chdir(cwd)
    assert result.success
    [materialization] = result.asset_materializations_for_node("publication__half_year")
    assert materialization.metadata["period"].value == "2017-H2"
    assert materialization.metadata["version"].value == 0  # nothing new frozen
    # The copy was written again from the same warehouse: byte for byte the same report files.
    assert {p.name: p.read_bytes() for p in sorted((world["published"] / "csv").iterdir())} == exports
    assert len(_followup(world, "sql", "SELECT * FROM reports.publications").stdout.splitlines()) == 2 + 2 + 1
