"""What the benchmarks share: a measured subprocess, the DuckDB floor, the ingest-only load, machine facts, reports.

Every measured step runs as a child process of the benchmark, so that its figures are its own:

- wall time: `time.perf_counter()` around the child;
- CPU time: user + system of the child and every descendant it waited for (`os.wait4`);
- peak RSS of the whole process tree: the largest *sum* of resident memory over the child and all its descendants
  at one moment, sampled from /proc every 0.1 s (Linux; a peak shorter than the interval can be missed);
- largest single process: `ru_maxrss` from `os.wait4` (the maximum over the child and its waited-for descendants,
  each counted alone: a lower bound of the tree figure).

`python -m benchmarks.common floor|ingest …` are the measured children of the floor and of the ingest-only load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS_MD = REPO / "BENCHMARKS.md"
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
MiB = 1 << 20


# --- measuring a process tree ---------------------------------------------------------------------------------


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants now (Linux /proc; 0 where /proc is missing)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * _PAGE
        except OSError:
            continue
    return total


@dataclass
class Measurement:
    command: list[str]
    returncode: int
    wall_s: float
    cpu_s: float
    peak_rss_tree_mib: float
    max_rss_process_mib: float
    markers: dict[str, float] = field(default_factory=dict)  # progress line -> seconds after start
    output_tail: list[str] = field(default_factory=list)


_MARKER = re.compile(r"^(\S.*) …$")  # the CLI's progress lines: "loading landing files …"


def measure(command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> Measurement:
    """Run a command to completion, sampling its process tree; its output is kept (tail) and timed (markers)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=cwd, errors="replace"
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    markers: dict[str, float] = {}
    tail: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip("\n")
        m = _MARKER.match(line)
        if m:
            markers[m.group(1)] = time.perf_counter() - started
        tail = (tail + [line])[-40:]
    # wait4 reaps the child and reports its (and its waited-for descendants') resource use.
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measurement(
        command=[str(c) for c in command],
        returncode=proc.returncode,
        wall_s=round(wall, 3),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 3),
        peak_rss_tree_mib=round(peak / MiB, 1),
        max_rss_process_mib=round(usage.ru_maxrss * 1024 / MiB, 1),  # ru_maxrss is in KiB on Linux
        markers={k: round(v, 3) for k, v in markers.items()},
        output_tail=tail,
    )


def python_module(module: str, *args: object) -> list[str]:
    return [sys.executable, "-m", module, *[str(a) for a in args]]


def followup(*args: object) -> list[str]:
    exe = Path(sys.executable).parent / "followup"
    return [str(exe) if exe.exists() else "followup", *[str(a) for a in args]]


# --- the landing folder ---------------------------------------------------------------------------------------


