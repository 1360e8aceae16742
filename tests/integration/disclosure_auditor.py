"""An auditor's attack on the published report files (docs/privacy.md#disclosure-control-across-tables).

Written apart from orchestration/publish/disclosure.py, from the definitions in docs/metrics.md: it reads the
published Parquet files (what a steering group or a BI workspace gets), lists every linear relation between their
count cells that it knows of, and tries to get suppressed cells back:

* single subtraction: a relation with exactly one suppressed cell gives it (total minus the published parts);
* chained subtraction: solve every relation with exactly one unknown, count the solution as known, repeat to a
  fixpoint;
* any linear combination of the relations (exact Gaussian elimination: a cell is recovered when its value is
  determined by the published cells, whichever way it is computed);
* shares: a published share times its published denominator gives the numerator, and a published share with a
  published non-zero numerator gives the denominator.

Cells are table locations (table, row, column): a count shown in two tables is two cells tied by an equality.
`python -m tests.integration.disclosure_auditor <published_dir> [k]` prints the figures.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pandas as pd

from orchestration.publish.disclosure import Elimination

TABLES = (
    "unit_scorecard", "leadership_overview", "intake_breakdown", "exits", "outcome_by_subgroup", "exit_groups",
    "phase_status", "process_summary", "instrument_summary", "period_costs", "socioeconomic", "goal_attainment",
    "transfers", "unit_overlap", "effects",
)  # fmt: skip
COUNTS = {
    "unit_scorecard": [
        "active_cases", "new_cases", "exited_cases", "ongoing_at_end", "positive_exits", "dropouts", "ors_pairs",
        "ors_reliable_improvement", "wellbeing_pairs", "wellbeing_improved", "srs_sessions", "horizon_cohort_cases",
    ],
    "leadership_overview": [
        "active_cases", "new_cases", "exited_cases", "ongoing_at_end", "persons_in_other_units", "transfers_out",
        "transfers_in",
    ],
    "intake_breakdown": ["active_cases", "new_cases", "exited_cases"],
    "exits": ["exited_cases"],
    "outcome_by_subgroup": ["exited_cases", "positive_exits", "ors_pairs", "ors_reliable_improvement"],
    "exit_groups": ["exited_cases"],
    "phase_status": ["ongoing_at_end"],
    "process_summary": [
        "attendance_cases", "plan_eligible_cases", "plan_timely_cases", "tested_cases", "drug_free_cases",
    ],
    "instrument_summary": [
        "cases_with_pair", "reliable_improvement", "no_reliable_change", "reliable_deterioration", "recovered",
        "improved", "active_cases",
    ],
    "period_costs": ["active_cases", "positive_exits"],
    "socioeconomic": ["cases_measured", "exited_cases_to_date"],
    "goal_attainment": ["basis_cases"],
    "transfers": ["transferred_cases"],
    "unit_overlap": ["persons_ever", "persons_concurrent"],
    "effects": ["n_participants", "n_matched", "n_comparison_persons"],
}  # fmt: skip
# The columns that name a row of each table.
ROW_KEYS = {
    "unit_scorecard": ["unit_code", "period_label"],
    "leadership_overview": ["unit_code", "period_label"],
    "intake_breakdown": ["unit_code", "period_label", "dimension", "dimension_value"],
    "exits": ["unit_code", "period_label", "exit_group", "exit_reason", "destination_unit_code"],
    "outcome_by_subgroup": ["unit_code", "period_label", "gender", "age_band", "enrolment_reason"],
    "exit_groups": ["unit_code", "period_label", "exit_group"],
    "phase_status": ["unit_code", "period_label", "phase"],
    "process_summary": ["unit_code", "period_label"],
    "instrument_summary": ["unit_code", "period_label", "measure"],
    "period_costs": ["unit_code", "period_label"],
    "socioeconomic": ["unit_code", "period_label"],
    "goal_attainment": ["unit_code", "period_label", "metric"],
    "transfers": ["period_label", "from_unit", "to_unit"],
    "unit_overlap": ["period_label", "unit_a", "unit_b"],
    "effects": ["unit_code", "cohort", "outcome"],
}
FLOWS = [  # counts of events in the period: a period's figure is the sum of the figures of periods that tile it
    ("unit_scorecard", c)
    for c in ("new_cases", "exited_cases", "positive_exits", "dropouts", "ors_pairs", "ors_reliable_improvement",
              "wellbeing_pairs", "wellbeing_improved", "srs_sessions")
] + [("leadership_overview", c) for c in ("new_cases", "exited_cases", "transfers_out", "transfers_in")] + [
    ("period_costs", "positive_exits"),
]  # fmt: skip
STOCKS = [("unit_scorecard", "ongoing_at_end"), ("unit_scorecard", "horizon_cohort_cases"),
          ("leadership_overview", "ongoing_at_end"), ("socioeconomic", "cases_measured"),
          ("socioeconomic", "exited_cases_to_date")]  # fmt: skip
ORS_CLASSES = ("reliable_improvement", "no_reliable_change", "reliable_deterioration")  # docs/instruments.md
# docs/metrics.md: a goal's basis_cases are the persons or cases behind its actual value, a count published elsewhere.
GOAL_BASIS = {
    "attendance_rate": ("process_summary", "attendance_cases"),
    "action_plan_within_90_days_share": ("process_summary", "plan_eligible_cases"),
    "drug_free_share": ("process_summary", "tested_cases"),
    "positive_exit_share": ("unit_scorecard", "exited_cases"),
    "dropout_share": ("unit_scorecard", "exited_cases"),
    "work_or_studies_at_horizon_share": ("unit_scorecard", "horizon_cohort_cases"),
    "ors_reliable_improvement_share": ("unit_scorecard", "ors_pairs"),
    "wellbeing_improved_share": ("unit_scorecard", "wellbeing_pairs"),
    "cost_per_case": ("period_costs", "active_cases"),
}
# Shares and per-person figures: (table, figure, numerator, denominator). A numerator or denominator is a count or
# money column of the same row ("column"), or a count of the unit-period in another table ("table.column"). A
# published figure gives its numerator back next to its denominator and vice versa; a published Wilson interval
# (<figure>_ci_low, <figure>_ci_high) gives both back, whatever is known.
SHARES = [
    ("unit_scorecard", "positive_exit_share", "positive_exits", "exited_cases"),
    ("unit_scorecard", "ors_reliable_improvement_share", "ors_reliable_improvement", "ors_pairs"),
    ("unit_scorecard", "wellbeing_improved_share", "wellbeing_improved", "wellbeing_pairs"),
    ("unit_scorecard", "work_or_studies_at_horizon_share", None, "horizon_cohort_cases"),
    ("unit_scorecard", "action_plan_within_90_days_share", "process_summary.plan_timely_cases",
     "process_summary.plan_eligible_cases"),
    ("unit_scorecard", "attendance_rate", None, "process_summary.attendance_cases"),
    ("leadership_overview", "positive_exit_share", "unit_scorecard.positive_exits", "exited_cases"),
    ("leadership_overview", "work_or_studies_at_horizon_share", None, "unit_scorecard.horizon_cohort_cases"),
    ("exits", "positive_exit_share", "unit_scorecard.positive_exits", "unit_scorecard.exited_cases"),
    ("exits", "dropout_share", "unit_scorecard.dropouts", "unit_scorecard.exited_cases"),
    ("outcome_by_subgroup", "positive_exit_share", "positive_exits", "exited_cases"),
    ("process_summary", "action_plan_within_90_days_share", "plan_timely_cases", "plan_eligible_cases"),
    ("process_summary", "drug_free_share", "drug_free_cases", "tested_cases"),
    ("process_summary", "attendance_rate", None, "attendance_cases"),
    ("process_summary", "caseload_per_fte", "unit_scorecard.ongoing_at_end", "staff_fte"),
    ("instrument_summary", "ors_reliable_improvement_share", "reliable_improvement", "cases_with_pair"),
    ("instrument_summary", "wellbeing_improved_share", "improved", "cases_with_pair"),
    ("instrument_summary", "follow_up_coverage", "cases_with_pair", "active_cases"),
    ("period_costs", "cost_per_case", "spent_in_period_sek", "active_cases"),
    ("period_costs", "cost_per_positive_exit", "spent_in_period_sek", "positive_exits"),
    ("socioeconomic", "coverage", "cases_measured", "exited_cases_to_date"),
]  # fmt: skip
# reports.goal_attainment's actual value (with ci_low, ci_high) is the figure of its metric.
GOAL_SHARES = {
    "positive_exit_share": ("unit_scorecard.positive_exits", "unit_scorecard.exited_cases"),
    "dropout_share": ("unit_scorecard.dropouts", "unit_scorecard.exited_cases"),
    "ors_reliable_improvement_share": ("unit_scorecard.ors_reliable_improvement", "unit_scorecard.ors_pairs"),
    "wellbeing_improved_share": ("unit_scorecard.wellbeing_improved", "unit_scorecard.wellbeing_pairs"),
    "work_or_studies_at_horizon_share": (None, "unit_scorecard.horizon_cohort_cases"),
    "action_plan_within_90_days_share": ("process_summary.plan_timely_cases", "process_summary.plan_eligible_cases"),
    "drug_free_share": ("process_summary.drug_free_cases", "process_summary.tested_cases"),
    "attendance_rate": (None, "process_summary.attendance_cases"),
    "cost_per_case": ("period_costs.spent_in_period_sek", "period_costs.active_cases"),
    "caseload_per_fte": ("unit_scorecard.ongoing_at_end", "process_summary.staff_fte"),
}


@dataclass
class Published:
    frames: dict[str, pd.DataFrame]
    periods: pd.DataFrame
    cell: dict[tuple[str, int, str], int] = field(default_factory=dict)  # location -> cell id
    where: list[tuple[str, int, str]] = field(default_factory=list)
    value: list[int | None] = field(default_factory=list)  # None: suppressed
    relations: list[dict[int, int]] = field(default_factory=list)

    def add_cell(self, loc: tuple[str, int, str], value) -> int:
        self.cell[loc] = len(self.where)
        self.where.append(loc)
        self.value.append(None if pd.isna(value) else int(value))
        return self.cell[loc]

    def relate(self, plus, minus=()) -> None:
        coefs: dict[int, int] = defaultdict(int)
        for c in plus:
            if c is not None:
                coefs[c] += 1
        for c in minus:
            if c is not None:
                coefs[c] -= 1
        relation = {c: x for c, x in coefs.items() if x}
        # One cell alone says nothing: its other side is rows that do not exist, which for a stock is not a zero (a
        # year's stock at its end beside a unit whose follow-up rows stop in June).
        if len(relation) > 1:
            self.relations.append(relation)


def read(published_dir: Path) -> Published:
    parquet = published_dir / "parquet"
    frames = {t: pd.read_parquet(parquet / f"{t}.parquet") for t in TABLES}
    periods = pd.read_parquet(parquet / "periods.parquet")
    pub = Published(frames, periods)
    for table, frame in frames.items():
        for column in COUNTS[table]:
            hidden = frame["suppressed_columns"].fillna("").str.split(",").map(lambda s, c=column: c in s)
            for i, (value, is_hidden) in enumerate(zip(frame[column], hidden, strict=True)):
                if not pd.isna(value) or is_hidden:
                    pub.add_cell((table, i, column), value)
    _relations(pub)
    return pub


def _index(pub: Published, table: str, keys: list[str], column: str) -> dict[tuple, int]:
    frame = pub.frames[table]
    out = {}
    for i, key in enumerate(frame[keys].itertuples(index=False, name=None)):
        cell = pub.cell.get((table, i, column))
        if cell is not None:
            out[tuple(None if pd.isna(k) else k for k in key)] = cell
    return out


def _tilings(periods: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """A period and a set of periods of one type inside it that cover it day for day."""
    rows = list(periods[["period_label", "period_type", "starts_on", "measured_to"]].itertuples(index=False))
    out = []
    for parent in rows:
        days = (parent.measured_to - parent.starts_on).days + 1
        for kind in sorted({r.period_type for r in rows}):
            inside = sorted(
                (
                    r
                    for r in rows
                    if r.period_type == kind
                    and r.period_label != parent.period_label
                    and r.starts_on >= parent.starts_on
                    and r.measured_to <= parent.measured_to
                ),
                key=lambda r: r.starts_on,
            )
            if not inside:
                continue
            covered = sum((r.measured_to - r.starts_on).days + 1 for r in inside)
            disjoint = all(b.starts_on > a.measured_to for a, b in zip(inside, inside[1:], strict=False))
            if covered == days and disjoint:
                out.append((parent.period_label, [r.period_label for r in inside]))
    return out


def _relations(pub: Published) -> None:
    up = ["unit_code", "period_label"]
    sc = {c: _index(pub, "unit_scorecard", up, c) for c in COUNTS["unit_scorecard"]}
    lo = {c: _index(pub, "leadership_overview", up, c) for c in COUNTS["leadership_overview"]}
    bd = {
        c: _index(pub, "intake_breakdown", [*up, "dimension", "dimension_value"], c) for c in COUNTS["intake_breakdown"]
    }
    ex = _index(pub, "exits", [*up, "exit_group", "exit_reason", "destination_unit_code"], "exited_cases")
    sg_keys = [*up, "gender", "age_band", "enrolment_reason"]
    sg = {c: _index(pub, "outcome_by_subgroup", sg_keys, c) for c in COUNTS["outcome_by_subgroup"]}
    unit_periods = set(sc["active_cases"]) | set(lo["active_cases"])

    # The same count in two tables.
    for c in ("active_cases", "new_cases", "exited_cases", "ongoing_at_end"):
        for key, cell in sc[c].items():
            pub.relate([cell], [lo[c].get(key)])
    # Totals beside their parts.
    exit_parts: dict[tuple, list] = defaultdict(list)
    transfers_in: dict[tuple, list] = defaultdict(list)
    for (u, p, group, _reason, dest), cell in ex.items():
        exit_parts[(u, p, "all")].append(cell)
        exit_parts[(u, p, group)].append(cell)
        if group in ("work", "studies"):
            exit_parts[(u, p, "positive")].append(cell)
        if group == "transferred" and dest is not None:
            transfers_in[(dest, p)].append(cell)
    for u, p in unit_periods:
        pub.relate([sc["active_cases"].get((u, p))], [sc["exited_cases"].get((u, p)), sc["ongoing_at_end"].get((u, p))])
        pub.relate([sc["exited_cases"].get((u, p))], exit_parts[(u, p, "all")])
        pub.relate([sc["positive_exits"].get((u, p))], exit_parts[(u, p, "positive")])
        pub.relate([sc["dropouts"].get((u, p))], exit_parts[(u, p, "dropout")])
        pub.relate([lo["transfers_out"].get((u, p))], exit_parts[(u, p, "transferred")])
        pub.relate([lo["transfers_in"].get((u, p))], transfers_in[(u, p)])
        pub.relate(
            [sc["exited_cases"].get((u, p))],
            [sc["positive_exits"].get((u, p)), sc["dropouts"].get((u, p)), lo["transfers_out"].get((u, p))]
            + exit_parts[(u, p, "other")],
        )
    for c, cells in bd.items():
        groups: dict[tuple, list] = defaultdict(list)
        for (u, p, dim, _value), cell in cells.items():
            groups[(u, p, dim)].append(cell)
        for (u, p, _dim), parts in groups.items():
            pub.relate([sc[c].get((u, p))], parts)
    # Margins of the cross-tabulation: totals and rows of the breakdown.
    for c, cells in sg.items():
        groups = defaultdict(list)
        for (u, p, *_), cell in cells.items():
            groups[(u, p)].append(cell)
        for (u, p), parts in groups.items():
            pub.relate([sc[c].get((u, p))], parts)
    for position, dim in enumerate(("gender", "age_band", "enrolment_reason")):
        margins: dict[tuple, list] = defaultdict(list)
        for (u, p, *group), cell in sg["exited_cases"].items():
            margins[(u, p, group[position])].append(cell)
        for u, p, dim2, value in bd["exited_cases"]:
            if dim2 == dim:
                margins.setdefault((u, p, value), [])
        for (u, p, value), parts in margins.items():
            pub.relate([bd["exited_cases"].get((u, p, dim, value))], parts)

    # Periods nested in periods.
    tilings = _tilings(pub.periods)
    units = {u for u, _ in unit_periods}

    def nest(index: dict[tuple, int]) -> None:
        by_rest: dict[tuple, dict[str, int]] = defaultdict(dict)
        for key, cell in index.items():
            by_rest[(key[0], *key[2:])][key[1]] = cell
        for per_period in by_rest.values():
            for parent, parts in tilings:
                pub.relate([per_period.get(parent)], [per_period.get(q) for q in parts])

    for table, c in FLOWS:
        nest(_index(pub, table, up, c))
    for c in ("new_cases", "exited_cases"):
        nest(bd[c])
    nest(ex)
    for c in COUNTS["outcome_by_subgroup"]:
        nest(sg[c])
    # Stocks at the same day, and active = stock of the day before + new.
    ends: dict = defaultdict(list)
    for r in pub.periods.itertuples(index=False):
        ends[r.measured_to].append(r.period_label)
    for table, c in STOCKS:
        index = _index(pub, table, up, c)
        for u in units:
            for labels in ends.values():
                for a, b in zip(labels, labels[1:], strict=False):
                    pub.relate([index.get((u, a))], [index.get((u, b))])
    values_of = defaultdict(set)
    for u, _p, dim, value in bd["active_cases"]:
        values_of[u].add((dim, value))
    for r in pub.periods.itertuples(index=False):
        before = ends.get(r.starts_on - timedelta(days=1), [])
        for u in units:
            for b in before:
                pub.relate(
                    [sc["active_cases"].get((u, r.period_label))],
                    [sc["ongoing_at_end"].get((u, b)), sc["new_cases"].get((u, r.period_label))],
                )
                for dim, value in values_of[u]:
                    now, then = (u, r.period_label, dim, value), (u, b, dim, value)
                    pub.relate(
                        [bd["active_cases"].get(now), bd["exited_cases"].get(then)],
                        [bd["active_cases"].get(then), bd["new_cases"].get(now)],
                    )
    for labels in ends.values():
        for a, b in zip(labels, labels[1:], strict=False):
            for u in units:
                for dim, value in values_of[u]:
                    pub.relate(
                        [bd["active_cases"].get((u, a, dim, value)), bd["exited_cases"].get((u, b, dim, value))],
                        [bd["active_cases"].get((u, b, dim, value)), bd["exited_cases"].get((u, a, dim, value))],
                    )
    _relations_of_later_tables(pub, sc, lo, ex, tilings, ends, nest)


def _relations_of_later_tables(pub: Published, sc, lo, ex, tilings, ends, nest) -> None:
    """Exit groups, phases, process and instrument summaries, costs, socioeconomic figures, goals, transfers, unit
    overlap and effects (docs/metrics.md, docs/reports.md)."""
    up = ["unit_code", "period_label"]
    same_count = [  # (table, column) = (table, column) of the same unit-period
        (("period_costs", "active_cases"), sc["active_cases"]),
        (("period_costs", "positive_exits"), sc["positive_exits"]),
    ]
    for (table, column), other in same_count:
        for key, cell in _index(pub, table, up, column).items():
            pub.relate([cell], [other.get(key)])
    ps = {c: _index(pub, "process_summary", up, c) for c in COUNTS["process_summary"]}
    pc = {c: _index(pub, "period_costs", up, c) for c in COUNTS["period_costs"]}
    se = {c: _index(pub, "socioeconomic", up, c) for c in COUNTS["socioeconomic"]}

    # Instrument summary: every measure's active cases are the unit's; ORS and wellbeing pairs are the scorecard's;
    # every ORS pair has one of three classifications; the pair counts are flows.
    ins = {c: _index(pub, "instrument_summary", [*up, "measure"], c) for c in COUNTS["instrument_summary"]}
    for (u, p, _measure), cell in ins["active_cases"].items():
        pub.relate([cell], [sc["active_cases"].get((u, p))])
    for measure, column, total in (
        ("ors_total", "cases_with_pair", "ors_pairs"),
        ("ors_total", "reliable_improvement", "ors_reliable_improvement"),
        ("wellbeing", "cases_with_pair", "wellbeing_pairs"),
        ("wellbeing", "improved", "wellbeing_improved"),
    ):
        for (u, p, m), cell in ins[column].items():
            if m == measure:
                pub.relate([cell], [sc[total].get((u, p))])
    for (u, p, m), cell in ins["cases_with_pair"].items():
        if m == "ors_total":
            pub.relate(
                [cell],
                [
                    ins[c].get((u, p, m))
                    for c in ("reliable_improvement", "no_reliable_change", "reliable_deterioration")
                ],
            )
    for c in COUNTS["instrument_summary"]:
        if c != "active_cases":
            nest(ins[c])

    # Exit groups: sums of the exit rows of a group; together the unit's exits.
    eg = _index(pub, "exit_groups", [*up, "exit_group"], "exited_cases")
    parts: dict[tuple, list] = defaultdict(list)
    for (u, p, group, _reason, _dest), cell in ex.items():
        parts[(u, p, group)].append(cell)
    by_unit_period: dict[tuple, dict[str, int]] = defaultdict(dict)
    for (u, p, group), cell in eg.items():
        pub.relate([cell], parts[(u, p, group)])
        by_unit_period[(u, p)][group] = cell
    for (u, p), groups in by_unit_period.items():
        pub.relate([sc["exited_cases"].get((u, p))], groups.values())
        pub.relate([sc["positive_exits"].get((u, p))], [groups.get("work"), groups.get("studies")])
        pub.relate([sc["dropouts"].get((u, p))], [groups.get("dropout")])
        pub.relate([lo["transfers_out"].get((u, p))], [groups.get("transferred")])
    nest(eg)

    # Phases of the cases ongoing at the end: they add up to ongoing_at_end, and each is a stock.
    ph = _index(pub, "phase_status", [*up, "phase"], "ongoing_at_end")
    phases: dict[tuple, list] = defaultdict(list)
    for (u, p, _phase), cell in ph.items():
        phases[(u, p)].append(cell)
    for (u, p), cells in phases.items():
        pub.relate([sc["ongoing_at_end"].get((u, p))], cells)
    by_phase: dict[tuple, dict[str, int]] = defaultdict(dict)
    for (u, p, phase), cell in ph.items():
        by_phase[(u, phase)][p] = cell
    for per_period in by_phase.values():
        for labels in ends.values():
            for a, b in zip(labels, labels[1:], strict=False):
                pub.relate([per_period.get(a)], [per_period.get(b)])

    # Socioeconomic: the exits to date (a stock, in STOCKS) grow by the period's exits.
    for r in pub.periods.itertuples(index=False):
        for before in ends.get(r.starts_on - timedelta(days=1), []):
            for u in {k[0] for k in se["exited_cases_to_date"]}:
                pub.relate(
                    [se["exited_cases_to_date"].get((u, r.period_label))],
                    [se["exited_cases_to_date"].get((u, before)), sc["exited_cases"].get((u, r.period_label))],
                )

    # Goals: basis_cases is the count behind the goal's actual value.
    goals = _index(pub, "goal_attainment", [*up, "metric"], "basis_cases")
    counts_of = {"unit_scorecard": sc, "process_summary": ps, "period_costs": pc}
    for (u, p, metric), cell in goals.items():
        table, column = GOAL_BASIS[metric]
        pub.relate([cell], [counts_of[table][column].get((u, p))])

    # Transfers: a unit's transferred exit rows per destination ('unknown' when none is named).
    tr = _index(pub, "transfers", ["from_unit", "period_label", "to_unit"], "transferred_cases")
    rows: dict[tuple, list] = defaultdict(list)
    for (u, p, group, _reason, dest), cell in ex.items():
        if group == "transferred":
            rows[(u, p, "unknown" if dest is None else dest)].append(cell)
    sent: dict[tuple, list] = defaultdict(list)
    received: dict[tuple, list] = defaultdict(list)
    for (u, p, to_unit), cell in tr.items():
        rows.setdefault((u, p, to_unit), [])
        sent[(u, p)].append(cell)
        received[(to_unit, p)].append(cell)
    for key, cells in rows.items():
        pub.relate([tr.get(key)], cells)
    for (u, p), cells in sent.items():
        pub.relate([lo["transfers_out"].get((u, p))], cells)
    for (u, p), cells in received.items():
        pub.relate([lo["transfers_in"].get((u, p))], cells)
    nest(tr)

    # Persons ever in two units: a stock.
    ov = _index(pub, "unit_overlap", ["unit_a", "period_label", "unit_b"], "persons_ever")
    by_pair: dict[tuple, dict[str, int]] = defaultdict(dict)
    for (a, p, b), cell in ov.items():
        by_pair[(a, b)][p] = cell
    for per_period in by_pair.values():
        for labels in ends.values():
            for x, y in zip(labels, labels[1:], strict=False):
                pub.relate([per_period.get(x)], [per_period.get(y)])

    # Effects: participants of the year cohorts make up the cohort 'all'; the two register outcomes of months 1..12
    # are measured on the same participants and matches.
    eff = {c: _index(pub, "effects", ["unit_code", "cohort", "outcome"], c) for c in COUNTS["effects"]}
    years: dict[tuple, list] = defaultdict(list)
    for (u, cohort, outcome), cell in eff["n_participants"].items():
        if cohort != "all":
            years[(u, outcome)].append(cell)
    for (u, outcome), cells in years.items():
        pub.relate([eff["n_participants"].get((u, "all", outcome))], cells)
    for c in COUNTS["effects"]:
        for (u, cohort, outcome), cell in eff[c].items():
            if outcome == "income_support_months":
                pub.relate([cell], [eff[c].get((u, cohort, "public_cost_sek"))])


# ---------------------------------------------------------------------------------------------- relation mining

UNIT_COLUMN = {"transfers": "from_unit", "unit_overlap": "unit_a"}  # the unit of a row, where not unit_code
KEYS = {  # the rest of a row's key, beside its unit and period
    "unit_scorecard": [],
    "leadership_overview": [],
    "intake_breakdown": ["dimension", "dimension_value"],
    "exits": ["exit_group", "exit_reason", "destination_unit_code"],
    "outcome_by_subgroup": ["gender", "age_band", "enrolment_reason"],
    "exit_groups": ["exit_group"],
    "phase_status": ["phase"],
    "process_summary": [],
    "instrument_summary": ["measure"],
    "period_costs": [],
    "socioeconomic": [],
    "goal_attainment": ["metric"],
    "transfers": ["to_unit"],
    "unit_overlap": ["unit_b"],
}
UNIT_TABLES = ("unit_scorecard", "leadership_overview", "process_summary", "period_costs", "socioeconomic")
ROW_FILTERS = {  # categorical columns a total could be taken over (unit tables: the same count, unfiltered)
    "intake_breakdown": ["dimension"],
    "exits": ["exit_group", "exit_reason", "destination_unit_code"],
    "outcome_by_subgroup": ["gender", "age_band", "enrolment_reason"],
    "exit_groups": ["exit_group"],
    "phase_status": ["phase"],
    "transfers": [],
    **{t: [] for t in UNIT_TABLES},
}
# Row tables with one row per unit-period and value of a column, only for some units (the measures a unit uses,
# the goals it set): a figure is compared with the row where the row exists.
ROW_PER_VALUE = {"instrument_summary": "measure", "goal_attainment": "metric"}
EFFECT_OUTCOMES = ("in_work_or_studies_at_horizon", "income_support_months", "public_cost_sek")


def _unit_frame(frames: dict[str, pd.DataFrame], table: str) -> pd.DataFrame:
    frame = frames[table]
    return frame.rename(columns={UNIT_COLUMN[table]: "unit_code"}) if table in UNIT_COLUMN else frame


def mine(truth: pd.DataFrame | None = None, *, frames: dict[str, pd.DataFrame], periods: pd.DataFrame) -> set:
    """Relations that hold on the unsuppressed figures, found by trying rather than by knowing the definitions:

    * ("flow", table, column): the column adds up over every period tiling (where the figure is non-zero
      somewhere), per unit and row key;
    * ("stock", table, column): the column is the same in every period ending on the same day;
    * ("total", table, column, row_table, row_column, filter): a unit-period figure equals the sum of a row table's
      column over a unit-period, unfiltered or with one categorical column equal to one value (in every
      unit-period where the figure or the sum is non-zero); a row table may be another unit table (the same count
      published twice);
    * ("equal", table, column, row_table, row_column, filter, value): a unit-period figure equals the row of a
      ROW_PER_VALUE table with that value, wherever that row exists (value "*": for every value of the filter);
    * ("cumulative", table, column, flow_table, flow_column): a unit-period figure is the figure of the period
      ending the day before plus a flow of the period;
    * ("cohorts", "effects", column): reports.effects' cohort 'all' is the sum of the year cohorts;
      ("same", "effects", column, outcome, outcome): two outcomes have the same count in every unit and cohort.
    A relation the auditor does not use is a hole in its list (and probably in the disclosure control's)."""
    found = set()
    tilings = _tilings(periods)
    ends: dict = defaultdict(list)
    for r in periods.itertuples(index=False):
        ends[r.measured_to].append(r.period_label)
    for table, counts in COUNTS.items():
        if table not in KEYS:
            continue
        frame = _unit_frame(frames, table)
        keys = ["unit_code", *KEYS[table]]
        for column in counts:
            series = frame.set_index([*keys, "period_label"])[column].dropna()
            values = {k: int(v) for k, v in series.items()}
            by_key: dict[tuple, dict[str, int]] = defaultdict(dict)
            for k, v in values.items():
                by_key[k[:-1]][k[-1]] = v
            additive = tested = 0
            equal = stocks = 0
            for per_period in by_key.values():
                for parent, parts in tilings:
                    if parent in per_period or any(q in per_period for q in parts):
                        total = per_period.get(parent, 0)
                        summed = sum(per_period.get(q, 0) for q in parts)
                        if total or summed:
                            tested += 1
                            additive += total == summed
                for labels in ends.values():
                    present = [per_period[x] for x in labels if x in per_period]
                    if len(present) > 1 and any(present):
                        stocks += 1
                        equal += len(set(present)) == 1
            if tested and additive == tested:
                found.add(("flow", table, column))
            if stocks and equal == stocks:
                found.add(("stock", table, column))
    for table in UNIT_TABLES:
        frame = frames[table].set_index(["unit_code", "period_label"])
        for column in COUNTS[table]:
            figure = frame[column].astype("float64")
            for row_table, filters in ROW_FILTERS.items():
                rows = _unit_frame(frames, row_table)
                # Filters that pick the same rows are one (the first: the exit group before the reason).
                options, seen = [], set()
                candidates = [(None, None)] + [
                    (name, v) for name in filters for v in sorted(rows[name].dropna().unique(), key=str)
                ]
                for f, v in candidates:
                    picked = frozenset(rows.index if f is None else rows.index[rows[f] == v])
                    if picked not in seen:
                        seen.add(picked)
                        options.append((f, v))
                for row_column in COUNTS[row_table]:
                    if (row_table, row_column) == (table, column):
                        continue
                    for f, v in options:
                        subset = rows if f is None else rows[rows[f] == v]
                        if row_table == "intake_breakdown" and f is None:
                            continue  # the dimensions each add up: taken one at a time
                        summed = subset.groupby(["unit_code", "period_label"])[row_column].sum()
                        both = pd.concat([figure, summed], axis=1).fillna(0)
                        both = both[(both.iloc[:, 0] != 0) | (both.iloc[:, 1] != 0)]
                        if len(both) >= 10 and (both.iloc[:, 0] == both.iloc[:, 1]).all():
                            found.add(("total", table, column, row_table, row_column, f, v))
    found |= _mine_equal(frames)
    found |= _mine_cumulative(frames, periods, ends)
    found |= _mine_effects(frames["effects"])
    return found


def _mine_equal(frames: dict[str, pd.DataFrame]) -> set:
    found = set()
    for table in UNIT_TABLES:
        frame = frames[table].set_index(["unit_code", "period_label"])
        for column in COUNTS[table]:
            figure = frame[column].dropna().astype("int64").to_dict()
            for row_table, filter_column in ROW_PER_VALUE.items():
                rows = frames[row_table]
                for row_column in COUNTS[row_table]:
                    holds = []
                    for value, subset in rows.groupby(filter_column):
                        series = subset.set_index(["unit_code", "period_label"])[row_column].dropna()
                        pairs = [(figure.get(k, 0), int(v)) for k, v in series.items()]
                        pairs = [(x, y) for x, y in pairs if x or y]
                        holds.append((value, len(pairs) >= 10 and all(x == y for x, y in pairs)))
                    if holds and all(h for _, h in holds):
                        found.add(("equal", table, column, row_table, row_column, filter_column, "*"))
                    else:
                        found |= {
                            ("equal", table, column, row_table, row_column, filter_column, v) for v, h in holds if h
                        }
    return found


def _mine_cumulative(frames: dict[str, pd.DataFrame], periods: pd.DataFrame, ends: dict) -> set:
    found = set()
    before = {r.period_label: ends.get(r.starts_on - timedelta(days=1), []) for r in periods.itertuples(index=False)}
    figures = {
        (t, c): {k: int(v) for k, v in frames[t].set_index(["unit_code", "period_label"])[c].dropna().items()}
        for t in UNIT_TABLES
        for c in COUNTS[t]
    }
    for (table, column), stock in figures.items():
        for (flow_table, flow_column), flow in figures.items():
            if (flow_table, flow_column) == (table, column):
                continue
            tested = held = 0
            for (u, p), value in stock.items():
                for b in before.get(p, []):
                    if (u, b) in stock and (value or stock[(u, b)]):
                        tested += 1
                        held += value == stock[(u, b)] + flow.get((u, p), 0)
            if tested >= 10 and held == tested:
                found.add(("cumulative", table, column, flow_table, flow_column))
    return found


def _mine_effects(frame: pd.DataFrame) -> set:
    found = set()
    for column in COUNTS["effects"]:
        values = {k: int(v) for k, v in frame.set_index(["unit_code", "cohort", "outcome"])[column].dropna().items()}
        tested = held = 0
        for (u, cohort, outcome), total in values.items():
            if cohort == "all":
                summed = sum(v for (u2, c2, o2), v in values.items() if (u2, o2) == (u, outcome) and c2 != "all")
                if total or summed:
                    tested += 1
                    held += total == summed
        if tested and held == tested:
            found.add(("cohorts", "effects", column))
        for i, a in enumerate(EFFECT_OUTCOMES):
            for b in EFFECT_OUTCOMES[i + 1 :]:
                pairs = [(v, values.get((u, c, b))) for (u, c, o), v in values.items() if o == a]
                pairs = [(x, y) for x, y in pairs if y is not None and (x or y)]
                if pairs and all(x == y for x, y in pairs):
                    found.add(("same", "effects", column, a, b))
    return found


def known_families(goal_metrics: set[str] | None = None) -> set:
    """The relation families this auditor attacks with (for comparison with what mining finds); goals only of the
    metrics that have targets (`goal_metrics`, default all)."""
    known = {("flow", t, c) for t, c in FLOWS} | {("stock", t, c) for t, c in STOCKS}
    known |= {("flow", "intake_breakdown", c) for c in ("new_cases", "exited_cases")}
    known |= {("flow", "exits", "exited_cases"), ("flow", "exit_groups", "exited_cases")}
    known |= {("flow", "outcome_by_subgroup", c) for c in COUNTS["outcome_by_subgroup"]}
    known |= {("flow", "instrument_summary", c) for c in COUNTS["instrument_summary"] if c != "active_cases"}
    known |= {("flow", "transfers", "transferred_cases")}
    known |= {("stock", "phase_status", "ongoing_at_end"), ("stock", "unit_overlap", "persons_ever")}
    overview = ("unit_scorecard", "leadership_overview")
    for c in ("active_cases", "new_cases", "exited_cases"):
        for dim in ("age_band", "enrolment_reason", "gender", "referral_source"):
            for t in overview:
                known.add(("total", t, c, "intake_breakdown", c, "dimension", dim))
    for dim in ("age_band", "enrolment_reason", "gender", "referral_source"):
        known.add(("total", "period_costs", "active_cases", "intake_breakdown", "active_cases", "dimension", dim))
    known.add(("total", "period_costs", "positive_exits", "outcome_by_subgroup", "positive_exits", None, None))
    for t in overview:
        known.add(("total", t, "exited_cases", "exits", "exited_cases", None, None))
        known.add(("total", t, "exited_cases", "exit_groups", "exited_cases", None, None))
        known.add(("total", t, "ongoing_at_end", "phase_status", "ongoing_at_end", None, None))
    known.add(("total", "unit_scorecard", "dropouts", "exits", "exited_cases", "exit_group", "dropout"))
    known.add(("total", "unit_scorecard", "dropouts", "exit_groups", "exited_cases", "exit_group", "dropout"))
    known.add(("total", "leadership_overview", "transfers_out", "exits", "exited_cases", "exit_group", "transferred"))
    known.add(
        ("total", "leadership_overview", "transfers_out", "exit_groups", "exited_cases", "exit_group", "transferred")
    )
    known.add(("total", "leadership_overview", "transfers_out", "transfers", "transferred_cases", None, None))
    for c in COUNTS["outcome_by_subgroup"]:
        known.add(("total", "unit_scorecard", c, "outcome_by_subgroup", c, None, None))
    known.add(("total", "leadership_overview", "exited_cases", "outcome_by_subgroup", "exited_cases", None, None))
    # The same count in two unit tables (both ways), and as rows of the instrument summary and the goals.
    same = [
        {("unit_scorecard", "active_cases"), ("leadership_overview", "active_cases"), ("period_costs", "active_cases")},
        {("unit_scorecard", "positive_exits"), ("period_costs", "positive_exits")},
    ] + [{("unit_scorecard", c), ("leadership_overview", c)} for c in ("new_cases", "exited_cases", "ongoing_at_end")]
    for group in same:
        for a in group:
            for b in group - {a}:
                known.add(("total", *a, *b, None, None))
    for t in ("unit_scorecard", "leadership_overview", "period_costs"):
        known.add(("equal", t, "active_cases", "instrument_summary", "active_cases", "measure", "*"))
    for c, measure, column in (
        ("ors_pairs", "ors_total", "cases_with_pair"),
        ("ors_reliable_improvement", "ors_total", "reliable_improvement"),
        ("wellbeing_pairs", "wellbeing", "cases_with_pair"),
        ("wellbeing_improved", "wellbeing", "improved"),
    ):
        known.add(("equal", "unit_scorecard", c, "instrument_summary", column, "measure", measure))
    for metric, (table, column) in GOAL_BASIS.items():
        if goal_metrics is not None and metric not in goal_metrics:
            continue
        for group in same:
            if (table, column) in group:
                for t, c in group:
                    known.add(("equal", t, c, "goal_attainment", "basis_cases", "metric", metric))
                break
        else:
            known.add(("equal", table, column, "goal_attainment", "basis_cases", "metric", metric))
    # Exits to date: the day before's plus the period's exits.
    for t in ("unit_scorecard", "leadership_overview"):
        known.add(("cumulative", "socioeconomic", "exited_cases_to_date", t, "exited_cases"))
    known.add(("cohorts", "effects", "n_participants"))
    for column in COUNTS["effects"]:
        known.add(("same", "effects", column, "income_support_months", "public_cost_sek"))
    return known


# ---------------------------------------------------------------------------------------------- attacks


def single_subtraction(pub: Published) -> set[int]:
    found = set()
    for relation in pub.relations:
        unknown = [c for c in relation if pub.value[c] is None]
        if len(unknown) == 1:
            found.add(unknown[0])
    return found


def chained_subtraction(pub: Published) -> dict[int, int]:
    """Solve every relation with one unknown, add the solution to what is known, repeat: cell -> value."""
    known = {c: v for c, v in enumerate(pub.value) if v is not None}
    by_cell = defaultdict(list)
    for r, relation in enumerate(pub.relations):
        for c in relation:
            by_cell[c].append(r)
    queue = list(range(len(pub.relations)))
    solved: dict[int, int] = {}
    while queue:
        r = queue.pop()
        relation = pub.relations[r]
        unknown = [c for c in relation if c not in known]
        if len(unknown) != 1:
            continue
        c = unknown[0]
        rest = sum(x * known[d] for d, x in relation.items() if d != c)
        known[c] = solved[c] = -rest // relation[c]
        queue.extend(by_cell[c])
    return solved


def linear_combination(pub: Published) -> set[int]:
    """Cells whose value any linear combination of the relations determines (exact elimination)."""
    secret = [v is None for v in pub.value]
    relations = [tuple(sorted(r.items())) for r in pub.relations if any(secret[c] for c in r)]
    return set(Elimination(secret, relations).exposed())


def share_attacks(pub: Published, known: dict[int, int]) -> set[int]:
    """Suppressed counts that a published share or per-person figure gives back next to its known denominator
    (or numerator), or that its published interval gives back (a Wilson interval fixes both p and n)."""
    found = set()
    records = {t: f.to_dict("records") for t, f in pub.frames.items()}
    rows_of: dict[str, dict[tuple, int]] = {}
    for table in TABLES:
        frame = pub.frames[table]
        if {"unit_code", "period_label"} <= set(frame.columns):
            keys = frame[["unit_code", "period_label"]].itertuples(index=False, name=None)
            rows_of[table] = {k: i for i, k in reversed(list(enumerate(keys)))}

    def operand(table: str, i: int, ref: str | None):
        """(count cell or None, known value or None) of a numerator or denominator."""
        if ref is None:
            return None, None
        if "." in ref:
            other, column = ref.split(".")
            row = records[table][i]
            j = rows_of.get(other, {}).get((row["unit_code"], row["period_label"]))
            if j is None:
                return None, None
            table, i, ref = other, j, column
        cell = pub.cell.get((table, i, ref))
        if cell is not None:
            return cell, known.get(cell)
        if ref in COUNTS[table] or ref not in records[table][i]:
            return None, None  # no data
        value = records[table][i][ref]
        return None, None if pd.isna(value) else value

    def attack(table: str, i: int, figure: str, num: str | None, den: str | None) -> None:
        row = records[table][i]
        n, n_value = operand(table, i, num)
        d, d_value = operand(table, i, den)
        if not pd.isna(row[figure]):
            if n is not None and n_value is None and d_value is not None:
                found.add(n)
            if d is not None and d_value is None and n_value is not None and n_value != 0:
                found.add(d)
        bounds = [f"{figure}_ci_low", f"{figure}_ci_high"] if figure != "actual_value" else ["ci_low", "ci_high"]
        if all(b in row and not pd.isna(row[b]) for b in bounds):
            found.update(c for c, v in ((n, n_value), (d, d_value)) if c is not None and v is None)

    for table, figure, num, den in SHARES:
        if figure in pub.frames[table].columns:
            for i in range(len(pub.frames[table])):
                attack(table, i, figure, num, den)
    goals = pub.frames["goal_attainment"]
    for i, metric in enumerate(goals["metric"]):
        if metric in GOAL_SHARES:
            attack("goal_attainment", i, "actual_value", *GOAL_SHARES[metric])
    return found


def audit(published_dir: Path) -> dict:
    pub = read(published_dir)
    suppressed = {c for c, v in enumerate(pub.value) if v is None}
    single = single_subtraction(pub) & suppressed
    chained = chained_subtraction(pub)
    linear = linear_combination(pub)
    known = {c: v for c, v in enumerate(pub.value) if v is not None} | chained
    shares = share_attacks(pub, known)
    return {
        "count_cells": len(pub.value),
        "suppressed_cells": len(suppressed),
        "relations": len(pub.relations),
        "recovered_single_subtraction": len(single),
        "recovered_chained_subtraction": len(chained),
        "recovered_linear_combination": len(linear),
        "recovered_through_shares": len(shares),
        "recovered": len(single | set(chained) | linear | shares),
        "_pub": pub,
        "_chained": chained,
    }


def figures(result: dict) -> dict:
    return {k: v for k, v in result.items() if not k.startswith("_")}


if __name__ == "__main__":
    print(json.dumps(figures(audit(Path(sys.argv[1]))), indent=2))
