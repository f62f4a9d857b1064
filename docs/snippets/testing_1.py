import os

import polars as pl

import crucible_pl
from crucible_pl.testing import LocalHub, write_repo

toy = pl.DataFrame({"q": ["1+1", "2+2"], "a": ["2", "4"]})
write_repo("hub-root", "me/toy", {"data/test-00000-of-00001.parquet": toy})

with LocalHub("hub-root") as hub:
    os.environ["HF_ENDPOINT"] = hub.url  # huggingface_hub now talks to the local server
    df = crucible_pl.load_lazy("me/toy").collect()
    print(len(hub.requests), hub.downloads())  # every request is recorded

assert df.equals(toy)
assert hub.downloads() == ["data/test-00000-of-00001.parquet"]
