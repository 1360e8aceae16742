"""Disclosure control on the demo municipality, attacked by an auditor (docs/privacy.md, disclosure control).

One run of the pipeline on the demo landing folder (scale DEMO_SCALE, as of 2026-12-03), with a planted
reporting_periods label `=HYPERLINK(...)` that covers the same days as 2019-Q1. Then:

* the auditor (tests/integration/disclosure_auditor.py, written apart from the pass) attacks the published Parquet
  files with single subtraction, chained subtraction, any linear combination of the relations it knows, and the
  shares: it recovers nothing. The same auditor on the report tables as dbt alone suppresses them (no cross-table
  pass) recovers thousands of cells: the test can fail;
* every relation the auditor uses holds on the unsuppressed figures (the reports rebuilt with k = 1), and the
  relations found by trying (every column against every sum, nesting and stock) are all among them;
* no published share rests on a numerator 1..k-1;
* the pass only hides: every value shown is the value dbt computed;
* the planted label is neutralised in the CSV files (a leading single quote) and kept as it is in the database.

The figures are printed (`pytest -s`) and written to <tmp>/disclosure_figures.json.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import TEST_KEY
from tests.integration import disclosure_auditor as auditor

pytestmark = pytest.mark.slow

FOLLOWUP = str(Path(sys.executable).parent / "followup")
DEMO_SCALE = os.environ.get("FOLLOWUP_TEST_DEMO_SCALE", "0.25")
K = 5
PLANTED = '=HYPERLINK("https://example.org/x","klicka")'
SHARES = {  # share -> numerator and denominator in the unsuppressed figures (None: not a count of persons/cases)
    "positive_exit_share": ("positive_exits", "exited_cases"),
    "ors_reliable_improvement_share": ("ors_reliable_improvement", "ors_pairs"),
    "wellbeing_improved_share": ("wellbeing_improved", "wellbeing_pairs"),
    "action_plan_within_90_days_share": ("plan_timely_cases", "plan_eligible_cases"),
}
ROW_SHARES = {  # table -> share -> numerator and denominator of the same row (the unsuppressed report tables)
    "process_summary": {
        "action_plan_within_90_days_share": ("plan_timely_cases", "plan_eligible_cases"),
        "drug_free_share": ("drug_free_cases", "tested_cases"),
    },
    "instrument_summary": {
        "ors_reliable_improvement_share": ("reliable_improvement", "cases_with_pair"),
        "wellbeing_improved_share": ("improved", "cases_with_pair"),
        "follow_up_coverage": ("cases_with_pair", "active_cases"),
    },
    "socioeconomic": {"coverage": ("cases_measured", "exited_cases_to_date")},
    "outcome_by_subgroup": {"positive_exit_share": ("positive_exits", "exited_cases")},
}


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "DAGSTER_"))}
    return env | {
        "FOLLOWUP_CONFIG": str(tmp / "followup.toml"),
        "FOLLOWUP_PSEUDONYM_KEY": TEST_KEY,
        "FOLLOWUP_AS_OF_DATE": "2026-12-03",
        **extra,
    }


def _followup(tmp: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [FOLLOWUP, *args], cwd=tmp, env=_env(tmp, **extra), capture_output=True, text=True, timeout=1800
    )


def _export_reports(database: Path, out: Path, schema: str = "reports") -> Path:
    """A database's report tables as Parquet files, the way the auditor reads a published copy."""
    (out / "parquet").mkdir(parents=True)
    with duckdb.connect(str(database), read_only=True) as con:
        for table in (*auditor.TABLES, "periods"):
            con.execute(f"COPY (SELECT * FROM {schema}.{table} ORDER BY ALL) TO '{out / 'parquet' / table}.parquet'")
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    (tmp / "followup.toml").write_text(
        'landing_dir = "landing"\nwarehouse_path = "warehouse/followup.duckdb"\npublished_dir = "published"\n'
        'dagster_home = "dagster"\n',
        encoding="utf-8",
    )
    made = _followup(tmp, "demo", "--out", "landing", "--scale", DEMO_SCALE)
    assert made.returncode == 0, made.stderr
    periods = tmp / "landing" / "reporting_periods"
    [export] = list(periods.glob("*.csv"))
    text = export.read_text(encoding="utf-8").rstrip("\n")
    planted = PLANTED.replace('"', '""')
    export.write_text(f'{text}\n"{planted}",2019-01-01,2019-03-31\n', encoding="utf-8")
    run = _followup(tmp, "run")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    # The unsuppressed figures: the report models rebuilt with k = 1 on a copy of the warehouse.
    truth = tmp / "truth" / "followup.duckdb"
    truth.parent.mkdir()
    shutil.copy(tmp / "warehouse" / "followup.duckdb", truth)
    rebuilt = _followup(
        tmp, "dbt", "run", "--select", "path:models/reports", FOLLOWUP_SUPPRESSION_THRESHOLD="1",
        FOLLOWUP_WAREHOUSE_PATH=str(truth),
    )  # fmt: skip
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:]
    return {
        "tmp": tmp,
        "published": tmp / "published",
        "warehouse": tmp / "warehouse" / "followup.duckdb",
        "truth": truth,
    }


