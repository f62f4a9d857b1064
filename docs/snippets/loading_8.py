import polars as pl

import crucible_pl

# A cold look at a split without downloading it: footers and the first row group only.
first = crucible_pl.load_lazy("gsm8k", "test", remote=True).head(3).collect()
print(first.select("id", "expected"))

ds = crucible_pl.load("gsm8k", "test[:5]", remote=True)
assert ds.provenance.source == "remote"  # read in place, at ds.provenance.sha

# The same rows a download gives; afterwards remote=True reads the cached files.
downloaded = crucible_pl.load_lazy("gsm8k", "test[:5]").collect()
assert ds.collect().equals(downloaded)
assert crucible_pl.load("gsm8k", "test[:5]", remote=True).provenance.source == "hub"
assert first.height == 3
assert isinstance(first, pl.DataFrame)
