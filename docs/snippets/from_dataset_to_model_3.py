import polars as pl

from crucible_pl import prompts

# Every format: its name, family, the source it reproduces, and how it samples shots.
print(prompts.formats_table().select("name", "family", "fixed_shots", "sampler"))

# The \boxed{} instruction DeepSeek-R1's model card recommends, as a format of its own.
rows = pl.LazyFrame({"id": ["q1"], "input": ["What is 3 + 4?"]})
prompt = prompts.render(rows, "math_boxed").collect()["prompt"][0]
print(prompt)
assert prompt.endswith("put your final answer within \\boxed{}.")
assert prompts.formats_table().height == len(prompts.FORMATS)
