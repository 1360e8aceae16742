"""The dbt unit tests (the `unit_tests:` of the model YAML files) run here, not in the pipeline's builds: their
inputs are fixed, so they check the SQL, not the data (orchestration/transform/dbt_project.py: dbt_build_args)."""

import json
import os
import shutil
import subprocess
from dataclasses import replace

import pytest

from orchestration.transform.dbt_project import DBT_PROJECT_DIR, dbt_executable

pytestmark = pytest.mark.slow


def test_every_dbt_unit_test_passes(pima_run, tmp_path):
    settings, code, _ = pima_run
    assert code == 0
    # Unit tests read the column types of their inputs from a built warehouse: a copy of the PIMA one.
    warehouse = tmp_path / "followup.duckdb"
    shutil.copy(settings.warehouse_path, warehouse)
    env = {**os.environ, **replace(settings, warehouse_path=warehouse).dbt_env()}
    target = tmp_path / "target"
    done = subprocess.run(
        [dbt_executable(), "test", "--no-version-check", "--select", "test_type:unit", "--target-path", str(target)],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:]

    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    defined = {uid for uid in manifest["unit_tests"]}
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    assert {r["unique_id"] for r in results} == defined and len(defined) >= 15
    assert {r["status"] for r in results} == {"pass"}
