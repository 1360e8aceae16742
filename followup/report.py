"""`followup report`: one unit's report for one period, in the order of a self-evaluation (docs/reports.md).

Everything comes from the published copy's suppressed `reports` tables (and its load ledger and publication
history for the data-quality section); nothing from the warehouse. The report is built once as sections of tables,
charts and sentences (this module), then written as HTML (templates/unit_report.html.j2), as a PDF of that HTML
or as an XLSX workbook of its tables (followup/render.py). Tables or columns another part of the warehouse adds
later (reports.effects, intervals, evidence, counterfactual payback) are shown when the copy has them; when it does
not, the section says so in a sentence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path

import duckdb
import yaml

from followup import charts
from followup.charts import Point
from followup.labels import Formatter, Labels
from followup.tables import DASH, Cell, Cells, Table, is_suppressed
from orchestration.publish.copy import open_published

SHARE_METRICS = {
    "attendance_rate",
    "action_plan_within_90_days_share",
    "drug_free_share",
    "positive_exit_share",
    "dropout_share",
    "work_or_studies_at_horizon_share",
    "ors_reliable_improvement_share",
    "wellbeing_improved_share",
    "budget_spent_share",
}
MONEY_METRICS = {"cost_per_case"}
DEFAULT_HORIZON_MONTHS = 18


class ReportError(RuntimeError):
    pass


@cache
def code_list_order(name: str) -> list[str]:
    """The codes of a code list in the order of sources/codelists.yml (the order a reader expects)."""
    text = files("sources").joinpath("codelists.yml").read_text(encoding="utf-8")
    return list(yaml.safe_load(text).get(name, []))


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[tuple[str, str]] = field(default_factory=list)  # (caption, svg)
    notes: list[str] = field(default_factory=list)  # sentences after the tables: what is missing and why

    def add_chart(self, chart: tuple[str, str]) -> None:
        """A chart goes right after the table it illustrates (the last one added), else at the section's end."""
        (self.tables[-1].charts if self.tables else self.charts).append(chart)


@dataclass
class Document:
    lang: str
    title: str
    subtitle: str
    facts: list[tuple[str, str]]  # the header's label/value pairs
    sections: list[Section]
    footer: str
    as_of: date | None
    identifier: str  # stable: what the document is about (unit, period, language, publication)


# ---------------------------------------------------------------------------------------------- reading the copy


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    """Rows as dicts; [] when a table or column this published copy does not have is named."""
    try:
        cursor = con.execute(sql, params or [])
    except (duckdb.CatalogException, duckdb.BinderException):
        return []
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?", [schema, table]
        ).fetchone()[0]
    )


def valid_units(con: duckdb.DuckDBPyConnection) -> str:
    units = rows(con, "SELECT unit_code, unit_name FROM reports.units ORDER BY unit_code")
    if not units:
        units = rows(con, "SELECT DISTINCT unit_code, NULL AS unit_name FROM reports.unit_scorecard ORDER BY 1")
    return ", ".join(f"{u['unit_code']} ({u['unit_name']})" if u["unit_name"] else u["unit_code"] for u in units)


def resolve_period(con: duckdb.DuckDBPyConnection, period: str) -> dict:
    """The period's row; `latest` is the latest complete half-year. Unknown labels are answered with the valid ones."""
    if period == "latest":
        found = rows(
            con,
            """SELECT * FROM reports.periods WHERE period_type = 'half_year' AND is_complete
               ORDER BY starts_on DESC LIMIT 1""",
        )
    else:
        found = rows(con, "SELECT * FROM reports.periods WHERE period_label = ?", [period])
    if not found:
        labels = rows(
            con,
            """SELECT period_label FROM reports.periods WHERE period_type IN ('half_year', 'year', 'custom')
               ORDER BY starts_on DESC, period_label""",
        )
        listed = ", ".join(r["period_label"] for r in labels[:12])
        raise ReportError(
            f"unknown period {period}; periods in the published copy include {listed} "
            "(and every month, quarter and half-year: 2017-07, 2017-Q3, 2017-H2)"
        )
    return found[0]


def resolve_unit(con: duckdb.DuckDBPyConnection, unit: str) -> dict:
    found = rows(con, "SELECT * FROM reports.units WHERE unit_code = ?", [unit])
    if found:
        return found[0]
    if not has_table(con, "reports", "units") and rows(
        con, "SELECT 1 FROM reports.unit_scorecard WHERE unit_code = ? LIMIT 1", [unit]
    ):
        return {"unit_code": unit, "unit_name": unit}
    raise ReportError(f"unknown unit {unit}; units in the published copy: {valid_units(con)}")


def publication(con: duckdb.DuckDBPyConnection, period_label: str) -> dict | None:
    found = rows(
        con,
        """SELECT * FROM reports.publications WHERE period_label = ?
           ORDER BY publication_version DESC LIMIT 1""",
        [period_label],
    )
    return found[0] if found else None


def as_of_date(con: duckdb.DuckDBPyConnection) -> date | None:
    found = rows(con, "SELECT max(measured_to) AS as_of FROM reports.periods")
    return found[0]["as_of"] if found else None


