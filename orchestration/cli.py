"""`followup`: the command line of the follow-up warehouse (operations.md)."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from orchestration.config import ConfigError, Settings, load_settings

REPO_ROOT = Path(__file__).resolve().parent.parent


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings()
    if getattr(args, "as_of", None):
        settings = replace(settings, as_of_date=date.fromisoformat(args.as_of))
    return settings


def cmd_demo(args: argparse.Namespace) -> int:
    from demo_municipality import generate

    settings = load_settings()
    out = Path(args.out) if args.out else settings.landing_dir
    started = time.perf_counter()
    rows = generate(out, scale=args.scale, seed=args.seed, profile=args.profile)
    print(
        f"demo municipality (scale {args.scale}, seed {args.seed}, profile {args.profile}) written to {out}: "
        f"{sum(rows.values())} rows in {len(rows)} sources ({time.perf_counter() - started:.1f} s)"
    )
    _ensure_demo_key(settings)
    return 0


def _ensure_demo_key(settings: Settings) -> None:
    from orchestration.secrets import load_key

    key_file = settings.pseudonym_key_file
    if settings.pseudonym_key or (key_file and key_file.exists()):
        return
    load_key(None, key_file, settings.environment)
    print(f"created a local demo pseudonymisation key {key_file} (mode 0600); keep it outside the repository")


def dbt_env(settings: Settings) -> dict[str, str]:
    return {**os.environ, **settings.dbt_env()}


def cmd_dbt_parse(args: argparse.Namespace) -> int:
    from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_executable

    settings = load_settings()
    result = subprocess.run(
        [dbt_executable(), "parse", "--no-version-check", "--quiet", "--profiles-dir", str(DBT_PROJECT_DIR)],
        cwd=DBT_PROJECT_DIR,
        env=dbt_env(settings),
        check=False,
    )
    return result.returncode


def _instance():
    import dagster as dg

    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return dg.DagsterInstance.ephemeral()
    Path(home).mkdir(parents=True, exist_ok=True)
    if not (Path(home) / "dagster.yaml").exists():
        shutil.copy(REPO_ROOT / "dagster.yaml", Path(home) / "dagster.yaml")
    return dg.DagsterInstance.get()


def _quiet_run_config() -> dict:
    # Dagster's console logger for warnings and errors only; the progress logger prints files and assets.
    return {"loggers": {"console": {"config": {"log_level": "WARNING"}}, "progress": {}}}


def _one_line(error) -> str:
    """The cause in one line: the asset's own message, or the dbt errors rather than dbt's preamble."""
    if error is None:
        return "failed"
    message = re.sub(r"^[\w.]+: ", "", error.message.strip())  # drop the exception's class path
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    dbt_errors = [ln for ln in lines if " Error in " in ln or ln.startswith(("Runtime Error", "Database Error"))]
    return "; ".join(dbt_errors[:3]) if dbt_errors else lines[0]


def _execute(defs, job_name: str, instance) -> tuple[list[str], list[str]]:
    """Run one job in this process: its failed steps (one line each) and its failed checks."""
    result = defs.resolve_job_def(job_name).execute_in_process(
        instance=instance, raise_on_error=False, run_config=_quiet_run_config()
    )
    failures: list[str] = []
    failed_checks: list[str] = []
    for event in result.all_events:
        if event.is_step_failure:
            asset = event.step_key.replace("__", "/")  # raw__attendance is the asset raw/attendance
            failures.append(f"{asset}: {_one_line(event.step_failure_data.error)}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                failed_checks.append(f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}")
    return failures, failed_checks


def run_pipeline(settings: Settings, out=print) -> int:
    """Load the landing folder, then build the marts on whatever loaded (a rejected file fails only its source).

    The build is skipped when the marts are already built from exactly this warehouse state (see marts_state.py).
    """
    from orchestration.dbt_project import dbt_project
    from orchestration.definitions import build_definitions
    from orchestration.marts_state import MartsState, up_to_date, write_state
    from orchestration.marts_state import fingerprint as marts_fingerprint
    from orchestration.secrets import load_key
    from orchestration.status import record_run
    from orchestration.summary import describe_run

    load_key(settings.pseudonym_key, settings.pseudonym_key_file, settings.environment)
    if not dbt_project().manifest_path.exists():
        out("dbt manifest missing: parsing the dbt project first")
        if cmd_dbt_parse(argparse.Namespace()) != 0:
            out("error: dbt parse failed")
            return 1
    started = datetime.now()
    t0 = time.perf_counter()
    defs = build_definitions(settings)
    instance = _instance()
    out("loading landing files …")
    failures, failed_checks = _execute(defs, "load_landing", instance)
    current = marts_fingerprint(settings)
    reused = up_to_date(settings, current)
    if reused is not None:
        out(f"marts up to date: nothing loaded since their build at {reused.built_at}, same as-of date and code")
        failed_checks += reused.failed_checks
    else:
        out("building marts (dbt) …")
        write_state(settings, MartsState(current, "building"))
        build_failures, build_checks = _execute(defs, "build_marts", instance)
        if not build_failures:
            built_at = datetime.now().isoformat(timespec="seconds")
            write_state(settings, MartsState(current, "built", built_at, tuple(build_checks)))
        failures += build_failures
        failed_checks += build_checks
    seconds = time.perf_counter() - t0
    out(describe_run(settings, started, failures, failed_checks, seconds, reused_build=reused and reused.built_at))
    record_run(
        settings,
        {
            "started": started.isoformat(timespec="seconds"),
            "seconds": seconds,
            "status": "failed" if failures else "succeeded",
            "failures": failures,
            "failed_checks": failed_checks,
        },
    )
    return 1 if failures else 0


def cmd_run(args: argparse.Namespace) -> int:
    return run_pipeline(_settings(args))


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    from orchestration.publish import PublicationError, open_published
    from orchestration.status import format_csv, format_table

    settings = load_settings()
    try:
        con = open_published(settings.published_dir.resolve())
    except PublicationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        result = con.execute(args.query)
        columns = [d[0] for d in result.description] if result.description else []
        rows = result.fetchall() if columns else []
    except duckdb.Error as exc:
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    finally:
        con.close()
    print(format_csv(columns, rows) if args.csv else format_table(columns, rows), end="" if args.csv else "\n")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from orchestration.status import status_report

    print(status_report(load_settings()), end="")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    """Freeze a complete period's report rows (a new version with --republish), then refresh the published copy."""
    import duckdb

    from orchestration.publish import PublicationError, publish_period, write_published_copy

    settings = load_settings()
    try:
        version = publish_period(settings.warehouse_path, args.period, republish=args.republish)
    except (PublicationError, duckdb.IOException) as exc:
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    if version is None:
        print(f"{args.period} is already published and frozen; `--republish` makes a new version")
        return 0
    copy = write_published_copy(
        settings.warehouse_path, settings.published_dir.resolve(), memory_limit=settings.memory_limit
    )
    print(f"{args.period} published as version {version}; published copy: {copy.path}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from orchestration.publish import PublicationError
    from orchestration.report import ReportError, render_report

    settings = load_settings()
    try:
        page = render_report(
            settings.published_dir.resolve(), args.unit, args.period, args.lang, settings.suppression_threshold
        )
    except (PublicationError, ReportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out = Path(args.out or f"report_{args.unit}_{args.period}_{args.lang}.html")
    out.write_text(page, encoding="utf-8")
    print(f"report written to {out.resolve()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    parser = argparse.ArgumentParser(prog="followup", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="write the demo municipality's exports into a landing folder")
    demo.add_argument("--out", help="landing folder (default: landing_dir from the configuration)")
    demo.add_argument(
        "--scale", type=float, default=1.0, help="multiplies persons and events (1 = a few thousand cases)"
    )
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument(
        "--profile",
        default="canonical",
        choices=["canonical", "sv-export"],
        help="column profile of the exports (sv-export: Swedish headers and labels, ';', cp1252)",
    )
    demo.set_defaults(func=cmd_demo)

    run = sub.add_parser("run", help="materialize the whole asset graph in-process")
    run.add_argument("--as-of", help="the as-of date of the run (YYYY-MM-DD, default today)")
    run.set_defaults(func=cmd_run)

    sql = sub.add_parser("sql", help="run a read-only query against the published copy")
    sql.add_argument("query", help='e.g. "SELECT * FROM reports.unit_scorecard LIMIT 5"')
    sql.add_argument("--csv", action="store_true", help="CSV on stdout instead of a text table")
    sql.set_defaults(func=cmd_sql)

    status = sub.add_parser("status", help="load ledger, quarantine by rule, last runs, failing checks")
    status.set_defaults(func=cmd_status)

    publish = sub.add_parser("publish", help="freeze a complete period's report rows in the published copy")
    publish.add_argument("--period", required=True, help="period label: 2017-07, 2017-H2, 2017")
    publish.add_argument("--republish", action="store_true", help="publish again as a new version")
    publish.set_defaults(func=cmd_publish)

    report = sub.add_parser("report", help="a unit's report for a period as a self-contained HTML page")
    report.add_argument("--unit", required=True)
    report.add_argument("--period", required=True, help="period label: 2017-H2, 2017, 2017-07")
    report.add_argument("--lang", default="sv", choices=["sv", "en", "da"])
    report.add_argument("--out", help="the HTML file (default report_<unit>_<period>_<lang>.html)")
    report.set_defaults(func=cmd_report)

    parse = sub.add_parser("dbt-parse", help="build the dbt manifest (done by make install)")
    parse.set_defaults(func=cmd_dbt_parse)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
