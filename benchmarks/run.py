"""`make bench SCALE=N`: how fast and how big the whole pipeline is, on one generated landing folder (issue 6).

In one invocation, each step a measured child process (see benchmarks/common.py for what is measured and how):

1. `followup demo --scale N` writes the landing folder (its time and memory are reported too);
2. **floor**: DuckDB alone loads every landing file into a table;
3. **full run**: `followup run` from an empty warehouse;
4. the demo's next month is landed (`demo_municipality.generate_increment`: a new enrolments snapshot and November's
   append exports), its files get a floor of their own, then the **incremental run**;
5. **no-op run**: `followup run` again with nothing new.

Writes `<work>/result.json` and `<work>/result.md`, and replaces this scale's table in BENCHMARKS.md.
Exit code 1 if a step failed (the JSON says which).
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
    landing_files,
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

AS_OF = "2026-12-01"  # every run uses the same as-of date: the runs differ only in what landed
LOAD_MARKER, DBT_MARKER = "loading landing files", "building marts (dbt)"
TARGETS = {
    # issue 6, on a 2-core, 24 GiB machine
    "full_run_wall_s_at_scale_1": 45,
    "full_over_floor_at_scale_100": 3.0,
    "full_run_peak_rss_gib_at_scale_100": 8.0,
    "incremental_over_full": 0.10,
    "noop_run_wall_s": 15,
    # issue 13: the evaluation adds at most 20 % to the full run at scale 100
    "evaluation_over_full_at_scale_100": 0.20,
}


def _applies(target: str, scale: float) -> bool:
    """A target named `…_at_scale_N` is judged only on a run at that scale; the others on every run."""
    _, _, at = target.partition("_at_scale_")
    return not at or float(at) == scale


# The models the evaluation adds (docs/evaluation.md): its intermediate models, its marts and reports.effects.
EVALUATION_MODELS = ("int_evaluation_", "int_register_", "int_comparison_", "evaluation__", "reports__effects")


def _is_evaluation(unique_id: str) -> bool:
    return unique_id.removeprefix("model.followup.").startswith(EVALUATION_MODELS)


def _dbt_results(target_root: Path, seen: set[Path]) -> dict | None:
    """The dbt build of the run just finished: its run_results.json (the newest one not seen before)."""
    found = sorted(set(target_root.glob("*/run_results.json")) - seen, key=lambda p: p.stat().st_mtime)
    if not found:
        return None
    seen.update(found)
    results = json.loads(found[-1].read_text(encoding="utf-8"))
    models = [r for r in results["results"] if r["unique_id"].startswith("model.")]
    slowest = sorted(models, key=lambda r: r["execution_time"], reverse=True)[:5]
    evaluation = [r for r in models if _is_evaluation(r["unique_id"])]
    return {
        "elapsed_s": round(results.get("elapsed_time", 0.0), 2),
        "nodes": len(results["results"]),
        "models_s": round(sum(r["execution_time"] for r in models), 2),
        "tests_s": round(sum(r["execution_time"] for r in results["results"] if r["unique_id"].startswith("test.")), 2),
        "evaluation_models_s": round(sum(r["execution_time"] for r in evaluation), 2),
        "evaluation_python_s": round(
            sum(
                r["execution_time"] for r in evaluation if r["unique_id"].endswith(".int_comparison_estimates_computed")
            ),
            2,
        ),
        "not_success": [r["unique_id"] for r in results["results"] if r["status"] not in ("success", "pass")],
        "slowest_models": [
            {"model": r["unique_id"].removeprefix("model.followup."), "seconds": round(r["execution_time"], 2)}
            for r in slowest
        ],
    }


def _evaluation_alone_step(work: Path, env: dict) -> dict:
    """The evaluation models rebuilt on the finished warehouse with nothing beside them: the wall time they add to a
    run. The estimates' table is dropped first, so that the Python model estimates every unit and cohort (with its
    stored fingerprints it would reuse them all)."""
    import duckdb

    manifest = json.loads((work / "dbt_target" / "manifest.json").read_text(encoding="utf-8"))
    models = sorted(
        n["name"] for uid, n in manifest["nodes"].items() if uid.startswith("model.") and _is_evaluation(uid)
    )
    con = duckdb.connect(str(work / "warehouse" / "followup.duckdb"))
    try:
        con.execute("DROP TABLE IF EXISTS intermediate.int_comparison_estimates_computed")
    finally:
        con.close()
    m = as_dict(
        measure(followup("dbt", "run", "--select", *models), env={**env, "FOLLOWUP_AS_OF_DATE": AS_OF}, cwd=work)
    )
    results_file = work / "dbt_target" / "run_results.json"
    if results_file.exists():
        results = json.loads(results_file.read_text(encoding="utf-8"))
        m["dbt"] = {
            "elapsed_s": round(results.get("elapsed_time", 0.0), 2),
            "models": {
                r["unique_id"].removeprefix("model.followup."): round(r["execution_time"], 2)
                for r in results["results"]
            },
        }
    return m


def _ledger(warehouse: Path) -> list[dict]:
    import duckdb

    if not warehouse.exists():
        return []
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            """SELECT source, file_name, status, rows_read, rows_loaded, rows_quarantined, rows_duplicate
               FROM quality.load_ledger ORDER BY source, file_name"""
        ).fetchall()
    finally:
        con.close()
    cols = ("source", "file", "status", "rows_read", "rows_loaded", "rows_quarantined", "rows_duplicate")
    return [dict(zip(cols, r, strict=True)) for r in rows]


def _run_step(work: Path, env: dict, seen: set[Path], rows: int) -> dict:
    m = as_dict(measure(followup("run", "--as-of", AS_OF), env=env, cwd=work))
    marks = m["markers"]
    if LOAD_MARKER in marks:
        # No dbt marker: the marts were up to date and not rebuilt (the whole run after startup was the load job).
        load_end = marks.get(DBT_MARKER, m["wall_s"])
        m["phases"] = {
            "startup_s": marks[LOAD_MARKER],
            "ingest_s": round(load_end - marks[LOAD_MARKER], 3),
            "dbt_and_after_s": round(m["wall_s"] - load_end, 3),
        }
    m["dbt"] = _dbt_results(work / "dbt_target", seen)
    m["rows"] = rows
    m["rows_per_s"] = rate(rows, m["wall_s"])
    return m


def _floor_step(work: Path, landing: Path, name: str, only: list[str] | None = None) -> dict:
    out = work / f"{name}.json"
    args = ["floor", "--landing", landing, "--database", work / f"{name}.duckdb", "--out", out]
    if only:
        args += ["--only", *only]
    m = as_dict(measure(python_module("benchmarks.common", *args), cwd=REPO))
    detail = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {"files": [], "rows": 0}
    (work / f"{name}.duckdb").unlink(missing_ok=True)
    m.update(files=detail["files"], rows=detail["rows"], rows_per_s=rate(detail["rows"], m["wall_s"]))
    return m


def run(scale: float, seed: int, profile: str, work: Path) -> dict:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    facts = machine()  # before the steps: the load average and the time are those at the start
    landing = work / "landing"
    env = pipeline_env(work, landing)
    steps: dict[str, dict] = {}
    seen: set[Path] = set()

    demo = ["demo", "--out", landing, "--scale", scale, "--seed", seed, "--profile", profile]
    steps["generate"] = as_dict(measure(followup(*demo), env=env, cwd=work))
    # What `make install` does on a deployment: parse the dbt project once with the run's configuration, so that
    # each run's dbt build starts from dbt's partial-parse state (dagster-dbt copies it into the run's target).
    parse_env = {**env, "FOLLOWUP_AS_OF_DATE": AS_OF}
    steps["dbt_parse"] = as_dict(measure(followup("dbt-parse"), env=parse_env, cwd=work))
    steps["floor"] = _floor_step(work, landing, "floor")
    steps["full_run"] = _run_step(work, env, seen, steps["floor"]["rows"])

    out = work / "increment.json"
    inc = ["increment", "--landing", landing, "--scale", scale, "--seed", seed, "--profile", profile, "--out", out]
    steps["generate_increment"] = as_dict(measure(python_module("benchmarks.common", *inc), cwd=REPO))
    new_files = json.loads(out.read_text(encoding="utf-8"))["files"] if out.exists() else []
    steps["floor_increment"] = _floor_step(work, landing, "floor_increment", new_files)
    steps["incremental_run"] = _run_step(work, env, seen, steps["floor_increment"]["rows"])
    steps["noop_run"] = _run_step(work, env, seen, 0)
    steps["evaluation_alone"] = _evaluation_alone_step(work, env)

    full, incremental, noop = steps["full_run"], steps["incremental_run"], steps["noop_run"]
    ratios = {
        "full_over_floor": ratio(full["wall_s"], steps["floor"]["wall_s"]),
        "incremental_over_full": ratio(incremental["wall_s"], full["wall_s"]),
        "incremental_over_increment_floor": ratio(incremental["wall_s"], steps["floor_increment"]["wall_s"]),
        "full_ingest_over_floor": ratio((full.get("phases") or {}).get("ingest_s"), steps["floor"]["wall_s"]),
        # The evaluation models' summed execution time in the full run's build over its wall time: an upper bound
        # (with two dbt threads each model shares the 2 cores with the other thread's, and is slowed by it).
        "evaluation_in_build_over_full": ratio((full.get("dbt") or {}).get("evaluation_models_s"), full["wall_s"]),
        # The same models rebuilt alone on the finished warehouse (dbt's elapsed time) over the full run's wall
        # time: the wall time they add to a run.
        "evaluation_over_full": ratio((steps["evaluation_alone"].get("dbt") or {}).get("elapsed_s"), full["wall_s"]),
    }
    targets = {
        "full_run_wall_s_at_scale_1": full["wall_s"],
        "full_over_floor_at_scale_100": ratios["full_over_floor"],
        "full_run_peak_rss_gib_at_scale_100": round(full["peak_rss_tree_mib"] / 1024, 2),
        "incremental_over_full": ratios["incremental_over_full"],
        "noop_run_wall_s": noop["wall_s"],
        "evaluation_over_full_at_scale_100": ratios["evaluation_over_full"],
    }
    return {
        "benchmark": "run",
        "scale": scale,
        "seed": seed,
        "profile": profile,
        "as_of": AS_OF,
        "machine": facts,
        "landing": {
            "files": len(landing_files(landing)),
            "bytes": sum(p.stat().st_size for _, p in landing_files(landing)),
            "rows": steps["floor"]["rows"] + steps["floor_increment"]["rows"],
        },
        "ok": all(s["returncode"] == 0 for s in steps.values()),
        "steps": steps,
        "ratios": ratios,
        "targets": {
            k: {"target": TARGETS[k], "measured": v, "met": v is not None and v <= TARGETS[k]}
            for k, v in targets.items()
            if _applies(k, scale)
        },
        "ledger": _ledger(work / "warehouse" / "followup.duckdb"),
    }


def markdown(result: dict, note: str = "") -> str:
    mach, steps = result["machine"], result["steps"]
    lines = [
        f"### `make bench SCALE={result['scale']:g}` (profile {result['profile']}, seed {result['seed']})",
        "",
        f"Commit {mach['commit']}, {mach['started_at']}; {mach['cores']} cores, {mach['memory_gib']} GiB, "
        f"load average {mach['load_average_1m_at_start']} at start; DuckDB {mach['duckdb']}. "
        f"Landing: {result['landing']['files']} files, {result['landing']['rows']:,} rows, "
        f"{result['landing']['bytes'] / 2**20:.0f} MiB.{(' ' + note) if note else ''}",
        "",
        STEP_HEADER,
    ]
    names = {
        "generate": "generate (`followup demo`)",
        "dbt_parse": "dbt parse (as at install)",
        "floor": "**floor** (DuckDB alone)",
        "full_run": "**full run**",
        "generate_increment": "land one more month",
        "floor_increment": "floor of that month",
        "incremental_run": "**incremental run**",
        "noop_run": "**no-op run**",
        "evaluation_alone": "evaluation models alone (`followup dbt run`)",
    }
    for key, label in names.items():
        s = steps[key]
        lines.append(step_row(label + ("" if s["returncode"] == 0 else " FAILED"), s, s.get("rows")))
    r = result["ratios"]
    alone = steps["evaluation_alone"].get("dbt") or {}
    lines += [
        "",
        f"full / floor **{r['full_over_floor']}**, incremental / full **{r['incremental_over_full']}**, "
        f"ingest phase of the full run / floor {r['full_ingest_over_floor']}.",
    ]
    lines += [
        "",
        "| run | startup s | ingest s | dbt and after s | dbt build s | slowest dbt models (s) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for key in ("full_run", "incremental_run", "noop_run"):
        s, p, d = steps[key], steps[key].get("phases") or {}, steps[key].get("dbt") or {}
        slow = ", ".join(f"{m['model']} {m['seconds']}" for m in d.get("slowest_models", []))
        lines.append(
            f"| {names[key]} | {p.get('startup_s', '–')} | {p.get('ingest_s', '–')} | {p.get('dbt_and_after_s', '–')} "
            f"| {d.get('elapsed_s', '–')} | {slow or '–'} |"
        )
    lines += [
        "",
        "Evaluation models, their dbt execution time summed in the build (with two dbt threads each shares the "
        "cores with the other thread's models: an upper bound): "
        + "; ".join(
            f"{names[key]} {(steps[key].get('dbt') or {}).get('evaluation_models_s', '–')} s "
            f"(the Python model {(steps[key].get('dbt') or {}).get('evaluation_python_s', '–')} s)"
            for key in ("full_run", "incremental_run")
        )
        + f", {r.get('evaluation_in_build_over_full', '–')} of the full run's wall time. Rebuilt alone on the "
        f"finished warehouse (every estimate computed again): {alone.get('elapsed_s', '–')} s, "
        f"**{r.get('evaluation_over_full', '–')}** of the full run's wall time ("
        + ", ".join(f"{k} {v}" for k, v in sorted(alone.get("models", {}).items(), key=lambda kv: -kv[1]))
        + ").",
    ]
    lines += ["", *targets_table(result["targets"], 6)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--profile", default="canonical", choices=["canonical", "sv-export"])
    parser.add_argument("--work", type=Path, help="work folder (default benchmarks/out/run-scale-<N>; emptied)")
    parser.add_argument("--note", default="", help="a remark for the Markdown table (e.g. other load on the machine)")
    parser.add_argument("--no-benchmarks-md", action="store_true", help="do not update BENCHMARKS.md")
    parser.add_argument("--keep", action="store_true", help="keep the landing folder and warehouse")
    args = parser.parse_args(argv)
    work = (args.work or REPO / "benchmarks" / "out" / f"run-scale-{args.scale:g}").resolve()

    result = run(args.scale, args.seed, args.profile, work)
    table = markdown(result, args.note)
    write_json(result, work / "result.json")
    (work / "result.md").write_text(table, encoding="utf-8")
    if not args.no_benchmarks_md:
        update_benchmarks_md(f"run, scale {args.scale:g}", table)
    if not args.keep:
        for name in ("landing", "warehouse", "published", "dagster_home", "dbt_target"):
            shutil.rmtree(work / name, ignore_errors=True)
    print(table)
    print(f"result: {work / 'result.json'}")
    for name, step in result["steps"].items():
        if step["returncode"] != 0:
            print(f"{name} failed (exit {step['returncode']}):\n" + "\n".join(step["output_tail"][-15:]))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
