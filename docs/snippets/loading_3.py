import crucible_pl
from crucible_pl.errors import CacheMissError

# The first (cold) load resolves the revision and downloads this config and split...
cold = crucible_pl.load_lazy("mmlu", "test", config="astronomy").collect()

# ...every later (warm) load reads the cache and makes no network request, so it
# also works offline: offline=True here, or HF_HUB_OFFLINE=1 in the environment.
warm = crucible_pl.load_lazy("mmlu", "test", config="astronomy", offline=True).collect()
assert warm.equals(cold)

# Offline, anything not cached is an error that says how to fetch it.
try:
    crucible_pl.load_lazy("mmlu", "test", config="anatomy", offline=True)
except CacheMissError as err:
    message = str(err)  # names the dataset, config and split, and the command to fetch them
else:
    raise AssertionError("expected a CacheMissError")
assert "crucible-pl download" in message
assert issubclass(CacheMissError, FileNotFoundError)  # errors also inherit a builtin
