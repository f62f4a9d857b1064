import crucible_pl

# Split strings follow datasets' slicing syntax, and stay lazy.
full = len(crucible_pl.load("mmlu", "test", config="all"))
assert len(crucible_pl.load("mmlu", "test[:10]", config="all")) == 10  # first 10 rows
assert len(crucible_pl.load("mmlu", "test[-5:]", config="all")) == 5  # last 5 rows
half = crucible_pl.load("mmlu", "test[:50%]", config="all")  # first half
assert len(half) == round(full * 0.5)

# "+" joins splits; slices apply to each part.
both = crucible_pl.load("mmlu", "dev+validation", config="all")
dev = len(crucible_pl.load("mmlu", "dev", config="all"))
val = len(crucible_pl.load("mmlu", "validation", config="all"))
assert len(both) == dev + val