def landing_files(landing: Path, only: set[Path] | None = None) -> list[tuple[str, Path]]:
    """(source, file) for every CSV/XLSX file of the landing folder (or only the given ones), sorted."""
    out = []
    if not landing.is_dir():
        return out
    for folder in sorted(p for p in landing.iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in (".csv", ".xlsx") and (only is None or path in only):
                out.append((folder.name, path))
    return out


def pipeline_env(work: Path, landing: Path) -> dict[str, str]:
    """The pipeline's configuration for a benchmark: everything under the work folder, nothing from the repo."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWUP_")}
    work.mkdir(parents=True, exist_ok=True)
    (work / "followup.toml").write_text("# benchmark run: configured by FOLLOWUP_* variables\n", encoding="utf-8")
    env.update(
        {
            "FOLLOWUP_LANDING_DIR": str(landing),
            "FOLLOWUP_WAREHOUSE_PATH": str(work / "warehouse" / "followup.duckdb"),
            "FOLLOWUP_PUBLISHED_DIR": str(work / "published"),
            "FOLLOWUP_PSEUDONYM_KEY_FILE": str(work / "secrets" / "pseudonym.key"),
            "FOLLOWUP_CONFIG": str(work / "followup.toml"),  # empty: the defaults and these variables
            "DAGSTER_HOME": str(work / "dagster_home"),
            "DBT_TARGET_PATH": str(work / "dbt_target"),  # run_results.json of each dbt build lands here
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "GX_ANALYTICS_ENABLED": "False",
        }
    )
    return env


# --- the floor: DuckDB alone ----------------------------------------------------------------------------------


def _floor_file(con, source: str, path: Path, table: str) -> int:
    """CREATE TABLE … AS SELECT * FROM read_csv(…) for a CSV; for an XLSX, calamine (fastexcel) into Arrow, then
    the same CREATE TABLE … AS SELECT: DuckDB's excel extension is not installable offline."""
    from sources.contracts import load_contract
    from sources.profiles import available_profiles
    from sources.readers import choose_profile

    contract = load_contract(source)
    profile = choose_profile(path, contract, available_profiles(source, None))
    if path.suffix.lower() == ".csv":
        encodings = [e.lower().replace("_", "-") for e in profile.encodings]
        for encoding in ("utf-8", "latin-1") if any(e not in ("utf-8", "utf8") for e in encodings) else ("utf-8",):
            try:
                con.execute(
                    f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_csv(?, delim = ?, header = true, "
                    "encoding = ?)",
                    [str(path), profile.delimiter, encoding],
                )
                break
            except Exception:
                if encoding == "latin-1":
                    raise
    else:
        import fastexcel

        sheet = fastexcel.read_excel(str(path)).load_sheet(profile.sheet or 0, header_row=profile.header_row - 1)
        con.register("_sheet", sheet.to_arrow())
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _sheet")
        con.unregister("_sheet")
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def floor(landing: Path, database: Path, only: list[Path] | None = None, threads: int = 2) -> dict:
    """Every landing file into its own DuckDB table; rows per file."""
    import duckdb

    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database), config={"threads": threads})
    files = []
    for i, (source, path) in enumerate(landing_files(landing, set(only) if only else None)):
        started = time.perf_counter()
        rows = _floor_file(con, source, path, f"t{i}")
        files.append(
            {"source": source, "file": path.name, "rows": rows, "seconds": round(time.perf_counter() - started, 3)}
        )
    con.execute("CHECKPOINT")
    con.close()
    return {"files": files, "rows": sum(f["rows"] for f in files)}


# --- ingest only: read + validate + pseudonymise + write, no Dagster, no dbt ----------------------------------


def ingest(landing: Path, database: Path, key_file: Path, profile_run: Path | None = None) -> dict:
    """Every source through orchestration.ingest.loading, as the raw/<source> assets do: seconds and rows per source."""
    import duckdb  # noqa: F401 (imported before timing starts)

    from orchestration import warehouse
    from orchestration.ingest.loading import landing_files as source_files
    from orchestration.ingest.loading import load_source, reserve_patterns
    from sources.contracts import all_contracts
    from sources.profiles import available_profiles
    from sources.pseudonymisation import load_key

    key = load_key(None, key_file, "demo")
    profiler = None
    if profile_run:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    sources = []
    with warehouse.connect(database, memory_limit="4GB", threads=2) as con:
        warehouse.ensure_all_tables(con)
        units = source_files(landing, "units")
        for contract in all_contracts():
            started = time.perf_counter()
            patterns = reserve_patterns(con, units, available_profiles("units", None)) if contract.person_field else {}
            outcomes = load_source(
                con,
                contract,
                source_files(landing, contract.source),
                available_profiles(contract.source, None),
                key,
                datetime.now(),
                patterns,
            )
            sources.append(
                {
                    "source": contract.source,
                    "seconds": round(time.perf_counter() - started, 3),
                    "files": len(outcomes),
                    "rows_read": sum(o.rows_read for o in outcomes),
                    "rows_loaded": sum(o.rows_loaded for o in outcomes),
                    "rows_quarantined": sum(o.rows_quarantined for o in outcomes),
                    "rows_duplicate": sum(o.rows_duplicate for o in outcomes),
                    "statuses": sorted({o.status for o in outcomes}),
                }
            )
        con.execute("CHECKPOINT")
    if profiler:
        profiler.disable()
        profiler.dump_stats(str(profile_run))
    return {"sources": sources, "rows": sum(s["rows_read"] for s in sources)}


# --- facts and reports ----------------------------------------------------------------------------------------


