"""A report table that gained columns after a period was frozen (e.g. the intervals `<share>_ci_low/_ci_high`): the
published copy still builds, and the frozen rows show null in the new columns until the period is published again."""

from datetime import datetime

import duckdb

from orchestration.publish.copy import write_published_copy


def test_frozen_rows_without_a_new_column_are_published_with_null(tmp_path):
    warehouse = tmp_path / "followup.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA reports")
        con.execute(
            "CREATE TABLE reports.budget_vs_actual AS SELECT * FROM (VALUES ('2017-H1', 10, 0.5), "
            "('2017-H2', 12, 0.25)) AS t(period_label, decided_sek, budget_spent_share_ci_low)"
        )
        con.execute("CREATE SCHEMA publication")
        con.execute(
            """CREATE TABLE publication.versions (period_label VARCHAR, publication_version INTEGER,
               published_at TIMESTAMP, as_of_date DATE, export_batches VARCHAR)"""
        )
        con.execute(
            "INSERT INTO publication.versions VALUES ('2017-H1', 1, ?, DATE '2017-07-01', '[]')", [datetime(2017, 7, 1)]
        )
        # frozen before the report had budget_spent_share_ci_low
        con.execute(
            "CREATE TABLE publication.budget_vs_actual AS SELECT '2017-H1' AS period_label, 9 AS decided_sek, "
            "1::INTEGER AS publication_version"
        )
    write_published_copy(warehouse, tmp_path / "published")
    with duckdb.connect(str(tmp_path / "published" / "followup.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT period_label, decided_sek, budget_spent_share_ci_low FROM reports.budget_vs_actual ORDER BY 1"
        ).fetchall()
    assert rows == [("2017-H1", 9, None), ("2017-H2", 12, 0.25)]
