"""Configurable resources: the warehouse, the landing folder, the pseudonymiser, the run's reporting settings."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb

from orchestration import warehouse
from orchestration.config import Settings
from orchestration.ingest.loading import landing_files
from orchestration.writer_lock import writer_lock
from sources.profiles import Profile, available_profiles
from sources.pseudonymisation import PseudonymKeyError, check_key, load_key

WRITER_WAIT_SECONDS = 600.0  # a Dagster run waits this long for another writer (e.g. `followup run`), then fails


class WarehouseResource(dg.ConfigurableResource):
    """The pipeline's DuckDB file. Connections are short-lived: dbt runs in another process and needs the file."""

    path: str
    memory_limit: str
    threads: int

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect(
            Path(self.path), read_only=read_only, memory_limit=self.memory_limit, threads=self.threads
        ) as con:
            yield con


class LandingResource(dg.ConfigurableResource):
    landing_dir: str
    profiles_dir: str | None = None

    def files(self, source: str) -> list[Path]:
        return landing_files(Path(self.landing_dir), source)

    def profiles(self, source: str) -> list[Profile]:
        return available_profiles(source, Path(self.profiles_dir) if self.profiles_dir else None)


class PseudonymiserResource(dg.ConfigurableResource):
    key: str | None = None
    key_file: str | None = None
    environment: str = "demo"

    def secret(self) -> bytes:
        return load_key(self.key, Path(self.key_file) if self.key_file else None, self.environment)

    def problem(self) -> str | None:
        """Why a run could not get its key (None: it can), without creating or reading anything else."""
        try:
            check_key(self.key, Path(self.key_file) if self.key_file else None, self.environment)
        except (PseudonymKeyError, OSError) as exc:
            return str(exc)
        return None


class WriterLockResource(dg.ConfigurableResource):
    """The warehouse's writer lock (orchestration/writer_lock.py), held from the start to the end of every run that
    has a writing asset: resources are set up once per run by the in-process executor. Waits `wait_seconds` for
    another writer, then the run fails with one line saying who writes."""

    warehouse_path: str
    wait_seconds: float = WRITER_WAIT_SECONDS

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator["WriterLockResource"]:
        run = context.dagster_run
        what = f"Dagster run {run.run_id[:8]} ({run.job_name})" if run else "Dagster"
        with writer_lock(Path(self.warehouse_path), what, self.wait_seconds):
            yield self


class ReportingResource(dg.ConfigurableResource):
    """The run's as-of date (None: the day the run starts, so a long-lived daemon does not freeze it) and k."""

    as_of_date: str | None
    suppression_threshold: int

    def resolved_as_of(self) -> date:
        return date.fromisoformat(self.as_of_date) if self.as_of_date else date.today()


class PublishedResource(dg.ConfigurableResource):
    """The folder of the published copy (a stable path: a BI tool is configured once)."""

    published_dir: str


def build_resources(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    from orchestration.transform.dbt_project import dbt_resource

    return {
        "warehouse": WarehouseResource(
            path=str(settings.warehouse_path.resolve()),
            memory_limit=settings.memory_limit,
            threads=settings.threads,
        ),
        "landing": LandingResource(
            landing_dir=str(settings.landing_dir.resolve()),
            profiles_dir=str(settings.profiles_dir.resolve()) if settings.profiles_dir else None,
        ),
        "pseudonymiser": PseudonymiserResource(
            # An EnvVar is resolved at run time and never shown in the UI or run config.
            key=dg.EnvVar("FOLLOWUP_PSEUDONYM_KEY") if settings.pseudonym_key else None,
            key_file=str(settings.pseudonym_key_file.resolve()) if settings.pseudonym_key_file else None,
            environment=settings.environment,
        ),
        "reporting": ReportingResource(
            as_of_date=settings.as_of_date.isoformat() if settings.as_of_date else None,
            suppression_threshold=settings.suppression_threshold,
        ),
        "published": PublishedResource(published_dir=str(settings.published_dir.resolve())),
        "writer_lock": WriterLockResource(
            warehouse_path=str(settings.warehouse_path.resolve()), wait_seconds=WRITER_WAIT_SECONDS
        ),
        "dbt": dbt_resource(),
    }
