"""One atomic publication (docs/operations.md#the-published-copy): the database, its Parquet and CSV files and the
manifest of a publication are one folder `versions/<n>`, switched by one rename of the symbolic link `current`.

A publication is killed (SIGKILL) at each point of its switch — files written but not yet a version, a version
not yet current, current switched but older versions not yet cleaned — and a reader then finds one whole version
through the stable paths: database, CSV and manifest of the same version (the old one before the switch, the new
one after). The next publication needs no repair. A reader that resolves `current` once and reads the database,
a CSV file and the manifest of that version, in a loop while publications run, always sees them agree.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.publish.copy import current_version, write_published_copy

pytestmark = pytest.mark.slow

PUBLISHER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from orchestration.publish import copy

    warehouse, published, point, marker = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4])

    def reached(name):
        if name == point:
            marker.write_text(name)
            time.sleep(600)  # killed here

    copy._reached = reached
    copy.write_published_copy(warehouse, published)
    """
)

READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import duckdb

    published, stop, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    reads, last = [], False
    while not last:
        last = stop.exists()
        try:
            version = (published / "current").resolve()  # one version, resolved once
            manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
            with duckdb.connect(str(version / "followup.duckdb"), read_only=True) as con:
                rows = con.execute("SELECT count(*) FROM reports.staff_survey").fetchone()[0]
            csv_rows = (version / "csv" / "staff_survey.csv").read_text(encoding="utf-8-sig").count("\\n") - 1
            listed = manifest["tables"]["reports.staff_survey"]
            reads.append([version.name, manifest["version"], listed, rows, csv_rows])
        except Exception as exc:
            reads.append({"error": f"{type(exc).__name__}: {exc}"})
        time.sleep(0.01)
    out.write_text(json.dumps(reads))
    """
)


def _seen(published: Path) -> tuple[int, int]:
    """What a reader finds through the stable paths: (version, staff_survey rows), checking that the database,
    the CSV file, the Parquet file and the manifest are one version."""
    version = current_version(published)
    assert version is not None
    for name in ("followup.duckdb", "parquet", "csv", "manifest.json"):
        assert (published / name).resolve() == version / name, name
    manifest = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == int(version.name)
    with duckdb.connect(str(published / "followup.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT count(*) FROM reports.staff_survey").fetchone()[0]
        parquet = con.execute(f"SELECT count(*) FROM '{published / 'parquet' / 'staff_survey.parquet'}'").fetchone()[0]
        tables = {
            f"{s}.{t}": con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0]
            for s, t in con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
        }
    csv_rows = (published / "csv" / "staff_survey.csv").read_text(encoding="utf-8-sig").count("\n") - 1
    assert tables == manifest["tables"]
    assert rows == csv_rows == parquet
    return manifest["version"], rows


def _publish_until(warehouse: Path, published: Path, point: str, tmp: Path) -> None:
    marker = tmp / f"reached-{point}"
    marker.unlink(missing_ok=True)
    run = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, str(warehouse), str(published), point, str(marker)],
        start_new_session=True,
    )
    deadline = time.monotonic() + 600
    while not marker.exists():
        assert run.poll() is None and time.monotonic() < deadline, "the publication ended before the point"
        time.sleep(0.01)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()


@pytest.fixture(scope="module")
def warehouses(pima_run, tmp_path_factory):
    settings, code, output = pima_run
    assert code == 0, output
    tmp = tmp_path_factory.mktemp("atomic")
    old = tmp / "old.duckdb"
    new = tmp / "new.duckdb"
    shutil.copy(settings.warehouse_path, old)
    shutil.copy(settings.warehouse_path, new)
    with duckdb.connect(str(new)) as con:  # the next build: fewer survey rows, so the versions differ
        con.execute("DELETE FROM reports.staff_survey WHERE question = 'q04'")
    return tmp, old, new


def test_a_killed_publication_leaves_one_whole_version_for_readers(warehouses):
    tmp, old, new = warehouses
    published = tmp / "published"
    first = write_published_copy(old, published)
    assert first.version == published / "versions" / "1"
    version, old_rows = _seen(published)
    assert version == 1

    # Killed with everything written but not yet a version; then as a version not yet current.
    _publish_until(new, published, "exported", tmp)
    assert list(published.glob(".publishing-*"))
    assert _seen(published) == (1, old_rows)
    _publish_until(new, published, "versioned", tmp)
    assert (published / "versions" / "2").is_dir()
    assert _seen(published) == (1, old_rows)

    # Killed right after the switch: readers see the new version, whole.
    _publish_until(new, published, "switched", tmp)
    version, new_rows = _seen(published)
    assert version == 3 and new_rows < old_rows

    # The next publication needs no repair: leftovers and old versions go, the previous one stays.
    again = write_published_copy(old, published)
    assert _seen(published) == (4, old_rows) and again.version == published / "versions" / "4"
    assert sorted(p.name for p in (published / "versions").iterdir()) == ["3", "4"]
    assert not list(published.glob(".publishing-*"))


def test_readers_of_one_resolved_version_always_see_database_csv_and_manifest_agree(warehouses):
    tmp, old, new = warehouses
    published = tmp / "published-loop"
    write_published_copy(old, published)
    stop, out = tmp / "stop-reading", tmp / "reads.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(published), str(stop), str(out)])
    try:
        for warehouse in (new, old, new):
            write_published_copy(warehouse, published)
    finally:
        stop.touch()
        reader.wait(timeout=120)
    reads = json.loads(out.read_text())
    assert [r for r in reads if isinstance(r, dict)] == []
    assert len(reads) > 10
    for folder, version, in_manifest, rows, csv_rows in reads:
        assert int(folder) == version and in_manifest == rows == csv_rows
    assert len({r[1] for r in reads}) >= 2  # it saw a switch


def test_a_copy_published_before_versions_is_taken_over(warehouses):
    tmp, old, _ = warehouses
    published = tmp / "published-old-layout"
    write_published_copy(old, published)
    # The layout of earlier releases: real files and folders where the stable links are now.
    legacy = tmp / "legacy"
    shutil.copytree(published, legacy, symlinks=False)
    shutil.rmtree(legacy / "versions")
    shutil.rmtree(legacy / "current")
    assert (legacy / "csv").is_dir() and not (legacy / "csv").is_symlink()
    write_published_copy(old, legacy)
    assert _seen(legacy)[0] == 1
    assert all((legacy / name).is_symlink() for name in ("followup.duckdb", "parquet", "csv", "manifest.json"))
