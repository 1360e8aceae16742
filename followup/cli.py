"""`followup`: the command line of the follow-up warehouse (docs/operations.md)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from orchestration.config import ConfigError, Settings, load_settings
from orchestration.writer_lock import BUSY_EXIT_CODE, WarehouseBusy
from sources.pseudonymisation import PseudonymKeyError

WAIT_HELP = (
    "when another run writes the warehouse, wait up to this many seconds for it (default 0: "
    f"say who writes and exit with code {BUSY_EXIT_CODE})"
)


def _settings(args: argparse.Namespace) -> Settings:
    config = Path(args.config) if getattr(args, "config", None) else None
    if config is not None and not config.exists():
        raise ConfigError(f"configuration file {config} does not exist")
    settings = load_settings(config_file=config)
    if getattr(args, "as_of", None):
        settings = replace(settings, as_of_date=date.fromisoformat(args.as_of))
    return settings


def cmd_demo(args: argparse.Namespace) -> int:
    from demo_municipality import generate

    settings = _settings(args)
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
    from sources.pseudonymisation import load_key

    key_file = settings.pseudonym_key_file
    if settings.pseudonym_key or (key_file and key_file.exists()):
        return
    load_key(None, key_file, settings.environment)
    print(f"created a local demo pseudonymisation key {key_file} (mode 0600); keep it outside the repository")


def _dbt(settings: Settings, dbt_args: list[str]) -> int:
    """dbt in the project folder with the configured environment (the one place both share: Settings.dbt_env)."""
    from orchestration.transform.dbt_project import DBT_PROJECT_DIR, dbt_executable

    result = subprocess.run(
        [dbt_executable(), *dbt_args, "--profiles-dir", str(DBT_PROJECT_DIR)],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, **settings.dbt_env()},
        check=False,
    )
    return result.returncode


def cmd_dbt_parse(args: argparse.Namespace) -> int:
    return _dbt(_settings(args), ["parse", "--no-version-check", "--quiet"])


def cmd_dbt(args: argparse.Namespace) -> int:
    from orchestration.writer_lock import writer_lock

    settings = _settings(args)
    # dbt-duckdb opens the warehouse for writing whatever the command: one writer at a time.
    with writer_lock(settings.warehouse_path, "followup dbt"):
        return _dbt(settings, [*args.dbt_args, "--no-version-check"])


def _ensure_manifest(settings: Settings) -> bool:
    """The Dagster definitions are built from dbt's manifest: an installed package parses it on first use."""
    from orchestration.transform.dbt_project import dbt_project

    if dbt_project().manifest_path.exists():
        return True
    print("dbt manifest missing: parsing the dbt project first")
    return _dbt(settings, ["parse", "--no-version-check", "--quiet"]) == 0


def cmd_run(args: argparse.Namespace) -> int:
    from followup.pipeline import run_pipeline

    settings = _settings(args)
    if not _ensure_manifest(settings):
        print("error: dbt parse failed", file=sys.stderr)
        return 1
    return run_pipeline(settings, wait_seconds=args.wait)


def cmd_ui(args: argparse.Namespace) -> int:
    """The Dagster webserver and daemon on the same instance and configuration as `followup run`."""
    from followup.pipeline import instance

    settings = _settings(args)
    if _dbt(settings, ["parse", "--no-version-check", "--quiet"]) != 0:  # the models as they are now
        print("error: dbt parse failed", file=sys.stderr)
        return 1
    instance(settings).dispose()  # creates the instance folder and its dagster.yaml
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    if args.config:
        os.environ["FOLLOWUP_CONFIG"] = str(Path(args.config).resolve())
    dagster = Path(sys.executable).parent / "dagster"
    os.environ["PATH"] = f"{dagster.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {**os.environ, **settings.dbt_env()}
    if not settings.as_of_date:
        env.pop("FOLLOWUP_AS_OF_DATE")  # the daemon resolves "today" per run
    os.execvpe(str(dagster), [str(dagster), "dev", "-m", "orchestration.definitions"], env)


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    from followup.status import format_csv, format_table
    from orchestration.publish.copy import PublicationError, open_published

    settings = _settings(args)
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
    from followup.status import status_report

    print(status_report(_settings(args)), end="")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    """Freeze a complete period's report rows (a new version with --republish), then refresh the published copy."""
    import duckdb

    from orchestration.publish.copy import PublicationError, publish_period, write_published_copy
    from orchestration.writer_lock import writer_lock

    settings = _settings(args)
    with writer_lock(settings.warehouse_path, "followup publish", args.wait):
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


