import tempfile
from pathlib import Path

import polars as pl

from crucible_pl.scoring import evaluate

refs = pl.DataFrame({"id": ["q1", "q2"], "expected": ["12", "7"]})
# Four samples per question, as a sampling run writes them: one row per (id, sample).
preds = pl.DataFrame(
    {
        "id": ["q1"] * 4 + ["q2"] * 4,
        "sample": [0, 1, 2, 3] * 2,
        "prediction": ["12", "#### 12", "13", "\\boxed{12}", "8", "7", "6", "8"],
    }
)
path = Path(tempfile.mkdtemp()) / "samples.jsonl"
preds.write_ndjson(path)  # evaluate reads .jsonl, .json and .parquet files too

result = evaluate(refs, path, family="math", k=[1, 4], n_bootstrap=0)
print(result.items.select("id", "n_samples", "math_match", "math_match_pass@4", "math_match_maj@4"))
row = result.items.row(1, named=True)  # q2: one right answer in four, "8" wins the vote
assert row["math_match"] == 0.25
assert row["math_match_pass@4"] == 1.0
assert row["math_match_maj@4"] == 0.0
assert result.items["math_match_maj@4"].to_list() == [1.0, 0.0]
