"""Load the canonical source contracts (contracts/*.yml) that docs/sources.md defines."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from dbt_project import PROJECT_DIR

CONTRACTS_DIR = Path(__file__).parent / "contracts"
CODELISTS_FILE = Path(__file__).parent / "codelists.yml"
# The metric keys a unit's goals may name have one home, the dbt seed the scorecards read too (docs/metrics.md).
METRIC_KEYS_SEED = PROJECT_DIR / "seeds" / "metric_keys.csv"

DUCKDB_TYPES = {
    "str": "VARCHAR",
    "code": "VARCHAR",
    "date": "DATE",
    "month": "DATE",  # stored as the month's first day
    "int": "INTEGER",
    "dec": "DECIMAL(18,4)",
    "bool": "BOOLEAN",
}

# Columns every raw table carries so that every row can be traced to its file and batch.
LINEAGE_COLUMNS = {
    "_batch_id": "VARCHAR",
    "_file": "VARCHAR",
    "_row_number": "INTEGER",
    "_exported_on": "DATE",
    "_loaded_at": "TIMESTAMP",
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    nullable: bool = False
    codes: str | None = None
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    max_field: str | None = None
    not_after_export: bool = False
    not_before: str | None = None
    required_unless: str | None = None
    required_iff: str | None = None

    @property
    def is_person_id(self) -> bool:
        return self.type == "person_id"


@dataclass(frozen=True)
class Contract:
    source: str
    description: str
    load_mode: str
    key: tuple[str, ...]
    fields: tuple[Field, ...]
    question_columns: int = 0
    code_lists: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, hash=False)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def required_fields(self) -> list[str]:
        """Fields a file must have as columns (nullable ones may be absent)."""
        return [f.name for f in self.fields if not f.nullable or f.name in self.key]

    @property
    def person_field(self) -> Field | None:
        return next((f for f in self.fields if f.is_person_id), None)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def raw_columns(self) -> dict[str, str]:
        """Column name -> DuckDB type of the raw table: identity numbers replaced by their pseudonym."""
        cols: dict[str, str] = {}
        for f in self.fields:
            if f.is_person_id:
                cols["person_key"] = "VARCHAR"
                cols["person_birth_date"] = "DATE"
                if "gender" not in self.field_names:
                    # docs/privacy.md: legal sex is kept only when the export has no gender field.
                    cols["person_legal_sex"] = "VARCHAR"
            else:
                cols[f.name] = DUCKDB_TYPES[f.type]
        return cols | LINEAGE_COLUMNS

    @property
    def raw_key(self) -> list[str]:
        return ["person_key" if self.field(k).is_person_id else k for k in self.key]


@cache
def code_lists() -> dict[str, tuple[str, ...]]:
    raw = yaml.safe_load(CODELISTS_FILE.read_text(encoding="utf-8"))
    return {name: tuple(str(v) for v in values) for name, values in raw.items()} | {"metric_key": metric_keys()}


def metric_keys() -> tuple[str, ...]:
    """The code list metric_key: the seed metric_keys of the dbt project, in its goal_order."""
    with METRIC_KEYS_SEED.open(encoding="utf-8", newline="") as f:
        rows = sorted(csv.DictReader(f), key=lambda row: int(row["goal_order"]))
    return tuple(row["metric_key"] for row in rows)


@cache
def load_contract(source: str) -> Contract:
    path = CONTRACTS_DIR / f"{source}.yml"
    if not path.exists():
        raise KeyError(f"unknown source '{source}' (no contract {path.name})")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    fields = tuple(Field(name=name, **spec) for name, spec in raw["fields"].items())
    lists = code_lists()
    contract = Contract(
        source=raw["source"],
        description=raw["description"],
        load_mode=raw["load_mode"],
        key=tuple(raw["key"]),
        fields=fields,
        question_columns=raw.get("question_columns", 0),
        code_lists={f.codes: lists[f.codes] for f in fields if f.codes},
    )
    if contract.load_mode not in ("snapshot", "append"):
        raise ValueError(f"{path.name}: load_mode must be snapshot or append")
    return contract


def source_names() -> list[str]:
    return sorted(p.stem for p in CONTRACTS_DIR.glob("*.yml"))


def all_contracts() -> list[Contract]:
    return [load_contract(name) for name in source_names()]
