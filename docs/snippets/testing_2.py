import os

import crucible_pl
from crucible_pl.registry import get_spec
from crucible_pl.testing import LocalHub, write_spec_repo

# A synthetic repo laid out exactly like the real openai/gsm8k: same paths, configs and
# raw dtypes, deterministic rows. The real normalizer runs on it.
write_spec_repo("hub-root", get_spec("gsm8k"), rows=50, seed=0)

with LocalHub("hub-root") as hub:
    os.environ["HF_ENDPOINT"] = hub.url
    ds = crucible_pl.load("gsm8k", "test", validate=True)
    assert len(ds) == 50
    assert ds.provenance.repo == "openai/gsm8k"

    hub.clear_requests()
    again = crucible_pl.load("gsm8k", "test")  # warm: the cache answers
    assert hub.requests == []
    assert again.collect().equals(ds.collect())
