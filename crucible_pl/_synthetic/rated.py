"""Synthetic raw rows for the the rated-response dataset (HelpSteer2).

Each generator returns deterministic rows with the raw Hub schema of
:mod:`crucible_pl.registry.rated` (which owns the schemas and the normalizers).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from crucible_pl._synthetic._common import (
    SAMPLE_EXCHANGES,
    SAMPLE_FOLLOW_UPS,
    check_synthetic_config,
    synthetic_frame,
)
from crucible_pl.registry._spec import SyntheticRequest
from crucible_pl.registry.rated import (
    _HELPSTEER2_RAW,
)


def _helpsteer2_synthetic(req: SyntheticRequest) -> pl.DataFrame:
    check_synthetic_config(req, "helpsteer2", ("default",))
    rng = req.rng()
    rows: dict[str, list[Any]] = {name: [] for name in _HELPSTEER2_RAW}
    prompt, better, worse = "", "", ""
    for i in range(req.n):
        if i % 2 == 0:  # two responses per prompt, on consecutive rows
            prompt, better, worse = rng.choice(SAMPLE_EXCHANGES)
            if i % 6 == 4:  # a multi-turn prompt, flattened with SteerLM markers
                question, answer = rng.choice(SAMPLE_FOLLOW_UPS)
                prompt = f"{prompt}\n<extra_id_1>Assistant\n{better}\n<extra_id_1>User\n{question}"
                better, worse = answer, "I'm not sure."
        good = i % 2 == 0
        rows["prompt"].append(prompt)
        rows["response"].append(better if good else worse)
        rows["helpfulness"].append(rng.randint(3, 4) if good else rng.randint(0, 2))
        rows["correctness"].append(rng.randint(3, 4) if good else rng.randint(0, 2))
        rows["coherence"].append(rng.randint(3, 4))
        rows["complexity"].append(rng.randint(0, 3))
        rows["verbosity"].append(rng.randint(0, 3))
    return synthetic_frame(rows, _HELPSTEER2_RAW)


GENERATORS = {
    "helpsteer2": _helpsteer2_synthetic,
}
