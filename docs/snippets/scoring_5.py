import polars as pl

import crucible_pl
from crucible_pl.scoring import EXTRACTIONS

refs = pl.DataFrame({"id": ["g1", "g2", "g3"], "expected": ["72", "18", "5"]})
preds = pl.DataFrame(
    {
        "id": ["g1", "g2", "g3"],
        "prediction": [
            "48 + 24 = 72\n#### 72",
            "#### Final Answer\n\\boxed{18}",
            "So the answer is (B).",
        ],
    }
)

# The defaults: math_match reads the answer with the "math" strategy.
result = crucible_pl.evaluate(refs, preds, family="math", n_bootstrap=0)
used = result.provenance["evaluation"]["extraction"]
print(used["math_match"])  # {'strategy': 'math', 'description': 'last \\boxed{}, ...'}
assert used["math_match"]["strategy"] == "math"
assert result.items["math_match"].to_list() == [True, True, False]

# GSM8K's strict rule instead, for every built-in metric of the run...
strict = crucible_pl.evaluate(refs, preds, family="math", extraction="gsm8k", n_bootstrap=0)
assert strict.items["math_match"].to_list() == [True, False, False]

# ...or per metric: the output column name -> a strategy.
both = crucible_pl.evaluate(
    refs,
    preds,
    family="math",
    metrics={"strict": "math_match", "boxed": "math_match"},
    extraction={"strict": "gsm8k", "boxed": "boxed"},
    n_bootstrap=0,
)
assert both.items.select("strict", "boxed").rows() == [(True, False), (False, True), (False, False)]
print(sorted(EXTRACTIONS))  # every strategy name, each with a one-line description
assert {"none", "gsm8k", "boxed", "math", "choice_letter"} <= set(EXTRACTIONS)
