import crucible_pl

test = crucible_pl.load("arc", "test", config="ARC-Challenge")
print(test.prompt_format())  # arc's published format: lm-eval's arc_challenge
rows = test.with_prompts().head(1).collect()
print(rows["prompt"][0])
print(rows["continuations"][0].to_list())  # what lm-eval scores, leading space included
assert rows["prompt"][0].startswith("Question: ")
assert rows["prompt"][0].endswith("\nAnswer:")
assert rows["messages"][0].to_list() == [{"role": "user", "content": rows["prompt"][0]}]
