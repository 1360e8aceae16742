"""`followup run`: the Dagster jobs executed in this process, on the same instance the UI and the daemon use."""

from __future__ import annotations

import re
import shutil
import time
from datetime import datetime
from importlib.resources import files

import dagster as dg

from orchestration.config import Settings


def instance(settings: Settings) -> dg.DagsterInstance:
    """The persistent instance under `dagster_home` (created with this project's dagster.yaml the first time)."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        with (
            files("orchestration").joinpath("dagster.yaml").open("rb") as src,
            (home / "dagster.yaml").open("wb") as dst,
        ):
            shutil.copyfileobj(src, dst)
    return dg.DagsterInstance.from_config(str(home))


def _quiet_run_config() -> dict:
    # Dagster's console logger stays quiet (it would print each failed step's stack trace, for a rejected file too):
    # the progress logger prints files, assets and failed steps, the summary each failure's cause in one line, and
    # the instance keeps everything (`followup status`, the UI).
    return {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}, "progress": {}}}


def one_line(error) -> str:
    """The cause in one line: the asset's own message, or the dbt errors rather than dbt's preamble."""
    if error is None:
        return "failed"
    while error.message.startswith("dagster._core.errors.") and error.cause:
        error = error.cause  # an exception raised by the asset's or a resource's code: its own message
    message = re.sub(r"^[\w.]+: ", "", error.message.strip())  # drop the exception's class path
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    dbt_errors = [ln for ln in lines if " Error in " in ln or ln.startswith(("Runtime Error", "Database Error"))]
    return "; ".join(dbt_errors[:3]) if dbt_errors else lines[0]


def execute(defs: dg.Definitions, job_name: str, dagster_instance: dg.DagsterInstance) -> tuple[list[str], list[str]]:
    """Run one job in this process: its failed steps (one line each) and its failed checks."""
    result = defs.resolve_job_def(job_name).execute_in_process(
        instance=dagster_instance,
        raise_on_error=False,
        run_config=_quiet_run_config(),
        tags={"followup/launched-by": "cli"},
    )
    failures: list[str] = []
    failed_checks: list[str] = []
    for event in result.all_events:
        if event.event_type_value == "RESOURCE_INIT_FAILURE":
            # The run failed before any step (e.g. the writer lock was not free): no step failure says why.
            failures.append(f"{job_name}: {one_line(event.event_specific_data.error)}")
        elif event.is_step_failure:
            asset = event.step_key.replace("__", "/")  # raw__attendance is the asset raw/attendance
            failures.append(f"{asset}: {one_line(event.step_failure_data.error)}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                failed_checks.append(f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}")
    return failures, failed_checks


def run_pipeline(settings: Settings, out=print, wait_seconds: float = 0.0) -> int:
    """Load the landing folder, then build the marts on whatever loaded (a rejected file fails only its source).

    The build is skipped when the marts already hold what it would produce: the same decision the daemon's
    sensors take (orchestration/automation/freshness.py). The whole run holds the warehouse's writer lock; when
    another writer holds it (after `wait_seconds`), WarehouseBusy says who, and nothing is done.
    """
    from orchestration.writer_lock import writer_lock
    from sources.pseudonymisation import load_key

    load_key(settings.pseudonym_key, settings.pseudonym_key_file, settings.environment)
    with writer_lock(settings.warehouse_path, "followup run", wait_seconds):
        return _run(settings, out)


def _run(settings: Settings, out) -> int:
    from followup.progress import progress_logger
    from followup.summary import describe_run
    from orchestration.automation.freshness import reusable_build
    from orchestration.definitions import build_definitions

    started = datetime.now()
    t0 = time.perf_counter()
    defs = build_definitions(settings, loggers={"progress": progress_logger})
    dagster_instance = instance(settings)
    out("loading landing files …")
    failures, failed_checks = execute(defs, "load_landing", dagster_instance)
    reused = reusable_build(
        dagster_instance,
        settings.warehouse_path,
        settings.published_dir,
        settings.resolved_as_of(),
        settings.suppression_threshold,
    )
    if reused is not None:
        out(f"marts up to date: nothing loaded since their build at {reused.built_at}, same as-of date and code")
        failed_checks += reused.failed_checks
    else:
        out("building marts (dbt) …")
        build_failures, build_checks = execute(defs, "build_marts", dagster_instance)
        failures += build_failures
        failed_checks += build_checks
    seconds = time.perf_counter() - t0
    out(describe_run(settings, started, failures, failed_checks, seconds, reused_build=reused and reused.built_at))
    return 1 if failures else 0
