# requires: duckdb
import duckdb

import crucible_pl

ds = crucible_pl.load("mmlu", "test", config="all", raw=True)

# DuckDB reads the same cached Parquet files: nothing is copied or downloaded again.
mmlu = duckdb.read_parquet(ds.files())
per_subject = duckdb.sql(
    "SELECT subject, count(*) AS n FROM mmlu GROUP BY subject ORDER BY subject"
).fetchall()
assert sum(n for _, n in per_subject) == len(ds)