def machine() -> dict:
    mem = 0
    try:
        with open("/proc/meminfo") as fh:
            mem = int(next(line for line in fh if line.startswith("MemTotal")).split()[1]) * 1024
    except (OSError, StopIteration):
        pass
    try:
        if os.environ.get("BENCH_COMMIT"):  # measuring an exported copy of a commit (no .git there)
            raise OSError
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = bool(
            subprocess.run(  # a copy's .venv may be a symlink to the repository's: not a change
                ["git", "status", "--porcelain", "--", ".", ":!.venv"], cwd=REPO, capture_output=True, text=True
            ).stdout.strip()
        )
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = os.environ.get("BENCH_COMMIT", "unknown"), False
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    import duckdb

    return {
        "cores": os.cpu_count(),
        "memory_gib": round(mem / (1 << 30), 1),
        "load_average_1m_at_start": round(load[0], 2),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "commit": commit + ("+uncommitted" if dirty else ""),
        "started_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def rate(rows: int, seconds: float) -> float | None:
    return round(rows / seconds) if rows and seconds > 0 else None


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def step_row(name: str, m: dict, rows: int | None) -> str:
    rps = rate(rows or 0, m["wall_s"])
    return (
        f"| {name} | {m['wall_s']:.1f} | {m['cpu_s']:.1f} | {m['peak_rss_tree_mib']:.0f} | "
        f"{m['max_rss_process_mib']:.0f} | {rows if rows is not None else '–'} | {rps or '–'} |"
    )


STEP_HEADER = (
    "| step | wall s | CPU s | peak RSS tree MiB | largest process MiB | rows | rows/s |\n"
    "|---|---:|---:|---:|---:|---:|---:|"
)


def targets_table(targets: dict, issue: int) -> list[str]:
    """The Markdown rows of a benchmark's targets: name, target, measured, met."""
    lines = [f"| target (issue {issue}) | target | measured | met |", "|---|---:|---:|---|"]
    for k, t in targets.items():
        lines.append(f"| {k} | {t['target']} | {t['measured']} | {'yes' if t['met'] else 'no'} |")
    return lines


def write_json(result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")


def update_benchmarks_md(section: str, markdown: str) -> None:
    """BENCHMARKS.md keeps the latest table of each section (e.g. `run, scale 1`) between markers."""
    begin, end = f"<!-- begin {section} -->", f"<!-- end {section} -->"
    text = BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.exists() else _BENCHMARKS_HEAD
    block = f"{begin}\n{markdown.strip()}\n{end}"
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    BENCHMARKS_MD.write_text(text, encoding="utf-8")


_BENCHMARKS_HEAD = """# Benchmarks

The latest result of each benchmark, written by `make bench SCALE=…` (`benchmarks/run.py`) and
`benchmarks/ingest.py`; how the figures are measured is in `benchmarks/common.py`.
"""


def as_dict(m: Measurement) -> dict:
    return asdict(m)


# --- the measured children ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.common")
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("floor", help="DuckDB alone: every landing file into a table")
    f.add_argument("--landing", type=Path, required=True)
    f.add_argument("--database", type=Path, required=True)
    f.add_argument("--only", type=Path, nargs="*")
    f.add_argument("--out", type=Path, required=True)
    i = sub.add_parser("ingest", help="read + validate + pseudonymise + write every source")
    i.add_argument("--landing", type=Path, required=True)
    i.add_argument("--database", type=Path, required=True)
    i.add_argument("--key-file", type=Path, required=True)
    i.add_argument("--profile-to", type=Path)
    i.add_argument("--out", type=Path, required=True)
    g = sub.add_parser("increment", help="land one more month on a demo landing folder (demo_municipality)")
    g.add_argument("--landing", type=Path, required=True)
    g.add_argument("--scale", type=float, required=True)
    g.add_argument("--seed", type=int, required=True)
    g.add_argument("--profile", default="canonical")
    g.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "increment":
        from demo_municipality import generate_increment

        before = {p for _, p in landing_files(args.landing)}
        rows = generate_increment(args.landing, scale=args.scale, seed=args.seed, profile=args.profile)
        new_files = [str(p) for _, p in landing_files(args.landing) if p not in before]
        write_json({"rows": rows, "files": new_files}, args.out)
    elif args.command == "floor":
        write_json(floor(args.landing, args.database, args.only), args.out)
    else:
        write_json(ingest(args.landing, args.database, args.key_file, args.profile_to), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
