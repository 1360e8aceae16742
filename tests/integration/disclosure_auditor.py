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

TABLES = ("unit_scorecard", "leadership_overview", "intake_breakdown", "exits", "outcome_by_subgroup")
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
}  # fmt: skip
FLOWS = [  # counts of events in the period: a period's figure is the sum of the figures of periods that tile it
    ("unit_scorecard", c)
    for c in ("new_cases", "exited_cases", "positive_exits", "dropouts", "ors_pairs", "ors_reliable_improvement",
              "wellbeing_pairs", "wellbeing_improved", "srs_sessions")
] + [("leadership_overview", c) for c in ("new_cases", "exited_cases", "transfers_out", "transfers_in")]  # fmt: skip
STOCKS = [("unit_scorecard", "ongoing_at_end"), ("unit_scorecard", "horizon_cohort_cases"),
          ("leadership_overview", "ongoing_at_end")]  # fmt: skip
SHARES = [  # table, share, numerator, denominator (count columns of the same row, or of the unit-period)
    ("unit_scorecard", "positive_exit_share", "positive_exits", "exited_cases"),
    ("unit_scorecard", "ors_reliable_improvement_share", "ors_reliable_improvement", "ors_pairs"),
    ("unit_scorecard", "wellbeing_improved_share", "wellbeing_improved", "wellbeing_pairs"),
    ("unit_scorecard", "work_or_studies_at_horizon_share", None, "horizon_cohort_cases"),
    ("leadership_overview", "work_or_studies_at_horizon_share", None, "horizon_cohort_cases"),
    ("outcome_by_subgroup", "positive_exit_share", "positive_exits", "exited_cases"),
]


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
        if relation:
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
        nest({"unit_scorecard": sc, "leadership_overview": lo}[table][c])
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
        index = {"unit_scorecard": sc, "leadership_overview": lo}[table][c]
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


# ---------------------------------------------------------------------------------------------- relation mining

KEYS = {
    "unit_scorecard": [],
    "leadership_overview": [],
    "intake_breakdown": ["dimension", "dimension_value"],
    "exits": ["exit_group", "exit_reason", "destination_unit_code"],
    "outcome_by_subgroup": ["gender", "age_band", "enrolment_reason"],
}
ROW_FILTERS = {  # categorical columns a total could be taken over
    "intake_breakdown": ["dimension"],
    "exits": ["exit_group", "exit_reason", "destination_unit_code"],
    "outcome_by_subgroup": ["gender", "age_band", "enrolment_reason"],
}


def mine(truth: pd.DataFrame | None = None, *, frames: dict[str, pd.DataFrame], periods: pd.DataFrame) -> set:
    """Relations that hold on the unsuppressed figures, found by trying rather than by knowing the definitions:

    * ("flow", table, column): the column adds up over every period tiling (where the figure is non-zero
      somewhere), per unit and row key;
    * ("stock", table, column): the column is the same in every period ending on the same day;
    * ("total", table, column, row_table, row_column, filter): a unit-period figure equals the sum of a row table's
      column over a unit-period, unfiltered or with one categorical column equal to one value (in every
      unit-period where the figure or the sum is non-zero).
    A relation the auditor does not use is a hole in its list (and probably in the disclosure control's)."""
    found = set()
    tilings = _tilings(periods)
    ends: dict = defaultdict(list)
    for r in periods.itertuples(index=False):
        ends[r.measured_to].append(r.period_label)
    for table, counts in COUNTS.items():
        frame = frames[table]
        keys = ["unit_code", *KEYS[table]]
        for column in counts:
            series = frame.set_index([*keys, "period_label"])[column]
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
    unit_tables = ("unit_scorecard", "leadership_overview")
    for table in unit_tables:
        frame = frames[table].set_index(["unit_code", "period_label"])
        for column in COUNTS[table]:
            figure = frame[column].astype("int64")
            for row_table, filters in ROW_FILTERS.items():
                rows = frames[row_table]
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
                    for f, v in options:
                        subset = rows if f is None else rows[rows[f] == v]
                        if row_table == "intake_breakdown" and f is None:
                            continue  # the dimensions each add up: taken one at a time
                        summed = subset.groupby(["unit_code", "period_label"])[row_column].sum()
                        both = pd.concat([figure, summed], axis=1).fillna(0)
                        both = both[(both.iloc[:, 0] != 0) | (both.iloc[:, 1] != 0)]
                        if len(both) >= 10 and (both.iloc[:, 0] == both.iloc[:, 1]).all():
                            found.add(("total", table, column, row_table, row_column, f, v))
    return found


def known_families() -> set:
    """The relation families this auditor attacks with (for comparison with what mining finds)."""
    known = {("flow", t, c) for t, c in FLOWS} | {("stock", t, c) for t, c in STOCKS}
    known |= {("flow", "intake_breakdown", c) for c in ("new_cases", "exited_cases")}
    known |= {("flow", "exits", "exited_cases")}
    known |= {("flow", "outcome_by_subgroup", c) for c in COUNTS["outcome_by_subgroup"]}
    for c in ("active_cases", "new_cases", "exited_cases"):
        for dim in ("age_band", "enrolment_reason", "gender", "referral_source"):
            for t in ("unit_scorecard", "leadership_overview"):
                known.add(("total", t, c, "intake_breakdown", c, "dimension", dim))
    for t in ("unit_scorecard", "leadership_overview"):
        known.add(("total", t, "exited_cases", "exits", "exited_cases", None, None))
    known.add(("total", "unit_scorecard", "dropouts", "exits", "exited_cases", "exit_group", "dropout"))
    known.add(("total", "leadership_overview", "transfers_out", "exits", "exited_cases", "exit_group", "transferred"))
    for c in COUNTS["outcome_by_subgroup"]:
        known.add(("total", "unit_scorecard", c, "outcome_by_subgroup", c, None, None))
    known.add(("total", "leadership_overview", "exited_cases", "outcome_by_subgroup", "exited_cases", None, None))
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
    """Suppressed counts that a published share gives back next to its known denominator (or numerator)."""
    found = set()
    for table, share, num, den in SHARES:
        frame = pub.frames[table]
        for i, value in enumerate(frame[share]):
            if pd.isna(value):
                continue
            n = pub.cell.get((table, i, num)) if num else None
            d = pub.cell.get((table, i, den))
            if n is not None and d is not None:
                if pub.value[n] is None and d in known:
                    found.add(n)
                if pub.value[d] is None and n in known and known[n] != 0:
                    found.add(d)
    # reports.exits: the period's positive and dropout shares rest on the scorecard's counts.
    sc = pub.frames["unit_scorecard"]
    row_of = {k: i for i, k in enumerate(sc[["unit_code", "period_label"]].itertuples(index=False, name=None))}
    exits = pub.frames["exits"]
    for share, num in (("positive_exit_share", "positive_exits"), ("dropout_share", "dropouts")):
        keys = exits[["unit_code", "period_label"]].itertuples(index=False, name=None)
        for (u, p), value in zip(keys, exits[share], strict=True):
            if pd.isna(value) or (u, p) not in row_of:
                continue
            n = pub.cell.get(("unit_scorecard", row_of[(u, p)], num))
            d = pub.cell.get(("unit_scorecard", row_of[(u, p)], "exited_cases"))
            if n is not None and d is not None:
                if pub.value[n] is None and d in known:
                    found.add(n)
                if pub.value[d] is None and n in known and known[n] != 0:
                    found.add(d)
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
