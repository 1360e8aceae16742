"""The short report `followup run` prints: files, quarantined rows, tables built, where things are."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from orchestration import warehouse
from orchestration.config import Settings
from orchestration.ingest.loading import rejected_in_landing
from orchestration.publish.copy import copy_path

PUBLISHED_SCHEMAS = ("intake", "process", "outcome", "cost", "evaluation", "reports", "quality")


def describe_run(
    settings: Settings,
    started: datetime,
    failures: list[str],
    failed_checks: list[str],
    seconds: float,
    reused_build: str | None = None,
) -> str:
    lines = []
    with warehouse.connect(settings.warehouse_path, read_only=True) as con:
        by_status = dict(
            con.execute(
                "SELECT status, count(*) FROM quality.load_ledger WHERE loaded_at >= ? GROUP BY status", [started]
            ).fetchall()
        )
        quarantined = con.execute(
            "SELECT coalesce(sum(rows_quarantined), 0) FROM quality.load_ledger WHERE loaded_at >= ?", [started]
        ).fetchone()[0]
        total_files = con.execute("SELECT count(*) FROM quality.load_ledger").fetchone()[0]
        earlier = [r for r in rejected_in_landing(con, settings.landing_dir) if r[3] < started]
        tables = con.execute(
            f"""SELECT table_schema, count(*) FROM information_schema.tables
                WHERE table_schema IN {PUBLISHED_SCHEMAS} GROUP BY table_schema ORDER BY table_schema"""
        ).fetchall()
    lines.append(
        f"files: {by_status.get('loaded', 0)} loaded, {by_status.get('skipped_same_content', 0)} skipped "
        f"(same content), {by_status.get('rejected', 0)} rejected this run; {total_files} in the ledger"
    )
    lines.append(f"rows quarantined this run: {quarantined} (see quality.quarantine)")
    if earlier:
        # Reported (and failed its run) when it was rejected; flagged here until it is removed or replaced.
        lines.append(
            f"rejected by earlier runs and still in the landing folder: {len(earlier)} file(s), not loaded "
            f"({', '.join(f'{source}/{name}' for source, name, _, _ in earlier[:5])}"
            f"{', …' if len(earlier) > 5 else ''}; `followup status` gives the reasons)"
        )
    lines.append("tables: " + ", ".join(f"{schema} {n}" for schema, n in tables))
    lines.append(
        f"checks failed: {len(failed_checks)}" + (f" ({', '.join(sorted(failed_checks))})" if failed_checks else "")
    )
    lines.append(f"warehouse: {settings.warehouse_path.resolve()}")
    if reused_build:
        lines.append(f"published copy: {copy_path(settings.published_dir.resolve())} (unchanged: up to date)")
    else:
        lines.append(_published_line(settings.published_dir, started))
    lines.append(f"as of {settings.resolved_as_of().isoformat()}, {seconds:.1f} s")
    if failures:
        lines.append("FAILED:")
        lines += [f"  {f}" for f in failures]
    else:
        lines.append("all steps succeeded")
    return "\n".join(lines)


def _published_line(published_dir: Path, started: datetime) -> str:
    copy = copy_path(published_dir.resolve())
    if not copy.exists():
        return f"published copy: none yet (would be {copy})"
    when = datetime.fromtimestamp(copy.stat().st_mtime)
    if when >= started:
        return f"published copy: {copy} (replaced by this run; Parquet/CSV/XLSX in {copy.parent / 'parquet'}, csv)"
    return f"published copy: {copy} (NOT replaced by this run: still the one of {when:%Y-%m-%d %H:%M})"
