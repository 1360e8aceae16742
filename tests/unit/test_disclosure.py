"""Disclosure control across tables (orchestration/publish/disclosure.py): the exact audit against brute force,
period nestings, and the pass on small hand-made report tables."""

import random
from datetime import date

import duckdb
import numpy as np
import pytest

from orchestration.publish import disclosure
from orchestration.publish.disclosure import Elimination, Period, period_tilings


def _brute_force(secret: list[bool], relations) -> set[int]:
    """v is computable when e_v is in the row space of the relations restricted to the unknowns."""
    unknowns = [v for v, s in enumerate(secret) if s]
    if not unknowns:
        return set()
    a = np.array([[dict(r).get(v, 0) for v in unknowns] for r in relations] or [[0] * len(unknowns)], dtype=float)
    rank = np.linalg.matrix_rank(a)
    found = set()
    for i, v in enumerate(unknowns):
        e = np.zeros((1, len(unknowns)))
        e[0, i] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            found.add(v)
    return found


def _random_system(rng: random.Random):
    n = rng.randint(3, 12)
    relations = []
    for _ in range(rng.randint(1, 10)):
        members = rng.sample(range(n), rng.randint(2, min(n, 5)))
        relations.append(tuple(sorted((v, rng.choice((1, -1, 1, 2))) for v in members)))
    secret = [rng.random() < 0.5 for _ in range(n)]
    return n, relations, secret


def test_the_exact_audit_agrees_with_brute_force_and_its_incremental_updates_with_a_fresh_start():
    rng = random.Random(7)
    for _ in range(400):
        n, relations, secret = _random_system(rng)
        audit = Elimination(secret, relations)
        assert set(audit.exposed()) == _brute_force(secret, relations)
        # Hide published variables one by one: the updated elimination says what a fresh one says.
        for v in rng.sample(range(n), n):
            if not secret[v]:
                secret = secret.copy()
                secret[v] = True
                audit.hide(v)
                assert set(audit.exposed()) == _brute_force(secret, relations)


def test_an_exposed_variable_comes_with_the_published_cells_it_is_computed_from():
    # x0 = x1 + x2 (x1 suppressed), x1 = x3 + x4: x1 follows from x0 - x2 and from x3 + x4.
    relations = [((0, 1), (1, -1), (2, -1)), ((1, 1), (3, -1), (4, -1))]
    exposed = Elimination([False, True, False, False, False], relations).exposed()
    assert set(exposed) == {1}
    assert set(exposed[1]) in ({0, 2}, {3, 4})


def _p(label, kind, start, end):
    return Period(label, kind, date.fromisoformat(start), date.fromisoformat(end))


def test_periods_nested_in_periods():
    periods = [
        _p("2019-01", "month", "2019-01-01", "2019-01-31"),
        _p("2019-02", "month", "2019-02-01", "2019-02-28"),
        _p("2019-03", "month", "2019-03-01", "2019-03-31"),
        _p("2019-04", "month", "2019-04-01", "2019-04-12"),  # still running: measured to the as-of date
        _p("2019-Q1", "quarter", "2019-01-01", "2019-03-31"),
        _p("2019-Q2", "quarter", "2019-04-01", "2019-04-12"),
        _p("2019-H1", "half_year", "2019-01-01", "2019-04-12"),
        _p("jan-feb", "custom", "2019-01-01", "2019-02-28"),
        _p("kvartal", "custom", "2019-01-01", "2019-03-31"),  # the same days as 2019-Q1
        _p("mid", "custom", "2019-01-15", "2019-02-14"),  # not made of whole months
    ]
    found = period_tilings(periods)
    assert ("2019-Q1", ("2019-01", "2019-02", "2019-03")) in found
    assert ("2019-Q2", ("2019-04",)) in found
    assert ("2019-H1", ("2019-01", "2019-02", "2019-03", "2019-04")) in found
    assert ("2019-H1", ("2019-Q1", "2019-Q2")) in found
    assert ("jan-feb", ("2019-01", "2019-02")) in found
    assert ("kvartal", ("2019-Q1",)) in found and ("2019-Q1", ("kvartal",)) in found
    assert not [t for t in found if t[0] == "mid"]


