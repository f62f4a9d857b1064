import crucible_pl

# A registered name: canonical columns, default config, default split (test).
gsm = crucible_pl.load_lazy("gsm8k")
assert gsm.collect_schema().names()[:3] == ["id", "input", "expected"]

# The same repo by its Hub id: the raw columns, exactly as the Hub serves them.
raw = crucible_pl.load_lazy("openai/gsm8k", "test", config="main")
assert raw.collect_schema().names() == ["question", "answer"]

# raw=True gives the raw columns of a registered name.
assert crucible_pl.load_lazy("gsm8k", raw=True).collect_schema() == raw.collect_schema()

# A config, a slice of a split, and a projection: all lazy.
first = crucible_pl.load_lazy("mmlu", "test[:5]", config="astronomy", columns=["id", "expected"])
df = first.collect()
assert df.columns == ["id", "expected"]
assert df.height == 5
