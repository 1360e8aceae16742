"""Row-level validation of one file: typing by the profile, then the contract's pandera schema.

Every failure becomes a quarantine finding (row number, field, rule, value); a row with any finding
is not loaded. Rule names are those of docs/sources.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandera.polars as pa
import polars as pl

from sources.contracts import Contract, Field
from sources.identity import PARSED_SCHEMA, InvalidId, mask, parse_common, parse_person_id, reserve_match
from sources.profiles import Profile
from sources.readers import ROW_NUMBER

FINDING_SCHEMA = {ROW_NUMBER: pl.Int64, "field": pl.Utf8, "rule": pl.Utf8, "value": pl.Utf8}
PANDERA_RULES = {"not_nullable": "required_missing"}
PERSON_OK = "_person_id_valid"  # helper column: the identity number parsed under its row's unit
# What the raw tables can hold (sources/contracts.py DUCKDB_TYPES): a value beyond it is out_of_range here, so that
# it is quarantined on its field instead of failing the whole file in DuckDB's cast. DECIMAL(18,4) holds 14 digits
# before the point; INTEGER is 32 bits.
STORAGE_RANGE = {"dec": (-99_999_999_999_999.0, 99_999_999_999_999.0), "int": (-(2**31), 2**31 - 1)}


@dataclass(frozen=True)
class Validated:
    valid: pl.DataFrame  # typed canonical fields + _row_number, person fields still raw (see pseudonymise)
    findings: pl.DataFrame  # one row per (row, field, rule)
    person_ids: pl.DataFrame  # each valid raw number once: the person field, normalised, birth_date, legal_sex

    @property
    def rows_quarantined(self) -> int:
        return self.findings[ROW_NUMBER].n_unique()


def _parse_expr(f: Field, profile: Profile) -> pl.Expr:
    col = pl.col(f.name)
    if f.type in ("str", "person_id"):
        return col
    if f.type == "code":
        mapping = profile.values.get(f.name)
        return col.replace(mapping) if mapping else col
    if f.type == "int":
        return col.cast(pl.Int64, strict=False)
    if f.type == "dec":
        text = col.str.replace_all(r"[\s\u00a0]", "")
        if profile.decimal != ".":
            text = text.str.replace_all(".", "", literal=True).str.replace(profile.decimal, ".", literal=True)
        number = text.cast(pl.Float64, strict=False)
        # "NaN", "inf" and "-infinity" parse as floats but are not amounts: invalid_type, like any other non-number.
        return pl.when(number.is_finite()).then(number)
    if f.type == "bool":
        lowered = col.str.to_lowercase()
        return (
            pl.when(lowered.is_in([v.lower() for v in profile.true_values]))
            .then(True)
            .when(lowered.is_in([v.lower() for v in profile.false_values]))
            .then(False)
            .otherwise(None)
        )
    formats = profile.date_formats if f.type == "date" else profile.month_formats
    parsed = [col.str.strptime(pl.Date, fmt, strict=False) for fmt in formats]
    return pl.coalesce(parsed) if len(parsed) > 1 else parsed[0]


def _findings(frame: pl.DataFrame, mask_expr: pl.Expr, field: str, rule: str, value: pl.Expr) -> pl.DataFrame:
    return frame.filter(mask_expr).select(
        pl.col(ROW_NUMBER).cast(pl.Int64),
        pl.lit(field).alias("field"),
        pl.lit(rule).alias("rule"),
        value.cast(pl.Utf8).alias("value"),
    )


def _check(expr: pl.Expr, name: str) -> pa.Check:
    """A vectorised check; a null result (a null input) passes: nullability is its own rule."""
    return pa.Check(lambda data: data.lazyframe.select(expr.fill_null(True)), name=name)


def build_schema(contract: Contract, export_date: date) -> pa.DataFrameSchema:
    columns: dict[str, pa.Column] = {}
    for f in contract.fields:
        c = pl.col(f.name)
        checks: list[pa.Check] = []
        if f.codes:
            checks.append(_check(c.is_in(list(contract.code_lists[f.codes])), "code_not_in_list"))
        if f.min is not None:
            checks.append(_check(c > f.min if f.min_exclusive else c >= f.min, "out_of_range"))
        if f.max is not None:
            checks.append(_check(c <= f.max, "out_of_range"))
        if f.max_field:
            checks.append(_check(c <= pl.col(f.max_field), "out_of_range"))
        if f.type in STORAGE_RANGE:
            low, high = STORAGE_RANGE[f.type]
            checks.append(_check(c.is_between(low, high), "out_of_range"))
        if f.not_after_export:
            checks.append(_check(c <= export_date, "date_after_export"))
        if f.not_before:
            checks.append(_check(c >= pl.col(f.not_before), "date_order"))
        if f.required_unless:
            exempt = pl.col(f.required_unless).fill_null(False)
            checks.append(_check(c.is_not_null() | exempt, "required_missing"))
        if f.required_iff:
            checks.append(_check(c.is_not_null() | pl.col(f.required_iff).is_null(), "required_missing"))
        if f.is_person_id:
            checks.append(_check(c.is_null() | pl.col(PERSON_OK), "invalid_person_id"))
        nullable = f.nullable or bool(f.required_unless)
        columns[f.name] = pa.Column(nullable=nullable, checks=checks)
    for f in contract.fields:
        if f.required_iff:
            # ... and the other way round: an exit reason needs its exit date.
            other = pl.col(f.required_iff)
            columns[f.required_iff].checks.append(
                _check(other.is_not_null() | pl.col(f.name).is_null(), "required_missing")
            )
    first_key = contract.key[0]
    columns[first_key].checks.append(_check(pl.struct(list(contract.key)).is_first_distinct(), "duplicate_key"))
    return pa.DataFrameSchema(columns, strict=False, name=contract.source)


def _pandera_findings(schema: pa.DataFrameSchema, typed: pl.DataFrame, text: pl.DataFrame) -> pl.DataFrame:
    try:
        schema.validate(typed, lazy=True)
        return pl.DataFrame(schema=FINDING_SCHEMA)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    cases = cases.filter(pl.col("index").is_not_null() & pl.col("column").is_not_null())
    rows = typed[ROW_NUMBER]
    out = []
    for (column, check), group in cases.group_by(["column", "check"], maintain_order=True):
        idx = group["index"].cast(pl.Int64)
        rule = PANDERA_RULES.get(check, check)
        out.append(
            pl.DataFrame(
                {
                    ROW_NUMBER: rows.gather(idx).cast(pl.Int64),
                    "field": [column] * len(idx),
                    "rule": [rule] * len(idx),
                    "value": text[column].gather(idx).cast(pl.Utf8),
                },
                schema=FINDING_SCHEMA,
            )
        )
    return pl.concat(out) if out else pl.DataFrame(schema=FINDING_SCHEMA)


def _parse_person_ids(
    typed: pl.DataFrame, field: str, export_date: date, profile: Profile, reserve_patterns: dict[str, str]
) -> tuple[pl.DataFrame, pl.Series]:
    """Each distinct number parsed once (a person appears on many rows): the valid ones as a frame (raw number,
    normalised, birth_date, legal_sex) and a per-row flag. A reserve number is valid only under its own unit's
    pattern (any unit's where the source has no unit)."""
    by_unit = "unit_code" in typed.columns
    any_unit = "|".join(f"(?:{p})" for p in reserve_patterns.values()) or None
    pairs = typed.select(field, pl.col("unit_code") if by_unit else pl.lit(None, pl.Utf8).alias("unit_code"))
    distinct = pairs.unique().drop_nulls(field).sort(field, "unit_code", nulls_last=True)
    values = distinct[field]
    common = parse_common(values, export_date, profile.identity_scheme)
    units = distinct["unit_code"].to_list()
    patterns = [reserve_patterns.get(u) if by_unit else any_unit for u in units]
    rows: list[tuple] = []
    for value, pattern, normalised, born, sex in zip(
        values.to_list(), patterns, *(c.to_list() for c in common.get_columns()), strict=True
    ):
        # The common path never sees a reserve number: those are only valid under a pattern, decided here.
        if normalised is None or (pattern and reserve_match(pattern, value)):
            try:
                pid = parse_person_id(value, export_date, scheme=profile.identity_scheme, reserve_pattern=pattern)
            except InvalidId:
                rows.append((value, None, None, None))
                continue
            normalised, born, sex = pid.normalised, pid.birth_date, pid.legal_sex
        rows.append((value, normalised, born, sex))
    parsed = pl.DataFrame(rows, schema={field: pl.Utf8, **PARSED_SCHEMA}, orient="row").with_columns(
        pl.Series("unit_code", units, dtype=pl.Utf8)
    )
    valid = parsed.filter(pl.col("normalised").is_not_null())
    # Row by row through a join, not a Python loop (support_months has millions of rows, few distinct numbers).
    flagged = pairs.join(
        valid.select(field, "unit_code", pl.lit(True).alias(PERSON_OK)),
        on=[field, "unit_code"],
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )
    ok = flagged[PERSON_OK].fill_null(False).rename("")
    return valid.drop("unit_code").unique(field, keep="first", maintain_order=True), ok


def validate(
    text: pl.DataFrame,
    contract: Contract,
    profile: Profile,
    export_date: date,
    reserve_patterns: dict[str, str] | None = None,
) -> Validated:
    typed = text.with_columns([_parse_expr(f, profile).alias(f.name) for f in contract.fields])

    parse_failures = [
        _findings(
            typed.with_columns(text[f.name].alias("_text")),
            pl.col("_text").is_not_null() & pl.col(f.name).is_null(),
            f.name,
            "invalid_type",
            pl.col("_text"),
        )
        for f in contract.fields
    ]
    person = contract.person_field
    person_ids = pl.DataFrame(schema=PARSED_SCHEMA)
    person_ok = None
    if person is not None:
        person_ids, person_ok = _parse_person_ids(typed, person.name, export_date, profile, reserve_patterns or {})
        typed = typed.with_columns(person_ok.alias(PERSON_OK))

    schema = build_schema(contract, export_date)
    findings = pl.concat([*parse_failures, _pandera_findings(schema, typed, text)])
    # A value that failed typing is null afterwards: do not also report it as missing.
    typed_fail = findings.filter(pl.col("rule") == "invalid_type").select(ROW_NUMBER, "field")
    findings = (
        findings.join(typed_fail.with_columns(pl.lit(True).alias("_typed")), on=[ROW_NUMBER, "field"], how="left")
        .filter(pl.col("_typed").is_null() | (pl.col("rule") == "invalid_type"))
        .drop("_typed")
    )
    if person is not None:
        findings = findings.with_columns(
            pl.when(pl.col("field") == person.name)
            .then(pl.col("value").map_elements(mask, return_dtype=pl.Utf8))
            .otherwise(pl.col("value"))
            .alias("value")
        )
    findings = findings.unique(maintain_order=True).sort(ROW_NUMBER, "field", "rule")
    valid = typed.filter(~pl.col(ROW_NUMBER).is_in(findings[ROW_NUMBER].implode())).drop(PERSON_OK, strict=False)
    return Validated(valid=valid, findings=findings, person_ids=person_ids)
