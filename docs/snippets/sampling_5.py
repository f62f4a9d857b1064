import crucible_pl

gsm = crucible_pl.load("gsm8k", "test[:30]")
arc = crucible_pl.load("arc", "test[:20]")

# concat stacks datasets; columns are aligned by name (missing ones are null), and a
# "source" column says where each row came from.
both = crucible_pl.concat([gsm, arc])
assert len(both) == 50
counts = dict(both.lazy().group_by("source").len().collect().iter_rows())
assert counts == {"gsm8k/main/test[:30]": 30, "arc/ARC-Challenge/test[:20]": 20}

# interleave alternates rows, like datasets.interleave_datasets (same schemas needed).
a = gsm.select("id", "input")
b = arc.select("id", "input")
mixed = crucible_pl.interleave([a, b])  # round-robin, stops when the shorter runs out
assert len(mixed) == 2 * 20
weighted = crucible_pl.interleave([a, b], probabilities=[0.8, 0.2], seed=0)
assert len(weighted) > 0
