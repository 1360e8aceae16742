"""Effects against a matched comparison group (docs/evaluation.md).

A small, pure-Python estimator with no knowledge of the warehouse: it takes one frame of participants and
comparison candidates (one row per unit, person and index month, with their history, outcomes before and after, and
stratum) and returns two frames, the effects and the covariate balance. The dbt Python model
`int_comparison_estimates_computed` feeds it from the warehouse; the unit tests feed it synthetic frames.

- `estimate(rows, parameters, previous=None)` -> `Estimates(effects, balance, fingerprints, reused)`: with
  `previous` ((unit, cohort) -> fingerprint of a stored estimate), groups whose input is unchanged are skipped
- `Parameters`: comparison_k, caliper_sd, bootstrap_replicates, evaluation_min_cases, max_abs_smd
"""

from evaluation.estimator import (
    BALANCE_COLUMNS,
    COVARIATES,
    EFFECT_COLUMNS,
    METHOD,
    OUTCOMES,
    STATUSES,
    Estimates,
    Parameters,
    estimate,
)

__all__ = [
    "BALANCE_COLUMNS",
    "COVARIATES",
    "EFFECT_COLUMNS",
    "METHOD",
    "OUTCOMES",
    "STATUSES",
    "Estimates",
    "Parameters",
    "estimate",
]
