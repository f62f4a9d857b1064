import crucible_pl

# Parquet on the Hub: the files are the Hugging Face cache's own snapshot files.
mmlu = crucible_pl.load("mmlu", "test", config="astronomy")
[path] = mmlu.files()  # only this config and split were downloaded: one file
assert "datasets--cais--mmlu" in path
assert "/snapshots/" in path

# JSON Lines on the Hub (MATH-500): converted once to Parquet in crucible-pl's own cache.
math = crucible_pl.load("math_500")
[converted] = math.files()
assert "/converted/HuggingFaceH4/MATH-500/" in converted
assert converted.endswith(".jsonl.parquet")
