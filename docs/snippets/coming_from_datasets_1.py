import polars as pl

import crucible_pl

# datasets: ds = load_dataset("openai/gsm8k", "main", split="test")
ds = crucible_pl.load("gsm8k", "test")  # canonical columns; a lazy Dataset
lf = crucible_pl.load_lazy("openai/gsm8k", "test", config="main")  # raw columns; a LazyFrame
assert lf.collect_schema().names() == ["question", "answer"]

# datasets: ds.filter(lambda row: len(row["question"]) < 200)
short = ds.filter(pl.col("input").str.len_chars() < 200)

# datasets: ds.map(lambda row: {"n_words": len(row["question"].split())})
counted = ds.with_columns(n_words=pl.col("input").str.split(" ").list.len())

# datasets: ds.select_columns(["question", "answer"])
pair = ds.select("input", "expected")

# datasets: ds.train_test_split(test_size=0.2, seed=0)
train, test = ds.train_test_split(test_size=0.2, seed=0)

# datasets: ds.shard(num_shards=4, index=0)
part = ds.shard(4, 0)

# datasets: ds.select(range(10)), ds[0] and ds["question"]
first_ten = ds.head(10)
row = ds.head(1).collect().row(0, named=True)
inputs = ds.collect()["input"]

# datasets: ds.rename_column("question", "prompt")
renamed = ds.rename({"input": "prompt"})

# datasets: ds.shuffle(seed=0)
shuffled = ds.shuffle(seed=0)

# datasets: for batch in ds.iter(batch_size=16): ...
for batch in ds.iter_batches(batch_size=16):
    assert isinstance(batch, pl.DataFrame)

# datasets: concatenate_datasets([a, b]) and interleave_datasets([a, b], seed=0)
a = crucible_pl.load("gsm8k", "test[:10]")
b = crucible_pl.load("arc", "test[:10]")
stacked = crucible_pl.concat([a, b])
mixed = crucible_pl.interleave([a.select("id", "input"), b.select("id", "input")], seed=0)

# datasets: ds.save_to_disk("gsm8k-test") and load_from_disk("gsm8k-test")
saved = ds.save("gsm8k-test.parquet")
again = crucible_pl.load_from_disk(saved)

assert len(short) <= len(ds)
assert "n_words" in counted.columns
assert pair.columns == ["input", "expected"]
assert len(train) + len(test) == len(ds)
assert len(part) == -(-len(ds) // 4)  # rows 0, 4, 8, ...
assert len(first_ten) == 10
assert isinstance(row["input"], str)
assert inputs.len() == len(ds)
assert "prompt" in renamed.columns
assert len(shuffled) == len(ds)
assert len(stacked) == 20
assert len(mixed) == 20
assert again.collect().equals(ds.collect())