def test_the_auditor_recovers_nothing_from_the_published_copy(demo):
    published = auditor.audit(demo["published"])
    dbt_only = auditor.audit(_export_reports(demo["warehouse"], demo["tmp"] / "dbt_only"))
    manifest = json.loads((demo["published"] / "manifest.json").read_text(encoding="utf-8"))
    figures = {
        "demo_scale": float(DEMO_SCALE),
        "published": auditor.figures(published),
        "dbt_only": auditor.figures(dbt_only),
        "disclosure_control": manifest["disclosure_control"],
    }
    (demo["tmp"] / "disclosure_figures.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(json.dumps(figures, indent=2))

    # The same cells, the same relations; only more of them suppressed.
    assert published["count_cells"] == dbt_only["count_cells"]
    assert published["suppressed_cells"] > dbt_only["suppressed_cells"]
    assert (
        published["suppressed_cells"] - dbt_only["suppressed_cells"]
        == manifest["disclosure_control"]["cells_suppressed_added"]
    )
    # Without the pass the auditor gets thousands of cells back; with it, none.
    assert dbt_only["recovered_single_subtraction"] > 100
    assert dbt_only["recovered_chained_subtraction"] > dbt_only["recovered_single_subtraction"]
    assert published["recovered_single_subtraction"] == 0
    assert published["recovered_chained_subtraction"] == 0
    assert published["recovered_linear_combination"] == 0
    assert published["recovered_through_shares"] == 0
    assert published["recovered"] == 0

    # Every relation the auditor attacks with holds on the unsuppressed figures, and what chained subtraction
    # recovers from the dbt-only tables is the true value (the attack is real, not an artefact of the relations).
    truth = auditor.read(_export_reports(demo["truth"], demo["tmp"] / "truth_files"))
    assert truth.where == dbt_only["_pub"].where  # the same cells in the same places
    assert all(v is not None for v in truth.value)
    broken = [r for r in truth.relations if sum(x * truth.value[c] for c, x in r.items()) != 0]
    assert broken == []
    assert len(truth.relations) == len(dbt_only["_pub"].relations)
    chained = dbt_only["_chained"]
    assert chained and all(truth.value[c] == v for c, v in chained.items())


def test_no_published_share_rests_on_a_small_numerator_and_values_shown_are_dbts(demo):
    with duckdb.connect(str(demo["published"] / "followup.duckdb"), read_only=True) as con:
        con.execute(f"ATTACH '{demo['truth']}' AS truth (READ_ONLY)")
        con.execute(f"ATTACH '{demo['warehouse']}' AS wh (READ_ONLY)")

        def shown(table: str, share: str) -> str:
            """The share, or one of its interval bounds, is published."""
            columns = [c[0] for c in con.execute(f"DESCRIBE reports.{table}").fetchall()]
            figures = [c for c in (share, f"{share}_ci_low", f"{share}_ci_high") if c in columns]
            return " OR ".join(f"p.{c} IS NOT NULL" for c in figures)

        for table in ("unit_scorecard", "leadership_overview"):
            for share, (num, den) in SHARES.items():
                if share not in [c[0] for c in con.execute(f"DESCRIBE reports.{table}").fetchall()]:
                    continue
                source = "truth.intermediate.int_unit_scorecards_assembled"
                small = con.execute(
                    f"""SELECT count(*) FROM reports.{table} p JOIN {source} t USING (unit_code, period_label)
                        WHERE ({shown(table, share)}) AND (t.{num} BETWEEN 1 AND {K - 1} OR t.{den} < {K})"""
                ).fetchone()[0]
                assert small == 0, (table, share)
        for table, shares in ROW_SHARES.items():
            on = " AND ".join(f"p.{k} IS NOT DISTINCT FROM t.{k}" for k in auditor.ROW_KEYS[table])
            for share, (num, den) in shares.items():
                small = con.execute(
                    f"""SELECT count(*) FROM reports.{table} p JOIN truth.reports.{table} t ON {on}
                        WHERE ({shown(table, share)}) AND (t.{num} BETWEEN 1 AND {K - 1} OR t.{den} < {K})"""
                ).fetchone()[0]
                assert small == 0, (table, share)
        # Interval bounds are never shown without their share, in any published table.
        for table, column in con.execute(
            """SELECT table_name, column_name FROM information_schema.columns
               WHERE table_schema = 'reports' AND column_name LIKE '%ci_low'"""
        ).fetchall():
            share = "actual_value" if column == "ci_low" else column.removesuffix("_ci_low")
            high = column.removesuffix("low") + "high"
            orphans = con.execute(
                f"SELECT count(*) FROM reports.{table} "
                f"WHERE {share} IS NULL AND ({column} IS NOT NULL OR {high} IS NOT NULL)"
            ).fetchone()[0]
            assert orphans == 0, (table, column)
        hidden_plans = con.execute(
            """SELECT count(*) FROM reports.unit_scorecard p
               JOIN truth.intermediate.int_unit_scorecards_assembled t USING (unit_code, period_label)
               WHERE t.plan_timely_cases BETWEEN 1 AND 4 AND t.plan_eligible_cases >= 5"""
        ).fetchone()[0]
        assert hidden_plans > 0  # the rule had something to act on
        # The pass only hides: a value shown is the value dbt computed, and what dbt hid stays hidden.
        for table, counts in auditor.COUNTS.items():
            keys = auditor.ROW_KEYS[table]
            on = " AND ".join(f"p.{k} IS NOT DISTINCT FROM w.{k}" for k in keys)
            for column in counts:
                shown_otherwise = con.execute(
                    f"""SELECT count(*) FROM reports.{table} p JOIN wh.reports.{table} w ON {on}
                        WHERE p.{column} IS NOT NULL AND (w.{column} IS NULL OR p.{column} <> w.{column})"""
                ).fetchone()[0]
                assert shown_otherwise == 0, (table, column)
            listed = con.execute(
                f"""SELECT count(*) FROM (SELECT unnest(string_split(suppressed_columns, ',')) AS c
                                          FROM reports.{table}) WHERE c <> ''"""
            ).fetchone()[0]
            nulls = sum(
                con.execute(f"SELECT count(*) FILTER (WHERE {c} IS NULL) FROM reports.{table}").fetchone()[0]
                for c in counts
            )
            assert listed >= nulls  # every suppressed count is named (shares too, beside them)


def test_a_planted_formula_label_is_neutralised_in_the_csv_files_only(demo):
    escaped = "'" + PLANTED
    hits = 0
    with duckdb.connect(str(demo["published"] / "followup.duckdb"), read_only=True) as con:
        text_columns = con.execute(
            """SELECT table_name, list(column_name) FROM information_schema.columns
               WHERE table_schema = 'reports' AND data_type = 'VARCHAR' GROUP BY ALL"""
        ).fetchall()
        for table, columns in text_columns:
            path = demo["published"] / "csv" / f"{table}.csv"
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            for column in columns:
                values = frame[column]
                assert not values.str.match(r"^[=+\-@\t\r]").any(), (table, column)
                hits += int((values == escaped).sum())
        assert hits >= 10  # the label is in every period-keyed table
        assert con.execute("SELECT count(*) FROM reports.periods WHERE period_label = ?", [PLANTED]).fetchone()[0] == 1
        shown = con.execute("SELECT count(*) FROM reports.unit_scorecard WHERE period_label = ?", [PLANTED]).fetchone()
        assert shown[0] > 0
    parquet = pd.read_parquet(demo["published"] / "parquet" / "periods.parquet")
    assert PLANTED in set(parquet["period_label"])  # typed data for BI tools keeps the value


def test_relations_found_by_trying_on_the_unsuppressed_figures_are_all_known_to_the_auditor(demo):
    """A generic attack on the relation list itself: on the unsuppressed report tables, every column is tried for
    adding up over nested periods and for being a stock, every unit-period figure against every row table's sums
    (unfiltered or by one categorical value). Whatever holds must be a relation the auditor (and the disclosure
    control) knows; and what they know must hold."""
    with duckdb.connect(str(demo["truth"]), read_only=True) as con:
        frames = {t: con.execute(f"SELECT * FROM reports.{t} ORDER BY ALL").df() for t in auditor.TABLES}
        periods = con.execute("SELECT * FROM reports.periods").df()
    mined = auditor.mine(frames=frames, periods=periods)
    known = auditor.known_families(goal_metrics=set(frames["goal_attainment"]["metric"]))
    assert mined - known == set()
    assert known - mined == set()
