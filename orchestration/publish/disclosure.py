"""Disclosure control across every published report table (docs/privacy.md#disclosure-control-across-tables).

dbt publishes each `reports` table with primary suppression (a count 1 <= n < k is null) and secondary suppression
inside one dimension of one table. That is not enough: the same counts are tied together across tables and periods
(a quarter is the sum of its months, the scorecard's exits are the sum of `reports.exits`, the margins of
`reports.outcome_by_subgroup` are rows of `reports.intake_breakdown`, ...), and one subtraction of published
numbers gives a hidden count back. This module runs over the published copy's report tables, after the frozen
periods are put in place and before anything is exported:

1. every published count cell becomes a variable; a count shown in two places (the scorecard's and the leadership
   overview's active cases, a frozen period's row and its latest history version) is one variable;
2. the linear relations between them are listed (`relations`): each is a sum that is zero, e.g.
   `scorecard.exited_cases - sum(exits.exited_cases) = 0`;
3. secondary suppression to a fixpoint: in every relation, a suppressed variable is never the only one suppressed;
   when it is, another published variable of that relation is suppressed too: the one that leaves the fewest
   relations with a single suppressed cell, a month's before its quarter's, half-year's or year's
   (`Secondary.choice`);
4. an audit by linear algebra: a suppressed variable whose value follows from the published ones through any
   combination of relations (not only one relation at a time) gets another cell of one of its relations
   suppressed, and step 3 runs again, until nothing suppressed can be computed;
5. a share, rate, mean, amount per person or interval whose numerator or denominator count is suppressed is
   suppressed with it (`FIGURES`);
6. the cells are nulled in their tables and named in `suppressed_columns`.

The pass only ever hides more: it never shows a value dbt hid, and never changes one it shows.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
import pandas as pd

log = logging.getLogger(__name__)

# The report tables and their count columns (counts of persons, cases or sessions: every column the
# small-cell rule applies to). A reports table missing here is refused: a new table must say what it counts.
COUNTS: dict[str, tuple[str, ...]] = {
    "unit_scorecard": (
        "active_cases",
        "new_cases",
        "exited_cases",
        "ongoing_at_end",
        "positive_exits",
        "dropouts",
        "ors_pairs",
        "ors_reliable_improvement",
        "wellbeing_pairs",
        "wellbeing_improved",
        "srs_sessions",
        "horizon_cohort_cases",
    ),
    "leadership_overview": (
        "active_cases",
        "new_cases",
        "exited_cases",
        "ongoing_at_end",
        "persons_in_other_units",
        "transfers_out",
        "transfers_in",
    ),
    "intake_breakdown": ("active_cases", "new_cases", "exited_cases"),
    "exits": ("exited_cases",),
    "exit_groups": ("exited_cases",),
    "outcome_by_subgroup": ("exited_cases", "positive_exits", "ors_pairs", "ors_reliable_improvement"),
    "phase_status": ("ongoing_at_end",),
    "process_summary": (
        "attendance_cases",
        "plan_eligible_cases",
        "plan_timely_cases",
        "tested_cases",
        "drug_free_cases",
    ),
    "instrument_summary": (
        "cases_with_pair",
        "reliable_improvement",
        "no_reliable_change",
        "reliable_deterioration",
        "recovered",
        "improved",
        "active_cases",
    ),
    "period_costs": ("active_cases", "positive_exits"),
    "socioeconomic": ("cases_measured", "exited_cases_to_date"),
    "goal_attainment": ("basis_cases",),
    "transfers": ("transferred_cases",),
    "unit_overlap": ("persons_ever", "persons_concurrent"),
    "effects": ("n_participants", "n_matched", "n_comparison_persons"),
    "staff_survey": ("respondents", "n_answered"),
    # No counts of persons: money, periods, the unit dimension and the code labels.
    "budget_vs_actual": (),
    "periods": (),
    "units": (),
    "code_labels": (),
}

# The same count published in several tables is one variable, keyed as a count of the unit-period ("unit" keys):
# the scorecard's and the overview's columns, and these columns of other tables.
UNIT_COUNT_TABLES = ("unit_scorecard", "leadership_overview", "process_summary", "period_costs", "socioeconomic")
# reports.exit_groups: a group that is itself a unit-period count (the other groups are variables of their own).
EXIT_GROUP_UNIT = {"dropout": "dropouts", "transferred": "transfers_out"}
# reports.instrument_summary: (measure, column) -> the unit-period count it is; its active_cases are the unit's.
INSTRUMENT_UNIT = {
    ("ors_total", "cases_with_pair"): "ors_pairs",
    ("ors_total", "reliable_improvement"): "ors_reliable_improvement",
    ("wellbeing", "cases_with_pair"): "wellbeing_pairs",
    ("wellbeing", "improved"): "wellbeing_improved",
}
# ORS pairs are classified by reliable change, every pair into exactly one of these (docs/instruments.md).
ORS_CLASSES = ("reliable_improvement", "no_reliable_change", "reliable_deterioration")
INSTRUMENT_FLOWS = ("cases_with_pair", *ORS_CLASSES, "recovered", "improved")
# reports.goal_attainment: metric -> (numerator, denominator) unit-period counts of its actual value (None: not a
# published count). basis_cases is the denominator: the same variable as that count. A metric missing here whose
# basis_cases is filled is refused.
GOAL_COUNTS: dict[str, tuple[str | None, str | None]] = {
    "attendance_rate": (None, "attendance_cases"),
    "action_plan_within_90_days_share": ("plan_timely_cases", "plan_eligible_cases"),
    "drug_free_share": ("drug_free_cases", "tested_cases"),
    "positive_exit_share": ("positive_exits", "exited_cases"),
    "dropout_share": ("dropouts", "exited_cases"),
    "work_or_studies_at_horizon_share": (None, "horizon_cohort_cases"),
    "ors_reliable_improvement_share": ("ors_reliable_improvement", "ors_pairs"),
    "wellbeing_improved_share": ("wellbeing_improved", "wellbeing_pairs"),
    "cost_per_case": (None, "active_cases"),  # the period's spending is published: it gives the count back
    "caseload_per_fte": ("ongoing_at_end", None),  # units.staff_fte is published: it gives the count back
    "payback_months": (None, "cases_measured"),  # rests on the measured cases' amounts (reports.socioeconomic)
    "activities_per_case_month": (None, None),
    "budget_spent_share": (None, None),
}
GOAL_FIGURES = ("actual_value", "ci_low", "ci_high")
# reports.effects: the outcomes measured over the same window for the same participants and matches (the income
# support register's months 1..12), so their counts are the same; cohorts are the participants' index years,
# parts of the cohort 'all' (the matched are not: each cohort is matched on its own).
EFFECT_SAME_WINDOW = ("income_support_months", "public_cost_sek")
EFFECT_ALL = "all"

# Figures resting on published counts: table -> figure column -> the counts behind it. "c" is the count column c
# of the same row, "unit.c" the unit-period count c. A figure is hidden when any count behind it is (a share next
# to its denominator gives its numerator back, next to its numerator its denominator; a mean, rate or amount per
# person follows the persons it is computed over, as dbt publishes it). Interval bounds <figure>_ci_low and
# <figure>_ci_high follow their figure.
_UNIT_SHARES: dict[str, tuple[str, ...]] = {
    "attendance_rate": ("unit.attendance_cases",),
    "action_plan_within_90_days_share": ("unit.plan_timely_cases", "unit.plan_eligible_cases"),
    "positive_exit_share": ("unit.positive_exits", "unit.exited_cases"),
    "ors_reliable_improvement_share": ("unit.ors_reliable_improvement", "unit.ors_pairs"),
    "wellbeing_improved_share": ("unit.wellbeing_improved", "unit.wellbeing_pairs"),
    "work_or_studies_at_horizon_share": ("unit.horizon_cohort_cases",),
    "srs_alliance_flag_share": ("unit.srs_sessions",),
}
_BENEFITS = (
    "gross_annual_saving_sek",
    "annual_earnings_change_sek",
    "adjusted_annual_benefit_sek",
    "payback_months",
    "pv_benefits_sek",
    "npv_sek",
    "benefit_cost_ratio",
    "counterfactual_annual_benefit_sek",
    "counterfactual_annual_benefit_sek_ci_low",
    "counterfactual_annual_benefit_sek_ci_high",
    "counterfactual_payback_months",
    "payback_months_ci_low",
    "payback_months_ci_high",
    "estimated_deadweight",
)
FIGURES: dict[str, dict[str, tuple[str, ...]]] = {
    "unit_scorecard": _UNIT_SHARES,
    "leadership_overview": _UNIT_SHARES,
    "exits": {  # over the period's exits
        "positive_exit_share": ("unit.positive_exits", "unit.exited_cases"),
        "dropout_share": ("unit.dropouts", "unit.exited_cases"),
    },
    "outcome_by_subgroup": {"positive_exit_share": ("positive_exits", "exited_cases")},
    "staff_survey": {"mean_answer": ("n_answered",), "share_agreeing": ("n_answered",)},
    "process_summary": {
        "scheduled_hours": ("attendance_cases",),
        "attended_hours": ("attendance_cases",),
        "attendance_rate": ("attendance_cases",),
        "action_plan_within_90_days_share": ("plan_timely_cases", "plan_eligible_cases"),
        "drug_free_share": ("drug_free_cases", "tested_cases"),
        "caseload_per_fte": ("unit.ongoing_at_end",),
    },
    "instrument_summary": {
        "ors_reliable_improvement_share": ("reliable_improvement", "cases_with_pair"),
        "wellbeing_improved_share": ("improved", "cases_with_pair"),
        "follow_up_coverage": ("cases_with_pair", "active_cases"),
    },
    "period_costs": {
        "case_months": ("active_cases",),
        "cost_per_case": ("active_cases",),
        "cost_per_case_month": ("active_cases",),
        "cost_per_positive_exit": ("positive_exits",),
    },
    "socioeconomic": {
        "coverage": ("cases_measured", "exited_cases_to_date"),
        **dict.fromkeys(_BENEFITS, ("cases_measured",)),
    },
    "effects": {
        "mean_participants_pre": ("n_matched",),
        "mean_participants_post": ("n_matched",),
        "naive_change": ("n_matched",),
        **dict.fromkeys(
            ("mean_comparison_pre", "mean_comparison_post", "change_without_project", "att"),
            ("n_matched", "n_comparison_persons"),
        ),
    },
    # goal_attainment: by the row's metric (GOAL_COUNTS).
}

# Unit-period counts that add up over time (a quarter is the sum of its months) ...
ADDITIVE_UNIT = (
    "new_cases",
    "exited_cases",
    "positive_exits",
    "dropouts",
    "ors_pairs",
    "ors_reliable_improvement",
    "wellbeing_pairs",
    "wellbeing_improved",
    "srs_sessions",
    "transfers_out",
    "transfers_in",
)
# ... and stocks at the period's end, the same in every period that ends on the same day (the exits and measured
# cases to date: counted from the unit's start to the period's end).
STOCK_UNIT = ("ongoing_at_end", "horizon_cohort_cases", "exited_cases_to_date", "cases_measured")
BREAKDOWN_COUNTS = ("active_cases", "new_cases", "exited_cases")
SUBGROUP_COUNTS = ("exited_cases", "positive_exits", "ors_pairs", "ors_reliable_improvement")
SUBGROUP_DIMENSIONS = ("gender", "age_band", "enrolment_reason")  # also dimensions of reports.intake_breakdown
POSITIVE_GROUPS = ("work", "studies")
EXIT_GROUPS = ("work", "studies", "dropout", "transferred", "other")
UNKNOWN_UNIT = "unknown"  # reports.transfers' to_unit when the export names no destination

CURRENT = "current"  # the vintage of what reports.<table> shows (and of the latest version of a frozen period)

_PRIME = 2_147_483_647  # the audit's linear algebra is exact, modulo this prime


class DisclosureError(RuntimeError):
    """The pass cannot run (a report table it does not know)."""


@dataclass
class Cells:
    """The published count cells as variables: one per distinct count, wherever it is shown."""

    index: dict[tuple, int] = field(default_factory=dict)
    keys: list[tuple] = field(default_factory=list)
    value: list[int | None] = field(default_factory=list)
    secret: list[bool] = field(default_factory=list)
    frozen: list[bool] = field(default_factory=list)
    primary: list[bool] = field(default_factory=list)  # suppressed before this pass
    weight: list[int] = field(default_factory=list)  # the cost of hiding it (`weigh`): days of its longest period
    end: list[int] = field(default_factory=list)  # the day its period ends (ordinal; 0: no period), see `weigh`

    def add(self, key: tuple, value, suppressed: bool, frozen: bool) -> int:
        var = self.index.get(key)
        if var is None:
            var = self.index[key] = len(self.keys)
            self.keys.append(key)
            self.value.append(None)
            self.secret.append(False)
            self.frozen.append(True)
            self.primary.append(False)
        if suppressed:
            self.secret[var] = self.primary[var] = True
        elif value is not None and self.value[var] is None:
            self.value[var] = int(value)
        self.frozen[var] = self.frozen[var] and frozen
        return var

    def get(self, key: tuple) -> int | None:
        return self.index.get(key)


@dataclass
class Table:
    """One report table (or its history) as loaded: rows, and which variable each count or share cell is."""

    name: str  # reports.<name>
    base: str  # the table it is the history of, or itself
    frame: pd.DataFrame
    counts: tuple[str, ...]
    vintages: list = field(default_factory=list)  # per row
    cells: dict[tuple[int, str], int] = field(default_factory=dict)  # (row position, column) -> variable
    shares: dict[tuple[int, str], tuple[int | None, ...]] = field(default_factory=dict)  # -> counts behind it


@dataclass
class Result:
    tables: list[Table]
    cells: Cells
    relations: Relations
    added_variables: list[int]  # variables suppressed by this pass
    added_cells: int  # count cells (table locations) nulled by this pass
    hidden_shares: int  # share cells nulled by this pass
    audit_rounds: int

    def summary(self) -> dict[str, int]:
        """The price of the pass, for the manifest."""
        return {
            "counts_suppressed_before": int(sum(self.cells.primary)),
            "counts_suppressed_added": len(self.added_variables),
            "cells_suppressed_added": self.added_cells,
            "shares_hidden": self.hidden_shares,
            "relations": len(self.relations),
            "audit_rounds": self.audit_rounds,
        }


def _split(text) -> list[str]:
    return [c for c in (text or "").split(",") if c]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA or value is pd.NaT


# ---------------------------------------------------------------------------------------------- loading


def report_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'reports' ORDER BY 1"
        ).fetchall()
    ]


def _frozen_periods(con: duckdb.DuckDBPyConnection, names: list[str]) -> dict[str, int]:
    """Frozen period -> its latest version (the one reports.<table> shows)."""
    if "publications" not in names:
        return {}
    return dict(
        con.execute("SELECT period_label, max(publication_version) FROM reports.publications GROUP BY ALL").fetchall()
    )


def load(con: duckdb.DuckDBPyConnection, cells: Cells) -> list[Table]:
    names = report_tables(con)
    frozen = _frozen_periods(con, names)
    unknown = [t for t in names if t != "publications" and t not in COUNTS and t.removesuffix("_history") not in COUNTS]
    if unknown:
        raise DisclosureError(
            f"reports tables unknown to disclosure control: {', '.join(unknown)} "
            "(say what they count in orchestration/publish/disclosure.py, and how they relate to the others)"
        )
    tables = []
    for name in names:
        base = name.removesuffix("_history")
        if name == "publications" or not COUNTS.get(base):
            continue
        frame = con.execute(f"SELECT rowid AS __rowid, * FROM reports.{_quote(name)}").df()
        table = Table(name, base, frame, COUNTS[base])
        _map_counts(table, frozen, cells)
        tables.append(table)
    for table in tables:
        _map_shares(table, cells)
    return tables


def _text(value) -> str | None:
    return None if _missing(value) else value


def _cell_key(base: str, row: dict, vintage: str, column: str) -> tuple:
    """The variable a count cell is. A count published in several tables has one key (see UNIT_COUNT_TABLES)."""
    u, p = row.get("unit_code"), row.get("period_label")
    if base in UNIT_COUNT_TABLES:
        return (vintage, "unit", u, p, column)
    if base == "intake_breakdown":
        return (vintage, "breakdown", u, p, row["dimension"], row["dimension_value"], column)
    if base == "exits":
        return (vintage, "exit", u, p, row["exit_group"], row["exit_reason"], _text(row["destination_unit_code"]))
    if base == "exit_groups":
        group = row["exit_group"]
        if group in EXIT_GROUP_UNIT:
            return (vintage, "unit", u, p, EXIT_GROUP_UNIT[group])
        return (vintage, "exit_group", u, p, group)
    if base == "outcome_by_subgroup":
        return (vintage, "subgroup", u, p, row["gender"], row["age_band"], row["enrolment_reason"], column)
    if base == "phase_status":
        return (vintage, "phase", u, p, row["phase"])
    if base == "instrument_summary":
        measure = row["measure"]
        if column == "active_cases":
            return (vintage, "unit", u, p, "active_cases")
        if (measure, column) in INSTRUMENT_UNIT:
            return (vintage, "unit", u, p, INSTRUMENT_UNIT[(measure, column)])
        return (vintage, "instrument", u, p, measure, column)
    if base == "goal_attainment":
        metric = row["metric"]
        if metric not in GOAL_COUNTS or GOAL_COUNTS[metric][1] is None:
            raise DisclosureError(
                f"reports.goal_attainment: metric {metric} has basis_cases, but disclosure control does not know "
                "which count it is (GOAL_COUNTS in orchestration/publish/disclosure.py)"
            )
        return (vintage, "unit", u, p, GOAL_COUNTS[metric][1])
    if base == "transfers":
        return (vintage, "transfer", p, row["from_unit"], row["to_unit"])
    if base == "unit_overlap":
        return (vintage, "overlap", p, row["unit_a"], row["unit_b"], column)
    if base == "effects":
        return (vintage, "effect", u, row["cohort"], row["outcome"], column)
    if base == "staff_survey":
        question = None if column == "respondents" else row["question"]
        return (vintage, "survey", u, row["survey_round"], question, column)
    raise DisclosureError(f"no cell keys for reports.{base}")


def _map_counts(table: Table, frozen: dict[str, int], cells: Cells) -> None:
    history = table.name != table.base
    for pos, row in enumerate(table.frame.to_dict("records")):
        period = row.get("period_label")
        vintage = CURRENT
        if history and frozen.get(period) != row.get("publication_version"):
            vintage = f"v{int(row['publication_version'])}"  # a superseded version: its own variables
        table.vintages.append(vintage)
        hidden = set(_split(row.get("suppressed_columns")))
        for column in table.counts:
            value = None if _missing(row[column]) else row[column]
            suppressed = value is None and column in hidden
            if value is None and not suppressed:
                continue  # no data, not a suppressed count
            key = _cell_key(table.base, row, vintage, column)
            table.cells[(pos, column)] = cells.add(key, value, suppressed, period in frozen)


def _map_shares(table: Table, cells: Cells) -> None:
    """Each figure cell -> the count variables behind it (FIGURES); None: not a published count."""
    columns = set(table.frame.columns)
    spec = FIGURES.get(table.base, {})
    for pos, row in enumerate(table.frame.to_dict("records")):
        vintage = table.vintages[pos]

        def count(ref: str | None, row=row, pos=pos, vintage=vintage) -> int | None:
            if ref is None:
                return None
            if ref.startswith("unit."):
                return cells.get((vintage, "unit", row["unit_code"], row["period_label"], ref.removeprefix("unit.")))
            return table.cells.get((pos, ref))

        figures = spec
        if table.base == "goal_attainment":
            refs = tuple(f"unit.{c}" for c in GOAL_COUNTS.get(row["metric"], (None, None)) if c)
            figures = dict.fromkeys(GOAL_FIGURES, refs)
        for figure, refs in figures.items():
            if figure in columns:
                table.shares[(pos, figure)] = tuple(count(r) for r in refs)


# ---------------------------------------------------------------------------------------------- relations


@dataclass(frozen=True)
class Period:
    label: str
    type: str
    starts_on: date
    measured_to: date
    ends_on: date | None = None  # the period's own last day (a month still running is still a month); None: measured_to

    @property
    def days(self) -> int:
        """Its length as a period, in days."""
        return ((self.ends_on or self.measured_to) - self.starts_on).days + 1


def _periods(con: duckdb.DuckDBPyConnection) -> list[Period]:
    if "periods" not in report_tables(con):
        return []  # no periods, no relations across them
    return [
        Period(*r)
        for r in con.execute(
            "SELECT period_label, period_type, starts_on, measured_to, ends_on FROM reports.periods "
            "ORDER BY starts_on, measured_to, period_label"
        ).fetchall()
    ]


def period_tilings(periods: list[Period]) -> list[tuple[str, tuple[str, ...]]]:
    """(period, its parts): the periods of one type that lie inside a period and cover it exactly, without gap
    or overlap (months in a quarter, quarters in a half-year or year, months in a custom period, a custom period
    with the same days as a quarter ...). A period still running is covered by the parts measured to the same
    as-of date. Custom periods that overlap each other are only used one by one (not searched for sets that
    would cover a period)."""
    by_type: dict[str, list[Period]] = defaultdict(list)
    for p in periods:
        by_type[p.type].append(p)
    tilings = []
    for parent in periods:
        for kind, members in sorted(by_type.items()):
            inside = [
                p
                for p in members
                if p.label != parent.label and p.starts_on >= parent.starts_on and p.measured_to <= parent.measured_to
            ]
            if not inside or (kind == parent.type and len(inside) == 1 and kind != "custom"):
                continue
            inside.sort(key=lambda p: (p.starts_on, p.measured_to))
            ok = inside[0].starts_on == parent.starts_on and inside[-1].measured_to == parent.measured_to
            for a, b in zip(inside, inside[1:], strict=False):
                ok = ok and b.starts_on == a.measured_to + timedelta(days=1)
            if ok:
                tilings.append((parent.label, tuple(p.label for p in inside)))
            elif kind == "custom":
                # Custom periods may overlap each other: one with the very same days is still the same period.
                tilings += [
                    (parent.label, (p.label,))
                    for p in inside
                    if (p.starts_on, p.measured_to) == (parent.starts_on, parent.measured_to)
                ]
    return tilings


class Relations:
    """Linear relations between variables, each a tuple of (variable, coefficient) whose sum is zero. `basis`
    marks the ones that span all the others (the rest are sums and differences of them: a year by its quarters
    when the year and the quarters are each given by their months): the audit needs only those, the secondary
    suppression uses them all."""

    def __init__(self) -> None:
        self.seen: dict[tuple[tuple[int, int], ...], int] = {}
        self.items: list[tuple[tuple[int, int], ...]] = []
        self.basis: list[bool] = []

    def add(self, plus: Iterable[int | None], minus: Iterable[int | None] = (), *, basis: bool = True) -> None:
        """sum(plus) - sum(minus) = 0 over the variables present (an absent cell is a zero)."""
        coefs: dict[int, int] = defaultdict(int)
        for v in plus:
            if v is not None:
                coefs[v] += 1
        for v in minus:
            if v is not None:
                coefs[v] -= 1
        relation = tuple(sorted((v, c) for v, c in coefs.items() if c))
        if len(relation) < 2:
            return
        if relation in self.seen:
            self.basis[self.seen[relation]] |= basis
            return
        self.seen[relation] = len(self.items)
        self.items.append(relation)
        self.basis.append(basis)

    def __len__(self) -> int:
        return len(self.items)

    def spanning(self) -> list[tuple[tuple[int, int], ...]]:
        return [r for r, b in zip(self.items, self.basis, strict=True) if b]


def relations(cells: Cells, periods: list[Period], present: set[str] | None = None) -> Relations:
    """Every linear relation between published counts that we know of (docs/privacy.md lists them). `present`: the
    report tables loaded (default: all). A relation is only made where the rows of its total are there: a missing
    row among the parts is a zero, a missing table or total is not known."""
    present = set(COUNTS) if present is None else present
    rel = Relations()
    # Index the variables by what they are.
    unit: dict[tuple, int] = {}
    breakdown: dict[tuple, dict[tuple, int]] = defaultdict(dict)  # (vintage, u, p, dim, col) -> value -> var
    exits: dict[tuple, dict[tuple, int]] = defaultdict(dict)  # (vintage, u, p) -> (group, reason, dest) -> var
    subgroup: dict[tuple, dict[tuple, int]] = defaultdict(dict)  # (vintage, u, p, col) -> group -> var
    exit_groups: dict[tuple, dict[str, int]] = defaultdict(dict)  # (vintage, u, p) -> group -> var
    phases: dict[tuple, dict[str, int]] = defaultdict(dict)  # (vintage, u, p) -> phase -> var
    instrument: dict[tuple, dict[tuple, int]] = defaultdict(dict)  # (vintage, u, p) -> (measure, col) -> var
    transfers: dict[tuple, dict[str, int]] = defaultdict(dict)  # (vintage, from unit, p) -> to unit -> var
    overlap: dict[tuple, dict[str, int]] = defaultdict(dict)  # (vintage, unit a, unit b, col) -> p -> var
    effects: dict[tuple, dict[str, int]] = defaultdict(dict)  # (u, outcome, col) -> cohort -> var
    units_periods: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for var, key in enumerate(cells.keys):
        vintage, kind = key[0], key[1]
        if kind == "unit":
            unit[key] = var
            units_periods[vintage].add((key[2], key[3]))
        elif kind == "breakdown":
            _, _, u, p, dim, value, col = key
            breakdown[(vintage, u, p, dim, col)][(value,)] = var
            units_periods[vintage].add((u, p))
        elif kind == "exit":
            _, _, u, p, group, reason, dest = key
            exits[(vintage, u, p)][(group, reason, dest)] = var
            units_periods[vintage].add((u, p))
        elif kind == "subgroup":
            _, _, u, p, g, a, r, col = key
            subgroup[(vintage, u, p, col)][(g, a, r)] = var
            units_periods[vintage].add((u, p))
        elif kind == "exit_group":
            _, _, u, p, group = key
            exit_groups[(vintage, u, p)][group] = var
            units_periods[vintage].add((u, p))
        elif kind == "phase":
            _, _, u, p, phase = key
            phases[(vintage, u, p)][phase] = var
            units_periods[vintage].add((u, p))
        elif kind == "instrument":
            _, _, u, p, measure, col = key
            instrument[(vintage, u, p)][(measure, col)] = var
            units_periods[vintage].add((u, p))
        elif kind == "transfer":
            _, _, p, from_unit, to_unit = key
            transfers[(vintage, from_unit, p)][to_unit] = var
            units_periods[vintage].add((from_unit, p))
        elif kind == "overlap":
            _, _, p, a, b, col = key
            overlap[(vintage, a, b, col)][p] = var
        elif kind == "effect":
            _, _, u, cohort, outcome, col = key
            effects[(u, outcome, col)][cohort] = var

    def s(vintage, u, p, col):
        return unit.get((vintage, "unit", u, p, col))

    def group_count(vintage, u, p, group):
        """An exit group's count of a unit-period: a unit-period count itself or a row of reports.exit_groups."""
        if group in EXIT_GROUP_UNIT:
            return s(vintage, u, p, EXIT_GROUP_UNIT[group])
        return exit_groups.get((vintage, u, p), {}).get(group)

    def ors(vintage, u, p, col):
        """A count of reports.instrument_summary's ORS row (some of them are unit-period counts)."""
        if ("ors_total", col) in INSTRUMENT_UNIT:
            return s(vintage, u, p, INSTRUMENT_UNIT[("ors_total", col)])
        return instrument.get((vintage, u, p), {}).get(("ors_total", col))

    # Transfers in: the rows of other units' exits with this unit as destination.
    transfers_to: dict[tuple, list[int]] = defaultdict(list)
    for (vintage, _u, p), rows in exits.items():
        for (group, _reason, dest), var in rows.items():
            if group == "transferred" and dest is not None:
                transfers_to[(vintage, dest, p)].append(var)

    received: dict[tuple, list[int]] = defaultdict(list)  # (vintage, to unit, p) -> rows of reports.transfers
    for (vintage, _from_unit, p), sent in transfers.items():
        for to_unit, var in sent.items():
            received[(vintage, to_unit, p)].append(var)

    # 1. Within a unit and period (every vintage).
    for vintage, pairs in units_periods.items():
        for u, p in sorted(pairs, key=str):
            rel.add(
                [s(vintage, u, p, "active_cases")],
                [s(vintage, u, p, "exited_cases"), s(vintage, u, p, "ongoing_at_end")],
            )
            rows = exits.get((vintage, u, p), {})
            groups: dict[str, list[int]] = defaultdict(list)
            for (group, _reason, _dest), var in rows.items():
                groups[group].append(var)
            if "exits" in present:
                rel.add([s(vintage, u, p, "exited_cases")], rows.values())
                rel.add([s(vintage, u, p, "positive_exits")], [v for g in POSITIVE_GROUPS for v in groups[g]])
                rel.add([s(vintage, u, p, "dropouts")], groups["dropout"])
                rel.add([s(vintage, u, p, "transfers_out")], groups["transferred"])
                rel.add([s(vintage, u, p, "transfers_in")], transfers_to.get((vintage, u, p), []))
                totals = [s(vintage, u, p, c) for c in ("exited_cases", "positive_exits", "dropouts", "transfers_out")]
                if all(v is not None for v in totals):
                    rel.add([totals[0]], totals[1:] + groups["other"], basis=False)
            if "outcome_by_subgroup" in present:
                for col in SUBGROUP_COUNTS:
                    rel.add([s(vintage, u, p, col)], subgroup.get((vintage, u, p, col), {}).values())
            # reports.exit_groups (a row for every group of a unit-period): each group is the sum of its exit
            # rows; the groups add up to the unit's exits, work and studies to its positive exits.
            if exit_groups.get((vintage, u, p)):
                for group in EXIT_GROUPS:
                    if group not in EXIT_GROUP_UNIT:
                        rel.add([group_count(vintage, u, p, group)], groups[group])
                rel.add(
                    [s(vintage, u, p, "positive_exits")],
                    [group_count(vintage, u, p, g) for g in POSITIVE_GROUPS],
                    basis=False,
                )
                rel.add(
                    [s(vintage, u, p, "exited_cases")],
                    [group_count(vintage, u, p, g) for g in EXIT_GROUPS],
                    basis=False,
                )
            # reports.phase_status: the phases of the cases ongoing at the period's end.
            if s(vintage, u, p, "ongoing_at_end") is not None:
                rel.add([s(vintage, u, p, "ongoing_at_end")], phases.get((vintage, u, p), {}).values())
            # reports.instrument_summary's ORS row: every pair is classified into one of ORS_CLASSES.
            if ("ors_total", "no_reliable_change") in instrument.get((vintage, u, p), {}):
                rel.add([ors(vintage, u, p, "cases_with_pair")], [ors(vintage, u, p, c) for c in ORS_CLASSES])
            # reports.transfers: a unit's transferred exit rows per destination ('unknown': none named); they add
            # up to its transfers out, and to the destination's transfers in.
            if "transfers" in present:
                by_destination: dict[str | None, list[int]] = defaultdict(list)
                for (group, _reason, dest), var in rows.items():
                    if group == "transferred":
                        by_destination[dest].append(var)
                sent = transfers.get((vintage, u, p), {})
                destinations = set(sent) | {UNKNOWN_UNIT if d is None else d for d in by_destination}
                for to_unit in sorted(destinations, key=str):
                    parts = by_destination.get(None if to_unit == UNKNOWN_UNIT else to_unit, [])
                    rel.add([sent.get(to_unit)], parts)
                if s(vintage, u, p, "transfers_out") is not None:
                    rel.add([s(vintage, u, p, "transfers_out")], sent.values(), basis=False)
                if s(vintage, u, p, "transfers_in") is not None:
                    rel.add([s(vintage, u, p, "transfers_in")], received.get((vintage, u, p), []), basis=False)
    for (vintage, u, p, dim, col), values in sorted(breakdown.items(), key=str):
        rel.add([s(vintage, u, p, col)], values.values())
        # The margins of the subgroup cross-tabulation are rows of the breakdown.
        if dim in SUBGROUP_DIMENSIONS and col == "exited_cases" and "outcome_by_subgroup" in present:
            position = SUBGROUP_DIMENSIONS.index(dim)
            parts: dict[str, list[int]] = defaultdict(list)
            for group, var in subgroup.get((vintage, u, p, col), {}).items():
                parts[group[position]].append(var)
            for value in sorted(set(parts) | {v[0] for v in values}, key=str):
                rel.add([values.get((value,))], parts.get(value, []))

    # 2. Across periods (what reports.<table> shows now): nested periods, stocks, stock and flow.
    tilings = period_tilings(periods)
    by_label = {p.label: p for p in periods}
    by_months = {parent for parent, parts in tilings if by_label[parts[0]].type == "month"}
    by_end: dict[date, list[Period]] = defaultdict(list)
    for period in periods:
        by_end[period.measured_to].append(period)
    vintage = CURRENT
    unit_list = sorted({u for u, _ in units_periods.get(vintage, set())}, key=str)
    bd_keys: dict[str, set[tuple]] = defaultdict(set)  # unit -> (dim, value)
    for v2, u, _p, dim, _col in breakdown:
        if v2 == vintage:
            for value in breakdown[(v2, u, _p, dim, _col)]:
                bd_keys[u].add((dim, value[0]))
    ex_keys: dict[str, set[tuple]] = defaultdict(set)
    for (v2, u, _p), rows in exits.items():
        if v2 == vintage:
            ex_keys[u] |= set(rows)
    sg_keys: dict[str, set[tuple]] = defaultdict(set)
    for (v2, u, _p, _col), rows in subgroup.items():
        if v2 == vintage:
            sg_keys[u] |= set(rows)
    in_keys: dict[str, set[tuple]] = defaultdict(set)  # unit -> (measure, col) of reports.instrument_summary
    for (v2, u, _p), rows in instrument.items():
        if v2 == vintage:
            in_keys[u] |= {k for k in rows if k[1] in INSTRUMENT_FLOWS}
    ph_keys: dict[str, set[str]] = defaultdict(set)
    for (v2, u, _p), rows in phases.items():
        if v2 == vintage:
            ph_keys[u] |= set(rows)
    eg_keys: dict[str, set[str]] = defaultdict(set)
    for (v2, u, _p), rows in exit_groups.items():
        if v2 == vintage:
            eg_keys[u] |= set(rows)
    tr_keys: dict[str, set[str]] = defaultdict(set)
    for (v2, u, _p), rows in transfers.items():
        if v2 == vintage:
            tr_keys[u] |= set(rows)

    def b(u, p, dim, value, col):
        return breakdown.get((vintage, u, p, dim, col), {}).get((value,))

    for u in unit_list:
        bds = sorted(bd_keys[u], key=str)
        exs = sorted(ex_keys[u], key=str)
        sgs = sorted(sg_keys[u], key=str)
        for parent, parts in tilings:
            # A period by its months spans the rest (a year by its quarters is the difference of month sums).
            basis = by_label[parts[0]].type == "month" or parent not in by_months
            for col in ADDITIVE_UNIT:
                rel.add([s(vintage, u, parent, col)], [s(vintage, u, q, col) for q in parts], basis=basis)
            for dim, value in bds:
                for col in ("new_cases", "exited_cases"):
                    rel.add([b(u, parent, dim, value, col)], [b(u, q, dim, value, col) for q in parts], basis=basis)
            for key in exs:
                rel.add(
                    [exits.get((vintage, u, parent), {}).get(key)],
                    [exits.get((vintage, u, q), {}).get(key) for q in parts],
                    basis=basis,
                )
            for col in SUBGROUP_COUNTS:
                for key in sgs:
                    rel.add(
                        [subgroup.get((vintage, u, parent, col), {}).get(key)],
                        [subgroup.get((vintage, u, q, col), {}).get(key) for q in parts],
                        basis=basis,
                    )
            for key in sorted(in_keys[u]):
                rel.add(
                    [instrument.get((vintage, u, parent), {}).get(key)],
                    [instrument.get((vintage, u, q), {}).get(key) for q in parts],
                    basis=basis,
                )
            # Exit groups and transfers are sums of exit rows, which nest already: these only help step 3.
            for group in sorted(eg_keys[u]):
                rel.add(
                    [exit_groups.get((vintage, u, parent), {}).get(group)],
                    [exit_groups.get((vintage, u, q), {}).get(group) for q in parts],
                    basis=False,
                )
            for to_unit in sorted(tr_keys[u]):
                rel.add(
                    [transfers.get((vintage, u, parent), {}).get(to_unit)],
                    [transfers.get((vintage, u, q), {}).get(to_unit) for q in parts],
                    basis=False,
                )
        for _end, same in sorted(by_end.items()):
            # Stocks at the same day are the same count, whatever the period.
            for a, c in zip(same, same[1:], strict=False):
                for col in STOCK_UNIT:
                    rel.add([s(vintage, u, a.label, col)], [s(vintage, u, c.label, col)])
                for phase in sorted(ph_keys[u]):
                    rel.add(
                        [phases.get((vintage, u, a.label), {}).get(phase)],
                        [phases.get((vintage, u, c.label), {}).get(phase)],
                    )
                for dim, value in bds:
                    rel.add(
                        [b(u, a.label, dim, value, "active_cases"), b(u, c.label, dim, value, "exited_cases")],
                        [b(u, c.label, dim, value, "active_cases"), b(u, a.label, dim, value, "exited_cases")],
                    )
        for period in periods:
            # Active in a period = ongoing at the end of the day before it + new in it.
            # (One period ending that day spans the others: their stocks are equal.)
            for i, before in enumerate(by_end.get(period.starts_on - timedelta(days=1), [])):
                rel.add(
                    [s(vintage, u, period.label, "active_cases")],
                    [s(vintage, u, before.label, "ongoing_at_end"), s(vintage, u, period.label, "new_cases")],
                    basis=i == 0,
                )
                # Exits to date = exits to the day before + exits in the period (reports.socioeconomic).
                if s(vintage, u, period.label, "exited_cases_to_date") is not None:
                    rel.add(
                        [s(vintage, u, period.label, "exited_cases_to_date")],
                        [
                            s(vintage, u, before.label, "exited_cases_to_date"),
                            s(vintage, u, period.label, "exited_cases"),
                        ],
                        basis=i == 0,
                    )
                for dim, value in bds:
                    rel.add(
                        [
                            b(u, period.label, dim, value, "active_cases"),
                            b(u, before.label, dim, value, "exited_cases"),
                        ],
                        [b(u, before.label, dim, value, "active_cases"), b(u, period.label, dim, value, "new_cases")],
                        basis=i == 0,
                    )
    # Persons ever in both of two units, to a period's end: a stock.
    for (v2, _a, _b, col), per_period in sorted(overlap.items(), key=str):
        if v2 != vintage or col != "persons_ever":
            continue
        for _end, same in sorted(by_end.items()):
            for a, c in zip(same, same[1:], strict=False):
                rel.add([per_period.get(a.label)], [per_period.get(c.label)])

    # 3. reports.effects (no periods): the year cohorts are parts of the cohort 'all' (participants; the matched are
    # matched per cohort), and outcomes over the same window have the same counts.
    for (u, outcome, col), cohorts in sorted(effects.items(), key=str):
        if col == "n_participants" and EFFECT_ALL in cohorts:
            rel.add([cohorts[EFFECT_ALL]], [v for c, v in cohorts.items() if c != EFFECT_ALL])
        if outcome == EFFECT_SAME_WINDOW[0]:
            for other in EFFECT_SAME_WINDOW[1:]:
                for cohort, var in sorted(cohorts.items()):
                    rel.add([var], [effects.get((u, other, col), {}).get(cohort)])
    return rel


