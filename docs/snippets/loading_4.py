import crucible_pl

# A branch (default "main") is resolved to a commit sha once and remembered.
ds = crucible_pl.load("gsm8k", "test")
sha = ds.provenance.sha
assert ds.provenance.revision == "main"
assert len(sha) == 40

# Pin the exact data: a commit sha never moves.
pinned = crucible_pl.load("gsm8k", "test", revision=sha)
assert pinned.provenance.sha == sha
assert pinned.collect().equals(ds.collect())

# Ask the Hub where "main" points now (the only way a remembered branch moves).
fresh = crucible_pl.load("gsm8k", "test", refresh=True)
assert len(fresh.provenance.sha) == 40