# ---------------------------------------------------------------------------------------------- the pass


SCORECARD_COUNTS = disclosure.COUNTS["unit_scorecard"]


def _database(tmp_path, months: dict[str, tuple], quarter: tuple) -> duckdb.DuckDBPyConnection:
    """reports.periods and reports.unit_scorecard for one unit: new_cases and exited_cases per period (None:
    suppressed by dbt); every other count 0 (active = exited + ongoing: ongoing is set to match)."""
    con = duckdb.connect(str(tmp_path / "copy.duckdb"))
    con.execute("CREATE SCHEMA reports")
    con.execute(
        "CREATE TABLE reports.periods (period_label VARCHAR, period_type VARCHAR, starts_on DATE, ends_on DATE, "
        "measured_to DATE, is_complete BOOLEAN)"
    )
    for label, start, end in (
        ("2019-01", "2019-01-01", "2019-01-31"),
        ("2019-02", "2019-02-01", "2019-02-28"),
        ("2019-03", "2019-03-01", "2019-03-31"),
        ("2019-Q1", "2019-01-01", "2019-03-31"),
    ):
        kind = "quarter" if "Q" in label else "month"
        con.execute("INSERT INTO reports.periods VALUES (?, ?, ?, ?, ?, true)", [label, kind, start, end, end])
    columns = ", ".join(f"{c} BIGINT" for c in SCORECARD_COUNTS)
    con.execute(
        f"CREATE TABLE reports.unit_scorecard (unit_code VARCHAR, period_label VARCHAR, {columns}, "
        "positive_exit_share DOUBLE, positive_exit_share_ci_low DOUBLE, positive_exit_share_ci_high DOUBLE, "
        "suppressed_columns VARCHAR)"
    )
    for label, (new, exited) in {**months, "2019-Q1": quarter}.items():
        values = dict.fromkeys(SCORECARD_COUNTS, 0)
        values.update(new_cases=new, exited_cases=exited, active_cases=None, ongoing_at_end=None)
        hidden = [c for c in ("new_cases", "exited_cases") if values[c] is None]
        con.execute(
            f"INSERT INTO reports.unit_scorecard VALUES ('BER', ?, {', '.join('?' for _ in SCORECARD_COUNTS)}, "
            "0.5, 0.4, 0.6, ?)",
            [label, *(values[c] for c in SCORECARD_COUNTS), ",".join(hidden)],
        )
    # active and ongoing are unknown here (no stock relations to worry about): suppress them everywhere.
    con.execute(
        "UPDATE reports.unit_scorecard SET suppressed_columns = "
        "concat_ws(',', 'active_cases', nullif(suppressed_columns, ''), 'ongoing_at_end')"
    )
    return con


def test_a_quarter_is_the_sum_of_its_months(tmp_path):
    # BER 2019-Q1 new_cases 24 = 2019-01 11 + 2019-02 ? + 2019-03 9: another month is hidden too, the earlier one
    # (Secondary.choice: both leave no relation with a single hidden cell; then the earlier period's cell).
    con = _database(tmp_path, {"2019-01": (11, 6), "2019-02": (None, 7), "2019-03": (9, 8)}, (24, 21))
    result = disclosure.run(con)
    rows = dict(
        con.execute(
            "SELECT period_label, (new_cases, exited_cases, positive_exit_share, suppressed_columns) "
            "FROM reports.unit_scorecard"
        ).fetchall()
    )
    assert rows["2019-01"][0] is None and rows["2019-03"][0] == 9 and rows["2019-Q1"][0] == 24
    assert "new_cases" in rows["2019-01"][3].split(",")
    # exited 21 = 6 + 7 + 8, all shown: nothing to protect there.
    assert [rows[p][1] for p in ("2019-01", "2019-02", "2019-03", "2019-Q1")] == [6, 7, 8, 21]
    # The share rests on exited_cases and positive_exits, both shown: it stays.
    assert rows["2019-03"][2] == 0.5
    assert result.added_cells == 1 and len(result.added_variables) == 1
    assert disclosure.determined(result.cells, result.relations.items) == set()


