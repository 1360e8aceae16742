"""What `followup sql` and `followup status` print: query results as a text table or CSV, and the pipeline's state."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime
from pathlib import Path

import duckdb

from orchestration import warehouse
from orchestration.config import Settings
from orchestration.publish import MANIFEST_NAME, copy_path

RUNS_LOG = "runs.jsonl"


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


def runs_log(settings: Settings) -> Path:
    return settings.warehouse_path.resolve().parent / RUNS_LOG


def record_run(settings: Settings, record: dict) -> None:
    path = runs_log(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, default=str) + "\n")


def last_runs(settings: Settings, n: int = 5) -> list[dict]:
    path = runs_log(settings)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[-n:] if line.strip()]


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
                parts.append(_section("rejected files:", "\n".join(f"  {s}/{f}: {e}" for s, f, e in rejected)))
    except duckdb.IOException as exc:
        if not settings.warehouse_path.exists():
            parts.append(f"warehouse: none yet at {settings.warehouse_path.resolve()}\n")
        else:
            parts.append(f"warehouse: busy (a run is writing it): {str(exc).splitlines()[0]}\n")
    runs = last_runs(settings)
    if runs:
        rows = [
            (r["started"], r["status"], f"{r['seconds']:.0f} s", "; ".join(r["failures"])[:80] or "")
            for r in reversed(runs)
        ]
        parts.append(
            _section("last runs (followup run):", format_table(["started", "status", "took", "failed"], rows, 80))
        )
        latest = runs[-1]
        checks = latest.get("failed_checks") or []
        parts.append("failing checks (last run): " + (", ".join(checks) if checks else "none") + "\n")
    else:
        parts.append("last runs: none recorded yet\n")
    dagster_runs = _dagster_runs()
    if dagster_runs:
        parts.append(
            _section(
                "last Dagster runs (UI, schedules, sensors):",
                format_table(["run", "job", "status", "started"], dagster_runs),
            )
        )
    return "\n".join(parts).rstrip() + "\n"


def _dagster_runs(n: int = 5) -> list[tuple]:
    """The instance's last runs when DAGSTER_HOME is set (what the daemon and the UI started)."""
    home = os.environ.get("DAGSTER_HOME")
    if not home or not (Path(home) / "dagster.yaml").exists():
        return []
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        records = instance.get_run_records(limit=n)
        return [
            (
                r.dagster_run.run_id[:8],
                r.dagster_run.job_name,
                r.dagster_run.status.value,
                datetime.fromtimestamp(r.start_time).isoformat(timespec="seconds") if r.start_time else "",
            )
            for r in records
        ]
