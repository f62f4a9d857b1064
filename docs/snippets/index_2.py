import crucible_pl

ds = crucible_pl.load("gsm8k", "test")  # a Dataset: a LazyFrame plus where it came from
print(ds)  # <Dataset gsm8k config='main' split='test' rows=... family=math sha=...>

subset = ds.sample(10, seed=0)  # the same 10 rows on every machine, for this seed
assert len(subset) == 10
assert ds.provenance.repo == "openai/gsm8k"
assert len(ds.provenance.sha) == 40  # the exact commit the rows came from

print(subset.select("id", "expected").collect())
