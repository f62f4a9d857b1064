# requires: lm_eval
import tempfile

import crucible_pl

test = crucible_pl.load("mmlu", "test", config="astronomy")
dev = crucible_pl.load("mmlu", "dev", config="astronomy")
folder = tempfile.mkdtemp()
path = crucible_pl.lm_eval_task("mmlu_astronomy", {"test": test, "dev": dev}, folder)
print(path.read_text())
# Then: lm-eval run --include_path <folder> --tasks mmlu_astronomy_pinned --model ...
assert test.provenance.sha in path.read_text()
