import crucible_pl

# validate=True collects once and checks every row against the family's schema.
ds = crucible_pl.load("mmlu", "test", config="astronomy", validate=True)

# The same check on any derived Dataset; it returns the Dataset, so it chains.
sample = ds.shuffle_choices(seed=0).sample(10, seed=0).validate()
assert len(sample) == 10
assert ds.family == "multiple_choice"
