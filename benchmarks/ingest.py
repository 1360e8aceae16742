"""Ingestion alone (issue 3): read + validate + pseudonymise + write of every source, against DuckDB alone.

    python benchmarks/ingest.py --scale 10            # generates the demo, then floor and ingest
    python benchmarks/ingest.py --landing DIR         # an existing landing folder
    python benchmarks/ingest.py --scale 1 --cprofile  # also a cProfile of the ingest (<work>/ingest.prof)

Both steps are measured child processes (benchmarks/common.py): the floor loads every file into a DuckDB table;
the ingest runs `orchestration.ingest.loading.load_source` for every source into an empty warehouse, as the raw/<source>
assets do, without Dagster or dbt. Target (issue 3, at scale 100): ingest ≤ 3× floor, peak memory < 6 GiB.
Writes `<work>/ingest.json` and `<work>/ingest.md`, and this scale's table in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (  # noqa: E402 (the repository root is put on the path first)
    REPO,
    STEP_HEADER,
    as_dict,
    followup,
    machine,
    measure,
    pipeline_env,
    python_module,
    rate,
    ratio,
    step_row,
    targets_table,
    update_benchmarks_md,
    write_json,
)

TARGETS = {"ingest_over_floor_at_scale_100": 3.0, "ingest_peak_rss_gib_at_scale_100": 6.0}


def bench(work: Path, landing: Path | None, scale: float, seed: int, profile: str, cprofile: bool) -> dict:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    facts = machine()  # before the steps: the load average and the time are those at the start
    steps: dict[str, dict] = {}
    if landing is None:
        landing = work / "landing"
        demo = ["demo", "--out", landing, "--scale", scale, "--seed", seed, "--profile", profile]
        steps["generate"] = as_dict(measure(followup(*demo), env=pipeline_env(work, landing), cwd=work))

    out = work / "floor.json"
    args = ["floor", "--landing", landing, "--database", work / "floor.duckdb", "--out", out]
    steps["floor"] = as_dict(measure(python_module("benchmarks.common", *args), cwd=REPO))
    floor = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {"files": [], "rows": 0}
    steps["floor"].update(rows=floor["rows"], rows_per_s=rate(floor["rows"], steps["floor"]["wall_s"]))

    out = work / "ingest_detail.json"
    key = work / "secrets" / "pseudonym.key"
    args = ["ingest", "--landing", landing, "--database", work / "ingest.duckdb", "--key-file", key, "--out", out]
    if cprofile:
        args += ["--profile-to", work / "ingest.prof"]
    steps["ingest"] = as_dict(measure(python_module("benchmarks.common", *args), cwd=REPO))
    detail = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {"sources": [], "rows": 0}
    steps["ingest"].update(rows=detail["rows"], rows_per_s=rate(detail["rows"], steps["ingest"]["wall_s"]))
    for name in ("floor.duckdb", "ingest.duckdb", "ingest.duckdb.wal"):
        (work / name).unlink(missing_ok=True)

    floor_by_source: dict[str, float] = {}
    for f in floor["files"]:
        floor_by_source[f["source"]] = floor_by_source.get(f["source"], 0.0) + f["seconds"]
    sources = sorted(detail["sources"], key=lambda s: s["seconds"], reverse=True)
    for s in sources:
        s["floor_seconds"] = round(floor_by_source.get(s["source"], 0.0), 3)
    measured = {
        "ingest_over_floor_at_scale_100": ratio(steps["ingest"]["wall_s"], steps["floor"]["wall_s"]),
        "ingest_peak_rss_gib_at_scale_100": round(steps["ingest"]["peak_rss_tree_mib"] / 1024, 2),
    }
    return {
        "benchmark": "ingest",
        "scale": scale,
        "seed": seed,
        "profile": profile,
        "landing": str(landing),
        "machine": facts,
        "ok": all(s["returncode"] == 0 for s in steps.values()),
        "steps": steps,
        "ratios": {"ingest_over_floor": measured["ingest_over_floor_at_scale_100"]},
        "targets": {
            k: {"target": TARGETS[k], "measured": v, "met": v is not None and v <= TARGETS[k]}
            for k, v in measured.items()
        },
        "floor_files": floor["files"],
        "sources": sources,
    }


def markdown(result: dict, note: str = "") -> str:
    mach, steps = result["machine"], result["steps"]
    lines = [
        f"### `benchmarks/ingest.py --scale {result['scale']:g}` (profile {result['profile']})",
        "",
        f"Commit {mach['commit']}, {mach['started_at']}; {mach['cores']} cores, {mach['memory_gib']} GiB, "
        f"load average {mach['load_average_1m_at_start']} at start.{(' ' + note) if note else ''}",
        "",
        STEP_HEADER,
    ]
    labels = {"generate": "generate", "floor": "**floor** (DuckDB alone)", "ingest": "**ingest** (all sources)"}
    for key, label in labels.items():
        if key in steps:
            s = steps[key]
            lines.append(step_row(label + ("" if s["returncode"] == 0 else " FAILED"), s, s.get("rows")))
    lines += ["", f"ingest / floor **{result['ratios']['ingest_over_floor']}**.", ""]
    lines += ["| slowest sources | ingest s | floor s | rows read |", "|---|---:|---:|---:|"]
    for s in result["sources"][:6]:
        lines.append(f"| {s['source']} | {s['seconds']} | {s['floor_seconds']} | {s['rows_read']:,} |")
    lines += ["", *targets_table(result["targets"], 3)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--profile", default="canonical", choices=["canonical", "sv-export"])
    parser.add_argument("--landing", type=Path, help="an existing landing folder (no generation)")
    parser.add_argument("--work", type=Path, help="work folder (default benchmarks/out/ingest-scale-<N>; emptied)")
    parser.add_argument("--cprofile", action="store_true", help="write a cProfile of the ingest to <work>")
    parser.add_argument("--note", default="")
    parser.add_argument("--no-benchmarks-md", action="store_true")
    args = parser.parse_args(argv)
    work = (args.work or REPO / "benchmarks" / "out" / f"ingest-scale-{args.scale:g}").resolve()
    landing = args.landing.resolve() if args.landing else None

    result = bench(work, landing, args.scale, args.seed, args.profile, args.cprofile)
    table = markdown(result, args.note)
    write_json(result, work / "ingest.json")
    (work / "ingest.md").write_text(table, encoding="utf-8")
    if not args.no_benchmarks_md and landing is None:
        update_benchmarks_md(f"ingest, scale {args.scale:g}", table)
    shutil.rmtree(work / "landing", ignore_errors=True)
    print(table)
    print(f"result: {work / 'ingest.json'}")
    for name, step in result["steps"].items():
        if step["returncode"] != 0:
            print(f"{name} failed (exit {step['returncode']}):\n" + "\n".join(step["output_tail"][-15:]))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
