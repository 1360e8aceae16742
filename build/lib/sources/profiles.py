"""Column profiles: declarative files mapping an export's layout onto a source's canonical fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

BUNDLED_DIR = Path(__file__).parent / "profiles"


@dataclass(frozen=True)
class Profile:
    name: str
    source: str  # a source name, or "*" for a profile that applies to every source
    delimiter: str = ","
    encoding: str | tuple[str, ...] = "utf-8"  # or a list tried in order
    decimal: str = "."
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    month_formats: tuple[str, ...] = ("%Y-%m",)
    true_values: tuple[str, ...] = ("true", "1")
    false_values: tuple[str, ...] = ("false", "0")
    header_row: int = 1  # 1-based row of the header in an XLSX sheet (title rows above it are skipped)
    sheet: str | None = None
    identity_scheme: str = "se"  # se: Swedish personnummer; dk: Danish CPR
    columns: dict[str, str] = field(default_factory=dict)  # export header -> canonical field
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> {export label: code}
    path: Path | None = None

    @property
    def encodings(self) -> tuple[str, ...]:
        return (self.encoding,) if isinstance(self.encoding, str) else tuple(self.encoding)

    def applies_to(self, source: str) -> bool:
        return self.source in ("*", source)

    def canonical_name(self, header: str) -> str:
        """The canonical field an export column maps to (identity when the profile has no mapping)."""
        header = header.strip().lstrip("\ufeff")
        return self.columns.get(header, header)


def load_profile(path: Path) -> Profile:
    stat = Path(path).stat()
    return _load_profile(Path(path), stat.st_mtime_ns, stat.st_size)


# libyaml's loader where the wheel has it: the same documents, ten times faster to parse.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=1024)
def _load_profile(path: Path, mtime_ns: int, size: int) -> Profile:
    """Parsed once per file version (every asset and every file asks for all profiles); Profile is frozen."""
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
    for key in ("date_formats", "month_formats", "true_values", "false_values", "encoding"):
        if key == "encoding" and isinstance(raw.get(key), str):
            continue
        if key in raw:
            raw[key] = tuple(str(v) for v in raw[key])
    raw["columns"] = {str(k): str(v) for k, v in (raw.get("columns") or {}).items()}
    raw["values"] = {f: {str(k): str(v) for k, v in m.items()} for f, m in (raw.get("values") or {}).items()}
    try:
        return Profile(path=path, **raw)
    except TypeError as exc:
        raise ValueError(f"profile {path}: {exc}") from exc


def available_profiles(source: str, extra_dir: Path | None = None) -> list[Profile]:
    """Bundled profiles, then the data team's own (extra_dir), that apply to a source."""
    paths = sorted(BUNDLED_DIR.rglob("*.yml"))
    if extra_dir and extra_dir.exists():
        paths += sorted(extra_dir.rglob("*.yml"))
    return [p for p in (load_profile(path) for path in paths) if p.applies_to(source)]
