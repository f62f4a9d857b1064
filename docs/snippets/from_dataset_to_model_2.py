import polars as pl

import crucible_pl

test = crucible_pl.load("mmlu", "test", config="astronomy")
dev = crucible_pl.load("mmlu", "dev", config="astronomy")

# lm-eval's MMLU 5-shot: each subject's first five dev rows, in order.
five_shot = test.with_fewshot(5, source=dev, by="subject")
row = five_shot.filter(pl.col("id") == "mmlu/astronomy/test/0").collect().row(0, named=True)
print(row["fewshot_ids"])
print(row["prompt"][:200])
assert row["fewshot_ids"] == [f"mmlu/astronomy/dev/{i}" for i in range(5)]
assert row["prompt"].count("\nAnswer:") == 6
assert [m["role"] for m in row["messages"]] == ["user", "assistant"] * 5 + ["user"]

# Seeded draws per item (never the item itself), here from the test split itself.
drawn = test.with_fewshot(3, seed=7, by="subject").collect()
assert all(item not in shots for item, shots in zip(drawn["id"], drawn["fewshot_ids"], strict=True))
assert drawn.equals(test.with_fewshot(3, seed=7, by="subject").collect())
