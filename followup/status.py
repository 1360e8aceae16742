"""What `followup sql` and `followup status` print: query results as a text table or CSV, and the pipeline's state."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import duckdb

from orchestration import warehouse
from orchestration.config import Settings
from orchestration.ingest.loading import rejected_in_landing
from orchestration.publish.copy import MANIFEST_NAME, copy_path
from orchestration.writer_lock import busy_message, holder


def format_table(columns: list[str], rows: list[tuple], max_width: int = 40) -> str:
    """A plain aligned text table; nulls as empty cells, long values cut with an ellipsis."""

    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(), line]
    out += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def format_csv(columns: list[str], rows: list[tuple]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def _section(title: str, body: str) -> str:
    return f"{title}\n{body}\n"


def status_report(settings: Settings) -> str:
    parts: list[str] = []
    copy = copy_path(settings.published_dir.resolve())
    manifest = copy.parent / MANIFEST_NAME
    if manifest.exists():
        info = json.loads(manifest.read_text(encoding="utf-8"))
        parts.append(f"published copy: {copy} (published {info['published_at']}, {len(info['tables'])} tables)\n")
    else:
        parts.append(f"published copy: none yet at {copy}\n")
    try:
        with warehouse.connect(settings.warehouse_path, read_only=True) as con:
            ledger = con.execute(
                """SELECT source, status, count(*) AS files, sum(rows_read) AS rows_read,
                          sum(rows_loaded) AS rows_loaded, sum(rows_quarantined) AS rows_quarantined,
                          sum(rows_duplicate) AS rows_duplicate, max(loaded_at)::TIMESTAMP(0) AS last_loaded
                   FROM quality.load_ledger GROUP BY ALL ORDER BY ALL"""
            )
            parts.append(_section("load ledger:", format_table([d[0] for d in ledger.description], ledger.fetchall())))
            quarantine = con.execute(
                "SELECT source, rule, count(*) AS rows FROM quality.quarantine GROUP BY ALL ORDER BY ALL"
            )
            parts.append(
                _section(
                    "quarantine by rule:", format_table([d[0] for d in quarantine.description], quarantine.fetchall())
                )
            )
            rejected = con.execute(
                "SELECT source, file_name, error FROM quality.load_ledger WHERE status = 'rejected' ORDER BY ALL"
            ).fetchall()
            if rejected:
                landing = {(r[0], r[1]) for r in rejected_in_landing(con, settings.landing_dir)}
                parts.append(
                    _section(
                        "rejected files (nothing of them loaded):",
                        "\n".join(
                            f"  {s}/{f}: {e}"
                            + ("  [still in the landing folder: remove or replace it]" if (s, f) in landing else "")
                            for s, f, e in rejected
                        ),
                    )
                )
    except duckdb.IOException as exc:
        if writer := holder(settings.warehouse_path):
            parts.append(f"warehouse: busy, {busy_message(writer)}\n")
        elif not settings.warehouse_path.exists():
            parts.append(f"warehouse: none yet at {settings.warehouse_path.resolve()}\n")
        else:
            parts.append(f"warehouse: busy (a run is writing it): {str(exc).splitlines()[0]}\n")
    runs = last_runs(settings)
    if runs:
        parts.append(
            _section(
                "last runs (command line, UI, schedules, sensors):",
                format_table(["run", "job", "launched by", "status", "started", "took", "failed"], runs, 80),
            )
        )
        checks = failed_checks_of_last_build(settings)
        parts.append("failing checks (last build): " + (", ".join(checks) if checks else "none") + "\n")
    else:
        parts.append("last runs: none recorded yet\n")
    return "\n".join(parts).rstrip() + "\n"


def _instance(settings: Settings):
    import dagster as dg

    if not (settings.dagster_home / "dagster.yaml").exists():
        return None
    return dg.DagsterInstance.from_config(str(settings.dagster_home))


def last_runs(settings: Settings, n: int = 8) -> list[tuple]:
    """The instance's last runs, whoever started them, with the first failed step's one-line cause."""
    import dagster as dg

    from followup.pipeline import one_line

    instance = _instance(settings)
    if instance is None:
        return []
    rows = []
    for r in instance.get_run_records(limit=n):
        run = r.dagster_run
        failures = (
            [
                f"{e.step_key.replace('__', '/')}: {one_line(e.get_dagster_event().step_failure_data.error)}"
                for e in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
            ]
            if run.status == dg.DagsterRunStatus.FAILURE
            else []
        )
        if run.status == dg.DagsterRunStatus.FAILURE and not failures:
            # Failed before any step, e.g. a resource (the writer lock) could not be set up.
            failures = [
                f"{run.job_name}: {one_line(e.get_dagster_event().event_specific_data.error)}"
                for e in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RESOURCE_INIT_FAILURE)
            ]
        started = datetime.fromtimestamp(r.start_time) if r.start_time else None
        took = f"{r.end_time - r.start_time:.0f} s" if r.start_time and r.end_time else ""
        rows.append(
            (
                run.run_id[:8],
                run.job_name,
                run.tags.get("followup/launched-by", "dagster"),
                run.status.value.lower(),
                started.isoformat(timespec="seconds") if started else "",
                took,
                "; ".join(failures)[:80],
            )
        )
    return rows


def failed_checks_of_last_build(settings: Settings) -> list[str]:
    import dagster as dg

    from orchestration.automation.freshness import MARTS_JOBS

    instance = _instance(settings)
    if instance is None:
        return []
    for r in instance.get_run_records(limit=50):
        if r.dagster_run.job_name in MARTS_JOBS:
            return [
                f"{ev.asset_key.to_user_string()}:{ev.check_name}"
                for e in instance.all_logs(r.dagster_run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
                if not (ev := e.get_dagster_event().event_specific_data).passed
            ]
    return []