# ---------------------------------------------------------------------------------------------- the unit report


class UnitReport:
    """Builds the Document of one unit and period in one language from an open published copy."""

    def __init__(self, con: duckdb.DuckDBPyConnection, unit: str, period: str, lang: str, k: int):
        self.con = con
        self.fmt = Formatter(lang, k)
        self.cells = Cells(self.fmt)
        self.labels = Labels.from_published(con)
        self.lang = lang
        self.unit = resolve_unit(con, unit)
        self.period = resolve_period(con, period)
        self.p = self.period["period_label"]
        self.u = self.unit["unit_code"]
        card = rows(
            con, "SELECT * FROM reports.unit_scorecard WHERE unit_code = ? AND period_label = ?", [self.u, self.p]
        )
        if not card:
            raise ReportError(
                f"unit {self.u} has no figures for period {self.p} (the unit runs "
                f"{self.unit.get('starts_on') or '?'} to {self.unit.get('ends_on') or 'today'})"
            )
        self.card = card[0]
        self.goals = self._unit_rows("goal_attainment", "metric")
        self.exit_groups = {r["exit_group"]: r for r in self._unit_rows("exit_groups", "exit_group")}
        self.process = (self._unit_rows("process_summary") or [None])[0]
        self.costs = (self._unit_rows("period_costs") or [None])[0]
        self.socio = (self._unit_rows("socioeconomic") or [None])[0]
        self.publication = publication(con, self.p)
        self.as_of = as_of_date(con)

    def _unit_rows(self, table: str, order: str | None = None) -> list[dict]:
        order_by = f" ORDER BY {order}" if order else ""
        return rows(
            self.con,
            f"SELECT * FROM reports.{table} WHERE unit_code = ? AND period_label = ?{order_by}",
            [self.u, self.p],
        )

    # ------------------------------------------------------------------ helpers

    def t(self, key: str, **values) -> str:
        return self.fmt.t(key, **values)

    def label(self, code_list: str, code) -> str:
        return self.labels.label(code_list, code, self.lang)

    def spoken_count(self, row: dict | None, column: str) -> str:
        """A count inside a sentence: the number, or the suppression mark `<5` when hidden (a count hidden by
        disclosure control across tables may be 5 or more: never `fewer than 5` in words)."""
        if is_suppressed(row, column):
            return self.t("hidden_count", k=self.fmt.k)
        value = (row or {}).get(column)
        return DASH if value is None else self.fmt.integer(value)

    def period_words(self) -> str:
        return self.t(
            "period_span", start=self.fmt.date(self.period["starts_on"]), end=self.fmt.date(self.period["ends_on"])
        )

    def horizon_months(self) -> int:
        for g in self.goals:
            if g["metric"] == "work_or_studies_at_horizon_share" and g.get("horizon_months"):
                return int(g["horizon_months"])
        return DEFAULT_HORIZON_MONTHS

    # ------------------------------------------------------------------ the document

    def build(self) -> Document:
        u, fmt = self.unit, self.fmt
        facts = [
            (self.t("fact_unit"), f"{u.get('unit_name') or self.u} ({self.u})"),
            (self.t("fact_organisation"), ", ".join(x for x in (u.get("organisation"), u.get("municipality")) if x)),
            (self.t("fact_funding"), self.label("funding", u.get("funding")) if u.get("funding") else DASH),
            (self.t("fact_target_group"), u.get("target_group") or DASH),
            (self.t("fact_period"), f"{self.p} ({self.period_words()})"),
            (self.t("fact_unit_runs"), self._unit_span()),
        ]
        sections = [
            self.summary(),
            self.participants(),
            self.effect_goals(),
            self.process_section(),
            self.outcomes(),
            self.effects(),
            self.budget(),
            self.data_quality(),
        ]
        version = self.publication["publication_version"] if self.publication else 0
        footer = self.t(
            "footer",
            k=fmt.k,
            as_of=fmt.date(self.as_of) if self.as_of else DASH,
            version=self._version_words(),
        )
        return Document(
            lang=self.lang,
            title=self.t("report_title", unit=u.get("unit_name") or self.u),
            subtitle=self.t("report_subtitle", period=self.p),
            facts=facts,
            sections=sections,
            footer=footer,
            as_of=self.as_of,
            identifier=f"followup-report/{self.u}/{self.p}/{self.lang}/v{version}/{self.as_of}",
        )

    def _unit_span(self) -> str:
        start = self.fmt.date(self.unit.get("starts_on")) if self.unit.get("starts_on") else "?"
        end = self.unit.get("ends_on")
        return self.t("unit_span", start=start, end=self.fmt.date(end)) if end else self.t("unit_open", start=start)

    def _version_words(self) -> str:
        if self.publication:
            return self.t(
                "published_version",
                version=self.publication["publication_version"],
                date=self.fmt.date(self.publication["published_at"].date()),
            )
        return self.t("not_frozen")

    # ------------------------------------------------------------------ 1 summary

    def summary(self) -> Section:
        c, t = self.card, self.t
        sentences = [
            t(
                "sum_unit",
                name=self.unit.get("unit_name") or self.u,
                organisation=", ".join(x for x in (self.unit.get("organisation"), self.unit.get("municipality")) if x),
                funding=self.label("funding", self.unit.get("funding")).lower() if self.unit.get("funding") else DASH,
            )
        ]
        if self.unit.get("target_group"):
            sentences.append(t("sum_target_group", target_group=self.unit["target_group"]))
        sentences.append(
            t(
                "sum_participants",
                active=self.spoken_count(c, "active_cases"),
                period=self.period_words(),
                new=self.spoken_count(c, "new_cases"),
            )
        )
        g = self.exit_groups
        if g:
            sentences.append(
                t(
                    "sum_exits",
                    exited=self.spoken_count(c, "exited_cases"),
                    work=self.spoken_count(g.get("work"), "exited_cases"),
                    studies=self.spoken_count(g.get("studies"), "exited_cases"),
                    other=self.spoken_count(g.get("other"), "exited_cases"),
                    dropout=self.spoken_count(g.get("dropout"), "exited_cases"),
                )
            )
            transferred = g.get("transferred")
            if transferred and (transferred.get("exited_cases") or is_suppressed(transferred, "exited_cases")):
                sentences.append(t("sum_transferred", n=self.spoken_count(transferred, "exited_cases")))
        phases = self._unit_rows("phase_status", "phase")
        phase_words = ""
        if phases and all(not is_suppressed(r, "ongoing_at_end") for r in phases):
            phase_words = t(
                "sum_phases",
                phases=", ".join(
                    f"{self.fmt.integer(r['ongoing_at_end'])} {self.label('phase', r['phase']).lower()}" for r in phases
                ),
            )
        sentences.append(
            t(
                "sum_ongoing",
                ongoing=self.spoken_count(c, "ongoing_at_end"),
                date=self.fmt.date(self.period["measured_to"]),
                phases=phase_words,
            )
        )
        counted = self._goal_counts()
        if counted["total"]:
            sentences.append(t("sum_goals", **{k: self.fmt.integer(v) for k, v in counted.items()}))
        total = self._budget_total()
        if total and total.get("decided_sek"):
            sentences.append(
                t(
                    "sum_budget",
                    decided=self.fmt.money(total["decided_sek"]),
                    spent=self.fmt.money(total["spent_sek"] or 0),
                    share=self.fmt.share(total["budget_spent_share"] or 0),
                    date=self.fmt.date(self.period["measured_to"]),
                    remaining=self.fmt.money(total["remaining_sek"] or 0),
                )
            )
        s = self.socio
        if s and s.get("counterfactual_payback_months") is not None:
            paid = self.cells.payback(
                s["counterfactual_payback_months"],
                low=s.get("payback_months_ci_low"),
                high=s.get("payback_months_ci_high"),
            )
            naive = self.cells.payback(s.get("payback_months"), is_suppressed(s, "payback_months"))
            sentences.append(t("sum_payback_counterfactual", payback=paid.text, naive=naive.text))
        elif s and s.get("payback_months") is not None:
            sentences.append(t("sum_payback", months=self.fmt.decimal(s["payback_months"], 0)))
        return Section("summary", t("sec_summary"), paragraphs=sentences)

    def _goal_counts(self) -> dict[str, int]:
        statuses = [g.get("status") for g in self.goals]
        evidence = [g.get("evidence") for g in self.goals]
        return {
            "total": len(self.goals),
            "met": statuses.count("met"),
            "not_met": statuses.count("not_met"),
            "inconclusive": evidence.count("inconclusive"),
            "not_yet": statuses.count("not_yet_measurable"),
            "hidden": sum(1 for g in self.goals if is_suppressed(g, "status")) + statuses.count("no_data"),
        }

    # ------------------------------------------------------------------ 2 participants

    def participants(self) -> Section:
        c, cells, t = self.card, self.cells, self.t
        figures = Table(
            "participants",
            t("tab_participants"),
            [t("col_figure"), t("col_cases")],
            [
                [cells.text(t("fig_active")), cells.count(c, "active_cases")],
                [cells.text(t("fig_new")), cells.count(c, "new_cases")],
                [cells.text(t("fig_exited")), cells.count(c, "exited_cases")],
                [
                    cells.text(t("fig_ongoing", date=self.fmt.date(self.period["measured_to"]))),
                    cells.count(c, "ongoing_at_end"),
                ],
            ],
        )
        section = Section("participants", t("sec_participants"), tables=[figures])
        months = self._months()
        if months:
            points = [
                Point(self.fmt.month(m["starts_on"]), m.get("active_cases"), is_suppressed(m, "active_cases"))
                for m in months
            ]
            section.add_chart(
                (
                    t("chart_intake"),
                    charts.bars(points, self.fmt, ylabel=t("axis_active_cases"), xlabel=t("axis_month")),
                )
            )
        exits = Table("exits", t("tab_exits"), [t("col_destination"), t("col_cases")])
        reasons = self._unit_rows("exits", "exit_group, exit_reason")
        for group in ("work", "studies", "transferred", "other", "dropout"):
            row = self.exit_groups.get(group)
            if row is None:
                continue
            exits.rows.append(
                [cells.text(self.label("exit_group", group), bold=True), cells.count(row, "exited_cases")]
            )
            parts = [r for r in reasons if r["exit_group"] == group]
            # Beside a published group total, one hidden reason would be the total minus the others: the reasons
            # are listed only when none or at least two of them are hidden.
            if len(parts) > 1 and sum(is_suppressed(r, "exited_cases") for r in parts) != 1:
                for r in parts:
                    exits.rows.append(
                        [cells.text("  " + self.label("exit_reason", r["exit_reason"])), cells.count(r, "exited_cases")]
                    )
        if exits.rows:
            exits.note = t("note_exits")
            section.tables.append(exits)
            points = [
                Point(self.label("exit_group", g), row.get("exited_cases"), is_suppressed(row, "exited_cases"))
                for g in ("work", "studies", "transferred", "other", "dropout")
                if (row := self.exit_groups.get(g)) is not None
            ]
            section.add_chart(
                (t("chart_exits"), charts.bars(points, self.fmt, ylabel=t("axis_exited_cases"), horizontal=True))
            )
        phases = self._unit_rows("phase_status", "phase")
        if phases:
            section.tables.append(
                Table(
                    "phases",
                    t("tab_phases", date=self.fmt.date(self.period["measured_to"])),
                    [t("col_phase"), t("col_cases")],
                    [[cells.text(self.label("phase", r["phase"])), cells.count(r, "ongoing_at_end")] for r in phases],
                )
            )
        breakdown = rows(
            self.con,
            """SELECT * FROM reports.intake_breakdown WHERE unit_code = ? AND period_label = ?
               AND dimension IN ('gender', 'age_band') ORDER BY dimension DESC, dimension_value""",
            [self.u, self.p],
        )
        if breakdown:
            table = Table(
                "gender_age",
                t("tab_gender_age"),
                [t("col_group"), t("col_active"), t("col_new"), t("col_exited")],
            )
            for r in breakdown:
                table.rows.append(
                    [
                        cells.text(
                            f"{self.label('dimension', r['dimension'])}: "
                            f"{self.label(r['dimension'], r['dimension_value'])}"
                        ),
                        cells.count(r, "active_cases"),
                        cells.count(r, "new_cases"),
                        cells.count(r, "exited_cases"),
                    ]
                )
            section.tables.append(table)
        return section

    def _months(self) -> list[dict]:
        """The scorecard's months in the period (at least the last six to its end), oldest first."""
        months = rows(
            self.con,
            """SELECT s.*, p.starts_on FROM reports.unit_scorecard s JOIN reports.periods p USING (period_label)
               WHERE s.unit_code = ? AND p.period_type = 'month' AND p.ends_on <= ? AND p.starts_on >= ?
               ORDER BY p.starts_on""",
            [self.u, self.period["ends_on"], self.period["starts_on"]],
        )
        if len(months) >= 6:
            return months
        return rows(
            self.con,
            """SELECT s.*, p.starts_on FROM reports.unit_scorecard s JOIN reports.periods p USING (period_label)
               WHERE s.unit_code = ? AND p.period_type = 'month' AND p.starts_on <= ?
               ORDER BY p.starts_on DESC LIMIT 6""",
            [self.u, self.period["ends_on"]],
        )[::-1]

    # ------------------------------------------------------------------ 3 effect goals

    def _goal_value(self, metric: str, value, suppressed: bool = False, low=None, high=None, n=None) -> Cell:
        if metric in SHARE_METRICS:
            return self.cells.share(value, suppressed, low, high, n)
        if metric in MONEY_METRICS:
            return self.cells.money(value, suppressed=suppressed)
        if metric == "payback_months":
            cell = self.cells.decimal(value, 0, suppressed)
            return cell if cell.value is None else Cell(self.t("months_n", n=cell.text), cell.value, "decimal")
        return self.cells.decimal(value, 1, suppressed)

    def effect_goals(self) -> Section:
        t, cells = self.t, self.cells
        section = Section("goals", t("sec_goals"))
        if not self.goals:
            section.paragraphs.append(t("no_goals"))
            return section
        with_evidence = any(g.get("evidence") for g in self.goals)
        header = [t("col_goal"), t("col_target"), t("col_actual"), t("col_basis"), t("col_status")]
        if with_evidence:
            header.append(t("col_evidence"))
        header.append(t("col_comment"))
        table = Table("goals", t("tab_goals"), header)
        for g in self.goals:
            metric = g["metric"]
            goal_words = t(
                "goal_words",
                metric=self.label("metric_key", metric),
                comparator=self.label("comparator", g["comparator"]),
                target=self._goal_value(metric, g["target_value"]).text,
            )
            hidden = is_suppressed(g, "actual_value")
            actual = self._goal_value(metric, g.get("actual_value"), hidden, g.get("ci_low"), g.get("ci_high"))
            status_hidden = is_suppressed(g, "status")
            status = (
                cells.text(t("status_hidden", k=self.fmt.k))
                if status_hidden
                else cells.text(self.label("goal_status", g["status"]) if g.get("status") else DASH)
            )
            comment = ""
            if g.get("status") == "not_yet_measurable":
                comment = (
                    t(
                        "measurable_from",
                        month=self.fmt.month_long(g["measurable_from"]),
                        months=g.get("horizon_months") or DEFAULT_HORIZON_MONTHS,
                    )
                    if g.get("measurable_from")
                    else t("measurable_later", months=g.get("horizon_months") or DEFAULT_HORIZON_MONTHS)
                )
            elif g.get("status") == "no_data":
                comment = t("goal_no_data")
            row = [
                cells.text(goal_words),
                self._goal_value(metric, g["target_value"]),
                actual,
                cells.count(g, "basis_cases"),
                status,
            ]
            if with_evidence:
                row.append(cells.text(self.label("evidence", g["evidence"]) if g.get("evidence") else DASH))
            row.append(cells.text(comment))
            table.rows.append(row)
        section.tables.append(table)
        section.notes.append(t("note_goals", k=self.fmt.k))
        if not with_evidence:
            section.notes.append(t("no_evidence"))
        return section

    # ------------------------------------------------------------------ 4 process

    def _interval_end(self, row: dict, column: str):
        """An interval's end from the row, else from the scorecard (where the intervals of its shares are published)."""
        return row.get(column) if row.get(column) is not None else self.card.get(column)

    def process_section(self) -> Section:
        t, cells, pr = self.t, self.cells, self.process
        section = Section("process", t("sec_process"))
        months = self._months()
        target = next((g["target_value"] for g in self.goals if g["metric"] == "attendance_rate"), None)
        if months and any(m.get("attendance_rate") is not None or is_suppressed(m, "attendance_rate") for m in months):
            points = [
                Point(self.fmt.month(m["starts_on"]), m.get("attendance_rate"), is_suppressed(m, "attendance_rate"))
                for m in months
            ]
            svg = charts.bars(
                points,
                self.fmt,
                ylabel=t("axis_attendance"),
                xlabel=t("axis_month"),
                share=True,
                target=float(target) if target is not None else None,
                target_label=t("target_line", target=self.fmt.share(target)) if target is not None else "",
            )
            attendance = (t("chart_attendance"), svg)
        else:
            attendance = None
        if pr is None:
            section.paragraphs.append(t("no_process"))
            if attendance:
                section.add_chart(attendance)
            return section
        share = cells.share
        table = Table(
            "process",
            t("tab_process"),
            [t("col_figure"), t("col_value"), t("col_basis")],
            [
                [
                    cells.text(t("fig_attendance")),
                    share(pr.get("attendance_rate"), is_suppressed(pr, "attendance_rate")),
                    cells.count(pr, "attendance_cases"),
                ],
                [
                    cells.text(t("fig_action_plan")),
                    share(
                        pr.get("action_plan_within_90_days_share"),
                        is_suppressed(pr, "action_plan_within_90_days_share"),
                        self._interval_end(pr, "action_plan_within_90_days_share_ci_low"),
                        self._interval_end(pr, "action_plan_within_90_days_share_ci_high"),
                    ),
                    cells.count(pr, "plan_eligible_cases"),
                ],
                [
                    cells.text(t("fig_drug_free")),
                    share(
                        pr.get("drug_free_share"),
                        is_suppressed(pr, "drug_free_share"),
                        self._interval_end(pr, "drug_free_share_ci_low"),
                        self._interval_end(pr, "drug_free_share_ci_high"),
                    ),
                    cells.count(pr, "tested_cases"),
                ],
                [
                    cells.text(t("fig_activities_per_case_month")),
                    cells.decimal(pr.get("activities_per_case_month"), 2),
                    cells.value_count(pr.get("activities")),
                ],
                [
                    cells.text(t("fig_caseload")),
                    cells.decimal(pr.get("caseload_per_fte"), 1, is_suppressed(pr, "caseload_per_fte")),
                    cells.decimal(pr.get("staff_fte"), 1, unit=" " + t("fte")),
                ],
            ],
        )
        table.note = t("note_process")
        section.tables.append(table)
        if attendance:
            section.add_chart(attendance)
        return section

    # ------------------------------------------------------------------ 5 outcomes

    def outcomes(self) -> Section:
        t, cells, c = self.t, self.cells, self.card
        section = Section("outcomes", t("sec_outcomes"))
        measures = self._unit_rows("instrument_summary", "measure")
        if measures:
            table = Table(
                "instruments",
                t("tab_instruments"),
                [
                    t("col_measure"),
                    t("col_pairs"),
                    self.label("classification", "reliable_improvement"),
                    self.label("classification", "no_reliable_change"),
                    self.label("classification", "reliable_deterioration"),
                    t("col_recovered"),
                    t("col_improved"),
                    t("col_coverage"),
                ],
            )
            for m in measures:
                table.rows.append(
                    [
                        cells.text(self.label("measure", m["measure"])),
                        cells.count(m, "cases_with_pair"),
                        cells.count(m, "reliable_improvement"),
                        cells.count(m, "no_reliable_change"),
                        cells.count(m, "reliable_deterioration"),
                        cells.count(m, "recovered"),
                        cells.count(m, "improved"),
                        cells.share(
                            m.get("follow_up_coverage"),
                            is_suppressed(m, "follow_up_coverage"),
                            m.get("follow_up_coverage_ci_low"),
                            m.get("follow_up_coverage_ci_high"),
                        ),
                    ]
                )
            table.note = t("note_instruments")
            section.tables.append(table)
            classifiable = [m for m in measures if not m["measure"].startswith("wellbeing")]
            drawn = [
                Point("", m.get(c), is_suppressed(m, c))
                for m in classifiable
                for c in ("reliable_improvement", "no_reliable_change", "reliable_deterioration")
            ]
            if classifiable and charts.drawable(drawn):
                series = [
                    (
                        self.label("classification", cls),
                        [
                            Point(self.label("measure", m["measure"]), m.get(cls), is_suppressed(m, cls))
                            for m in classifiable
                        ],
                    )
                    for cls in ("reliable_improvement", "no_reliable_change", "reliable_deterioration")
                ]
                section.add_chart(
                    (
                        t("chart_instruments"),
                        charts.grouped_bars(
                            [self.label("measure", m["measure"]) for m in classifiable],
                            series,
                            self.fmt,
                            ylabel=t("axis_cases"),
                        ),
                    )
                )
        else:
            section.paragraphs.append(t("no_instruments"))
        horizon = Table(
            "horizon",
            t("tab_horizon", months=self.horizon_months()),
            [t("col_figure"), t("col_value")],
            [
                [
                    cells.text(t("fig_horizon_cohort", months=self.horizon_months())),
                    cells.count(c, "horizon_cohort_cases"),
                ],
                [
                    cells.text(t("fig_horizon_share")),
                    cells.share(
                        c.get("work_or_studies_at_horizon_share"),
                        is_suppressed(c, "work_or_studies_at_horizon_share"),
                        c.get("work_or_studies_at_horizon_share_ci_low"),
                        c.get("work_or_studies_at_horizon_share_ci_high"),
                    ),
                ],
            ],
        )
        section.tables.append(horizon)
        if not c.get("horizon_cohort_cases") and not is_suppressed(c, "horizon_cohort_cases"):
            section.notes.append(t("horizon_not_yet", months=self.horizon_months()))
        return section

    # ------------------------------------------------------------------ 6 effects

    def effects(self) -> Section:
        t, cells = self.t, self.cells
        section = Section("effects", t("sec_effects"))
        if not has_table(self.con, "reports", "effects"):
            section.paragraphs.append(t("effects_not_published"))
            return section
        effects = rows(self.con, "SELECT * FROM reports.effects WHERE unit_code = ? ORDER BY ALL", [self.u])
        if not effects:
            section.paragraphs.append(t("effects_none_for_unit"))
            return section
        table = Table(
            "effects",
            t("tab_effects"),
            [
                t("col_outcome"),
                t("col_cohort"),
                t("col_participants"),
                t("col_effect"),
                t("col_naive"),
                t("col_status"),
            ],
        )
        plotted = []
        for e in effects:
            outcome = self.label("effect_outcome", e.get("outcome"))
            cohort = t("all_cohorts") if str(e.get("cohort")) == "all" else str(e.get("cohort") or DASH)
            att, low, high = e.get("att"), e.get("att_ci_low"), e.get("att_ci_high")
            effect = cells.decimal(att, 1, is_suppressed(e, "att"))
            if att is not None and low is not None and high is not None:
                effect = Cell(
                    f"{self.fmt.decimal(att, 1)} ({t('interval', range=self.fmt.decimal_range(low, high))})",
                    float(att),
                    "decimal",
                )
                plotted.append(
                    (
                        f"{outcome} ({cohort})",
                        float(att),
                        float(low),
                        float(high),
                        float(e["naive_change"]) if e.get("naive_change") is not None else None,
                    )
                )
            status = e.get("status")
            table.rows.append(
                [
                    cells.text(outcome),
                    cells.text(cohort),
                    cells.count(e, "n_participants"),
                    effect,
                    cells.decimal(e.get("naive_change"), 1, is_suppressed(e, "naive_change")),
                    cells.text(self.label("effect_status", status) if status else DASH),
                ]
            )
        section.tables.append(table)
        if plotted:
            section.add_chart(
                (
                    t("chart_effects"),
                    charts.intervals(
                        plotted,
                        self.fmt,
                        xlabel=t("axis_effect"),
                        naive_label=t("legend_naive"),
                        effect_label=t("legend_effect"),
                    ),
                )
            )
        section.notes.append(t("note_effects"))
        return section

    # ------------------------------------------------------------------ 7 budget

    def _budget_rows(self) -> list[dict]:
        order = {code: i for i, code in enumerate(code_list_order("cost_category") + ["total"])}
        lines = self._unit_rows("budget_vs_actual", "cost_category")
        return sorted(lines, key=lambda r: (order.get(r["cost_category"], len(order) - 1), r["cost_category"]))

    def _budget_total(self) -> dict | None:
        return next((r for r in self._budget_rows() if r["cost_category"] == "total"), None)

    def budget(self) -> Section:
        t, cells, fmt = self.t, self.cells, self.fmt
        section = Section("budget", t("sec_budget"))
        lines = self._budget_rows()
        end = fmt.date(self.period["measured_to"])
        if lines:
            table = Table(
                "budget",
                t("tab_budget", date=end),
                [
                    t("col_cost_category"),
                    t("col_decided"),
                    t("col_spent_to_date", date=end),
                    t("col_remaining"),
                    t("col_spent_share"),
                ],
            )
            for r in lines:
                bold = r["cost_category"] == "total"
                table.rows.append(
                    [
                        cells.text(self.label("cost_category", r["cost_category"]), bold=bold),
                        cells.money(r["decided_sek"], bold=bold),
                        cells.money(r["spent_sek"], bold=bold),
                        cells.money(r["remaining_sek"], bold=bold),
                        cells.share(r["budget_spent_share"], bold=bold),
                    ]
                )
            table.note = t("note_budget")
            section.tables.append(table)
            categories = [r for r in lines if r["cost_category"] != "total"]
            if categories:
                names = [self.label("cost_category", r["cost_category"]) for r in categories]
                series = [
                    (t("legend_decided"), [Point(n, r["decided_sek"]) for n, r in zip(names, categories, strict=True)]),
                    (
                        t("legend_spent", date=end),
                        [Point(n, r["spent_sek"]) for n, r in zip(names, categories, strict=True)],
                    ),
                ]
                section.add_chart(
                    (
                        t("chart_budget"),
                        charts.grouped_bars(names, series, fmt, ylabel=t("axis_money"), money=True, horizontal=True),
                    )
                )
        else:
            section.paragraphs.append(t("no_budget"))
        pc = self.costs
        if pc:
            section.tables.append(
                Table(
                    "unit_costs",
                    t("tab_unit_costs", period=self.p),
                    [t("col_figure"), t("col_value")],
                    [
                        [cells.text(t("fig_spent_in_period")), cells.money(pc.get("spent_in_period_sek"))],
                        [
                            cells.text(t("fig_cost_per_case")),
                            cells.money(pc.get("cost_per_case"), suppressed=is_suppressed(pc, "cost_per_case")),
                        ],
                        [
                            cells.text(t("fig_cost_per_case_month")),
                            cells.money(
                                pc.get("cost_per_case_month"), suppressed=is_suppressed(pc, "cost_per_case_month")
                            ),
                        ],
                        [
                            cells.text(t("fig_cost_per_positive_exit")),
                            cells.money(
                                pc.get("cost_per_positive_exit"), suppressed=is_suppressed(pc, "cost_per_positive_exit")
                            ),
                        ],
                    ],
                )
            )
        s = self.socio
        if s:
            section.tables.append(self._payback_table(s))
            section.tables.append(self._parameters_table(s))
            counterfactual = ("counterfactual_annual_benefit_sek", "payback_months_ci_low")
            if all(s.get(c) is None and not is_suppressed(s, c) for c in counterfactual):
                section.notes.append(t("no_counterfactual"))
        else:
            section.notes.append(t("no_socioeconomic"))
        return section

    def _payback_table(self, s: dict) -> Table:
        t, cells, fmt = self.t, self.cells, self.fmt

        def hidden(col: str) -> bool:
            return is_suppressed(s, col)

        table = Table(
            "payback",
            t("tab_payback"),
            [t("col_figure"), t("col_value")],
            [
                [cells.text(t("fig_cases_measured")), cells.count(s, "cases_measured")],
                [cells.text(t("fig_coverage")), cells.share(s.get("coverage"), hidden("coverage"))],
                [cells.text(t("fig_programme_cost")), cells.money(s.get("programme_cost_sek"))],
                [
                    cells.text(t("fig_annual_benefit")),
                    cells.money(s.get("adjusted_annual_benefit_sek"), suppressed=hidden("adjusted_annual_benefit_sek")),
                ],
                [cells.text(t("fig_payback")), cells.payback(s.get("payback_months"), hidden("payback_months"))],
                [cells.text(t("fig_npv")), cells.money(s.get("npv_sek"), suppressed=hidden("npv_sek"))],
                [cells.text(t("fig_bcr")), cells.decimal(s.get("benefit_cost_ratio"), 2, hidden("benefit_cost_ratio"))],
            ],
        )
        if s.get("counterfactual_annual_benefit_sek") is not None or hidden("counterfactual_annual_benefit_sek"):
            low, high = (
                s.get("counterfactual_annual_benefit_sek_ci_low"),
                s.get("counterfactual_annual_benefit_sek_ci_high"),
            )
            benefit = cells.money(
                s.get("counterfactual_annual_benefit_sek"), suppressed=hidden("counterfactual_annual_benefit_sek")
            )
            if benefit.value is not None and low is not None and high is not None:
                range_ = f"{fmt.money(low)}–{fmt.money(high)}"
                benefit = Cell(f"{benefit.text} ({t('interval', range=range_)})", benefit.value, "money")
            table.rows.append([cells.text(t("fig_counterfactual_benefit")), benefit])
            table.rows.append(
                [
                    cells.text(t("fig_counterfactual_payback")),
                    cells.payback(
                        s.get("counterfactual_payback_months"),
                        hidden("counterfactual_payback_months"),
                        low=s.get("payback_months_ci_low"),
                        high=s.get("payback_months_ci_high"),
                    ),
                ]
            )
        if s.get("estimated_deadweight") is not None or hidden("estimated_deadweight"):
            table.rows.append(
                [
                    cells.text(t("fig_estimated_deadweight")),
                    cells.share(s.get("estimated_deadweight"), hidden("estimated_deadweight")),
                ]
            )
            if s.get("deadweight") is not None:
                table.rows.append([cells.text(t("fig_deadweight_set")), cells.share(s["deadweight"])])
        if s.get("payback_months") is None and not hidden("payback_months"):
            table.note = t("note_no_payback")
        return table

    def _parameters_table(self, s: dict) -> Table:
        cells, fmt = self.cells, self.fmt
        table = Table("parameters", self.t("tab_parameters"), [self.t("col_parameter"), self.t("col_value")])
        for name in (
            "discount_rate",
            "horizon_years",
            "follow_up_months",
            "deadweight",
            "drop_off",
            "optimism_bias_benefits",
            "optimism_bias_costs",
        ):
            value = s.get(name)
            if value is None:
                continue
            if name in ("horizon_years", "follow_up_months"):
                cell = Cell(fmt.integer(value), int(value), "count")
            else:
                cell = Cell(fmt.share(value, 1 if round(value * 100) != value * 100 else 0), float(value), "share")
            table.rows.append([cells.text(self.label("evaluation_parameter", name)), cell])
        if s.get("unit_cost_price_year"):
            table.rows.append(
                [
                    cells.text(self.t("fig_price_year")),
                    Cell(str(s["unit_cost_price_year"]), s["unit_cost_price_year"], "year"),
                ]
            )
        return table

    # ------------------------------------------------------------------ 8 data quality

    def data_quality(self) -> Section:
        t, cells = self.t, self.cells
        section = Section("quality", t("sec_quality"))
        ledger = rows(
            self.con,
            """SELECT source, count(*) AS files, sum(rows_read) AS rows_read, sum(rows_loaded) AS rows_loaded,
                      sum(rows_quarantined) AS rows_quarantined, sum(rows_duplicate) AS rows_duplicate,
                      max(exported_on) AS exported_on
               FROM quality.load_ledger WHERE status = 'loaded' GROUP BY source ORDER BY source""",
        )
        if ledger:
            table = Table(
                "quality",
                t("tab_quality"),
                [
                    t("col_source"),
                    t("col_files"),
                    t("col_rows_read"),
                    t("col_rows_loaded"),
                    t("col_quarantined"),
                    t("col_latest_export"),
                ],
            )
            for r in ledger:
                table.rows.append(
                    [
                        cells.text(self.label("source", r["source"])),
                        cells.value_count(r["files"]),
                        cells.value_count(r["rows_read"]),
                        cells.value_count(r["rows_loaded"]),
                        cells.value_count(r["rows_quarantined"]),
                        cells.date(r["exported_on"]),
                    ]
                )
            totals = {
                k: sum(r[k] or 0 for r in ledger) for k in ("files", "rows_read", "rows_loaded", "rows_quarantined")
            }
            table.rows.append(
                [cells.text(t("total"), bold=True)]
                + [
                    Cell(self.fmt.integer(totals[k]), totals[k], "count", bold=True)
                    for k in ("files", "rows_read", "rows_loaded", "rows_quarantined")
                ]
                + [cells.text("")]
            )
            table.note = t("note_quality")
            section.tables.append(table)
            rejected = rows(self.con, "SELECT count(*) AS n FROM quality.load_ledger WHERE status = 'rejected'")
            if rejected and rejected[0]["n"]:
                section.notes.append(t("rejected_files", n=self.fmt.integer(rejected[0]["n"])))
        if self.publication:
            batches = json.loads(self.publication.get("export_batches") or "[]")
            section.paragraphs.append(
                t(
                    "frozen",
                    version=self.publication["publication_version"],
                    date=self.fmt.date(self.publication["published_at"].date()),
                    as_of=self.fmt.date(self.publication["as_of_date"]),
                    files=self.fmt.integer(len(batches)),
                )
            )
        else:
            section.paragraphs.append(t("not_frozen_sentence", as_of=self.fmt.date(self.as_of) if self.as_of else DASH))
        section.paragraphs.append(t("suppression_sentence", k=self.fmt.k))
        return section


# ---------------------------------------------------------------------------------------------- entry points


def build_unit_report(published_dir: Path, unit: str, period: str, lang: str = "sv", k: int = 5) -> Document:
    con = open_published(published_dir)
    try:
        return UnitReport(con, unit, period, lang, k).build()
    finally:
        con.close()


def render_report(published_dir: Path, unit: str, period: str, lang: str = "sv", k: int = 5) -> str:
    """The unit's report as one self-contained HTML page."""
    from followup.render import html

    return html(build_unit_report(published_dir, unit, period, lang, k))
