import polars as pl

from crucible_pl.scoring import (
    choice_match,
    exact_match,
    extract_answer,
    normalized_exact_match,
    numeric_match,
    token_f1,
)

replies = pl.DataFrame(
    {
        "reply": ["The answer is 1,234.", "#### 7", "so x = \\boxed{1/2}", "Paris!"],
        "expected": ["1234", "7", "0.5", "paris"],
    }
)

# Every metric is a Polars expression: it runs lazily, inside any query.
scored = replies.with_columns(
    exact=exact_match("reply", "expected"),
    normalized=normalized_exact_match("reply", "expected"),
    number=numeric_match("reply", "expected"),
    boxed=extract_answer("reply", "boxed"),
    f1=token_f1("reply", "expected"),
)
print(scored)
assert scored["exact"].to_list() == [False, False, False, False]
assert scored["normalized"].to_list() == [False, True, False, True]  # case, punctuation
assert scored["number"].to_list() == [True, True, True, False]  # 1,234 = 1234, 1/2 = 0.5
assert scored["boxed"].to_list() == [None, None, "1/2", None]

# Multiple choice: a letter, an index or the choice's text, even inside free text.
mc = pl.DataFrame(
    {
        "reply": ["B", "I think the answer is (C).", "Lyon"],
        "expected": [1, 2, 1],
        "choices": [["Paris", "Lyon", "Nice"]] * 3,
    }
)
ok = mc.select(choice_match("reply", "expected", "choices", free_text=True).alias("ok"))
assert ok["ok"].to_list() == [True, True, True]
