"""Which columns of the `reports` tables hold codes, and the query that puts their labels beside them.

The labels live in one place, the dbt seed `code_labels` (code_list, code, sv, da, en), published as
`reports.code_labels`. A code column `c` of a published file gets `c_label_sv`, `c_label_da` and `c_label_en`
right after it; a unit column (`unit_code`, `from_unit`, ...) gets `<column>_name` from `reports.units`
(docs/reports.md). The rendered reports use the same mapping (followup/labels.py).
"""

from __future__ import annotations

import duckdb

LANGUAGES = ("sv", "da", "en")
LABELS_TABLE = "code_labels"

# column -> code list, for every reports table
CODE_COLUMNS = {
    "gender": "gender",
    "age_band": "age_band",
    "enrolment_reason": "enrolment_reason",
    "referral_source": "referral_source",
    "exit_reason": "exit_reason",
    "exit_group": "exit_group",
    "cost_category": "cost_category",
    "period_type": "period_type",
    "dimension": "dimension",
    "metric": "metric_key",
    "comparator": "comparator",
    "measure": "measure",
    "phase": "phase",
    "kind": "unit_kind",
    "funding": "funding",
    "evidence": "evidence",
    "classification": "classification",
    "case_state": "case_state",
    "measurement_status": "measurement_status",
}
# (table, column) -> code list where the column name alone does not say it
TABLE_CODE_COLUMNS = {
    ("goal_attainment", "status"): "goal_status",
    ("effects", "status"): "effect_status",
    ("effects", "outcome"): "effect_outcome",
}
# a column whose code list is named by another column of the same row
DEPENDENT_CODE_COLUMNS = {"dimension_value": "dimension"}
UNIT_COLUMNS = ("unit_code", "destination_unit_code", "from_unit", "to_unit", "unit_a", "unit_b")
# tables that are themselves the labels or the unit dimension
NOT_LABELLED = (LABELS_TABLE, "units")


def code_list(table: str, column: str) -> str | None:
    """The code list of a reports table's column, or None when the column holds no code."""
    base = table.removesuffix("_history")
    if (base, column) in TABLE_CODE_COLUMNS:
        return TABLE_CODE_COLUMNS[(base, column)]
    if column.startswith("goal_") and base in ("unit_scorecard", "leadership_overview"):
        return "evidence" if column.endswith("_evidence") else "goal_status"
    return CODE_COLUMNS.get(column)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'reports' AND table_name = ?",
            [table],
        ).fetchone()[0]
    )


def labelled_query(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """`SELECT` of reports.<table> with the labels of its code columns and the names of its units beside them."""
    plain = f"SELECT * FROM reports.{_q(table)}"
    if table in NOT_LABELLED or not _has_table(con, LABELS_TABLE):
        return plain
    columns = [r[0] for r in con.execute(f"DESCRIBE reports.{_q(table)}").fetchall()]
    has_units = _has_table(con, "units")
    select: list[str] = []
    joins: list[str] = []
    for i, column in enumerate(columns):
        select.append(f"t.{_q(column)}")
        alias = f"l{i}"
        listed = code_list(table, column)
        if listed is not None:
            joins.append(
                f"LEFT JOIN reports.{LABELS_TABLE} {alias} ON {alias}.code_list = '{listed}' "
                f"AND {alias}.code = CAST(t.{_q(column)} AS VARCHAR)"
            )
        elif column in DEPENDENT_CODE_COLUMNS and DEPENDENT_CODE_COLUMNS[column] in columns:
            named_by = _q(DEPENDENT_CODE_COLUMNS[column])
            joins.append(
                f"LEFT JOIN reports.{LABELS_TABLE} {alias} ON {alias}.code_list = t.{named_by} "
                f"AND {alias}.code = CAST(t.{_q(column)} AS VARCHAR)"
            )
        elif column in UNIT_COLUMNS and has_units:
            joins.append(f"LEFT JOIN reports.units {alias} ON {alias}.unit_code = t.{_q(column)}")
            select.append(f"{alias}.unit_name AS {_q(column.removesuffix('_code') + '_name')}")
            continue
        else:
            continue
        select += [f"{alias}.{lang} AS {_q(f'{column}_label_{lang}')}" for lang in LANGUAGES]
    if not joins:
        return plain
    return f"SELECT {', '.join(select)} FROM reports.{_q(table)} t {' '.join(joins)} ORDER BY ALL"
