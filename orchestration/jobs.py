"""Jobs: loading the landing folder, building the marts, and both in one run."""

from __future__ import annotations

import dagster as dg

INGEST_SELECTION = dg.AssetSelection.groups("raw")
MARTS_SELECTION = dg.AssetSelection.all() - INGEST_SELECTION

load_landing_job = dg.define_asset_job(
    "load_landing", selection=INGEST_SELECTION, description="Load new landing files into raw, quarantine and ledger."
)
build_marts_job = dg.define_asset_job(
    "build_marts", selection=MARTS_SELECTION, description="dbt build of staging, marts and reports, with checks."
)
followup_job = dg.define_asset_job(
    "followup",
    selection=dg.AssetSelection.all(),
    description="Everything: load the landing folder, then build the marts.",
)
