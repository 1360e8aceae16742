"""`followup overview`: every unit (or one funding source's units) side by side for a period (docs/reports.md).

Read from the published copy's suppressed `reports` tables, like the unit report, and written by the same
renderers (HTML, PDF, XLSX).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from followup import charts
from followup.charts import Point
from followup.labels import Formatter, Labels
from followup.report import Document, ReportError, Section, as_of_date, has_table, resolve_period, rows
from followup.tables import DASH, Cell, Cells, Table, is_suppressed
from orchestration.publish.copy import open_published


class Overview:
    def __init__(self, con: duckdb.DuckDBPyConnection, period: str, funding: str | None, lang: str, k: int):
        self.con, self.lang = con, lang
        self.fmt = Formatter(lang, k)
        self.cells = Cells(self.fmt)
        self.labels = Labels.from_published(con)
        self.period = resolve_period(con, period)
        self.p = self.period["period_label"]
        self.funding = funding
        if funding is not None:
            known = [r["funding"] for r in rows(con, "SELECT DISTINCT funding FROM reports.units ORDER BY 1")]
            if funding not in known:
                raise ReportError(
                    f"unknown funding {funding}; funding sources in the published copy: {', '.join(known)}"
                )
        self.units = rows(
            con,
            """SELECT o.*, u.unit_name, u.funding, s.positive_exits, s.suppressed_columns AS card_suppressed
               FROM reports.leadership_overview o
               JOIN reports.units u USING (unit_code)
               JOIN reports.unit_scorecard s USING (unit_code, period_label)
               WHERE o.period_label = ? AND (? IS NULL OR u.funding = ?)
               ORDER BY u.unit_name, o.unit_code""",
            [self.p, funding, funding],
        )

    def t(self, key: str, **values) -> str:
        return self.fmt.t(key, **values)

    def label(self, code_list: str, code) -> str:
        return self.labels.label(code_list, code, self.lang)

    def _by_unit(self, table: str) -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = {}
        for r in rows(self.con, f"SELECT * FROM reports.{table} WHERE period_label = ? ORDER BY ALL", [self.p]):
            found.setdefault(r["unit_code"], []).append(r)
        return found

    def build(self) -> Document:
        t, cells, fmt = self.t, self.cells, self.fmt
        codes = {u["unit_code"] for u in self.units}
        socio = {
            r["unit_code"]: r
            for r in rows(self.con, "SELECT * FROM reports.socioeconomic WHERE period_label = ?", [self.p])
        }
        goals = self._by_unit("goal_attainment")
        with_evidence = any(g.get("evidence") for gs in goals.values() for g in gs)
        effects_published = has_table(self.con, "reports", "effects")
        effects: dict[str, dict] = {}
        if effects_published:
            # A unit's effect over all cohorts on months with income support (the outcome its column names),
            # when published; else hidden by suppression (shown as hidden, not as missing).
            for e in rows(
                self.con, "SELECT * FROM reports.effects WHERE outcome = 'income_support_months' ORDER BY ALL"
            ):
                if str(e.get("cohort")) in ("all", "None") and (e.get("att") is not None or is_suppressed(e, "att")):
                    effects.setdefault(e["unit_code"], e)
        header = [
            t("ov_col_unit"),
            t("ov_col_funding"),
            t("ov_col_decided"),
            t("ov_col_spent"),
            t("ov_col_participants"),
            t("ov_col_positive_exits"),
            t("ov_col_horizon"),
        ]
        if effects_published:
            header.append(t("ov_col_effect"))
        header += [t("ov_col_payback"), t("ov_col_goals") if with_evidence else t("ov_col_goals_plain")]
        table = Table("units", t("ov_tab_units"), header, note=t("ov_note_units"))
        for u in self.units:
            s = socio.get(u["unit_code"]) or {}
            card = {"positive_exits": u["positive_exits"], "suppressed_columns": u["card_suppressed"]}
            row = [
                cells.text(f"{u['unit_name']} ({u['unit_code']})"),
                cells.text(self.label("funding", u["funding"])),
                cells.money(u["decided_sek"]),
                cells.money(u["spent_sek"]),
                cells.count(u, "active_cases"),
                cells.count(card, "positive_exits"),
                cells.share(
                    u.get("work_or_studies_at_horizon_share"),
                    is_suppressed(u, "work_or_studies_at_horizon_share"),
                    u.get("work_or_studies_at_horizon_share_ci_low"),
                    u.get("work_or_studies_at_horizon_share_ci_high"),
                ),
            ]
            if effects_published:
                e = effects.get(u["unit_code"])
                if e and is_suppressed(e, "att"):
                    row.append(cells.decimal(None, 1, suppressed=True))
                elif e and e.get("att_ci_low") is not None:
                    row.append(
                        Cell(
                            f"{fmt.decimal(e['att'], 1)} ({fmt.decimal_range(e['att_ci_low'], e['att_ci_high'])})",
                            float(e["att"]),
                            "decimal",
                        )
                    )
                else:
                    row.append(cells.text(DASH))
            if s.get("counterfactual_payback_months") is not None:
                payback = cells.payback(
                    s["counterfactual_payback_months"],
                    low=s.get("payback_months_ci_low"),
                    high=s.get("payback_months_ci_high"),
                )
            else:
                payback = cells.payback(s.get("payback_months"), is_suppressed(s, "payback_months"))
            row.append(payback)
            gs = goals.get(u["unit_code"], [])
            statuses = [g.get("status") for g in gs]
            third = (
                sum(1 for g in gs if g.get("evidence") == "inconclusive")
                if with_evidence
                else sum(1 for s_ in statuses if s_ not in ("met", "not_met"))
            )
            row.append(cells.text(f"{statuses.count('met')} / {statuses.count('not_met')} / {third}" if gs else DASH))
            table.rows.append(row)
        section = Section("units", t("sec_units"))
        if not self.units:
            section.paragraphs.append(t("ov_no_units"))
        else:
            decided = sum(float(u["decided_sek"] or 0) for u in self.units)
            spent = sum(float(u["spent_sek"] or 0) for u in self.units)
            section.paragraphs.append(
                t(
                    "ov_summary",
                    units=fmt.integer(len(self.units)),
                    decided=fmt.money(decided),
                    spent=fmt.money(spent),
                    date=fmt.date(self.period["measured_to"]),
                )
            )
            section.tables.append(table)
            names = [u["unit_code"] for u in self.units]
            section.add_chart(
                (
                    t("chart_budget_units"),
                    charts.grouped_bars(
                        names,
                        [
                            (
                                t("legend_decided"),
                                [Point(n, u["decided_sek"]) for n, u in zip(names, self.units, strict=True)],
                            ),
                            (
                                t("legend_spent", date=fmt.date(self.period["measured_to"])),
                                [Point(n, u["spent_sek"]) for n, u in zip(names, self.units, strict=True)],
                            ),
                        ],
                        fmt,
                        ylabel=t("axis_money"),
                        money=True,
                        horizontal=True,
                    ),
                )
            )
            section.add_chart(
                (
                    t("chart_participants_units"),
                    charts.bars(
                        [
                            Point(n, u.get("active_cases"), is_suppressed(u, "active_cases"))
                            for n, u in zip(names, self.units, strict=True)
                        ],
                        fmt,
                        ylabel=t("axis_active_cases"),
                        horizontal=True,
                    ),
                )
            )
        if not effects_published:
            section.notes.append(t("ov_no_effects"))
        if not with_evidence:
            section.notes.append(t("no_evidence"))
        return Document(
            lang=self.lang,
            title=t("overview_title") + (f": {self.label('funding', self.funding)}" if self.funding else ""),
            subtitle=t("overview_subtitle", period=self.p),
            facts=[
                (
                    t("fact_period"),
                    f"{self.p} ({fmt.date(self.period['starts_on'])} – {fmt.date(self.period['ends_on'])})",
                ),
                (t("fact_funding"), self.label("funding", self.funding) if self.funding else t("all_funding")),
                (t("fact_units"), fmt.integer(len(self.units))),
            ],
            sections=[section, self._overlap(codes)],
            footer=t("ov_footer", k=fmt.k, as_of=fmt.date(as_of_date(self.con))),
            as_of=as_of_date(self.con),
            identifier=f"followup-overview/{self.p}/{self.funding or 'all'}/{self.lang}/{as_of_date(self.con)}",
        )

    def _overlap(self, codes: set[str]) -> Section:
        t, cells = self.t, self.cells
        section = Section("overlap", t("sec_overlap"))
        names = {
            u["unit_code"]: u["unit_name"] for u in rows(self.con, "SELECT unit_code, unit_name FROM reports.units")
        }

        def unit(code: str) -> str:
            return f"{names[code]} ({code})" if code in names else t("unknown_unit_label")

        overlap = [
            r
            for r in rows(self.con, "SELECT * FROM reports.unit_overlap WHERE period_label = ? ORDER BY ALL", [self.p])
            if r["unit_a"] in codes or r["unit_b"] in codes
        ]
        if overlap:
            section.tables.append(
                Table(
                    "overlap",
                    t("ov_tab_overlap"),
                    [t("ov_col_unit_a"), t("ov_col_unit_b"), t("ov_col_ever"), t("ov_col_concurrent")],
                    [
                        [
                            cells.text(unit(r["unit_a"])),
                            cells.text(unit(r["unit_b"])),
                            cells.count(r, "persons_ever"),
                            cells.count(r, "persons_concurrent"),
                        ]
                        for r in overlap
                    ],
                )
            )
        transfers = [
            r
            for r in rows(self.con, "SELECT * FROM reports.transfers WHERE period_label = ? ORDER BY ALL", [self.p])
            if r["from_unit"] in codes or r["to_unit"] in codes
        ]
        if transfers:
            section.tables.append(
                Table(
                    "transfers",
                    t("ov_tab_transfers"),
                    [t("ov_col_from"), t("ov_col_to"), t("ov_col_transferred")],
                    [
                        [
                            cells.text(unit(r["from_unit"])),
                            cells.text(unit(r["to_unit"])),
                            cells.count(r, "transferred_cases"),
                        ]
                        for r in transfers
                    ],
                )
            )
        if not overlap and not transfers:
            section.paragraphs.append(t("ov_no_overlap"))
        return section


def build_overview(
    published_dir: Path, period: str, funding: str | None = None, lang: str = "sv", k: int = 5
) -> Document:
    con = open_published(published_dir)
    try:
        return Overview(con, period, funding, lang, k).build()
    finally:
        con.close()
