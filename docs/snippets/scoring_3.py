import json
from pathlib import Path

import polars as pl

from crucible_pl.scoring import evaluate, exact_match, extract_answer

refs = pl.DataFrame({"id": ["a", "b", "c"], "expected": ["4", "9", "10"]})
preds = pl.DataFrame({"id": ["a", "b", "c"], "prediction": ["#### 4", "#### 8", "ten"]})

# Metrics by built-in name, or your own: prediction expression -> score expression.
result = evaluate(
    refs,
    preds,
    family="math",
    metrics={
        "numeric": "numeric_match",
        "strict_gsm8k": lambda p: exact_match(extract_answer(p, "gsm8k"), "expected"),
    },
    provenance={"model": "my-model-v1"},
    n_bootstrap=0,  # no intervals: faster while iterating
)
means = dict(result.summary.select("metric", "mean").iter_rows())
assert means == {"numeric": 1 / 3, "strict_gsm8k": 1 / 3}

# Per-item scores to Parquet, with summary, accounting and provenance in its metadata.
result.to_parquet("scores.parquet")
meta = pl.read_parquet_metadata("scores.parquet")
assert json.loads(meta["crucible_pl.provenance"])["model"] == "my-model-v1"
result.to_json("scores.json")
assert json.loads(Path("scores.json").read_text())["accounting"]["missing_ids"] == []
