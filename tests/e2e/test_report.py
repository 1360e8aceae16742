"""`followup report` on the PIMA fixture's published copy, opened in headless Chromium: the rendered page shows the
scorecard, the charts and "<5" marks where cells are suppressed, and loads nothing from the network."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

FOLLOWUP = str(Path(sys.executable).parent / "followup")


def _rendered_text(page: Path, profile: Path) -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is installed by `make test` (Debian package chromium)"
    done = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    # The text a reader sees: the DOM after rendering, tags and the style sheet removed.
    dom = re.sub(r"<style.*?</style>", " ", dom, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom)).replace("&lt;", "<")


def test_report_renders_scorecard_and_charts_in_chromium(pima_run, tmp_path):
    settings, code, output = pima_run
    assert code == 0, output
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "DAGSTER_"))}
    env["FOLLOWUP_PUBLISHED_DIR"] = str(settings.published_dir)
    pages = {}
    for lang in ("sv", "en"):
        done = subprocess.run(
            [FOLLOWUP, "report", "--unit", "PIMA", "--period", "2017-H2", "--lang", lang],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        pages[lang] = tmp_path / f"report_PIMA_2017-H2_{lang}.html"
        assert f"report written to {pages[lang]}" in done.stdout
    source = pages["sv"].read_text(encoding="utf-8")
    assert "<script" not in source and not re.search(r"""(src|href)=["']https?:""", source)
    # Intake, exits, attendance, ORS, budget: each a chart (at least the scorecard's three) or "no data".
    assert source.count("<svg") + source.count("Inga uppgifter för perioden.") == 5 and source.count("<svg") >= 3

    text = _rendered_text(pages["sv"], tmp_path / "chromium-profile")
    assert "Uppföljning PIMA 2017-H2" in text
    assert re.search(r"active cases 11 new cases <5 exited cases 5 ongoing at end 6 attendance rate 75%", text), text
    assert "decided sek 4 385 000 spent sek 2 510 945" in text
    for title in ("Inskrivna över tid", "Avslut per grupp", "Närvaro mot mål", "ORS-förändring", "Budget och utfall"):
        assert title in text
    assert "2017-12" in text  # a month on the intake chart's axis, drawn as SVG text
    assert "Mål 90%" in text  # PIMA's attendance target, the line on the attendance chart
    assert " <5 " in text
    english = _rendered_text(pages["en"], tmp_path / "chromium-profile-en")
    assert "Follow-up PIMA 2017-H2" in english and "Exits by group" in english

    missing = subprocess.run(
        [FOLLOWUP, "report", "--unit", "NOPE", "--period", "2017-H2"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert missing.returncode == 1
    assert missing.stderr.strip() == "error: no row in reports.unit_scorecard for unit NOPE and period 2017-H2"
