"""The one owner of the dbt project: paths, the DbtProject, the CLI resource, and dbt argument builders."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import sys
from collections.abc import Mapping, Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject
from packaging import version

from dbt_project import PROJECT_DIR

DBT_PROJECT_DIR = PROJECT_DIR

# dbt folders -> Dagster asset groups; the folder is the group, no per-model rules.
_GROUP_FOLDERS = ("staging", "intermediate", "intake", "process", "outcome", "cost", "quality", "evaluation", "reports")


@cache
def dbt_project() -> DbtProject:
    # The manifest is never built here, at import of a code location: `make install`, `followup run` (when it is
    # missing) and `followup ui` (always, so edited models show) parse the project with the configured environment.
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """The dbt installed beside this interpreter (the venv need not be activated), else dbt on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


class LeanDbtCliResource(DbtCliResource):
    """DbtCliResource without the two things it does in the Dagster process before every dbt call.

    dagster-dbt runs `dbt --version` in a subprocess (~2.5 s) and then imports dbt-core and loads the profile and
    project in-process (~2.5 s) to hold a dbt adapter, used only to fetch row counts or column metadata after the
    build, which this project does not ask for. The version comes from the installed dbt-core's metadata instead
    (the dbt beside the interpreter is that package), and `adapter=None` is dagster-dbt's own path when that handle
    cannot be built. dbt itself runs in its own process either way.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def dbt_resource() -> DbtCliResource:
    return LeanDbtCliResource(
        project_dir=dbt_project(), profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable()
    )


class FollowupTranslator(DagsterDbtTranslator):
    """Asset keys are the relations analysts query (intake/period_summary); groups are the dbt folders."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema")
        name = dbt_resource_props.get("alias") or dbt_resource_props["name"]
        return dg.AssetKey([schema, name] if schema else [name])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        folders = dbt_resource_props.get("fqn", [])[1:-1]
        return next((f for f in folders if f in _GROUP_FOLDERS), "dbt")


def dbt_build_args(threads: int, select: str | None = None, full_refresh: bool = False) -> list[str]:
    """Always `dbt build` (seeds, models and tests together); tests become asset checks.

    Unit tests are left out: their inputs are fixed, so they say nothing about the data and run in `make test`
    instead (tests/integration/test_dbt_unit_tests.py); what they cost a build is in BENCHMARKS.md.
    """
    args = ["build", "--no-version-check", "--threads", str(threads), "--exclude-resource-type", "unit_test"]
    if select:
        args += ["--select", select]
    if full_refresh:
        args.append("--full-refresh")
    return args


def incremental_code_digest(manifest_path: Path) -> str:
    """A digest of the incremental models' SQL and of the project's macros they may use.

    An incremental table keeps rows built by earlier code: when this digest differs from the one of the last
    successful build, the next build is a full refresh.
    """
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    h = hashlib.sha256()
    for uid in sorted(manifest["nodes"]):
        node = manifest["nodes"][uid]
        if node.get("config", {}).get("materialized") == "incremental":
            h.update(f"{uid}\n{node['raw_code']}\n".encode())
    for uid in sorted(manifest["macros"]):
        macro = manifest["macros"][uid]
        if macro.get("package_name") == "followup":
            h.update(f"{uid}\n{macro['macro_sql']}\n".encode())
    return h.hexdigest()