# ---------------------------------------------------------------------------------------------- secondary suppression


def _by_variable(relation_list: list[tuple[tuple[int, int], ...]], n: int) -> list[list[int]]:
    index: list[list[int]] = [[] for _ in range(n)]
    for r, relation in enumerate(relation_list):
        for v, _ in relation:
            index[v].append(r)
    return index


_PERIOD_AT = {"unit": 3, "breakdown": 3, "exit": 3, "subgroup": 3, "exit_group": 3, "phase": 3, "instrument": 3}
_PERIOD_AT |= {"transfer": 2, "overlap": 2}  # the kinds of cell keys with a period, and where it is in the key


def weigh(cells: Cells, periods: list[Period], rel: Relations) -> None:
    """The cost of hiding each variable, for `Secondary.choice`: the number of days of its period, or of the
    longest period of a count that must equal it (a month's stock at the end of June is the half-year's: hiding one
    hides the other; so is a month's active cases when nobody exited and nobody was new). So a month's cell is
    hidden before its quarter's, a quarter's before its half-year's or year's: the long periods are what a steering
    group reads (the reports show half-years and years), months are trend detail. Equal means equal by a relation
    with two non-zero terms: zeros are always shown, so they are constants. Also notes the day each variable's
    period ends: an earlier period's cell is hidden before a later one's."""
    by_label = {p.label: p for p in periods}
    weight, cells.end = [], []
    for key in cells.keys:
        at = _PERIOD_AT.get(key[1])
        period = by_label.get(key[at]) if at is not None else None
        weight.append(period.days if period else 0)
        cells.end.append(period.measured_to.toordinal() if period else 0)
    parent = list(range(len(weight)))

    def root(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for relation in rel.items:
        terms = [(v, c) for v, c in relation if cells.secret[v] or cells.value[v]]
        if len(terms) == 2 and terms[0][1] + terms[1][1] == 0:
            a, b = root(terms[0][0]), root(terms[1][0])
            if a != b:
                parent[b] = a
                weight[a] = max(weight[a], weight[b])
    cells.weight = [weight[root(v)] for v in range(len(weight))]


# A running total beside its period flows (exits to date = exits to the day before + exits in the period): once one
# early total is small, either every later total or every later period's exits must be hidden, and the totals are
# the cheaper loss (the coverage of reports.socioeconomic goes with them, the headline exits stay).
HIDE_FIRST = ("exited_cases_to_date",)


class Secondary:
    """Secondary suppression to a fixpoint: no relation may have exactly one suppressed variable; when one has,
    another published variable of that relation is suppressed too (`choice`)."""

    def __init__(self, cells: Cells, relation_list) -> None:
        self.cells = cells
        self.relation_list = relation_list
        self.by_var = _by_variable(relation_list, len(cells.keys))
        self.unknown = [sum(cells.secret[v] for v, _ in relation) for relation in relation_list]
        self.queue = [r for r, n in enumerate(self.unknown) if n == 1]
        self.weight = cells.weight or [0] * len(cells.keys)
        self.end = cells.end or [0] * len(cells.keys)

    def choice(self, candidates: Iterable[int]) -> int | None:
        """The published variable to hide beside a lonely suppressed one. In this order: cells of frozen periods
        last; running totals (`HIDE_FIRST`) first; then the one that leaves the fewest relations with a single
        suppressed cell (each such relation forces one more cell: greedy suppression that ignores this spreads
        along the stock-flow chains over the whole timeline); then the earlier period's (a stock and flow chain
        runs forward in time: going backwards it ends at the unit's start, where the small counts are); then the
        lightest (`weigh`: a month before its quarter, a quarter before its half-year or year); then the smallest
        count, ties by name. Never a zero: a zero is shown (hiding it would not hide anything)."""
        cells, best = self.cells, None
        for v in candidates:
            if cells.secret[v] or not cells.value[v]:
                continue
            key = cells.keys[v]
            lonely = sum(1 for r in self.by_var[v] if self.unknown[r] == 0)
            first = key[-1] in HIDE_FIRST
            rank = (cells.frozen[v], not first, lonely, self.end[v], self.weight[v], cells.value[v], repr(key))
            if best is None or rank < best[0]:
                best = (rank, v)
        return None if best is None else best[1]

    def hide(self, v: int) -> None:
        if self.cells.secret[v]:
            return
        self.cells.secret[v] = True
        for r in self.by_var[v]:
            self.unknown[r] += 1
            if self.unknown[r] == 1:
                self.queue.append(r)

    def settle(self) -> list[int]:
        """Returns what it hid."""
        added = []
        while self.queue:
            r = self.queue.pop()
            if self.unknown[r] != 1:
                continue
            v = self.choice(v for v, _ in self.relation_list[r])
            if v is None:
                continue  # the one suppressed variable would be 0: cannot happen for a count 1 <= n < k
            self.hide(v)
            added.append(v)
        return added


class Elimination:
    """Which suppressed variables can be computed from the published ones through any linear combination of the
    relations (not only one relation at a time, not only by chaining): exact disclosure.

    Gauss-Jordan elimination, exact modulo a large prime, on the relations with the suppressed variables as the
    unknowns: every row is reduced so that it holds one pivot unknown and no other pivot; the published variables
    ride along in the rows (never pivots). A suppressed variable v can be computed exactly when its pivot row holds
    no other unknown: the row then says v = a combination of published values, and its published entries are the
    cells that computation uses. Rows left with published variables only are kept as well, because hiding one of
    their cells later makes it an unknown that those rows determine. Hiding a published variable updates the
    rows in place, so the audit after each round of secondary suppression costs only what changed.
    """

    def __init__(self, secret: list[bool], relation_list: Iterable[tuple[tuple[int, int], ...]]) -> None:
        self.secret = list(secret)  # the elimination's own copy: hide() updates it
        self.rows: dict[int, dict[int, int]] = {}  # row id -> {variable: coefficient}
        self.pivot_of: dict[int, int] = {}  # unknown variable -> row id whose pivot it is
        self.pivot_col: dict[int, int] = {}  # row id -> its pivot variable (rows without one: only published)
        self.holders: dict[int, set[int]] = defaultdict(set)  # variable -> rows holding it
        self.free: dict[int, int] = {}  # pivot row -> number of unknowns in it besides the pivot
        self.next_id = 0
        # Relations of published variables only are added when one of their variables is hidden.
        self.relation_list = list(relation_list)
        self.pending: dict[int, list[int]] = defaultdict(list)
        active = []
        for r, relation in enumerate(self.relation_list):
            if any(self.secret[v] for v, _ in relation):
                active.append(r)
            else:
                for v, _ in relation:
                    self.pending[v].append(r)
        self.added = set(active)
        active.sort(key=lambda r: sum(self.secret[v] for v, _ in self.relation_list[r]))
        for r in active:
            self._add({v: c % _PRIME for v, c in self.relation_list[r]})

    def _store(self, rid: int, row: dict[int, int]) -> None:
        self.rows[rid] = row
        for v in row:
            self.holders[v].add(rid)

    def _subtract(self, rid: int, factor: int, source: dict[int, int]) -> None:
        """rows[rid] -= factor * source, keeping holders and the counts of free unknowns up to date."""
        row, holders, secret = self.rows[rid], self.holders, self.secret
        pivot = self.pivot_col.get(rid)
        free = 0
        for v, x in source.items():
            before = row.get(v)
            if before is None:
                row[v] = -factor * x % _PRIME  # never 0: both are non-zero modulo a prime
                holders[v].add(rid)
                if secret[v] and v != pivot:
                    free += 1
                continue
            after = (before - factor * x) % _PRIME
            if after:
                row[v] = after
            else:
                del row[v]
                holders[v].discard(rid)
                if secret[v] and v != pivot:
                    free -= 1
        if pivot is not None:
            self.free[rid] += free

    def _make_pivot(self, rid: int, col: int) -> None:
        row = self.rows[rid]
        inv = pow(row[col], _PRIME - 2, _PRIME)
        for v in row:
            row[v] = row[v] * inv % _PRIME
        self.pivot_of[col] = rid
        self.pivot_col[rid] = col
        self.free[rid] = sum(1 for v in row if self.secret[v] and v != col)
        for other in list(self.holders[col]):
            if other != rid:
                self._subtract(other, self.rows[other][col], row)

    def _add(self, row: dict[int, int]) -> None:
        pivot_of, rows = self.pivot_of, self.rows
        for col in [v for v in row if v in pivot_of]:
            factor = row.get(col)
            if factor:
                for v, x in rows[pivot_of[col]].items():
                    y = (row.get(v, 0) - factor * x) % _PRIME
                    if y:
                        row[v] = y
                    else:
                        del row[v]
        if not row:
            return
        self.next_id += 1
        rid = self.next_id
        self._store(rid, row)
        unknowns = [v for v in row if self.secret[v]]
        if unknowns:
            self._make_pivot(rid, min(unknowns, key=lambda v: (len(self.holders[v]), v)))

    def hide(self, v: int) -> None:
        """A published variable becomes suppressed."""
        if self.secret[v]:
            return
        self.secret[v] = True
        for rid in self.holders[v]:
            if rid in self.pivot_col and self.pivot_col[rid] != v:
                self.free[rid] += 1
        residual = [rid for rid in self.holders[v] if rid not in self.pivot_col]
        if residual:
            # A row of published values only now determines v: v becomes its pivot.
            self._make_pivot(min(residual, key=lambda r: (len(self.rows[r]), r)), v)
        for r in self.pending.pop(v, []):
            if r not in self.added:
                self.added.add(r)
                self._add({w: c % _PRIME for w, c in self.relation_list[r]})

    def exposed(self) -> dict[int, dict[int, int]]:
        """Suppressed variable -> the published variables (with coefficients) its value is computed from."""
        return {
            col: {v: x for v, x in self.rows[rid].items() if v != col}
            for rid, col in self.pivot_col.items()
            if self.free[rid] == 0
        }


def determined(cells: Cells, relation_list) -> set[int]:
    """The suppressed variables that can be computed from the published ones (see Elimination)."""
    return set(Elimination(cells.secret, relation_list).exposed())


def protect(cells: Cells, rel: Relations, *, max_rounds: int = 10_000) -> tuple[list[int], int]:
    """Secondary suppression to a fixpoint, then the audit, until no suppressed variable can be computed."""
    secondary = Secondary(cells, rel.items)
    added = secondary.settle()
    audit = Elimination(cells.secret, rel.spanning())
    # A suppressed count whose computation uses no published non-zero cell rests on cells no table shows (a part
    # of a relation that is not published: unknown to a reader, though the elimination counts it as known); a reader
    # cannot compute it, and nothing published can be hidden to break it.
    unpublished_only: set[int] = set()
    for rounds in range(1, max_rounds + 1):
        exposed = {v: uses for v, uses in audit.exposed().items() if v not in unpublished_only}
        log.debug("disclosure control: audit round %d, %d suppressed counts computable", rounds, len(exposed))
        if not exposed:
            return added, rounds
        # Break each computation: hide one published count it uses (`Secondary.choice`); then secondary
        # suppression again around what was hidden.
        more = []
        for v in sorted(exposed, key=lambda v: repr(cells.keys[v])):
            if any(cells.secret[w] for w in exposed[v]):
                continue  # an earlier choice in this round already broke it
            w = secondary.choice(exposed[v])
            if w is None:
                if any(cells.value[u] for u in exposed[v]):
                    raise DisclosureError(f"{cells.keys[v]} can be computed and nothing is left to hide")
                log.info("disclosure control: %s rests only on unpublished cells", cells.keys[v])
                unpublished_only.add(v)
                continue
            secondary.hide(w)
            more.append(w)
        more += secondary.settle()
        for w in more:
            audit.hide(w)
        added += more
    raise DisclosureError("disclosure control did not settle")


# ---------------------------------------------------------------------------------------------- applying it


def _apply(con: duckdb.DuckDBPyConnection, table: Table, cells: Cells) -> tuple[int, int]:
    """Null the newly suppressed count cells and the shares resting on a suppressed count; rewrite
    suppressed_columns on the rows that changed (counts first, then the other columns, each in column order)."""
    order = {c: (c not in table.counts, i) for i, c in enumerate(table.frame.columns)}
    changes: dict[int, set[str]] = defaultdict(set)
    counts = shares = 0
    for (pos, column), var in table.cells.items():
        if cells.secret[var] and not _missing(table.frame.iat[pos, table.frame.columns.get_loc(column)]):
            changes[pos].add(column)
            counts += 1
    for (pos, column), behind in table.shares.items():
        if column not in order or _missing(table.frame.iat[pos, table.frame.columns.get_loc(column)]):
            continue
        if any(v is not None and cells.secret[v] for v in behind):
            changes[pos].add(column)
            shares += 1
    # Interval bounds of a share (<share>_ci_low, <share>_ci_high) follow the share, whoever hid it.
    for share in [c for c in table.frame.columns if f"{c}_ci_low" in order or f"{c}_ci_high" in order]:
        hidden = table.frame[share].isna().to_numpy()
        for bound in (f"{share}_ci_low", f"{share}_ci_high"):
            if bound in order:
                shown = table.frame[bound].notna().to_numpy()
                for pos in (hidden & shown).nonzero()[0].tolist() + [p for p, cols in changes.items() if share in cols]:
                    if not _missing(table.frame.iat[pos, table.frame.columns.get_loc(bound)]):
                        changes[pos].add(bound)
    if not changes:
        return 0, 0
    nulled = sorted({c for cols in changes.values() for c in cols}, key=order.get)
    records = []
    for pos, cols in sorted(changes.items()):
        before = _split(table.frame.iat[pos, table.frame.columns.get_loc("suppressed_columns")])
        listed = ",".join(sorted(set(before) | cols, key=lambda c: order.get(c, (True, len(order)))))
        records.append([int(table.frame.iat[pos, 0]), listed, *(c in cols for c in nulled)])
    update = pd.DataFrame(records, columns=["rid", "listed", *(f"null_{i}" for i in range(len(nulled)))])
    con.register("_disclosure_update", update)
    try:
        sets = ", ".join(
            f"{_quote(c)} = CASE WHEN u.null_{i} THEN NULL ELSE t.{_quote(c)} END" for i, c in enumerate(nulled)
        )
        con.execute(
            f"UPDATE reports.{_quote(table.name)} AS t SET {sets}, suppressed_columns = u.listed "
            "FROM _disclosure_update AS u WHERE t.rowid = u.rid"
        )
    finally:
        con.unregister("_disclosure_update")
    return counts, shares


def run(con: duckdb.DuckDBPyConnection) -> Result:
    """Disclosure control over the report tables of `con` (the published copy being built), in place."""
    cells = Cells()
    tables = load(con, cells)
    periods = _periods(con)
    rel = relations(cells, periods, {t.base for t in tables})
    weigh(cells, periods, rel)
    added, rounds = protect(cells, rel)
    added_cells = hidden_shares = 0
    for table in tables:
        c, s = _apply(con, table, cells)
        added_cells += c
        hidden_shares += s
    log.info(
        "disclosure control: %d relations, %d counts suppressed before, %d more (%d cells) and %d shares hidden",
        len(rel),
        sum(cells.primary),
        len(added),
        added_cells,
        hidden_shares,
    )
    return Result(tables, cells, rel, added, added_cells, hidden_shares, rounds)
