"""No usable key, nothing loaded, on every path: the Dagster job the sensor and the nightly schedule launch (run
here on the real definitions), and the command line. A key must be at least 32 bytes, a key file private (0600)."""

import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from followup.pipeline import one_line
from orchestration.definitions import build_definitions
from sources.contracts import source_names
from tests.conftest import settings_for, write_pima_landing

pytestmark = pytest.mark.slow

FOLLOWUP = str(Path(sys.executable).parent / "followup")
SHORT_KEY = "test-secret-not-for-production"  # 30 bytes: the test suite's key before the 32-byte rule


def _production(tmp_path: Path, monkeypatch, case: str):
    monkeypatch.delenv("FOLLOWUP_PSEUDONYM_KEY", raising=False)
    landing = write_pima_landing(tmp_path / "landing")
    settings = replace(
        settings_for(tmp_path, landing, date(2018, 1, 29)),
        pseudonym_key=None,
        pseudonym_key_file=tmp_path / "secrets" / "pseudonym.key",
        environment="production",
    )
    if case == "short_key":
        monkeypatch.setenv("FOLLOWUP_PSEUDONYM_KEY", SHORT_KEY)
        settings = replace(settings, pseudonym_key=SHORT_KEY)
    elif case == "open_key_file":
        settings.pseudonym_key_file.parent.mkdir()
        settings.pseudonym_key_file.write_text("b" * 64, encoding="utf-8")
        settings.pseudonym_key_file.chmod(0o644)
    return settings


REASONS = {
    "no_key": "configuration error: no pseudonymisation key configured: set FOLLOWUP_PSEUDONYM_KEY or "
    "pseudonym_key_file (a production configuration refuses to run without one)",
    "short_key": "configuration error: FOLLOWUP_PSEUDONYM_KEY is 30 bytes long; a pseudonymisation key needs at "
    "least 32",
    "open_key_file": "configuration error: pseudonym key file {key_file} is accessible to group or others "
    "(mode 0644); run `chmod 600 {key_file}`",
}


@pytest.mark.parametrize("case", list(REASONS))
def test_the_load_job_without_a_usable_key_loads_no_source(tmp_path, monkeypatch, case):
    settings = _production(tmp_path, monkeypatch, case)
    defs = build_definitions(settings)
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("load_landing").execute_in_process(instance=instance, raise_on_error=False)
        observed = [
            e for e in result.all_events if e.event_type_value == "ASSET_OBSERVATION"
        ]  # no landing snapshot recorded: the sensor starts the load once a key is configured
    assert not result.success
    failures = {e.step_key: one_line(e.step_failure_data.error) for e in result.all_events if e.is_step_failure}
    assert sorted(failures) == sorted(f"raw__{s}" for s in source_names()) and len(failures) == 20
    reason = REASONS[case].format(key_file=settings.pseudonym_key_file)
    assert {r[: len(reason)] for r in failures.values()} == {reason}
    assert [e for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"] == []
    assert observed == []
    # No source touched the warehouse: it was not even created, so it has no raw rows.
    assert not settings.warehouse_path.exists()


@pytest.mark.parametrize("case", list(REASONS))
def test_the_command_line_refuses_the_same_keys(tmp_path, monkeypatch, case):
    settings = _production(tmp_path, monkeypatch, case)
    (tmp_path / "followup.toml").write_text(
        f'landing_dir = "{settings.landing_dir}"\nenvironment = "production"\n'
        f'pseudonym_key_file = "{settings.pseudonym_key_file}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "DAGSTER_"))}
    if case == "short_key":
        env["FOLLOWUP_PSEUDONYM_KEY"] = SHORT_KEY
    done = subprocess.run(
        [FOLLOWUP, "run"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 2, done.stdout + done.stderr
    reason = REASONS[case].format(key_file=settings.pseudonym_key_file)
    assert done.stderr.startswith(reason) and len(done.stderr.splitlines()) == 1, done.stderr
    assert not (tmp_path / "data" / "warehouse" / "followup.duckdb").exists()
