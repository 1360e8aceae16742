"""One asset per source: landing files -> raw.<source>, with quarantine and the load ledger."""

from datetime import datetime
from pathlib import Path

import dagster as dg

from orchestration.automation.freshness import landing_snapshot, snapshot_observation
from orchestration.ingest.loading import FileOutcome, load_source, reserve_patterns
from orchestration.resources import LandingResource, PseudonymiserResource, WarehouseResource, WriterLockResource
from orchestration.warehouse import ensure_all_tables
from sources.contracts import Contract, all_contracts
from sources.identity import mask_text
from sources.pseudonymisation import PseudonymKeyError

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
        "files_rejected_earlier": dg.MetadataValue.int(sum(o.status == "previously_rejected" for o in outcomes)),
        "rows_read": dg.MetadataValue.int(total("rows_read")),
        "rows_loaded": dg.MetadataValue.int(total("rows_loaded")),
        "rows_quarantined": dg.MetadataValue.int(total("rows_quarantined")),
        "rows_duplicate": dg.MetadataValue.int(total("rows_duplicate")),
        "extra_columns_ignored": dg.MetadataValue.text(
            mask_text(", ".join(sorted({c for o in outcomes for c in o.extra_columns}))) or "none"
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
        writer_lock: WriterLockResource,  # held for the whole run: one writer at a time
    ):
        # No usable key, no load, for every source (with or without identity numbers): checked before anything is
        # read, recorded or written, so a production run without its key leaves the warehouse untouched.
        try:
            key = pseudonymiser.secret()
        except (PseudonymKeyError, OSError) as exc:
            raise dg.Failure(description=f"configuration error: {exc}") from None
        files = landing.files(source)
        # What this step saw, recorded in the instance whatever the outcome: the landing sensor compares against it.
        context.log_event(snapshot_observation(source, landing_snapshot(Path(landing.landing_dir) / source)))
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
            elif o.status == "previously_rejected":
                # Debug: in the UI's log of the step, not on `followup run`'s terminal, whose summary counts them.
                context.log.debug(
                    f"{source}/{o.file_name}: rejected by an earlier run and still in the landing folder, not loaded "
                    f"({o.error}); remove or replace it"
                )
        rejected = [o for o in outcomes if o.status == "rejected"]
        if rejected:
            # The run that rejects a file fails the source's asset with the ledger's one-line reason(s); later runs
            # only flag the file (above, in the run summary and in `followup status`).
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
