"""`make fuzz FILES=200`: malformed landing files beside genuine exports; every file must reach the load ledger.

The generator (`write_fuzz_files`, also used by tests/integration/test_fuzz.py) derives malformed files from the
genuine exports of a landing folder, seeded, cycling through every kind below, and lands them beside the genuine
ones. Most are dated before the genuine exports, so that they load first: a file that broke the loader used to
block every later file of its source.

| kind | what |
|---|---|
| truncated | a genuine export cut at a random byte (CSV or XLSX) |
| cr_only | a genuine CSV with classic-Mac line ends (CR alone) |
| binary | random bytes named .csv or .xlsx |
| malformed_xlsx_xml | a genuine workbook whose sheet XML is cut off or garbled |
| huge_numbers | a genuine CSV with 1e20, NaN, inf, -1e300, 2147483648 … in its numeric fields |
| huge_numbers_xlsx | a workbook with 1e20 / inf / NaN cells |
| wrong_encoding | a genuine CSV as UTF-16, or as Latin-1 with non-ASCII letters |
| empty | nothing, or only blanks |
| header_only | the header line alone |
| duplicate_headers | a column twice, or the header line twice |
| ragged | rows with extra fields |
| nul_bytes | NUL bytes inside a genuine CSV |
| wrong_extension | a genuine CSV named .txt |
| byte_flips | random bytes of a genuine CSV overwritten |
| quote_chaos | unbalanced quotes in a genuine CSV |
| look_alike_digits | numbers and dates in fullwidth / Arabic-Indic digits |
| id_in_name | genuine rows under a file name holding an identity number |
| far_dates | dates like 9999-12-31, 0001-01-01, 2026-02-30 |
| long_field | a value of a million characters |
| empty_sheet | a workbook without a single row |

`python benchmarks/fuzz.py --files 200 [--scale 0.05] [--seed 1]` generates the demo municipality, lands the
malformed files beside it, runs `followup run` twice, and reports how many landing files never reached the ledger
(must be 0), how many genuine files did not load (must be 0), the exit codes (the first run, which rejects files,
exits 1; the second exits 0) and whether any output held "Could not set lock" or a traceback. Writes
`<work>/fuzz.json`; exit code 1 if any of these figures is wrong.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sources.contracts import load_contract  # noqa: E402 (the repository root is put on the path first)

KINDS = (
    "truncated",
    "cr_only",
    "binary",
    "malformed_xlsx_xml",
    "huge_numbers",
    "huge_numbers_xlsx",
    "wrong_encoding",
    "empty",
    "header_only",
    "duplicate_headers",
    "ragged",
    "nul_bytes",
    "wrong_extension",
    "byte_flips",
    "quote_chaos",
    "look_alike_digits",
    "id_in_name",
    "far_dates",
    "long_field",
    "empty_sheet",
)
# Values planted in numeric fields, and the quarantine rule each must give (sources/validation.py).
HUGE = {
    "dec": {
        "1e20": "out_of_range",
        "-1e300": "out_of_range",
        "1e308": "out_of_range",
        "99999999999999999999": "out_of_range",
        "NaN": "invalid_type",
        "nan": "invalid_type",
        "inf": "invalid_type",
        "-inf": "invalid_type",
        "Infinity": "invalid_type",
    },
    "int": {
        "2147483648": "out_of_range",
        "-2147483649": "out_of_range",
        "99999999999999999999": "invalid_type",
        "1e20": "invalid_type",
        "NaN": "invalid_type",
        "inf": "invalid_type",
    },
}
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
# An identity number (the Tax Agency's textbook example's shape, valid check digit) for file names.
NAME_NUMBERS = ("19410924-4170", "194109244170", "410924-4170", "198112189876")


@dataclass
class FuzzFile:
    source: str
    path: Path
    kind: str
    # What the kind decides, checked by tests/integration/test_fuzz.py (None: anything but a missing ledger row):
    status: str | None = None  # the ledger status
    reason: str | None = None  # a phrase of the rejection reason
    findings: list[tuple[int, str, str]] = field(default_factory=list)  # (row, field, rule) in the quarantine
    quarantined_rows: list[int] = field(default_factory=list)  # rows that must be in the quarantine
    rows_read: int | None = None  # the rows the ledger must count


def genuine_files(landing: Path) -> dict[str, list[Path]]:
    return {
        d.name: sorted(p for p in d.iterdir() if p.is_file() and p.suffix in (".csv", ".xlsx"))
        for d in sorted(landing.iterdir())
        if d.is_dir()
    }


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _csv_bytes(rows: list[list[str]], line_end: str = "\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=line_end).writerows(rows)
    return out.getvalue().encode("utf-8")


def _xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rewrite_sheet(data: bytes, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            dst.writestr(item, change(content) if item.filename == "xl/worksheets/sheet1.xml" else content)
    return out.getvalue()


class _Generator:
    def __init__(self, landing: Path, rng: random.Random):
        self.landing = landing
        self.rng = rng
        self.genuine = genuine_files(landing)
        self.csv_sources = [s for s, files in self.genuine.items() if any(p.suffix == ".csv" for p in files)]
        self.xlsx_sources = [s for s, files in self.genuine.items() if any(p.suffix == ".xlsx" for p in files)]

    def _pick(self, sources: list[str], suffix: str, want=None) -> tuple[str, Path]:
        candidates = [s for s in sources if want is None or want(load_contract(s))]
        source = self.rng.choice(candidates)
        return source, self.rng.choice([p for p in self.genuine[source] if p.suffix == suffix])

    def _numeric(self, contract) -> list:
        return [f for f in contract.fields if f.type in ("dec", "int")]

    def make(self, kind: str) -> tuple[str, bytes, str, dict]:
        """(source, content, suffix, expectations) for one malformed file of this kind."""
        rng = self.rng
        if kind == "truncated":
            suffix = rng.choice([".csv", ".xlsx"])
            source, base = self._pick(self.csv_sources if suffix == ".csv" else self.xlsx_sources, suffix)
            data = base.read_bytes()
            return source, data[: rng.randint(1, max(1, len(data) - 1))], suffix, {}
        if kind == "cr_only":
            source, base = self._pick(self.csv_sources, ".csv")
            rows = _csv_rows(base)
            return source, _csv_bytes(rows, "\r"), ".csv", {"status": "loaded", "rows_read": len(rows) - 1}
        if kind == "binary":
            suffix = rng.choice([".csv", ".xlsx"])
            source = rng.choice(list(self.genuine))
            return source, rng.randbytes(rng.randint(16, 4096)), suffix, {"status": "rejected"}
        if kind == "malformed_xlsx_xml":
            source, base = self._pick(self.xlsx_sources, ".xlsx")
            how = rng.randrange(3)

            def garble(xml: bytes) -> bytes:
                if how == 0:
                    return xml[: len(xml) // 2]  # cut off: no reader can take it
                if how == 1:
                    return xml.replace(b"</row>", b"", 3)  # unclosed rows
                at = rng.randrange(len(xml))
                return xml[:at] + b"<<&&>>" + xml[at:]

            # A sheet cut off is rejected; what a reader makes of the other two is its own, as long as it ends in
            # the ledger.
            expect = {"status": "rejected", "reason": "not a readable XLSX workbook"} if how == 0 else {}
            return source, _rewrite_sheet(base.read_bytes(), garble), ".xlsx", expect
        if kind == "huge_numbers":
            source, base = self._pick(self.csv_sources, ".csv", lambda c: bool(self._numeric(c)))
            contract = load_contract(source)
            rows = _csv_rows(base)
            header = rows[0]
            numeric = [f for f in self._numeric(contract) if f.name in header]
            findings = []
            for i in rng.sample(range(1, len(rows)), min(5, len(rows) - 1)):
                f = rng.choice(numeric)
                value, rule = rng.choice(list(HUGE[f.type].items()))
                rows[i][header.index(f.name)] = value
                findings.append((i + 1, f.name, rule))
            return source, _csv_bytes(rows), ".csv", {"status": "loaded", "findings": findings}
        if kind == "huge_numbers_xlsx":
            source, base = self._pick(self.xlsx_sources, ".xlsx", lambda c: bool(self._numeric(c)))
            from openpyxl import load_workbook

            sheet = load_workbook(base, read_only=True).worksheets[0]
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            header = [str(h) for h in rows[0]]
            numeric = [f for f in self._numeric(load_contract(source)) if f.name in header]
            findings = []
            for i in rng.sample(range(1, len(rows)), min(4, len(rows) - 1)):
                f = rng.choice(numeric)
                # Beyond DECIMAL(18,4), beyond 32 bits: out_of_range whatever the field's own bounds.
                value = rng.choice([1e20, -1e300]) if f.type == "dec" else 2.0**40
                rows[i][header.index(f.name)] = value
                findings.append((i + 1, f.name, "out_of_range"))
            return source, _xlsx_bytes(rows), ".xlsx", {"status": "loaded", "findings": findings}
        if kind == "wrong_encoding":
            source, base = self._pick(self.csv_sources, ".csv")
            text = base.read_text(encoding="utf-8-sig")
            if rng.random() < 0.5:
                return source, text.encode("utf-16"), ".csv", {"status": "rejected"}
            lines = text.splitlines()
            at = rng.randrange(1, len(lines))
            lines[at] = lines[at].replace(",", ",Åsa Öberg ", 1)
            return (
                source,
                "\n".join(lines).encode("latin-1", "replace"),
                ".csv",
                {"status": "rejected", "reason": "not readable as"},
            )
        if kind == "empty":
            source = rng.choice(list(self.genuine))
            content = rng.choice([b"", b"   ", b"\n\n", b"\r\n \t\r\n"])
            return source, content, ".csv", {"status": "rejected", "reason": "file is empty"}
        if kind == "header_only":
            source, base = self._pick(self.csv_sources, ".csv")
            header = base.read_text(encoding="utf-8-sig").splitlines()[0]
            return (
                source,
                (header + "\n").encode(),
                ".csv",
                {"status": "rejected", "reason": "header only, no data rows"},
            )
        if kind == "duplicate_headers":
            source, base = self._pick(self.csv_sources, ".csv")
            rows = _csv_rows(base)
            if rng.random() < 0.5:
                col = rng.randrange(len(rows[0]))
                rows = [r + [r[col]] for r in rows]
                expect = (
                    {"status": "rejected", "reason": "a canonical field appears in more than one column"}
                    if rows[0][col] in load_contract(source).field_names
                    else {"rows_read": len(rows) - 1}  # an extra column twice: ignored, the file loads
                )
            else:
                rows = [rows[0], *rows]  # the header line twice: the second is a data row, quarantined or loaded
                expect = {"rows_read": len(rows) - 1}
            return source, _csv_bytes(rows), ".csv", expect
        if kind == "ragged":
            source, base = self._pick(self.csv_sources, ".csv")
            rows = _csv_rows(base)
            for i in rng.sample(range(1, len(rows)), min(3, len(rows) - 1)):
                rows[i] = rows[i] + ["extra", "fields"]
            return source, _csv_bytes(rows), ".csv", {"status": "rejected", "reason": "malformed CSV"}
        if kind == "nul_bytes":
            source, base = self._pick(self.csv_sources, ".csv")
            data = bytearray(base.read_bytes())
            for _ in range(3):
                data.insert(rng.randrange(len(data)), 0)
            return source, bytes(data), ".csv", {"status": "rejected"}
        if kind == "wrong_extension":
            source, base = self._pick(self.csv_sources, ".csv")
            suffix = rng.choice([".txt", ".json", ".csv.bak", ".xls"])
            rows = _csv_rows(base)  # not the genuine file's bytes: those would be skipped as the same content
            content = _csv_bytes(rows[: max(2, len(rows) // 2)])
            return source, content, suffix, {"status": "rejected", "reason": "not a CSV or XLSX file"}
        if kind == "byte_flips":
            source, base = self._pick(self.csv_sources, ".csv")
            data = bytearray(base.read_bytes())
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            return source, bytes(data), ".csv", {}
        if kind == "quote_chaos":
            source, base = self._pick(self.csv_sources, ".csv")
            lines = base.read_text(encoding="utf-8-sig").splitlines()
            for i in rng.sample(range(1, len(lines)), min(3, len(lines) - 1)):
                at = rng.randrange(len(lines[i]) + 1)
                lines[i] = lines[i][:at] + '"' + lines[i][at:]
            return source, ("\n".join(lines) + "\n").encode(), ".csv", {}
        if kind == "look_alike_digits":
            source, base = self._pick(self.csv_sources, ".csv")
            rows = _csv_rows(base)
            digits = rng.choice([FULLWIDTH, ARABIC_INDIC])
            changed = rng.sample(range(1, len(rows)), min(4, len(rows) - 1))
            for i in changed:
                rows[i] = [v.translate(digits) for v in rows[i]]
            # Every source has a required date or number: a changed row no longer parses, the other rows load.
            expect = {"status": "loaded", "quarantined_rows": sorted(i + 1 for i in changed)}
            return source, _csv_bytes(rows), ".csv", expect
        if kind == "id_in_name":
            source, base = self._pick(self.csv_sources, ".csv")
            rows = _csv_rows(base)
            keep = [rows[0], *rows[1 : 1 + max(1, (len(rows) - 1) // 2)]]
            return source, _csv_bytes(keep), ".csv", {"status": "loaded", "rows_read": len(keep) - 1}
        if kind == "far_dates":
            source, base = self._pick(self.csv_sources, ".csv", lambda c: any(f.type == "date" for f in c.fields))
            rows = _csv_rows(base)
            header = rows[0]
            dates = [f.name for f in load_contract(source).fields if f.type == "date" and f.name in header]
            for i in rng.sample(range(1, len(rows)), min(4, len(rows) - 1)):
                rows[i][header.index(rng.choice(dates))] = rng.choice(
                    ["9999-12-31", "0001-01-01", "2026-02-30", "1900-00-00", "+12345-01-01", "2017-1-1"]
                )
            return source, _csv_bytes(rows), ".csv", {"status": "loaded"}
        if kind == "long_field":
            source, base = self._pick(self.csv_sources, ".csv")
            rows = _csv_rows(base)
            i = rng.randrange(1, len(rows))
            rows[i][rng.randrange(len(rows[i]))] = "x" * 1_000_000
            return source, _csv_bytes(rows), ".csv", {"rows_read": len(rows) - 1}
        if kind == "empty_sheet":
            source = rng.choice(self.xlsx_sources)
            return source, _xlsx_bytes([]), ".xlsx", {"status": "rejected"}
        raise ValueError(kind)


def write_fuzz_files(landing: Path, n: int, seed: int) -> list[FuzzFile]:
    """n malformed files beside the genuine exports of `landing`, every kind in turn (seeded)."""
    rng = random.Random(seed)
    generator = _Generator(landing, rng)
    first_export = min(
        date.fromisoformat(p.stem.rsplit("_", 1)[1]) for files in generator.genuine.values() for p in files
    )
    written = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        source, content, suffix, expect = generator.make(kind)
        exported = first_export - timedelta(days=n - i)  # before the genuine exports: loaded first
        stem = f"{source}_fuzz{i:03d}-{kind}"
        if kind == "id_in_name":
            stem = f"{source}_{rng.choice(NAME_NUMBERS)}"
            stem += f"_fuzz{i:03d}"
        path = landing / source / f"{stem}_{exported.isoformat()}{suffix}"
        path.write_bytes(content)
        written.append(FuzzFile(source, path, kind, **expect))
    return written


def ledger_report(warehouse: Path, landing: Path, genuine: dict[str, list[Path]]) -> dict:
    """Which landing files reached the ledger, with what status; the genuine files' loads; rows balance."""
    import duckdb

    from orchestration.ingest.loading import display_name, landing_files

    with duckdb.connect(str(warehouse), read_only=True) as con:
        ledger = {
            (s, f): (status, error, read, loaded, quarantined, duplicate)
            for s, f, status, error, read, loaded, quarantined, duplicate in con.execute(
                """SELECT source, file_name, status, error, rows_read, rows_loaded, rows_quarantined, rows_duplicate
                   FROM quality.load_ledger"""
            ).fetchall()
        }
        raw_rows = {s: con.execute(f"SELECT count(*) FROM raw.{s}").fetchone()[0] for s in {s for s, _ in ledger}}
    landed = [(s, p) for s in sorted(genuine) for p in landing_files(landing, s)]
    missing = [f"{s}/{p.name}" for s, p in landed if (s, display_name(p)) not in ledger]
    statuses: dict[str, int] = {}
    for status, *_ in ledger.values():
        statuses[status] = statuses.get(status, 0) + 1
    genuine_names = {(s, display_name(p)) for s, files in genuine.items() for p in files}
    genuine_not_loaded = sorted(
        f"{s}/{f}" for (s, f) in genuine_names if ledger.get((s, f), ("missing",))[0] != "loaded"
    )
    unbalanced = sorted(f"{s}/{f}" for (s, f), v in ledger.items() if v[2] != v[3] + v[4] + v[5])
    loaded_per_source: dict[str, int] = {}
    for (s, _), v in ledger.items():
        loaded_per_source[s] = loaded_per_source.get(s, 0) + v[3]
    raw_mismatch = sorted(s for s, n in raw_rows.items() if n != loaded_per_source.get(s, 0))
    return {
        "files_landed": len(landed),
        "files_in_ledger": len(ledger),
        "never_reached_ledger": missing,
        "statuses": dict(sorted(statuses.items())),
        "rejected_without_reason": sorted(
            f"{s}/{f}" for (s, f), v in ledger.items() if v[0] == "rejected" and not v[1]
        ),
        "genuine_not_loaded": genuine_not_loaded,
        "sources_blocked": sorted({g.split("/")[0] for g in genuine_not_loaded}),
        "rows_unbalanced": unbalanced,
        "raw_rows_not_ledger_rows": raw_mismatch,
    }


