"""The same municipality exported in the canonical and in the sv-export profile gives the same marts."""

import os
from datetime import date

import duckdb
import pytest

from demo_municipality import QUARANTINED_ROWS, generate
from tests.conftest import TEST_KEY, settings_for

pytestmark = pytest.mark.slow

FIGURES = {
    "intake.period_summary": "SELECT * FROM intake.period_summary ORDER BY ALL",
    "process.period_summary": "SELECT * FROM process.period_summary ORDER BY ALL",
    "outcome.exits": "SELECT * FROM outcome.exits ORDER BY ALL",
    "cost.budget_vs_actual": "SELECT * FROM cost.budget_vs_actual ORDER BY ALL",
    # Row numbers differ for surveys: the sv-export sheets carry title rows above the header.
    "quarantine": "SELECT source, field, rule, count(DISTINCT row_number) FROM quality.quarantine "
    "GROUP BY ALL ORDER BY ALL",
}


def _run(tmp_path, profile):
    from followup.pipeline import run_pipeline

    landing = tmp_path / profile / "landing"
    generate(landing, scale=0.1, seed=11, profile=profile)
    settings = settings_for(tmp_path / profile, landing, date(2026, 11, 1))
    os.environ["FOLLOWUP_PSEUDONYM_KEY"] = TEST_KEY
    assert run_pipeline(settings, out=lambda _: None) == 0
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        figures = {name: con.execute(sql).fetchall() for name, sql in FIGURES.items()}
        profiles = {r[0] for r in con.execute("SELECT DISTINCT profile FROM quality.load_ledger").fetchall()}
    return figures, profiles


def test_sv_export_and_canonical_give_identical_marts(tmp_path):
    canonical, canonical_profiles = _run(tmp_path, "canonical")
    swedish, swedish_profiles = _run(tmp_path, "sv-export")
    assert canonical_profiles == {"canonical"} and swedish_profiles == {"sv-export"}
    assert len(canonical["intake.period_summary"]) > 100
    for name in FIGURES:
        assert swedish[name] == canonical[name], name
    by_source: dict[str, int] = {}
    for source, _, _, rows in canonical["quarantine"]:
        by_source[source] = by_source.get(source, 0) + rows
    assert by_source == {s: n for s, n in QUARANTINED_ROWS.items() if n}
