"""The demo municipality: a deterministic, seeded generator of every source's exports (operations.md).

Units modelled on the seed documents (`../shared/seeds/`):

| code | unit | modelled on |
|---|---|---|
| PIMA | youth-to-work project for young women 18-25 | seed 004 (PIMA self-evaluation) |
| C2C  | youth-to-work project for young men 18-25 | seed 004 (Chance2Change) |
| NPF  | family ombudsmen, families with neuropsychiatric diagnoses (~8 families per ombudsman) | seed 003 |
| SKOL | back-to-school team for school refusers (SDQ) | seed 000 |
| HLT  | health-learning-safety platform for children 0-16, anonymous cases, SIP meetings | seed 000 |
| UPS  | outreach team for isolated young adults, hands over to UNGH | seed 000 |
| UNGH | youth hub receiving UPS's transfers; staff survey of the youth-services reform | seed 002 |
| BER  | addiction support and treatment unit for adults (ORS, SRS, drug tests) | seed 001 |

History runs from 2016 to the export date; `scale` multiplies persons and events (1 = a few thousand cases).
Generation is vectorised with numpy and written with polars; the same (scale, seed) gives byte-identical files.

Realistic dirt: a fixed handful of bad rows, the same at every scale and seed (`DIRT`), so that the quarantine
and the findings have something to show:

| source | field | rule | what |
|---|---|---|---|
| enrolments | person_id | invalid_person_id | a wrong check digit |
| enrolments | person_id | invalid_person_id | an impossible date (month 13) |
| enrolments | gender | code_not_in_list | `femal` |
| enrolments | case_id | duplicate_key | an exact copy of a row |
| enrolments | exited_on | date_order | an exit before its enrolment |
| enrolments | enrolled_on | date_after_export | enrolled after the export date |
| activities | activity_type | code_not_in_list | `grupp` |
| activities | activity_id | duplicate_key | an exact copy of a row |
| activities | minutes | out_of_range | 2000 minutes |
| activities | case_id | orphan_case | a valid row whose case does not exist (a finding, not quarantine) |
| attendance | attended_hours | out_of_range | more hours attended than scheduled |
| attendance | scheduled_hours | required_missing | empty |
| action_plans | reviewed_on | date_order | reviewed before it was established |
| ledger | booked_on | invalid_type | `2019-13-31` |
| ors | individual | out_of_range | 11.5 on a 0-10 line |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from sources.contracts import load_contract
from sources.identity import luhn_check_digit
from sources.writers import bundled_profile, to_profile, write_csv

EXPORT_DATE = date(2026, 11, 1)
HISTORY_START = date(2016, 1, 1)
_EPOCH = np.datetime64("1970-01-01", "D")
_EXPORT = np.datetime64(EXPORT_DATE.isoformat(), "D")

DIRT: dict[str, list[tuple[str, str]]] = {
    "enrolments": [
        ("person_id", "invalid_person_id"),
        ("person_id", "invalid_person_id"),
        ("gender", "code_not_in_list"),
        ("case_id", "duplicate_key"),
        ("exited_on", "date_order"),
        ("enrolled_on", "date_after_export"),
    ],
    "activities": [
        ("activity_type", "code_not_in_list"),
        ("activity_id", "duplicate_key"),
        ("minutes", "out_of_range"),
        ("case_id", "orphan_case"),
    ],
    "attendance": [("attended_hours", "out_of_range"), ("scheduled_hours", "required_missing")],
    "action_plans": [("reviewed_on", "date_order")],
    "ledger": [("booked_on", "invalid_type")],
    "ors": [("individual", "out_of_range")],
}
# Rows quarantined on load (the orphan activity loads and becomes a finding).
QUARANTINED_ROWS = {s: sum(rule != "orphan_case" for _, rule in d) for s, d in DIRT.items()}


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    funding: str
    starts_on: str
    ends_on: str | None
    target_group: str
    capacity: int
    staff_fte: float
    cases: int  # at scale 1, over the unit's whole history
    ages: tuple[int, int]
    female_share: float
    mean_days: int
    exits: dict[str, float]  # exit_reason -> probability
    reason: str
    referral: tuple[str, ...]
    attendance: bool = False
    drug_tests: bool = False
    ors: bool = False
    srs: bool = False
    sdq: bool = False
    wellbeing: bool = False
    anonymous_share: float = 0.0
    pattern: str | None = None


UNITS = (
    Unit(
        "PIMA",
        "PIMA - Personlig Inkludering Mot Arbete",
        "project",
        "coordination_association",
        "2016-08-01",
        "2022-12-31",
        "Young women 18-25",
        10,
        2.0,
        180,
        (18, 25),
        1.0,
        200,
        {
            "work": 0.35,
            "work_and_studies": 0.15,
            "studies": 0.1,
            "misconduct": 0.15,
            "parental_leave": 0.1,
            "self_ended": 0.15,
        },
        "unemployment",
        ("employment_service", "social_services", "self"),
        attendance=True,
        drug_tests=True,
        ors=True,
        wellbeing=True,
    ),
    Unit(
        "C2C",
        "Chance2Change",
        "project",
        "social_investment_fund",
        "2016-01-01",
        None,
        "Young men 18-25",
        12,
        3.0,
        260,
        (18, 25),
        0.0,
        190,
        {"work": 0.4, "work_and_studies": 0.1, "studies": 0.1, "misconduct": 0.2, "self_ended": 0.2},
        "unemployment",
        ("employment_service", "probation", "self"),
        attendance=True,
        drug_tests=True,
        ors=True,
        wellbeing=True,
    ),
    Unit(
        "NPF",
        "Familjeombud NPF",
        "project",
        "social_investment_fund",
        "2017-01-01",
        "2024-12-31",
        "Families with neuropsychiatric diagnoses",
        24,
        3.0,
        160,
        (6, 16),
        0.4,
        420,
        {"goal_reached": 0.7, "moved": 0.1, "self_ended": 0.2},
        "neuropsychiatric",
        ("school", "psychiatry", "social_services"),
    ),
    Unit(
        "SKOL",
        "Tillbaka till skolan",
        "project",
        "social_investment_fund",
        "2018-01-01",
        None,
        "School refusers 10-16",
        20,
        2.5,
        300,
        (10, 16),
        0.55,
        240,
        {"goal_reached": 0.6, "studies": 0.2, "moved": 0.1, "self_ended": 0.1},
        "school_absence",
        ("school", "social_services", "health_care"),
        attendance=True,
        sdq=True,
    ),
    Unit(
        "HLT",
        "Hälsa-lärande-trygghet",
        "project",
        "coordination_association",
        "2016-09-01",
        None,
        "Children 0-16",
        60,
        4.0,
        900,
        (0, 16),
        0.5,
        120,
        {"goal_reached": 0.8, "moved": 0.1, "other": 0.1},
        "family_situation",
        ("school", "health_care", "self"),
        anonymous_share=0.25,
    ),
    Unit(
        "UPS",
        "Uppsökande team",
        "project",
        "eu_fund",
        "2019-01-01",
        None,
        "Isolated young adults 16-29",
        30,
        3.0,
        500,
        (16, 29),
        0.45,
        150,
        {"transferred": 0.5, "work": 0.15, "studies": 0.1, "self_ended": 0.25},
        "social_isolation",
        ("self", "social_services", "other"),
    ),
    Unit(
        "UNGH",
        "Ungdomshuset",
        "regular_service",
        "own_budget",
        "2016-01-01",
        None,
        "Young people 16-29",
        80,
        6.0,
        700,
        (16, 29),
        0.5,
        270,
        {"work": 0.3, "studies": 0.3, "goal_reached": 0.2, "self_ended": 0.2},
        "social_isolation",
        ("other_unit", "self", "school"),
    ),
    Unit(
        "BER",
        "Beroendeenheten",
        "regular_service",
        "own_budget",
        "2016-01-01",
        None,
        "Adults with substance use",
        40,
        8.0,
        1000,
        (20, 64),
        0.3,
        300,
        {"goal_reached": 0.4, "self_ended": 0.3, "health": 0.1, "moved": 0.1, "other": 0.1},
        "substance_use",
        ("self", "health_care", "social_services", "probation"),
        drug_tests=True,
        ors=True,
        srs=True,
        pattern=r"R-\d{4}-\d{3}",
    ),
)

COST_CATEGORIES = ("own_staff", "external_services", "premises_it", "participant_compensation", "other")


def _days(d: str | date) -> int:
    return int((np.datetime64(str(d), "D") - _EPOCH).astype(int))


def _iso(days: np.ndarray) -> np.ndarray:
    return (days.astype("int64").astype("datetime64[D]")).astype(str)


def _date_col(days: np.ndarray, valid: np.ndarray | None = None) -> pl.Series:
    """ISO dates as text (null where not valid), built in polars: no Python object per row."""
    text = pl.Series(np.asarray(days, dtype="int64")).cast(pl.Int32).cast(pl.Date).cast(pl.Utf8)
    if valid is None:
        return text
    return pl.select(pl.when(pl.Series(np.asarray(valid, dtype=bool))).then(text)).to_series()


def _month_col(months: np.ndarray) -> pl.Series:
    """Months since 1970-01 as YYYY-MM text, built in polars."""
    m = pl.Series(np.asarray(months, dtype="int64"))
    year, month = (m // 12 + 1970).cast(pl.Utf8), (m % 12 + 1).cast(pl.Utf8).str.zfill(2)
    return pl.select(pl.concat_str(year, pl.lit("-"), month)).to_series()


def _ids(prefix: str, n: int, width: int, start: int = 0) -> pl.Series:
    """prefix + zero-padded running number, as f"{prefix}{i:0{width}d}" would give."""
    number = pl.Series(np.arange(start, start + n, dtype="int64")).cast(pl.Utf8).str.zfill(width)
    return pl.select(pl.concat_str(pl.lit(prefix), number)).to_series()


def _personnummer(birth_days: np.ndarray, female: np.ndarray, start: int = 0) -> np.ndarray:
    """Valid Swedish numbers, in the forms exports mix: YYYYMMDD-NNNC, YYMMDD-NNNC, YYYYMMDDNNNC.

    Distinct persons get distinct numbers: the serial is the person's rank among those born the same day with the
    same sex (500 serials per day and sex, as in the register); a later batch (`start` > 0) ranks from 250 on so
    that it cannot reuse the serials of the first one.
    """
    frame = pl.DataFrame({"born": np.asarray(birth_days, dtype="int64"), "female": np.asarray(female, dtype=bool)})
    rank = frame.select(pl.int_range(pl.len()).over("born", "female")).to_series().to_numpy()
    rank = rank + (250 if start else 0)
    out = []
    for i, (born, is_female, r) in enumerate(
        zip(_iso(birth_days).tolist(), female.tolist(), rank.tolist(), strict=True), start
    ):
        ymd = born.replace("-", "")
        serial = f"{r % 100:02d}{(r // 100) % 5 * 2 + (0 if is_female else 1)}"
        full = f"{ymd}-{serial}{luhn_check_digit(ymd[2:] + serial)}"
        out.append((full, full[2:], full.replace("-", ""))[i % 3])
    return np.array(out)


class _Writer:
    """Writes each source's export in one column profile (canonical, or e.g. sv-export)."""

    def __init__(self, out: Path, profile: str, exported_on: date = EXPORT_DATE):
        self.out = out
        self.profile = profile
        self.exported_on = exported_on
        self.rows: dict[str, int] = {}

    def _export(self, source: str, frame: pl.DataFrame):
        contract = load_contract(source)
        profile = bundled_profile(self.profile, source)
        folder = self.out / source
        folder.mkdir(parents=True, exist_ok=True)
        return to_profile(frame.cast(pl.Utf8), contract, profile), profile, folder

    def csv(self, source: str, frame: pl.DataFrame) -> None:
        export, profile, folder = self._export(source, frame)
        write_csv(export, folder / f"{source}_{self.exported_on.isoformat()}.csv", profile)
        self.rows[source] = frame.height

    def xlsx(self, source: str, frame: pl.DataFrame) -> None:
        export, profile, folder = self._export(source, frame)
        title = f"{source} – Demoby kommun, export {self.exported_on}"
        path = folder / f"{source}_{self.exported_on.isoformat()}.xlsx"
        write_xlsx(_numeric(frame, export), path, source, title, profile.header_row, self.exported_on)
        self.rows[source] = frame.height