def _write_document(args: argparse.Namespace, build, name, template: str, kind: str = "report") -> int:
    """Build a report Document from the published copy and write it in the asked format: to --out, else under
    <published_dir>/reports/ (never into the working directory)."""
    from followup.render import render
    from followup.report import ReportError
    from orchestration.publish.copy import PublicationError

    settings = _settings(args)
    published = settings.published_dir.resolve()
    try:
        doc = build(published, settings.suppression_threshold)
        data = render(doc, args.format, template)
    except (PublicationError, ReportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out = Path(args.out) if args.out else published / "reports" / f"{name(doc)}_{args.lang}.{args.format}"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"{kind} written to {out.resolve()}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from followup.report import build_unit_report

    return _write_document(
        args,
        lambda published, k: build_unit_report(published, args.unit, args.period, args.lang, k),
        lambda doc: "report_" + doc.identifier.split("/")[1] + "_" + doc.identifier.split("/")[2],
        "unit_report.html.j2",
    )


def cmd_overview(args: argparse.Namespace) -> int:
    from followup.overview import build_overview

    return _write_document(
        args,
        lambda published, k: build_overview(published, args.period, args.funding, args.lang, k),
        lambda doc: "overview_" + doc.identifier.split("/")[1] + ("_" + args.funding if args.funding else ""),
        "overview.html.j2",
        "overview",
    )


def _document_arguments(parser: argparse.ArgumentParser, default_name: str) -> None:
    parser.add_argument("--lang", default="sv", choices=["sv", "da", "en"], help="language (default sv)")
    parser.add_argument("--format", default="html", choices=["html", "pdf", "xlsx"], help="default html")
    parser.add_argument("--out", help=f"the file to write (default <published_dir>/reports/{default_name})")


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    parser = argparse.ArgumentParser(prog="followup", description=__doc__)
    parser.add_argument("--config", help="the configuration file (default: $FOLLOWUP_CONFIG, else ./followup.toml)")
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
    run.add_argument("--wait", type=float, default=0.0, metavar="SECONDS", help=WAIT_HELP)
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
    publish.add_argument("--wait", type=float, default=0.0, metavar="SECONDS", help=WAIT_HELP)
    publish.set_defaults(func=cmd_publish)

    report = sub.add_parser("report", help="a unit's report for a period (HTML, PDF or XLSX) from the published copy")
    report.add_argument("--unit", required=True, help="unit code (an unknown code is answered with the valid ones)")
    report.add_argument(
        "--period", required=True, help="period label: 2017-H2, 2017, 2017-07; latest = the latest complete half-year"
    )
    _document_arguments(report, "report_<unit>_<period>_<lang>.<format>")
    report.set_defaults(func=cmd_report)

    overview = sub.add_parser("overview", help="all units (or one funding source's) side by side for a period")
    overview.add_argument("--period", required=True, help="period label: 2017-H2, 2017; latest as for report")
    overview.add_argument("--funding", help="only the units of this funding source (e.g. social_investment_fund)")
    _document_arguments(overview, "overview_<period>[_<funding>]_<lang>.<format>")
    overview.set_defaults(func=cmd_overview)

    ui = sub.add_parser("ui", help="the Dagster UI and daemon (schedules, sensors) on the same instance as `run`")
    ui.set_defaults(func=cmd_ui)

    parse = sub.add_parser("dbt-parse", help="build the dbt manifest (done by make install)")
    parse.set_defaults(func=cmd_dbt_parse)

    dbt = sub.add_parser("dbt", help="dbt with the configured environment, e.g. `followup dbt docs generate`")
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER)
    dbt.set_defaults(func=cmd_dbt)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ConfigError, PseudonymKeyError) as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except WarehouseBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return BUSY_EXIT_CODE


if __name__ == "__main__":
    sys.exit(main())
