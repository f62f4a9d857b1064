import crucible_pl

ds = crucible_pl.load("mmlu", "test", config="all")

# Seeded selection is keyed by a stable hash of (id, seed): the same rows on every
# machine, whatever the file or row order.
a = ds.sample(20, seed=7).collect()
b = ds.sample(20, seed=7).collect()
assert a.equals(b)
assert a.height == 20

# Samples are nested: with the same seed a smaller sample is a prefix of a larger one.
small = ds.sample(5, seed=7).collect()
assert small["id"].to_list() == a["id"].head(5).to_list()

tenth = ds.sample(fraction=0.1, seed=7)  # exactly round(0.1 * len(ds)) rows
assert len(tenth) == int(0.1 * len(ds) + 0.5)

# shuffle() puts every row in a seeded order.
shuffled = ds.shuffle(seed=1).collect()
assert sorted(shuffled["id"]) == sorted(ds.collect()["id"])