def test_a_share_goes_with_a_hidden_count(tmp_path):
    con = _database(tmp_path, {"2019-01": (11, 6), "2019-02": (12, None), "2019-03": (9, 8)}, (32, 17))
    disclosure.run(con)
    rows = dict(
        con.execute(
            "SELECT period_label, (exited_cases, positive_exit_share, suppressed_columns) FROM reports.unit_scorecard"
        ).fetchall()
    )
    # exited: 17 = 6 + ? + 8 -> the smallest other month (6) is hidden, and its share with it (and the share's
    # interval bounds).
    assert rows["2019-01"][0] is None and rows["2019-01"][1] is None
    assert rows["2019-01"][2].split(",") == [
        "active_cases",
        "exited_cases",
        "ongoing_at_end",
        "positive_exit_share",
        "positive_exit_share_ci_low",
        "positive_exit_share_ci_high",
    ]
    assert rows["2019-03"][1] == 0.5
    bounds = con.execute(
        "SELECT period_label, positive_exit_share_ci_low, positive_exit_share_ci_high FROM reports.unit_scorecard "
        "ORDER BY 1"
    ).fetchall()
    assert bounds == [("2019-01", None, None), ("2019-02", None, None), ("2019-03", 0.4, 0.6), ("2019-Q1", 0.4, 0.6)]


def test_a_report_table_the_pass_does_not_know_is_refused(tmp_path):
    con = _database(tmp_path, {"2019-01": (11, 6), "2019-02": (12, 7), "2019-03": (9, 8)}, (32, 21))
    con.execute("CREATE TABLE reports.new_report (unit_code VARCHAR, n BIGINT, suppressed_columns VARCHAR)")
    with pytest.raises(disclosure.DisclosureError, match="new_report"):
        disclosure.run(con)


def test_positive_exits_minus_the_exit_rows_do_not_give_a_hidden_exit_group_back(tmp_path):
    # 2019-01: positive exits 11 = work 3 (hidden) + studies 8. reports.exits has the rows, reports.exit_groups the
    # groups, the scorecard the total: 11 - 8 would give the 3 back, in either table.
    con = _database(tmp_path, {"2019-01": (11, 11), "2019-02": (12, 0), "2019-03": (9, 0)}, (32, 11))
    con.execute("UPDATE reports.unit_scorecard SET positive_exits = exited_cases")
    con.execute(
        "CREATE TABLE reports.exits (unit_code VARCHAR, period_label VARCHAR, exit_group VARCHAR, exit_reason VARCHAR, "
        "destination_unit_code VARCHAR, exited_cases BIGINT, suppressed_columns VARCHAR)"
    )
    con.execute(
        "CREATE TABLE reports.exit_groups (unit_code VARCHAR, period_label VARCHAR, exit_group VARCHAR, "
        "exited_cases BIGINT, suppressed_columns VARCHAR)"
    )
    for period in ("2019-01", "2019-Q1"):
        con.execute(
            "INSERT INTO reports.exits VALUES ('BER', ?, 'work', 'job', NULL, NULL, 'exited_cases'), "
            "('BER', ?, 'studies', 'school', NULL, 8, '')",
            [period, period],
        )
        con.execute(
            "INSERT INTO reports.exit_groups VALUES ('BER', ?, 'work', NULL, 'exited_cases'), "
            "('BER', ?, 'studies', 8, ''), ('BER', ?, 'dropout', 0, ''), ('BER', ?, 'transferred', 0, ''), "
            "('BER', ?, 'other', 0, '')",
            [period] * 5,
        )
    result = disclosure.run(con)
    scorecard = dict(con.execute("SELECT period_label, positive_exits FROM reports.unit_scorecard").fetchall())
    studies = dict(
        con.execute(
            "SELECT period_label, exited_cases FROM reports.exit_groups WHERE exit_group = 'studies'"
        ).fetchall()
    )
    rows = dict(
        con.execute("SELECT period_label, exited_cases FROM reports.exits WHERE exit_group = 'studies'").fetchall()
    )
    for period in ("2019-01", "2019-Q1"):
        assert scorecard[period] is None or (studies[period] is None and rows[period] is None), period
    assert disclosure.determined(result.cells, result.relations.items) == set()


