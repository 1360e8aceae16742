"""`followup report`: one unit's report for one period as a self-contained HTML page (no scripts, no network).

Figures come from the published copy's suppressed `reports` tables only; charts are matplotlib rendered to inline
SVG. A suppressed cell is printed as "<k" (docs/privacy.md), never as a number.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import duckdb

from orchestration.publish.copy import open_published

LABELS = {
    "sv": {
        "title": "Uppföljning",
        "period": "Period",
        "scorecard": "Nyckeltal",
        "intake": "Inskrivna över tid (aktiva ärenden per månad)",
        "exits": "Avslut per grupp",
        "attendance": "Närvaro mot mål",
        "ors": "ORS-förändring",
        "budget": "Budget och utfall per kategori",
        "no_data": "Inga uppgifter för perioden.",
        "suppressed": "värden under {k} visas som <{k} (röjandeskydd)",
        "figure": "Mått",
        "value": "Värde",
        "decided": "Budget",
        "spent": "Utfall",
        "target": "Mål",
        "improved": "Reliabel förbättring",
        "other": "Övriga",
    },
    "en": {
        "title": "Follow-up",
        "period": "Period",
        "scorecard": "Scorecard",
        "intake": "Intake over time (active cases per month)",
        "exits": "Exits by group",
        "attendance": "Attendance against target",
        "ors": "ORS change",
        "budget": "Budget against spent per category",
        "no_data": "No figures for the period.",
        "suppressed": "values below {k} shown as <{k} (small-cell suppression)",
        "figure": "Figure",
        "value": "Value",
        "decided": "Budget",
        "spent": "Spent",
        "target": "Target",
        "improved": "Reliable improvement",
        "other": "Other",
    },
    "da": {
        "title": "Opfølgning",
        "period": "Periode",
        "scorecard": "Nøgletal",
        "intake": "Indskrevne over tid (aktive sager pr. måned)",
        "exits": "Afslutninger pr. gruppe",
        "attendance": "Fremmøde mod mål",
        "ors": "ORS-ændring",
        "budget": "Budget og forbrug pr. kategori",
        "no_data": "Ingen tal for perioden.",
        "suppressed": "værdier under {k} vises som <{k} (diskretionering)",
        "figure": "Nøgletal",
        "value": "Værdi",
        "decided": "Budget",
        "spent": "Forbrug",
        "target": "Mål",
        "improved": "Reliabel forbedring",
        "other": "Øvrige",
    },
}


class ReportError(RuntimeError):
    pass


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    try:
        cursor = con.execute(sql, params)
    except (duckdb.CatalogException, duckdb.BinderException):
        return []  # a report table or column this build does not have: the chart says "no data"
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def _suppressed(row: dict, column: str) -> bool:
    return row.get(column) is None and column in (row.get("suppressed_columns") or "").split(",")


def _cell(row: dict, column: str, k: int) -> str:
    if _suppressed(row, column):
        return f"&lt;{k}"
    value = row.get(column)
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.0%}" if ("share" in column or "rate" in column) else f"{value:,.1f}".replace(",", " ")
    if hasattr(value, "quantize"):
        return f"{value:,.0f}".replace(",", " ")
    return html.escape(str(value))


def _svg(figure) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"  # text stays text: readable, searchable, translatable
    return plt.subplots(figsize=(7, 3))


def _bars(labels: list[str], rows: list[dict], column: str, k: int, title: str):
    fig, ax = _figure()
    values = [0 if r.get(column) is None else float(r[column]) for r in rows]
    bars = ax.bar(labels, values, color="#3a6ea5")
    for bar, row in zip(bars, rows, strict=True):
        if _suppressed(row, column):
            ax.annotate(f"<{k}", (bar.get_x() + bar.get_width() / 2, 0), ha="center", va="bottom")
    ax.set_title(title)
    ax.tick_params(axis="x", labelrotation=45)
    return fig


def render_report(published_dir: Path, unit: str, period: str, lang: str = "sv", k: int = 5) -> str:
    t = LABELS[lang]
    con = open_published(published_dir)
    try:
        card = _rows(
            con, "SELECT * FROM reports.unit_scorecard WHERE unit_code = ? AND period_label = ?", [unit, period]
        )
        if not card:
            raise ReportError(f"no row in reports.unit_scorecard for unit {unit} and period {period}")
        row = card[0]
        span = _rows(con, "SELECT starts_on, ends_on FROM reports.periods WHERE period_label = ?", [period])
        months = _rows(
            con,
            """SELECT s.* FROM reports.unit_scorecard s JOIN reports.periods p USING (period_label)
               WHERE s.unit_code = ? AND p.period_type = 'month' AND p.ends_on <= ? ORDER BY p.starts_on""",
            [unit, span[0]["ends_on"]],
        )[-12:]
        exits = _rows(
            con,
            """SELECT exit_group, CASE WHEN bool_or(exited_cases IS NULL) THEN NULL ELSE sum(exited_cases) END
                      AS exited_cases,
                      CASE WHEN bool_or(exited_cases IS NULL) THEN 'exited_cases' ELSE '' END AS suppressed_columns
               FROM reports.exits WHERE unit_code = ? AND period_label = ? GROUP BY exit_group ORDER BY exit_group""",
            [unit, period],
        )
        # A target is the unit's own decision, not a count of persons: read beside the suppressed figures.
        targets = _rows(
            con,
            """SELECT target_value FROM outcome.goal_attainment
               WHERE unit_code = ? AND period_label = ? AND metric = 'attendance_rate'""",
            [unit, period],
        )
        budget = _rows(
            con,
            """SELECT cost_category, decided_sek, spent_sek FROM reports.budget_vs_actual
               WHERE unit_code = ? AND period_label = ? ORDER BY cost_category""",
            [unit, period],
        )
    finally:
        con.close()

    sections: list[str] = []
    figures = [
        c
        for c in row
        if c not in ("unit_code", "period_label", "period_type", "suppressed_columns") and not c.startswith("_")
    ]
    table = "".join(
        f"<tr><td>{html.escape(c.replace('_', ' '))}</td><td class='num'>{_cell(row, c, k)}</td></tr>" for c in figures
    )
    sections.append(
        f"<h2>{t['scorecard']}</h2><table><tr><th>{t['figure']}</th><th>{t['value']}</th></tr>{table}</table>"
    )

    def chart(title: str, figure) -> None:
        sections.append(f"<h2>{title}</h2>" + (_svg(figure) if figure is not None else f"<p>{t['no_data']}</p>"))

    labels = [m["period_label"] for m in months]
    chart(t["intake"], _bars(labels, months, "active_cases", k, t["intake"]) if months else None)
    chart(t["exits"], _bars([e["exit_group"] for e in exits], exits, "exited_cases", k, t["exits"]) if exits else None)
    attendance = None
    if months:
        attendance = _bars(labels, months, "attendance_rate", k, t["attendance"])
        target = targets[0]["target_value"] if targets else None
        if target is not None:
            attendance.axes[0].axhline(float(target), color="#c0392b", label=f"{t['target']} {float(target):.0%}")
            attendance.axes[0].legend()
    chart(t["attendance"], attendance)
    ors = None
    pairs, improved = row.get("ors_pairs"), row.get("ors_reliable_improvement")
    if pairs is not None or _suppressed(row, "ors_pairs"):
        rest = pairs - improved if pairs is not None and improved is not None else None
        bars = [{"n": n, "suppressed_columns": "" if n is not None else "n"} for n in (improved, rest)]
        ors = _bars([t["improved"], t["other"]], bars, "n", k, t["ors"])
    chart(t["ors"], ors)
    budget_fig = None
    if budget:
        budget_fig, ax = _figure()
        x = range(len(budget))
        ax.bar([i - 0.2 for i in x], [float(b["decided_sek"] or 0) for b in budget], 0.4, label=t["decided"])
        ax.bar([i + 0.2 for i in x], [float(b["spent_sek"] or 0) for b in budget], 0.4, label=t["spent"])
        ax.set_xticks(list(x), [b["cost_category"] for b in budget], rotation=45)
        ax.set_title(t["budget"])
        ax.legend()
    chart(t["budget"], budget_fig)

    title = f"{t['title']} {html.escape(unit)} {html.escape(period)}"
    style = (
        "body{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#222}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .6rem}.num{text-align:right}"
        "svg{max-width:100%;height:auto}"
    )
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{style}</style></head><body><h1>{title}</h1>"
        f"<p>{t['period']}: {html.escape(period)}; {t['suppressed'].format(k=k).replace('<', '&lt;')}</p>"
        + "".join(sections)
        + "</body></html>"
    )
