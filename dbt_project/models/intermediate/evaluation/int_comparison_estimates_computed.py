"""The matched comparison's estimates (evaluation.md), computed by the `evaluation` package inside the dbt graph.

One long table for both marts: `record` = 'effect' (unit x cohort x outcome, `item` = the outcome) or 'balance'
(unit x cohort x covariate, `item` = the covariate); evaluation.comparison_effects and evaluation.balance select
their rows and fix the types under their contracts. Parameters per unit come from int_evaluation_parameters_resolved
(the unit's own evaluation_parameters row, else the '*' row, else the seed default).

Every row carries the `fingerprint` of the input its unit x cohort was computed from
(`evaluation.estimator.fingerprint`). A build reads the table it replaces and keeps the rows of every unit x cohort
whose fingerprint is unchanged, so after one new month only the cohorts whose rows changed (and `all`) are
estimated again (docs/evaluation.md).
"""

import pandas as pd

from evaluation import BALANCE_COLUMNS, EFFECT_COLUMNS, Parameters, estimate

TEXT = ("record", "unit_code", "cohort", "item", "status", "method", "parameters", "fingerprint")
NUMBERS = tuple(
    dict.fromkeys(c for c in (*EFFECT_COLUMNS, *BALANCE_COLUMNS) if c not in (*TEXT, "outcome", "covariate"))
)


def _stored(dbt, session) -> pd.DataFrame | None:
    """The rows of the table this build replaces, if it has fingerprints."""
    # fetchall: a result left unfetched keeps the connection busy for the next query.
    found = session.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
        "AND column_name = 'fingerprint'",
        [dbt.this.schema, dbt.this.identifier],
    ).fetchall()[0][0]
    return session.sql(f"SELECT * FROM {dbt.this}").df() if found else None


def model(dbt, session):
    dbt.config(materialized="table")
    # The person as its 64-bit person_hash: the pseudonym is never needed here, and sorting, de-duplicating and
    # fingerprinting integers is far cheaper than 64-character text. Through Arrow: a fraction of .df()'s time.
    relation = dbt.ref("int_evaluation_rows_assembled").project("* exclude (person_key), person_hash as person_key")
    rows = relation.to_arrow_table().to_pandas(date_as_object=False)
    resolved = dbt.ref("int_evaluation_parameters_resolved").df()
    parameters = {
        r.unit_code: Parameters(
            comparison_k=int(r.comparison_k),
            caliper_sd=float(r.caliper_sd),
            bootstrap_replicates=int(r.bootstrap_replicates),
            evaluation_min_cases=int(r.evaluation_min_cases),
        )
        for r in resolved.itertuples()
    }
    stored = _stored(dbt, session)
    previous = None
    if stored is not None:
        previous = dict(zip(zip(stored.unit_code, stored.cohort, strict=True), stored.fingerprint, strict=True))
    result = estimate(rows, parameters, previous=previous)
    effects = result.effects.rename(columns={"outcome": "item"}).assign(record="effect")
    balance = result.balance.rename(columns={"covariate": "item"}).assign(record="balance")
    computed = pd.concat([effects, balance], ignore_index=True)
    computed["fingerprint"] = [result.fingerprints[g] for g in zip(computed.unit_code, computed.cohort, strict=True)]
    parts = [computed]
    if result.reused:
        keep = [g in result.reused for g in zip(stored.unit_code, stored.cohort, strict=True)]
        parts.append(stored[keep])
    out = pd.concat(parts, ignore_index=True)
    out = out.reindex(columns=[*TEXT, *NUMBERS])
    out = out.sort_values(["record", "unit_code", "cohort", "item"], kind="mergesort", ignore_index=True)
    for c in TEXT:
        out[c] = out[c].astype("object").where(out[c].notna(), None)
    for c in NUMBERS:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    return out
