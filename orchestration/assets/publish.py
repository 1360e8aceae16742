"""The published copy for analysts and BI tools, downstream of every mart and report (operations.md).

It is the last asset of a build: a failing dbt test or a failing blocking check upstream skips it, so a failed
run never replaces the copy readers see.
"""

from pathlib import Path

import dagster as dg

from orchestration.assets.dbt import followup_dbt_models
from orchestration.publish import MART_SCHEMAS, write_published_copy
from orchestration.resources import PublishedResource, WarehouseResource

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
    description="<published_dir>/followup.duckdb: marts, reports, quality.load_ledger and quality.findings only, "
    "replaced by an atomic rename; every reports table also as Parquet and CSV (UTF-8 with BOM).",
)
def published_copy(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, published: PublishedResource
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