def test_relations_need_the_rows_of_their_total(tmp_path):
    # Only the scorecard: no exit groups, phases, instrument summary, transfers or socioeconomic figures. Their
    # relations are not made (a missing table is not a table of zeros): every relation whose cells are all known
    # holds on the values.
    con = _database(tmp_path, {"2019-01": (11, 6), "2019-02": (12, 7), "2019-03": (9, 8)}, (32, 21))
    cells = disclosure.Cells()
    tables = disclosure.load(con, cells)
    rel = disclosure.relations(cells, disclosure._periods(con), {t.base for t in tables})
    known = [r for r in rel.items if all(cells.value[v] is not None for v, _ in r)]
    assert known and all(sum(c * cells.value[v] for v, c in r) == 0 for r in known)


def _cells(values: dict[tuple, tuple[int, bool]]) -> tuple[disclosure.Cells, dict[tuple, int]]:
    """Cells from {(period, column): (value, suppressed)} of unit U."""
    cells, var = disclosure.Cells(), {}
    for (period, column), (value, hidden) in values.items():
        var[(period, column)] = cells.add((disclosure.CURRENT, "unit", "U", period, column), value, hidden, False)
    return cells, var


PERIODS = [
    _p("2019-06", "month", "2019-06-01", "2019-06-30"),
    _p("2019-H1", "half_year", "2019-01-01", "2019-06-30"),
    _p("2016", "year", "2016-01-01", "2016-12-31"),
    _p("2017", "year", "2017-01-01", "2017-12-31"),
    _p("2018", "year", "2018-01-01", "2018-12-31"),
]


def test_a_month_stock_that_is_also_the_half_years_is_not_the_cell_chosen():
    # June: active 20 = exited 2 (small) + ongoing 18, and the ongoing at June's end is the half-year's. Hiding the
    # smallest other cell (18) would hide the half-year's figure with it; the month's active cases go instead.
    cells, v = _cells(
        {
            ("2019-06", "active_cases"): (20, False),
            ("2019-06", "exited_cases"): (None, True),
            ("2019-06", "ongoing_at_end"): (18, False),
            ("2019-H1", "ongoing_at_end"): (18, False),
        }
    )
    rel = disclosure.Relations()
    rel.add([v[("2019-06", "active_cases")]], [v[("2019-06", "exited_cases")], v[("2019-06", "ongoing_at_end")]])
    rel.add([v[("2019-06", "ongoing_at_end")]], [v[("2019-H1", "ongoing_at_end")]])
    disclosure.weigh(cells, PERIODS, rel)
    assert cells.weight[v[("2019-06", "ongoing_at_end")]] == 181  # it must equal the half-year's stock
    added, _ = disclosure.protect(cells, rel)
    assert added == [v[("2019-06", "active_cases")]]
    assert not cells.secret[v[("2019-H1", "ongoing_at_end")]] and not cells.secret[v[("2019-06", "ongoing_at_end")]]


def test_a_running_total_goes_before_the_period_exits_it_adds_up():
    # Exits to date: 2016 3 (small), 2017 15 = 3 + 12 exits, 2018 25 = 15 + 10 exits. Protecting the 3 takes every
    # later total (each would give the one before back with its year's exits); the years' exits stay shown.
    cells, v = _cells(
        {
            ("2016", "exited_cases_to_date"): (None, True),
            ("2017", "exited_cases"): (12, False),
            ("2017", "exited_cases_to_date"): (15, False),
            ("2018", "exited_cases"): (10, False),
            ("2018", "exited_cases_to_date"): (25, False),
        }
    )
    rel = disclosure.Relations()
    for year, before in (("2017", "2016"), ("2018", "2017")):
        rel.add([v[(year, "exited_cases_to_date")]], [v[(before, "exited_cases_to_date")], v[(year, "exited_cases")]])
    disclosure.weigh(cells, PERIODS, rel)
    added, _ = disclosure.protect(cells, rel)
    assert added == [v[("2017", "exited_cases_to_date")], v[("2018", "exited_cases_to_date")]]
    assert [cells.secret[v[(y, "exited_cases")]] for y in ("2017", "2018")] == [False, False]
    assert disclosure.determined(cells, rel.items) == set()
