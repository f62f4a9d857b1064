import os

import polars as pl

import crucible_pl
from crucible_pl.errors import HubUnavailableError
from crucible_pl.testing import Fault, LocalHub, write_repo

rows = pl.DataFrame({"id": [str(i) for i in range(100)], "x": range(100)})
shards = {
    "data/test-00000-of-00002.parquet": rows.head(50),
    "data/test-00001-of-00002.parquet": rows.tail(50),
}
write_repo("hub-root", "me/flaky", shards)
write_repo("hub-root", "me/down", shards)

with LocalHub("hub-root") as hub:
    os.environ["HF_ENDPOINT"] = hub.url

    # The first shard's download fails once with a 503; the second shard arrives
    # corrupted once. Both are fetched again, checked, and the load is right.
    hub.inject(
        Fault.error(503, method="GET", path="/datasets/me/flaky/resolve/*/data/*-00000-*"),
        Fault.corrupt(path="/datasets/me/flaky/resolve/*/data/*-00001-*"),
    )
    assert crucible_pl.load_lazy("me/flaky").collect().sort("x").equals(rows)
    assert sorted(f.kind for f in hub.faults_fired()) == ["corrupt", "status"]

    # A file that never downloads: a clear error, and nothing half-written in the cache.
    hub.inject(Fault.error(500, method="GET", path="/datasets/me/down/resolve/*", times=None))
    try:
        crucible_pl.load_lazy("me/down")
    except HubUnavailableError as err:
        print(err)
    else:
        raise AssertionError("expected HubUnavailableError")