def _numeric(original: pl.DataFrame, export: pl.DataFrame) -> pl.DataFrame:
    """Keep the generator's numeric columns numeric in the sheet (a survey tool writes numbers, not text)."""
    return export.with_columns(
        original[c].alias(export.columns[i]) for i, c in enumerate(original.columns) if original.schema[c].is_numeric()
    )


_XLSX_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_XLSX_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XLSX_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_XLSX_PARTS = {
    "[Content_Types].xml": f'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_XLSX_MIME}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_XLSX_MIME}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_XLSX_MIME}.styles+xml"/></Types>',
    "_rels/.rels": f'<Relationships xmlns="{_XLSX_PKG}"><Relationship Id="rId1" '
    f'Type="{_XLSX_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_XLSX_PKG}">'
    f'<Relationship Id="rId1" Type="{_XLSX_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_XLSX_REL}/styles" Target="styles.xml"/></Relationships>',
    "xl/styles.xml": f'<styleSheet xmlns="{_XLSX_NS}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/>'
    '<bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
    'borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
    'xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>",
}
_XLSX_CHUNK = 50_000


def _column_letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _xml_text(expr: pl.Expr) -> pl.Expr:
    return (
        expr.str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )


def _inline(ref: str, text: str) -> str:
    value = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def write_xlsx(frame: pl.DataFrame, path: Path, sheet: str, title: str, header_row: int, stamp: date) -> None:
    """A one-sheet workbook, streamed: inline strings, numbers as numbers, a title above a lower header row.

    The sheet XML is built column-wise in polars and written in chunks straight into the zip entry, so time and
    memory grow with the rows but never hold a cell object per value (openpyxl's writer did: minutes at scale 100).
    Zip entries carry a fixed timestamp: the same frame gives the same bytes.
    """
    import zipfile

    def entry(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=(stamp.year, stamp.month, stamp.day, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    letters = [_column_letter(i) for i in range(frame.width)]
    row_no = pl.col("_r").cast(pl.Utf8)
    cells = []
    for letter, name in zip(letters, frame.columns, strict=True):
        ref = pl.concat_str(pl.lit(f'<c r="{letter}'), row_no)
        if frame.schema[name].is_numeric():
            cell = pl.concat_str(ref, pl.lit('"><v>'), pl.col(name).cast(pl.Utf8), pl.lit("</v></c>"))
        else:
            text = _xml_text(pl.col(name).cast(pl.Utf8))
            cell = pl.concat_str(ref, pl.lit('" t="inlineStr"><is><t>'), text, pl.lit("</t></is></c>"))
        cells.append(cell.fill_null(""))
    row_xml = pl.concat_str(pl.lit('<row r="'), row_no, pl.lit('">'), *cells, pl.lit("</row>"))

    above = [f'<row r="1">{_inline("A1", title)}</row>'] if header_row > 1 else []
    above += [f'<row r="{r}"/>' for r in range(2, header_row)]
    header = "".join(_inline(f"{c}{header_row}", name) for c, name in zip(letters, frame.columns, strict=True))
    with zipfile.ZipFile(path, "w") as zf:
        for name, xml in _XLSX_PARTS.items():
            zf.writestr(entry(name), _XML_HEAD + xml)
        zf.writestr(
            entry("xl/workbook.xml"),
            f'{_XML_HEAD}<workbook xmlns="{_XLSX_NS}" xmlns:r="{_XLSX_REL}"><sheets>'
            f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        with zf.open(entry("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as fh:
            # The dimension lets a reader size the sheet without a pass over every row (openpyxl does one).
            last = f"{letters[-1]}{header_row + frame.height}" if letters else "A1"
            fh.write(f'{_XML_HEAD}<worksheet xmlns="{_XLSX_NS}"><dimension ref="A1:{last}"/><sheetData>'.encode())
            fh.write(("".join(above) + f'<row r="{header_row}">{header}</row>').encode())
            for offset in range(0, frame.height, _XLSX_CHUNK):
                chunk = frame.slice(offset, _XLSX_CHUNK).with_row_index("_r", offset=header_row + 1 + offset)
                fh.write("".join(chunk.select(row_xml).to_series().to_list()).encode())
            fh.write(b"</sheetData></worksheet>")


def _strings(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    """Every column as canonical text, in the contract's order (dates ISO, booleans true/false)."""
    contract = load_contract(source)
    cols = []
    for name in contract.field_names:
        if name not in frame.columns:
            cols.append(pl.lit(None, dtype=pl.Utf8).alias(name))
            continue
        dtype = frame.schema[name]
        if dtype == pl.Boolean:
            cols.append(pl.when(pl.col(name)).then(pl.lit("true")).otherwise(pl.lit("false")).alias(name))
        else:
            cols.append(pl.col(name).cast(pl.Utf8).alias(name))
    return frame.select(cols)


@dataclass(frozen=True)
class _Cases:
    cases: pl.DataFrame  # one row per generated case (unit_code, enrolled, exited, is_exited, exit_reason, …)
    enrol: pl.DataFrame  # the enrolments export as canonical text, dirt rows included
    person_of: np.ndarray  # case -> the first case of its person
    person_ids: np.ndarray  # case -> identity number (a reserve number for some BER clients)
    anonymous: np.ndarray
    reserve: np.ndarray


def _cases(rng: np.random.Generator, scale: float) -> _Cases:
    """Persons and cases: the first draws of the generator, so the monthly increment can repeat them exactly."""
    export = _days(EXPORT_DATE)
    # --- persons and cases ----------------------------------------------------------------------------------
    parts = []
    for u in UNITS:
        n = max(1, int(round(u.cases * scale)))
        start = max(_days(u.starts_on), _days(HISTORY_START))
        end = min(_days(u.ends_on) if u.ends_on else export, export) - 20
        enrolled = np.sort(rng.integers(start, end, n))
        duration = np.maximum(20, rng.gamma(2.0, u.mean_days / 2.0, n).astype(int))
        exited = enrolled + duration
        if u.ends_on:
            exited = np.minimum(exited, _days(u.ends_on))
        is_exited = exited < export - 1
        reasons = np.array(list(u.exits))
        exit_reason = rng.choice(reasons, n, p=np.array(list(u.exits.values())))
        age = rng.integers(u.ages[0], u.ages[1] + 1, n)
        birth = enrolled - age * 365 - rng.integers(1, 360, n)
        female = rng.random(n) < u.female_share
        parts.append(
            pl.DataFrame(
                {
                    "unit_code": [u.code] * n,
                    "enrolled": enrolled,
                    "exited": exited,
                    "is_exited": is_exited,
                    "exit_reason": np.where(is_exited, exit_reason, None).tolist(),
                    "birth": birth,
                    "female": female,
                    "anonymous": rng.random(n) < u.anonymous_share,
                    "referral_source": rng.choice(np.array(u.referral), n).tolist(),
                    "enrolment_reason": [u.reason] * n,
                }
            )
        )
    cases = pl.concat(parts).with_row_index("n")
    n_cases = cases.height
    # About one person in eight comes back or moves on to another unit: same person, another case.
    reuse = rng.random(n_cases) < 0.12
    person_of = np.arange(n_cases)
    earlier = (rng.random(n_cases) * np.arange(n_cases)).astype(int)
    same_sex = cases["female"].to_numpy()[earlier] == cases["female"].to_numpy()
    c_units, c_enrolled = cases["unit_code"].to_numpy(), cases["enrolled"].to_numpy()
    # Back in the same unit only after leaving it; elsewhere at any time (that is what overlaps are).
    after_exit = cases["is_exited"].to_numpy()[earlier] & (cases["exited"].to_numpy()[earlier] < c_enrolled)
    plausible = same_sex & ((c_units[earlier] != c_units) | after_exit)
    person_of = np.where(reuse & plausible, earlier, person_of)
    person_of = person_of[person_of]  # chains point at the first case of the person
    births = cases["birth"].to_numpy()[person_of]
    females = cases["female"].to_numpy()[person_of]
    pnr_of_case = _personnummer(births, females)
    pnr_of_case = pnr_of_case[person_of]
    cases = cases.with_columns(
        pl.Series("person_id", pnr_of_case),
        pl.Series("birth", births),
        pl.Series("female", females),
        pl.Series("case_id", [f"{u}-{i:06d}" for u, i in zip(cases["unit_code"], range(n_cases), strict=True)]),
    )
    # UPS hands over to UNGH; the BER unit registers some clients under reserve numbers.
    dest = np.where(
        (cases["unit_code"] == "UPS").to_numpy() & (cases["exit_reason"] == "transferred").fill_null(False).to_numpy(),
        "UNGH",
        None,
    )
    ber = (cases["unit_code"] == "BER").to_numpy()
    reserve = ber & (rng.random(n_cases) < 0.05)
    # One reserve number per reserve case: R-<year>-<serial>, 10 000 distinct ones before any repeats.
    k = np.cumsum(reserve) - 1
    person_ids = np.where(
        reserve,
        np.array([f"R-{2016 + (j // 1000) % 10}-{j % 1000:03d}" for j in k.tolist()]),
        cases["person_id"].to_numpy(),
    )
    anonymous = cases["anonymous"].to_numpy()
    phase = np.where(
        np.isin(cases["unit_code"].to_numpy(), ["PIMA", "C2C"]) & ~cases["is_exited"].to_numpy(),
        rng.integers(1, 4, n_cases),
        0,
    )
    enrol = pl.DataFrame(
        {
            "case_id": cases["case_id"],
            "person_id": np.where(anonymous, None, person_ids).tolist(),
            "anonymous": anonymous,
            "unit_code": cases["unit_code"],
            "enrolled_on": _date_col(cases["enrolled"].to_numpy()),
            "gender": np.where(females, "female", "male").tolist(),
            "birth_date": _date_col(births, reserve | anonymous),
            "referral_source": cases["referral_source"],
            "enrolment_reason": cases["enrolment_reason"],
            "exited_on": _date_col(cases["exited"].to_numpy(), cases["is_exited"].to_numpy()),
            "exit_reason": cases["exit_reason"],
            "destination_unit_code": dest.tolist(),
            "phase": np.where(phase > 0, phase.astype(str), None).tolist(),
        }
    )
    enrol = _strings(enrol, "enrolments")
    dirty = [
        {
            "case_id": "DIRT-E1",
            "person_id": "19811218-9875",
            "anonymous": "false",
            "unit_code": "BER",
            "enrolled_on": "2020-02-03",
            "gender": "male",
            "enrolment_reason": "substance_use",
        },
        {
            "case_id": "DIRT-E2",
            "person_id": "19811318-9876",
            "anonymous": "false",
            "unit_code": "BER",
            "enrolled_on": "2020-02-03",
            "gender": "male",
            "enrolment_reason": "substance_use",
        },
        {
            "case_id": "DIRT-E3",
            "person_id": "19900101-0017",
            "anonymous": "false",
            "unit_code": "PIMA",
            "enrolled_on": "2019-03-04",
            "gender": "femal",
            "enrolment_reason": "unemployment",
        },
        {
            "case_id": "DIRT-E4",
            "person_id": "19900101-0017",
            "anonymous": "false",
            "unit_code": "C2C",
            "enrolled_on": "2019-05-06",
            "gender": "male",
            "exited_on": "2019-04-01",
            "exit_reason": "work",
        },
        {
            "case_id": "DIRT-E5",
            "person_id": "19900101-0017",
            "anonymous": "false",
            "unit_code": "C2C",
            "enrolled_on": "2026-12-01",
            "gender": "male",
        },
    ]
    enrol = pl.concat([enrol, pl.DataFrame(dirty).pipe(_strings, "enrolments"), enrol.slice(3, 1)])
    return _Cases(cases, enrol, person_of, person_ids, anonymous, reserve)


def generate(out: Path, *, scale: float = 1.0, seed: int = 42, profile: str = "canonical") -> dict[str, int]:
    """Write every source's export files under out/<source>/ in a column profile; rows written per source."""
    rng = np.random.default_rng(seed)
    out = Path(out)
    w = _Writer(out, profile)
    export = _days(EXPORT_DATE)

    # --- units, targets, reference data -------------------------------------------------------------------
    w.csv(
        "units",
        _strings(
            pl.DataFrame(
                {
                    "unit_code": [u.code for u in UNITS],
                    "unit_name": [u.name for u in UNITS],
                    "organisation": ["Demoby kommun"] * len(UNITS),
                    "municipality": ["Demoby"] * len(UNITS),
                    "kind": [u.kind for u in UNITS],
                    "funding": [u.funding for u in UNITS],
                    "starts_on": [u.starts_on for u in UNITS],
                    "ends_on": [u.ends_on for u in UNITS],
                    "target_group": [u.target_group for u in UNITS],
                    "capacity_places": [str(max(1, round(u.capacity * scale))) for u in UNITS],
                    "staff_fte": [f"{u.staff_fte * max(scale, 0.1):.1f}" for u in UNITS],
                    "person_id_pattern": [u.pattern for u in UNITS],
                }
            ),
            "units",
        ),
    )
    targets = []
    for code in ("PIMA", "C2C"):
        targets += [
            (code, "work_or_studies_at_horizon_share", ">=", "0.6", "18", "60 % i arbete eller studier efter 18 mån"),
            (code, "attendance_rate", ">=", "0.9", None, "Närvaro 90 %"),
            (code, "action_plan_within_90_days_share", ">=", "0.9", "3", "Handlingsplan inom 3 månader"),
            (code, "drug_free_share", ">=", "1.0", None, "Drogfrihet"),
            (code, "wellbeing_improved_share", ">=", "1.0", None, "Ökat välbefinnande"),
            (code, "payback_months", "<=", "18", None, "Återbetalningstid 18 månader"),
        ]
    targets += [
        ("BER", "ors_reliable_improvement_share", ">=", "0.5", None, None),
        ("NPF", "caseload_per_fte", "<=", "8", None, "Omkring 8 familjer per ombud"),
        ("SKOL", "positive_exit_share", ">=", "0.5", None, None),
    ]
    w.csv(
        "unit_targets",
        pl.DataFrame(
            targets,
            schema=["unit_code", "metric", "comparator", "target_value", "horizon_months", "note"],
            orient="row",
        ),
    )
    w.csv(
        "unit_costs",
        pl.DataFrame(
            [
                ("income_support", "month", "9500", "2024", "Demoby kommun, snitt försörjningsstöd per hushåll"),
                ("activity_compensation", "month", "11000", "2024", "Försäkringskassan"),
                ("sickness_benefit", "month", "16000", "2024", "Försäkringskassan"),
                ("unemployment_benefit", "month", "14000", "2024", "Arbetslöshetskassan"),
                ("study_allowance", "month", "3500", "2024", "CSN, bidragsdel"),
                ("residential_care", "day", "4500", "2024", "Kolada, HVB-vård per dygn"),
                ("foster_care", "day", "1200", "2024", "Kolada, familjehem per dygn"),
                ("secure_unit", "day", "6500", "2024", "SiS"),
                ("supported_housing", "day", "1800", "2024", "Kolada"),
            ],
            schema=["cost_item", "per", "price_sek", "price_year", "source"],
            orient="row",
        ),
    )
    w.csv(
        "evaluation_parameters",
        pl.DataFrame(
            [
                ("*", "discount_rate", "0.035"),
                ("*", "horizon_years", "5"),
                ("*", "deadweight", "0.2"),
                ("*", "drop_off", "0.1"),
                ("*", "optimism_bias_benefits", "0.1"),
                ("*", "optimism_bias_costs", "0.05"),
                ("*", "follow_up_months", "12"),
                ("PIMA", "deadweight", "0.25"),
            ],
            schema=["unit_code", "parameter", "value"],
            orient="row",
        ),
    )
    w.csv(
        "reporting_periods",
        pl.DataFrame(
            [("2017 jan-maj", "2017-01-01", "2017-05-31"), ("Projektperiod PIMA", "2016-08-01", "2022-12-31")],
            schema=["period_label", "starts_on", "ends_on"],
            orient="row",
        ),
    )

    c = _cases(rng, scale)
    cases, enrol, n_cases = c.cases, c.enrol, c.cases.height
    person_of, person_ids, anonymous, reserve = c.person_of, c.person_ids, c.anonymous, c.reserve
    w.csv("enrolments", enrol)

    # Per-case arrays used by the event sources.
    c_unit = cases["unit_code"].to_numpy()
    c_id = cases["case_id"].to_numpy()
    c_start = cases["enrolled"].to_numpy()
    c_end = np.where(cases["is_exited"].to_numpy(), cases["exited"].to_numpy(), export - 1)
    c_span = np.maximum(c_end - c_start, 1)

    def with_flag(flag: str) -> np.ndarray:
        return np.isin(c_unit, [u.code for u in UNITS if getattr(u, flag)])

    def events(mask: np.ndarray, per_days: float, cap: int, jitter: bool = True):
        """(case index, n-th event of the case, day) for events spread over each selected case's span."""
        idx = np.flatnonzero(mask)
        counts = np.minimum(cap, 1 + c_span[idx] // per_days).astype(int)
        rep = np.repeat(idx, counts)
        k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        day = c_start[rep] + (k * per_days).astype(int)
        if jitter:
            day = day + rng.integers(0, max(1, int(per_days)), len(rep))
        return rep, k, np.minimum(day, c_end[rep])

    # --- activities ---------------------------------------------------------------------------------------
    rep, _, day = events(np.ones(n_cases, bool), 14, 200)
    types = np.array(
        [
            "individual_session",
            "group_session",
            "home_visit",
            "network_meeting",
            "phone_contact",
            "practical_support",
            "study_visit",
            "internship",
            "treatment_session",
        ]
    )
    # Codes drawn as indexes (the same draws as rng.choice(types)) and turned into text by polars: at scale 100
    # numpy string arrays of this size were gigabytes.
    names = pl.Series([*types, "sip_meeting"])
    act = rng.choice(len(types), len(rep))
    unit_rep = c_unit[rep]
    act = np.where(unit_rep == "HLT", np.where(rng.random(len(rep)) < 0.3, len(types), act), act)
    act = np.where((unit_rep == "BER") & (rng.random(len(rep)) < 0.6), list(types).index("treatment_session"), act)
    del unit_rep
    cats = pl.Series(["maintaining", "compensating", "recovering", "developing"])
    activities = pl.DataFrame(
        {
            "activity_id": _ids("A", len(rep), 8),
            "case_id": cases["case_id"].gather(rep),
            "activity_on": _date_col(day),
            "activity_type": names.gather(act),
            "intervention_category": cats.gather(rng.choice(len(cats), len(rep))),
            "minutes": pl.Series(rng.choice(np.array([15, 30, 45, 60, 90, 120]), len(rep))).cast(pl.Utf8),
        }
    )
    activities = pl.concat(
        [
            activities,
            pl.DataFrame(
                {
                    "activity_id": ["DIRT-A1", "DIRT-A3", "DIRT-A4"],
                    "case_id": [c_id[0], c_id[1], "NO-SUCH-CASE"],
                    "activity_on": ["2020-01-10"] * 3,
                    "activity_type": ["grupp", "group_session", "home_visit"],
                    "intervention_category": ["developing"] * 3,
                    "minutes": ["60", "2000", "30"],
                }
            ),
            activities.slice(0, 1),
        ]
    )
    w.csv("activities", activities)

    # --- attendance: programme days, about three a week -----------------------------------------------------
    rep, _, day = events(with_flag("attendance"), 2.3, 400, jitter=False)
    keep = np.concatenate([[True], (rep[1:] != rep[:-1]) | (day[1:] != day[:-1])])
    rep, day = rep[keep], day[keep]
    draw = rng.random(len(rep))
    attended = np.where(draw < 0.72, 6.0, np.where(draw < 0.85, 3.0, 0.0))
    absence = np.where(attended == 6.0, "none", np.where(rng.random(len(rep)) < 0.6, "valid", "invalid"))
    attendance = pl.DataFrame(
        {
            "case_id": cases["case_id"].gather(rep),
            "attendance_on": _date_col(day),
            "scheduled_hours": pl.repeat("6.0", len(rep), eager=True),
            "attended_hours": pl.Series(attended).cast(pl.Utf8),
            "absence_reason": absence,
        }
    )
    first_att = np.flatnonzero(with_flag("attendance"))[:2]
    attendance = pl.concat(
        [
            attendance,
            pl.DataFrame(
                {
                    "case_id": c_id[first_att].tolist(),
                    "attendance_on": ["2015-06-01", "2015-06-02"],
                    "scheduled_hours": ["6.0", None],
                    "attended_hours": ["7.5", "3.0"],
                    "absence_reason": ["none", "valid"],
                }
            ),
        ]
    )
    w.csv("attendance", attendance)

    # --- action plans: most cases get one within a few months ---------------------------------------------
    has_plan = np.isin(c_unit, ["PIMA", "C2C", "SKOL", "UPS", "UNGH", "BER"]) & (rng.random(n_cases) < 0.9)
    idx = np.flatnonzero(has_plan)
    established = np.minimum(c_start[idx] + rng.integers(7, 130, len(idx)), c_end[idx])
    reviewed = established + rng.integers(30, 120, len(idx))
    plans = pl.DataFrame(
        {
            "plan_id": _ids("HP", len(idx), 7),
            "case_id": c_id[idx],
            "established_on": _date_col(established),
            "direction": rng.choice(np.array(["work", "studies", "other"]), len(idx), p=[0.6, 0.3, 0.1]),
            "reviewed_on": _date_col(reviewed, reviewed <= c_end[idx]),
        }
    )
    plans = pl.concat(
        [
            plans,
            pl.DataFrame(
                {
                    "plan_id": ["DIRT-P1"],
                    "case_id": [c_id[idx[0]]],
                    "established_on": ["2020-05-01"],
                    "direction": ["work"],
                    "reviewed_on": ["2020-04-01"],
                }
            ),
        ]
    )
    w.csv("action_plans", plans)

    # --- drug tests: weekly ---------------------------------------------------------------------------------
    rep, _, day = events(with_flag("drug_tests"), 7, 150)
    result = rng.choice(np.array(["negative", "positive", "refused", "invalid"]), len(rep), p=[0.86, 0.08, 0.04, 0.02])
    first = np.concatenate([[True], rep[1:] != rep[:-1]])
    w.csv(
        "drug_tests",
        pl.DataFrame(
            {
                "test_id": _ids("T", len(rep), 8),
                "case_id": cases["case_id"].gather(rep),
                "tested_on": _date_col(day),
                "result": result,
                "reason": np.where(first, "intake", np.where(result == "positive", "suspicion", "routine")),
            }
        ),
    )

    # --- support months: income before, wages or study allowance after a positive exit ----------------------
    person_first = np.unique(person_of, return_index=True)[1]
    idx = person_first[~anonymous[person_first] & ~reserve[person_first]]
    months_before, months_after = 12, 18
    start_month = (c_start[idx].astype("datetime64[D]").astype("datetime64[M]") - months_before).astype(int)
    counts = np.full(len(idx), months_before + months_after)
    rep = np.repeat(np.arange(len(idx)), counts)
    k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    month = start_month[rep] + k
    case = idx[rep]
    end_month = c_end[case].astype("datetime64[D]").astype("datetime64[M]").astype(int)
    exit_reasons = cases["exit_reason"].fill_null("").to_numpy()
    positive = np.isin(exit_reasons, ["work", "work_and_studies", "studies"])[case]
    studies = (exit_reasons == "studies")[case]
    after = month > end_month
    support_types = pl.Series(["income_support", "study_allowance", "wage"])  # stype: an index into these
    stype = np.where(~after, 0, np.where(positive, np.where(studies, 1, 2), 0)).astype(np.int32)
    del positive, studies, after
    present = (month < _EXPORT.astype("datetime64[M]").astype(int)) & (rng.random(len(month)) < 0.85)
    amount = np.where(
        stype == 2,
        rng.integers(180, 280, len(month)) * 100,
        np.where(stype == 1, 3500, rng.integers(60, 110, len(month)) * 100),
    )
    keep = np.flatnonzero(present)
    w.csv(
        "support_months",
        pl.DataFrame(
            {
                "person_id": pl.Series(person_ids).gather(case[keep]),
                "month": _month_col(month[keep]),
                "support_type": support_types.gather(stype[keep]),
                "amount_sek": pl.Series(amount[keep]).cast(pl.Utf8),
            }
        ),
    )

    # --- placements: some children and young people ---------------------------------------------------------
    idx = np.flatnonzero(np.isin(c_unit, ["HLT", "SKOL", "NPF"]) & ~anonymous & (rng.random(n_cases) < 0.06))
    started = c_start[idx] - rng.integers(30, 400, len(idx))
    ended = started + rng.integers(30, 300, len(idx))
    ptype = rng.choice(np.array(["residential_care", "foster_care", "supported_housing"]), len(idx))
    w.csv(
        "placements",
        pl.DataFrame(
            {
                "placement_id": _ids("PL", len(idx), 6),
                "person_id": person_ids[idx],
                "started_on": _date_col(started),
                "ended_on": _date_col(ended, ended < export),
                "placement_type": ptype,
                "cost_per_day_sek": np.where(ptype == "residential_care", "4800", None).tolist(),
            }
        ),
    )

    # --- budget and ledger ----------------------------------------------------------------------------------
    budget, ledger = [], []
    entry = 0
    for u in UNITS:
        first_year = int(u.starts_on[:4])
        last_year = int(u.ends_on[:4]) if u.ends_on else EXPORT_DATE.year
        yearly = {
            c: round(u.staff_fte * max(scale, 0.1) * f) * 1000
            for c, f in zip(COST_CATEGORIES, (620, 60, 110, 90 if u.code in ("PIMA", "C2C") else 0, 40), strict=True)
        }
        for c, amount in yearly.items():
            if amount:
                budget.append(
                    (
                        u.code,
                        c,
                        str(amount * (last_year - first_year + 1)),
                        f"KS-{first_year}-{u.code}",
                        f"{first_year - 1}-11-15",
                    )
                )
        for y in range(first_year, last_year + 1):
            for m in range(1, 13):
                if date(y, m, 28) >= EXPORT_DATE or (y == first_year and m < int(u.starts_on[5:7])):
                    continue
                for c, amount in yearly.items():
                    if amount:
                        entry += 1
                        value = amount / 12 * float(rng.uniform(0.8, 1.1))
                        ledger.append(
                            (
                                f"V{entry:07d}",
                                u.code,
                                f"{y}-{m:02d}-28",
                                c,
                                f"{value:.2f}",
                                "Samordningsförbundet" if u.funding == "coordination_association" else None,
                            )
                        )
        ledger.append((f"V{entry + 1:07d}", u.code, f"{last_year - 1}-12-31", "own_staff", "-12500.00", None))
        entry += 1
    w.csv(
        "budget",
        pl.DataFrame(
            budget, schema=["unit_code", "cost_category", "decided_sek", "decision_ref", "decided_on"], orient="row"
        ),
    )
    ledger.append(("DIRT-L1", "BER", "2019-13-31", "other", "100.00", None))
    w.csv(
        "ledger",
        pl.DataFrame(
            ledger, schema=["entry_id", "unit_code", "booked_on", "cost_category", "amount_sek", "funder"], orient="row"
        ),
    )

    # --- surveys (XLSX) ---------------------------------------------------------------------------------------
    rep, k, day = events(with_flag("ors"), 60, 12)
    base = rng.normal(4.8, 1.4, n_cases)[rep]
    gain = rng.normal(0.35, 0.4, n_cases)[rep] * k
    items = {
        name: np.clip(np.round(base + gain + rng.normal(0, 0.6, len(rep)), 1), 0, 10)
        for name in ("individual", "interpersonal", "social", "overall")
    }
    ors = pl.DataFrame(
        {
            "response_id": _ids("ORS", len(rep), 8),
            "case_id": cases["case_id"].gather(rep),
            "administered_on": _date_col(day),
            "session_no": (k + 1),
            "form": ["ors"] * len(rep),
            **items,
        }
    )
    ors = pl.concat(
        [
            ors,
            pl.DataFrame(
                {
                    "response_id": ["DIRT-O1"],
                    "case_id": [c_id[rep[0]]],
                    "administered_on": ["2020-03-03"],
                    "session_no": [1],
                    "form": ["ors"],
                    "individual": [11.5],
                    "interpersonal": [5.0],
                    "social": [5.0],
                    "overall": [5.0],
                }
            ),
        ],
        how="vertical_relaxed",
    )
    w.xlsx("ors", ors)

    rep, _, day = events(with_flag("srs"), 21, 10)
    w.xlsx(
        "srs",
        pl.DataFrame(
            {
                "response_id": _ids("SRS", len(rep), 8),
                "case_id": cases["case_id"].gather(rep),
                "administered_on": _date_col(day),
                "session_no": np.ones(len(rep), int),
                **{
                    n: np.clip(np.round(rng.normal(8.8, 0.9, len(rep)), 1), 0, 10)
                    for n in ("relationship", "goals", "approach", "overall")
                },
            }
        ),
    )

    idx = np.flatnonzero(with_flag("sdq"))
    informants = np.array(["parent", "teacher", "self"])
    rep = np.repeat(idx, 6)
    occasion = np.tile(np.array([0, 0, 0, 1, 1, 1]), len(idx))
    inf = np.tile(np.concatenate([informants, informants]), len(idx))
    day = np.where(occasion == 0, c_start[rep] + 7, c_end[rep])
    answers = rng.choice(np.array([0, 1, 2]), (len(rep), 25), p=[0.45, 0.35, 0.2])
    sdq = pl.DataFrame(
        {
            "response_id": _ids("SDQ", len(rep), 8),
            "case_id": cases["case_id"].gather(rep),
            "administered_on": _date_col(day),
            "informant": inf,
            **{f"q{i + 1:02d}": answers[:, i] for i in range(25)},
            "has_difficulties": np.where(rng.random(len(rep)) < 0.7, "true", "false"),
            **{
                f"impact_{a}": rng.integers(0, 4, len(rep))
                for a in ("distress", "home", "friendships", "classroom", "leisure")
            },
        }
    )
    w.xlsx("sdq", sdq)

    idx = np.flatnonzero(with_flag("wellbeing"))
    rep = np.repeat(idx, 2)
    occ = np.tile(np.array(["baseline", "follow_up"]), len(idx))
    day = np.where(occ == "baseline", c_start[rep] + 3, np.minimum(c_start[rep] + 120, c_end[rep]))
    level = np.where(occ == "baseline", 2.6, 3.3)[:, None] + rng.normal(0, 0.8, (len(rep), 10))
    w.xlsx(
        "wellbeing",
        pl.DataFrame(
            {
                "response_id": _ids("WB", len(rep), 8),
                "case_id": cases["case_id"].gather(rep),
                "administered_on": _date_col(day),
                "occasion": occ,
                **{f"q{i + 1:02d}": np.clip(np.round(level[:, i]), 1, 5).astype(int) for i in range(10)},
            }
        ),
    )

    n_staff = max(5, int(round(362 * min(scale, 1))))
    w.xlsx(
        "staff_survey",
        pl.DataFrame(
            {
                "response_id": _ids("ST", n_staff, 6),
                "unit_code": rng.choice(np.array(["UNGH", "UPS", "C2C"]), n_staff, p=[0.6, 0.25, 0.15]),
                "survey_round": ["2018"] * n_staff,
                "role": rng.choice(np.array(["manager", "employee"]), n_staff, p=[0.1, 0.9]),
                **{f"q{i + 1:02d}": rng.integers(1, 6, n_staff) for i in range(10)},
            }
        ),
    )

    idx = np.flatnonzero(cases["is_exited"].to_numpy() & (rng.random(n_cases) < 0.3))
    w.xlsx(
        "participant_survey",
        pl.DataFrame(
            {
                "response_id": _ids("PS", len(idx), 7),
                "unit_code": c_unit[idx],
                "case_id": np.where(anonymous[idx], None, c_id[idx]).tolist(),
                "administered_on": _date_col(c_end[idx]),
                **{f"q{i + 1:02d}": rng.integers(2, 6, len(idx)) for i in range(8)},
            }
        ),
    )
    return dict(sorted(w.rows.items()))


INCREMENT_DATE = date(2026, 12, 1)


def generate_increment(out: Path, *, scale: float = 1.0, seed: int = 42, profile: str = "canonical") -> dict[str, int]:
    """One more month on top of `generate(out, scale=…, seed=…)`: what the case systems export on 2026-12-01.

    - a new `enrolments` snapshot: every case of the first export (dirt included), the cases that ended in
      November with their exit, and the month's new cases;
    - the append sources' November rows, with keys of their own: activities, attendance, drug tests, action plans
      of the new cases, support months of the persons in an open case, the ledger's November entries and the ORS
      forms given in November (XLSX).

    Rows written per source; files are named `<source>_2026-12-01.<ext>` beside the first export's.
    """
    c = _cases(np.random.default_rng(seed), scale)
    rng = np.random.default_rng([seed, 202611])
    w = _Writer(Path(out), profile, INCREMENT_DATE)
    first, last = _days(EXPORT_DATE), _days(INCREMENT_DATE) - 1  # November
    cases = c.cases
    n_cases = cases.height
    unit = cases["unit_code"].to_numpy()
    is_open = ~cases["is_exited"].to_numpy()
    planned_exit = cases["exited"].to_numpy()
    exits = is_open & (planned_exit <= last)
    by_code = {u.code: u for u in UNITS}
    reason = np.array([None] * n_cases, dtype=object)
    for code in np.unique(unit[exits]):
        rows = np.flatnonzero(exits & (unit == code))
        options = by_code[code].exits
        reason[rows] = rng.choice(np.array(list(options)), len(rows), p=np.array(list(options.values())))
    exits_now = pl.Series(exits)
    old = c.enrol.slice(0, n_cases).with_columns(
        pl.when(exits_now).then(_date_col(planned_exit)).otherwise(pl.col("exited_on")).alias("exited_on"),
        pl.when(exits_now)
        .then(pl.Series(reason.tolist(), dtype=pl.Utf8))
        .otherwise(pl.col("exit_reason"))
        .alias("exit_reason"),
        pl.when(exits_now & (pl.col("unit_code") == "UPS") & pl.Series(reason == "transferred"))
        .then(pl.lit("UNGH"))
        .otherwise(pl.col("destination_unit_code"))
        .alias("destination_unit_code"),
        pl.when(exits_now).then(None).otherwise(pl.col("phase")).alias("phase"),
    )

    # New cases: about a tenth of a year's intake per unit still running in November.
    running = [u for u in UNITS if u.ends_on is None or _days(u.ends_on) >= last]
    n_new = {u.code: max(1, int(round(u.cases * scale / 100))) for u in running}
    new_unit = np.repeat(np.array(list(n_new)), list(n_new.values()))
    n = len(new_unit)
    new_start = np.sort(rng.integers(first, last + 1, n))
    ages = np.array([rng.integers(by_code[u].ages[0], by_code[u].ages[1] + 1) for u in new_unit])
    birth = new_start - ages * 365 - rng.integers(1, 360, n)
    female = rng.random(n) < np.array([by_code[u].female_share for u in new_unit])
    anonymous = rng.random(n) < np.array([by_code[u].anonymous_share for u in new_unit])
    pnr = _personnummer(birth, female, start=n_cases)
    new_ids = pl.select(pl.concat_str(pl.Series(new_unit), pl.lit("-N"), _ids("", n, 6))).to_series()
    new = _strings(
        pl.DataFrame(
            {
                "case_id": new_ids,
                "person_id": pl.Series(np.where(anonymous, None, pnr).tolist(), dtype=pl.Utf8),
                "anonymous": anonymous,
                "unit_code": new_unit,
                "enrolled_on": _date_col(new_start),
                "gender": np.where(female, "female", "male"),
                "birth_date": _date_col(birth, anonymous),
                "referral_source": [str(rng.choice(np.array(by_code[u].referral))) for u in new_unit],
                "enrolment_reason": [by_code[u].reason for u in new_unit],
            }
        ),
        "enrolments",
    )
    w.csv("enrolments", pl.concat([old, new, c.enrol.slice(n_cases)]))

    # The cases open some time in November: still open at the first export, and the new ones.
    open_idx = np.flatnonzero(is_open)
    case_id = pl.concat([cases["case_id"].gather(open_idx), new_ids])
    c_unit = np.concatenate([unit[open_idx], new_unit])
    c_start = np.concatenate([np.full(len(open_idx), first), new_start])
    c_end = np.concatenate([np.minimum(planned_exit[open_idx], last), np.full(n, last)])
    c_person = np.concatenate([c.person_ids[open_idx], pnr])
    c_hidden = np.concatenate([c.anonymous[open_idx] | c.reserve[open_idx], anonymous])

    def events(flag: str | None, per_days: float) -> tuple[np.ndarray, np.ndarray]:
        idx = np.flatnonzero(np.isin(c_unit, [u.code for u in UNITS if flag is None or getattr(u, flag)]))
        counts = (1 + (c_end[idx] - c_start[idx]) // per_days).astype(int)
        rep = np.repeat(idx, counts)
        k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        day = c_start[rep] + (k * per_days).astype(int) + rng.integers(0, max(1, int(per_days)), len(rep))
        return rep, np.minimum(day, c_end[rep])

    rep, day = events(None, 14)
    w.csv(
        "activities",
        pl.DataFrame(
            {
                "activity_id": _ids("A2611-", len(rep), 7),
                "case_id": case_id.gather(rep),
                "activity_on": _date_col(day),
                "activity_type": rng.choice(
                    np.array(["individual_session", "group_session", "phone_contact"]), len(rep)
                ),
                "intervention_category": rng.choice(np.array(["maintaining", "developing"]), len(rep)),
                "minutes": rng.choice(np.array([30, 45, 60, 90]), len(rep)).astype(str),
            }
        ),
    )
    rep, day = events("attendance", 2.3)
    keep = np.concatenate([[True], (rep[1:] != rep[:-1]) | (day[1:] != day[:-1])])
    rep, day = rep[keep], day[keep]
    attended = np.where(rng.random(len(rep)) < 0.75, 6.0, 3.0)
    w.csv(
        "attendance",
        pl.DataFrame(
            {
                "case_id": case_id.gather(rep),
                "attendance_on": _date_col(day),
                "scheduled_hours": pl.repeat("6.0", len(rep), eager=True),
                "attended_hours": attended.astype(str),
                "absence_reason": np.where(attended == 6.0, "none", "valid"),
            }
        ),
    )
    planned = np.flatnonzero(np.isin(new_unit, ["PIMA", "C2C", "SKOL", "UPS", "UNGH", "BER"]))
    w.csv(
        "action_plans",
        pl.DataFrame(
            {
                "plan_id": _ids("HP2611-", len(planned), 5),
                "case_id": new_ids.gather(planned),
                "established_on": _date_col(np.minimum(new_start[planned] + 7, last)),
                "direction": rng.choice(np.array(["work", "studies", "other"]), len(planned), p=[0.6, 0.3, 0.1]),
                "reviewed_on": pl.repeat(None, len(planned), dtype=pl.Utf8, eager=True),
            }
        ),
    )
    rep, day = events("drug_tests", 7)
    result = rng.choice(np.array(["negative", "positive", "refused"]), len(rep), p=[0.88, 0.08, 0.04])
    w.csv(
        "drug_tests",
        pl.DataFrame(
            {
                "test_id": _ids("T2611-", len(rep), 7),
                "case_id": case_id.gather(rep),
                "tested_on": _date_col(day),
                "result": result,
                "reason": np.where(result == "positive", "suspicion", "routine"),
            }
        ),
    )
    persons = np.unique(c_person[~c_hidden])
    w.csv(
        "support_months",
        pl.DataFrame(
            {
                "person_id": persons,
                "month": pl.repeat("2026-11", len(persons), eager=True),
                "support_type": pl.repeat("income_support", len(persons), eager=True),
                "amount_sek": (rng.integers(60, 110, len(persons)) * 100).astype(str),
            }
        ),
    )
    ledger = [
        (f"V2611-{u.code}-{i}", u.code, "2026-11-28", cat, f"{u.staff_fte * max(scale, 0.1) * share / 12:.2f}", None)
        for u in running
        for i, (cat, share) in enumerate(zip(COST_CATEGORIES, (620_000, 60_000, 110_000, 0, 40_000), strict=True))
        if share
    ]
    w.csv(
        "ledger",
        pl.DataFrame(
            ledger, schema=["entry_id", "unit_code", "booked_on", "cost_category", "amount_sek", "funder"], orient="row"
        ),
    )
    rep, day = events("ors", 60)
    items = {
        name: np.clip(np.round(rng.normal(5.5, 1.5, len(rep)), 1), 0, 10)
        for name in ("individual", "interpersonal", "social", "overall")
    }
    w.xlsx(
        "ors",
        pl.DataFrame(
            {
                "response_id": _ids("ORS2611-", len(rep), 7),
                "case_id": case_id.gather(rep),
                "administered_on": _date_col(day),
                "session_no": np.full(len(rep), 1),
                "form": pl.repeat("ors", len(rep), eager=True),
                **items,
            }
        ),
    )
    return dict(sorted(w.rows.items()))