def main(argv: list[str] | None = None) -> int:
    from benchmarks.common import followup, pipeline_env

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200, help="malformed files to land (default 200)")
    parser.add_argument("--scale", type=float, default=0.05, help="the demo municipality's scale (default 0.05)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path(__file__).resolve().parent / "out" / "fuzz")
    args = parser.parse_args(argv)

    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    landing = work / "landing"
    env = pipeline_env(work, landing) | {"FOLLOWUP_AS_OF_DATE": "2026-11-01"}
    demo = subprocess.run(
        followup("demo", "--out", landing, "--scale", args.scale), env=env, cwd=work, capture_output=True, text=True
    )
    if demo.returncode:
        print(demo.stdout + demo.stderr)
        return 1
    genuine = genuine_files(landing)
    fuzz = write_fuzz_files(landing, args.files, args.seed)
    runs = []
    for _ in range(2):
        done = subprocess.run(followup("run"), env=env, cwd=work, capture_output=True, text=True)
        runs.append(done)
    output = "".join(r.stdout + r.stderr for r in runs)
    report = {
        "files": args.files,
        "scale": args.scale,
        "seed": args.seed,
        "kinds": {k: sum(f.kind == k for f in fuzz) for k in KINDS},
        "genuine_files": sum(len(v) for v in genuine.values()),
        **ledger_report(work / "warehouse" / "followup.duckdb", landing, genuine),
        "exit_codes": [r.returncode for r in runs],
        "lock_errors_or_tracebacks": ("Could not set lock" in output) or ("Traceback" in output),
        "first_run_summary": runs[0].stdout.strip().splitlines()[-40:],
        "second_run_summary": runs[1].stdout.strip().splitlines()[-12:],
    }
    (work / "fuzz.json").write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(
        f"fuzz: {args.files} malformed files (seed {args.seed}) beside {report['genuine_files']} genuine exports "
        f"(demo scale {args.scale}): {report['files_landed']} landed, {report['files_in_ledger']} in the ledger "
        f"{report['statuses']}"
    )
    print(f"files that never reached the ledger: {len(report['never_reached_ledger'])}")
    print(f"rejected without a reason: {len(report['rejected_without_reason'])}")
    print(
        f"genuine files not loaded: {len(report['genuine_not_loaded'])} (sources blocked: {report['sources_blocked']})"
    )
    print(
        f"files whose rows do not add up: {len(report['rows_unbalanced'])}; "
        f"raw tables whose rows differ from the ledger's: {report['raw_rows_not_ledger_rows']}"
    )
    print(f"exit codes: first run {runs[0].returncode} (rejects files), second run {runs[1].returncode}")
    print(f"'Could not set lock' or a traceback in the output: {report['lock_errors_or_tracebacks']}")
    print(f"details: {work / 'fuzz.json'}")
    ok = (
        not report["never_reached_ledger"]
        and not report["rejected_without_reason"]
        and not report["genuine_not_loaded"]
        and not report["rows_unbalanced"]
        and not report["raw_rows_not_ledger_rows"]
        and runs[1].returncode == 0
        and not report["lock_errors_or_tracebacks"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
