"""The matched comparison's estimates (evaluation.md), computed by the `evaluation` package inside the dbt graph.

One long table for both marts: `record` = 'effect' (unit x cohort x outcome, `item` = the outcome) or 'balance'
(unit x cohort x covariate, `item` = the covariate); evaluation.comparison_effects and evaluation.balance select
their rows and fix the types under their contracts. Parameters per unit come from int_evaluation_parameters_resolved
(the unit's own evaluation_parameters row, else the '*' row, else the seed default).
"""

import pandas as pd

from evaluation import BALANCE_COLUMNS, EFFECT_COLUMNS, Parameters, estimate

TEXT = ("record", "unit_code", "cohort", "item", "status", "method", "parameters")
NUMBERS = tuple(
    dict.fromkeys(c for c in (*EFFECT_COLUMNS, *BALANCE_COLUMNS) if c not in (*TEXT, "outcome", "covariate"))
)


def model(dbt, session):
    dbt.config(materialized="table")
    rows = dbt.ref("int_evaluation_rows_assembled").df()
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
    result = estimate(rows, parameters)
    effects = result.effects.rename(columns={"outcome": "item"}).assign(record="effect")
    balance = result.balance.rename(columns={"covariate": "item"}).assign(record="balance")
    out = pd.concat([effects, balance], ignore_index=True)
    out = out.reindex(columns=[*TEXT, *NUMBERS])
    for c in TEXT:
        out[c] = out[c].astype("object").where(out[c].notna(), None)
    for c in NUMBERS:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    return out
