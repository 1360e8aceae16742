"""The published copy for analysts and BI tools, downstream of every mart and report (docs/operations.md).

It is the last asset of a build: a failing dbt test or a failing blocking check upstream skips it, so a failed
run never replaces the copy readers see.
"""

from pathlib import Path

import dagster as dg

from orchestration.publish.copy import MART_SCHEMAS, PublicationError, publish_period, write_published_copy
from orchestration.resources import PublishedResource, WarehouseResource, WriterLockResource
from orchestration.transform.assets import followup_dbt_models

PUBLISHED_GROUP = "published"
PUBLISHED_COPY = dg.AssetKey("published_copy")


def _published_upstream() -> list[dg.AssetKey]:
    return sorted(
        (k for k in followup_dbt_models.keys if k.path[0] in (*MART_SCHEMAS, "quality")),
        key=lambda k: k.to_user_string(),
    )


@dg.asset(
    key=PUBLISHED_COPY,
    group_name=PUBLISHED_GROUP,
    deps=_published_upstream(),
    kinds={"duckdb", "parquet", "csv"},
    description="<published_dir>/followup.duckdb: marts, reports, quality.load_ledger and quality.findings only; "
    "reports under disclosure control across tables, also as Parquet, CSV (UTF-8 with BOM) and XLSX. One version "
    "folder, "
    "switched to readers by one atomic rename of the link `current`.",
)
def published_copy(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    published: PublishedResource,
    writer_lock: WriterLockResource,  # held for the whole run: one writer at a time
) -> dg.MaterializeResult:
    # dbt ran in its own process and has exited: the warehouse is only read here.
    copy = write_published_copy(
        Path(warehouse.path),
        Path(published.published_dir),
        memory_limit=warehouse.memory_limit,
        threads=warehouse.threads,
        progress=context.log.info,
    )
    context.log.info(f"published copy in place: {copy.path}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(copy.path)),
            "tables": dg.MetadataValue.int(len(copy.tables)),
            "rows": dg.MetadataValue.json(copy.tables),
            "exports": dg.MetadataValue.int(len(copy.exports)),
        }
    )


# ---------------------------------------------------------------------------------------------- frozen periods
# Reporting periods as Dagster partitions: one time-window partition per month, half-year and year, published by
# schedules after the period has closed (or by `followup publish --period`). A partition freezes that period.

PUBLICATION_TIMEZONE = "Europe/Stockholm"


def _half_year_label(key: str) -> str:
    year, month = key.split("-")
    return f"{year}-H{1 if month == '01' else 2}"


PERIOD_KINDS: dict[str, tuple[dg.TimeWindowPartitionsDefinition, object]] = {
    "month": (
        dg.TimeWindowPartitionsDefinition(
            cron_schedule="0 0 1 * *", start="2010-01", fmt="%Y-%m", timezone=PUBLICATION_TIMEZONE
        ),
        lambda key: key,
    ),
    "half_year": (
        dg.TimeWindowPartitionsDefinition(
            cron_schedule="0 0 1 1,7 *", start="2010-01", fmt="%Y-%m", timezone=PUBLICATION_TIMEZONE
        ),
        _half_year_label,
    ),
    "year": (
        dg.TimeWindowPartitionsDefinition(
            cron_schedule="0 0 1 1 *", start="2010", fmt="%Y", timezone=PUBLICATION_TIMEZONE
        ),
        lambda key: key,
    ),
}


def period_label(kind: str, partition_key: str) -> str:
    return PERIOD_KINDS[kind][1](partition_key)


def _build_publication(kind: str) -> dg.AssetsDefinition:
    partitions_def = PERIOD_KINDS[kind][0]

    @dg.asset(
        key=dg.AssetKey(["publication", kind]),
        group_name=PUBLISHED_GROUP,
        partitions_def=partitions_def,
        deps=[k for k in _published_upstream() if k.path[0] == "reports"],
        kinds={"duckdb"},
        description=f"The frozen report rows of one {kind.replace('_', '-')} (docs/metrics.md: a published period is "
        "frozen): copied into the warehouse's publication schema with the export batches they came from, then "
        "the published copy is refreshed. Already published periods are left as they are.",
    )
    def _publication(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        published: PublishedResource,
        writer_lock: WriterLockResource,  # held for the whole run: one writer at a time
    ) -> dg.MaterializeResult:
        label = period_label(kind, context.partition_key)
        try:
            version = publish_period(Path(warehouse.path), label, memory_limit=warehouse.memory_limit)
        except PublicationError as exc:
            raise dg.Failure(description=f"publication/{kind} {label}: {exc}") from exc
        if version is None:
            context.log.info(f"{label} is already published; `followup publish --period {label} --republish`")
        copy = write_published_copy(
            Path(warehouse.path), Path(published.published_dir), memory_limit=warehouse.memory_limit
        )
        return dg.MaterializeResult(
            metadata={
                "period": dg.MetadataValue.text(label),
                "version": dg.MetadataValue.int(version or 0),
                "published_copy": dg.MetadataValue.path(str(copy.path)),
            }
        )

    return _publication


period_publications = [_build_publication(kind) for kind in PERIOD_KINDS]
