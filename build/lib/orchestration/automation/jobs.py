"""Jobs: loading the landing folder, building the marts (and the published copy), both in one run, and the
publication of closed reporting periods. Every job writes the warehouse: the tag lets dagster.yaml's run queue keep
them from overlapping (one DuckDB writer)."""

from __future__ import annotations

import dagster as dg

from orchestration.publish.assets import PERIOD_KINDS, PUBLISHED_COPY

WRITES_WAREHOUSE = {"followup/writes-warehouse": "true"}

INGEST_SELECTION = dg.AssetSelection.groups("raw")
PUBLICATION_SELECTION = dg.AssetSelection.assets(*[dg.AssetKey(["publication", kind]) for kind in PERIOD_KINDS])
MARTS_SELECTION = dg.AssetSelection.all() - INGEST_SELECTION - PUBLICATION_SELECTION

load_landing_job = dg.define_asset_job(
    "load_landing",
    selection=INGEST_SELECTION,
    tags=WRITES_WAREHOUSE,
    description="Load new landing files into raw, quarantine and ledger.",
)
build_marts_job = dg.define_asset_job(
    "build_marts",
    selection=MARTS_SELECTION,
    tags=WRITES_WAREHOUSE,
    description=f"dbt build of staging, marts and reports, with checks; then {PUBLISHED_COPY.to_user_string()}.",
)
followup_job = dg.define_asset_job(
    "followup",
    selection=dg.AssetSelection.all() - PUBLICATION_SELECTION,
    tags=WRITES_WAREHOUSE,
    description="Everything: load the landing folder, then build the marts and the published copy.",
)
publication_jobs = {
    kind: dg.define_asset_job(
        f"publish_{kind}",
        selection=dg.AssetSelection.assets(dg.AssetKey(["publication", kind])),
        tags=WRITES_WAREHOUSE,
        description=f"Freeze one closed {kind.replace('_', '-')}'s report rows and refresh the published copy.",
    )
    for kind in PERIOD_KINDS
}
