"""A built wheel installed into a fresh virtual environment, outside the repository, runs the demo end to end.

The dependencies are not downloaded (tests make no network calls): the fresh environment sees the project's
installed dependencies through a path entry, but not the project itself (the editable install's finder is only
activated from the project's own environment), so `orchestration`, `sources`, `followup`, `demo_municipality` and
the dbt project must come from the wheel.
"""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]


def _sh(args: list, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def test_the_wheel_installs_and_runs_outside_the_repository(tmp_path):
    # Built from a copy of the sources: an in-tree build leaves setuptools' build/ folder in the repository, and a
    # stale build/lib would ship modules that no longer exist.
    source = tmp_path / "source"
    shutil.copytree(
        REPO_ROOT,
        source,
        ignore=shutil.ignore_patterns(".git", ".venv", "data", "build", "target", "logs", "*.egg-info", "__pycache__"),
    )
    dist = tmp_path / "dist"
    _sh([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "-w", dist], tmp_path)
    [wheel] = list(dist.glob("followup_warehouse-*.whl"))

    fresh = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(fresh)
    python = fresh / "bin" / "python"
    _sh([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--quiet", wheel], tmp_path)
    site = Path(
        _sh([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path).stdout.strip()
    )
    (site / "project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    work = tmp_path / "municipality"
    work.mkdir()
    (work / "followup.toml").write_text('landing_dir = "landing"\nwarehouse_path = "wh/followup.duckdb"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "DAGSTER_"))}
    # dbt's own executable comes with the dependencies, beside this interpreter.
    env |= {"FOLLOWUP_AS_OF_DATE": "2026-11-01", "PATH": f"{Path(sys.executable).parent}:{env['PATH']}"}
    followup = str(fresh / "bin" / "followup")
    elsewhere = tmp_path / "elsewhere"  # the config file, not the working directory, says where things are
    elsewhere.mkdir()
    config = ["--config", str(work / "followup.toml")]
    _sh([followup, *config, "demo", "--scale", "0.2"], elsewhere, env)
    run = _sh([followup, *config, "run"], elsewhere, env)
    assert "all steps succeeded" in run.stdout

    located = _sh(
        [
            python,
            "-c",
            "import orchestration, dbt_project, demo_municipality; print(orchestration.__file__);"
            "print(dbt_project.PROJECT_DIR); print(demo_municipality.__file__)",
        ],
        elsewhere,
        env,
    ).stdout.split()
    assert all(path.startswith(str(site)) for path in located), located
    assert not list(elsewhere.iterdir())  # nothing written into the working directory
    with duckdb.connect(str(work / "data" / "published" / "followup.duckdb"), read_only=True) as con:
        units = con.execute("SELECT count(DISTINCT unit_code) FROM reports.unit_scorecard").fetchone()[0]
    assert units == 8
    status = _sh([followup, *config, "status"], elsewhere, env).stdout
    assert re.search(r"build_marts\s+cli\s+success", status) and re.search(r"load_landing\s+cli\s+success", status)
