import polars as pl

import crucible_pl

# Filters, projections and head() are pushed into the Parquet scan: only the columns
# and row groups the query needs are read, however large the split.
query = (
    crucible_pl.load_lazy("mmlu", "test", config="all")
    .filter(pl.col("subject") == "astronomy")
    .select("id", "expected")
    .head(5)
)
plan = query.explain()
print(plan)
assert "Parquet SCAN" in plan
assert "SELECTION" in plan  # the filter runs inside the scan
assert "PROJECT" in plan  # only the needed columns are decoded
assert query.collect().height <= 5
