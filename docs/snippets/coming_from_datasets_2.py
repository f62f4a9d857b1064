# requires: pandas, pyarrow
import crucible_pl

ds = crucible_pl.load("gsm8k", "test")

# datasets: ds.to_pandas()
frame = ds.collect().to_pandas()
assert len(frame) == len(ds)
assert list(frame.columns)[:3] == ["id", "input", "expected"]
