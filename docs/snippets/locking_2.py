import tempfile
from pathlib import Path

import crucible_pl

lock_file = Path(tempfile.mkdtemp()) / "crucible.lock"
entries = crucible_pl.lock(["gsm8k", "mmlu:astronomy:test"], path=lock_file)
print([(e.name, e.config, e.split, e.sha[:12]) for e in entries])

# Every load of the suite now uses the locked commits, and checks the files.
test = crucible_pl.load("gsm8k", lock=lock_file)
assert test.provenance.sha == entries[0].sha
astronomy = crucible_pl.load_lazy("mmlu", config="astronomy", lock=lock_file)
assert astronomy.collect().height > 0

# Something the lock does not pin is refused, with the command that would add it.
try:
    crucible_pl.load_lazy("arc", lock=lock_file)
except crucible_pl.errors.LockMismatchError as err:
    print(err)
else:
    raise AssertionError("arc is not locked")
