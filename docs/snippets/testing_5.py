import crucible_pl

# No server, no network, no cache: deterministic rows with the raw Hub schema of a
# registered dataset, normalized by its real normalizer. For fast unit tests.
ds = crucible_pl.load("mmlu", "test", config="astronomy", source="synthetic", n=7, seed=1)
df = ds.collect()
assert df.height == 7
assert df.columns[:4] == ["id", "input", "expected", "choices"]
assert ds.provenance.source == "synthetic"
assert ds.validate() is ds  # the synthetic rows pass the family's schema
