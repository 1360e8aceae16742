"""The one configuration: followup.toml, every key overridable by FOLLOWUP_<KEY> (docs/operations.md).

Nothing here runs at import time; callers ask for `load_settings()` when they need it. Every default is written
here and only here: dbt's profiles.yml and macros read the values from `Settings.dbt_env()` without defaults.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path

CONFIG_ENV = "FOLLOWUP_CONFIG"
DEFAULT_CONFIG_FILE = "followup.toml"


class ConfigError(RuntimeError):
    """A configuration that cannot be run, with a message for the data team."""


@dataclass(frozen=True)
class Settings:
    landing_dir: Path = Path("data/landing")
    warehouse_path: Path = Path("data/warehouse/followup.duckdb")
    published_dir: Path = Path("data/published")
    pseudonym_key_file: Path | None = Path("data/secrets/pseudonym.key")
    pseudonym_key: str | None = None
    suppression_threshold: int = 5
    as_of_date: date | None = None  # None = today, resolved per run
    profiles_dir: Path | None = None
    memory_limit: str = "4GB"
    threads: int = 2
    # "demo" creates a local key file when none exists; "production" refuses to run without a key.
    environment: str = "demo"
    # The Dagster instance (run history, schedules, sensors) shared by `followup run` and `followup ui`;
    # DAGSTER_HOME, when set, wins.
    dagster_home: Path = Path("data/dagster")

    def resolved_as_of(self) -> date:
        return self.as_of_date or date.today()

    def dbt_env(self) -> dict[str, str]:
        return dbt_environment(
            self.warehouse_path, self.memory_limit, self.threads, self.resolved_as_of(), self.suppression_threshold
        )


def dbt_environment(
    warehouse_path: Path, memory_limit: str, threads: int, as_of: date, suppression_threshold: int
) -> dict[str, str]:
    """What dbt reads (profiles.yml and macros/run_parameters.sql): the same values as Python, built only here."""
    return {
        "FOLLOWUP_WAREHOUSE_PATH": str(Path(warehouse_path).resolve()),
        "FOLLOWUP_AS_OF_DATE": as_of.isoformat(),
        "FOLLOWUP_SUPPRESSION_THRESHOLD": str(suppression_threshold),
        "FOLLOWUP_MEMORY_LIMIT": memory_limit,
        "FOLLOWUP_THREADS": str(threads),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


_PATHS = ("landing_dir", "warehouse_path", "published_dir", "pseudonym_key_file", "profiles_dir", "dagster_home")


def _coerce(name: str, raw: object) -> object:
    if raw is None or raw == "":
        return None
    if name in _PATHS:
        return Path(str(raw)).expanduser()
    if name in ("suppression_threshold", "threads"):
        return int(raw)
    if name == "as_of_date":
        return raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    return str(raw)


def load_settings(environ: dict[str, str] | None = None, config_file: Path | None = None) -> Settings:
    """Defaults < config file < FOLLOWUP_<KEY> environment variables.

    Relative paths are resolved once, here: with a config file, those it writes and the defaults against the
    file's folder (the CLI works from any directory); without one, against the working directory; paths from
    environment variables always against the working directory.
    """
    env = os.environ if environ is None else environ
    path = config_file or Path(env.get(CONFIG_ENV, DEFAULT_CONFIG_FILE))
    values: dict[str, object] = {}
    if path.exists():
        with path.open("rb") as fh:
            values.update(tomllib.load(fh))
    elif config_file is None and CONFIG_ENV in env:
        raise ConfigError(f"configuration file {path} (from {CONFIG_ENV}) does not exist")
    if "pseudonym_key" in values:
        raise ConfigError(
            f"{path}: the pseudonym key must not be written in the config file; "
            "use FOLLOWUP_PSEUDONYM_KEY or pseudonym_key_file"
        )
    known = {f.name for f in fields(Settings)}
    unknown = set(values) - known
    if unknown:
        raise ConfigError(f"unknown keys in {path}: {', '.join(sorted(unknown))}")
    for name in known:
        env_name = f"FOLLOWUP_{name.upper()}"
        if env_name in env:
            raw = env[env_name]
            values[name] = str(Path.cwd() / Path(raw).expanduser()) if name in _PATHS and raw else raw
    try:
        settings = Settings(**{k: _coerce(k, v) for k, v in values.items() if _coerce(k, v) is not None})
    except ValueError as exc:
        raise ConfigError(f"invalid configuration value: {exc}") from exc
    if settings.environment not in ("demo", "production"):
        raise ConfigError("environment must be 'demo' or 'production'")
    if settings.suppression_threshold < 1:
        raise ConfigError("suppression_threshold must be at least 1")
    if "DAGSTER_HOME" in env:
        settings = replace(settings, dagster_home=Path(env["DAGSTER_HOME"]))
    base = path.resolve().parent if path.exists() else Path.cwd()
    return replace(
        settings,
        **{n: (base / getattr(settings, n)).resolve() for n in _PATHS if getattr(settings, n) is not None},
    )
