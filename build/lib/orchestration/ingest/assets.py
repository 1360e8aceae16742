"""One asset per source: landing files -> raw.<source>, with quarantine and the load ledger."""

from datetime import datetime
from pathlib import Path

import dagster as dg

from orchestration.automation.freshness import landing_snapshot, snapshot_observation
from orchestration.ingest.loading import FileOutcome, load_source, reserve_patterns
from orchestration.resources import LandingResource, PseudonymiserResource, WarehouseResource
from orchestration.warehouse import ensure_all_tables
from sources.contracts import Contract, all_contracts

INGEST_GROUP = "raw"


def _summary(outcomes: list[FileOutcome]) -> dict[str, dg.MetadataValue]:
    def total(attr: str) -> int:
        return sum(getattr(o, attr) for o in outcomes)

    return {
        "files_loaded": dg.MetadataValue.int(sum(o.status == "loaded" for o in outcomes)),
        "files_unchanged": dg.MetadataValue.int(
            sum(o.status in ("unchanged", "skipped_same_content") for o in outcomes)
        ),
        "files_rejected": dg.MetadataValue.int(sum(o.status == "rejected" for o in outcomes)),
        "rows_read": dg.MetadataValue.int(total("rows_read")),
        "rows_loaded": dg.MetadataValue.int(total("rows_loaded")),
        "rows_quarantined": dg.MetadataValue.int(total("rows_quarantined")),
        "rows_duplicate": dg.MetadataValue.int(total("rows_duplicate")),
        "extra_columns_ignored": dg.MetadataValue.text(
            ", ".join(sorted({c for o in outcomes for c in o.extra_columns})) or "none"
        ),
    }


def build_ingest_asset(contract: Contract) -> dg.AssetsDefinition:
    source = contract.source

    @dg.asset(
        key=dg.AssetKey(["raw", source]),
        group_name=INGEST_GROUP,
        description=f"{contract.description} Validated and pseudonymised rows of every "
        f"{contract.load_mode} export in <landing>/{source}/.",
        kinds={"duckdb", "python"},
        check_specs=[dg.AssetCheckSpec("rows_accounted_for", asset=dg.AssetKey(["raw", source]))],
    )
    def _ingest(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        landing: LandingResource,
        pseudonymiser: PseudonymiserResource,
    ):
        files = landing.files(source)
        # What this step saw, recorded in the instance whatever the outcome: the landing sensor compares against it.
        context.log_event(snapshot_observation(source, landing_snapshot(Path(landing.landing_dir) / source)))
        key = pseudonymiser.secret() if contract.person_field else b""
        with warehouse.connect() as con:
            ensure_all_tables(con)
            patterns = (
                reserve_patterns(con, landing.files("units"), landing.profiles("units"))
                if contract.person_field
                else []
            )
            outcomes = load_source(con, contract, files, landing.profiles(source), key, datetime.now(), patterns)
            unbalanced = con.execute(
                """SELECT file_name, rows_read, rows_loaded, rows_quarantined, rows_duplicate
                   FROM quality.load_ledger WHERE source = ?
                     AND rows_read <> rows_loaded + rows_quarantined + rows_duplicate""",
                [source],
            ).fetchall()
            raw_rows = con.execute(f"SELECT count(*) FROM raw.{source}").fetchone()[0]
        for o in outcomes:
            if o.status == "loaded":
                context.log.info(
                    f"{source}/{o.file_name}: {o.rows_loaded} loaded, {o.rows_quarantined} quarantined, "
                    f"{o.rows_duplicate} duplicate (profile {o.profile})"
                )
        rejected = [o for o in outcomes if o.status == "rejected"]
        if rejected:
            # The ledger already holds the reason; the asset fails with the same one-line message(s).
            raise dg.Failure(
                description="; ".join(o.error or o.file_name for o in rejected),
                metadata=_summary(outcomes),
            )
        return dg.MaterializeResult(
            metadata={**_summary(outcomes), "dagster/row_count": dg.MetadataValue.int(raw_rows)},
            check_results=[
                dg.AssetCheckResult(
                    check_name="rows_accounted_for",
                    passed=not unbalanced,
                    severity=dg.AssetCheckSeverity.ERROR,
                    metadata={
                        "files_out_of_balance": dg.MetadataValue.text(", ".join(r[0] for r in unbalanced) or "none")
                    },
                )
            ],
        )

    return _ingest


def ingest_assets() -> list[dg.AssetsDefinition]:
    return [build_ingest_asset(c) for c in all_contracts()]
