"""The demo municipality: a deterministic, seeded generator of every source's exports (docs/operations.md).

Demoby kommun runs eight units (the catalogue and its parameters: `units.yml`):

| code | unit |
|---|---|
| PIMA | a labour-market project for young women 18-25, ended in 2022 |
| C2C  | the same kind of project for young men 18-25 |
| NPF  | family ombudsmen for families of children with neuropsychiatric diagnoses (about 8 families each), ended 2024 |
| SKOL | a back-to-school team for pupils who refuse school, followed with SDQ forms |
| HLT  | health, learning and safety for children 0-16: short cases, some anonymous, coordinated care (SIP) meetings |
| UPS  | an outreach team for isolated young adults that hands half of its cases over to UNGH |
| UNGH | the youth centre of the regular services, whose staff answered a survey |
| BER  | the addiction unit for adults: drug tests, ORS and SRS forms, some clients under reserve numbers |

History runs from 2016 to the export date; `scale` multiplies persons and events (1 = a few thousand cases).
Generation is vectorised with numpy and written with polars; the same (scale, seed) gives byte-identical files, and
a fixed handful of bad rows, the same at every scale and seed (`DIRT`, see `dirt.py`), gives the quarantine and the
findings something to show.

Modules: `cases` (persons and cases), one per family of sources (`reference`, `registry`, `surveys`), `register`
(the whole income-support register with its planted effects, docs/evaluation.md), `dirt`,
`writing` (files in a column profile), `increment` (the month after the export).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from demo_municipality import reference, registry, surveys
from demo_municipality.cases import draw_cases, personnummer
from demo_municipality.dirt import DIRT, QUARANTINED_ROWS
from demo_municipality.increment import generate_increment
from demo_municipality.writing import Writer

REGISTER_STREAM = 1711  # the income-support register's own random stream: np.random.default_rng([seed, 1711])

__all__ = ["DIRT", "QUARANTINED_ROWS", "generate", "generate_increment", "personnummer"]


def generate(out: Path, *, scale: float = 1.0, seed: int = 42, profile: str = "canonical") -> dict[str, int]:
    """Write every source's export files under out/<source>/ in a column profile; rows written per source.

    One generator draws everything in a fixed order (cases, then the registry's sources, then the surveys'):
    changing the order changes every file after the change.
    """
    rng = np.random.default_rng(seed)
    w = Writer(Path(out), profile)
    reference.write(w, scale)  # no draws
    cases = draw_cases(rng, scale)
    registry.write(w, rng, cases, scale, np.random.default_rng([seed, REGISTER_STREAM]))
    surveys.write(w, rng, cases, scale)
    return dict(sorted(w.rows.items()))
