"""Rated-response datasets: HelpSteer2.

Columns, in this order:

``id`` (String)
    ``<name>/<config>/<split>/<row>`` (HelpSteer2 has no id; two consecutive rows
    usually share a prompt, so the prompt cannot serve as one).
``input`` (List(Struct{role: String, content: String}))
    The prompt as turns. HelpSteer2 flattens multi-turn prompts with NeMo SteerLM
    markers (``"\\n<extra_id_1>Assistant\\n"``, ``"\\n<extra_id_1>User\\n"``); they are
    split into turns with string expressions, the text before the first marker being
    the first user turn. A single-turn prompt becomes one user turn. This is the same
    dtype the chat and preference families use for conversations.
``expected`` (Null)
    Rated data has no single reference.
``response`` (String)
    The rated response.
``helpfulness``, ``correctness``, ``coherence``, ``complexity``, ``verbosity`` (Float64)
    The Likert ratings (0..4) cast from the Hub's int32, so every rating column of
    every rated dataset has one dtype and averages need no cast.

Examples
--------
>>> import polars as pl
>>> from crucible_pl.registry.rated import HELPSTEER2
>>> raw = pl.LazyFrame(
...     {
...         "prompt": ["Hi!\\n<extra_id_1>Assistant\\nHello.\\n<extra_id_1>User\\nName a color."],
...         "response": ["Blue."],
...         **{c: [3] for c in ("helpfulness", "correctness", "coherence")},
...         **{c: [1] for c in ("complexity", "verbosity")},
...     },
...     schema_overrides={c: pl.Int32 for c in ("helpfulness", "complexity")},
... )
>>> row = HELPSTEER2.normalize(raw, config="default", split="validation").collect().row(0)
>>> row[1]  # doctest: +NORMALIZE_WHITESPACE
[{'role': 'user', 'content': 'Hi!'}, {'role': 'assistant', 'content': 'Hello.'},
 {'role': 'user', 'content': 'Name a color.'}]
>>> row[3:]
('Blue.', 3.0, 3.0, 3.0, 1.0, 1.0)
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from crucible_pl.registry._messages import (
    HELPSTEER_MARKERS,
    parse_transcript,
)
from crucible_pl.registry._spec import DatasetSpec, HubFile, default_id

__all__ = ["HELPSTEER2", "SPECS"]

_Schema = Mapping[str, pl.DataType | type[pl.DataType]]

_HELPSTEER2_RATINGS = ("helpfulness", "correctness", "coherence", "complexity", "verbosity")
_HELPSTEER2_RAW: _Schema = {
    "prompt": pl.String,
    "response": pl.String,
    **dict.fromkeys(_HELPSTEER2_RATINGS, pl.Int32),
}


HELPSTEER2 = DatasetSpec(
    name="helpsteer2",
    repo="nvidia/HelpSteer2",
    family="rated",
    description=(
        "HelpSteer2: 21k prompt-response pairs (about two responses per prompt), each "
        "rated by humans 0-4 for helpfulness, correctness, coherence, complexity and "
        "verbosity; used to train reward models."
    ),
    license="cc-by-4.0",
    domain="general",
    task_type="response rating",
    configs=("default",),
    default_config="default",
    default_split="validation",
    columns={
        "id": default_id(),
        "input": parse_transcript(pl.col("prompt"), markers=HELPSTEER_MARKERS),
        "expected": pl.lit(None, pl.Null),
        "response": pl.col("response").cast(pl.String),
        **{name: pl.col(name).cast(pl.Float64) for name in _HELPSTEER2_RATINGS},
    },
    hub_files=(
        HubFile("train.jsonl.gz", "default", "train"),
        HubFile("validation.jsonl.gz", "default", "validation"),
    ),
    card_configs=None,
    raw_schema={"default": _HELPSTEER2_RAW},
    citation=(
        "Wang et al., 2024, HelpSteer2: Open-source dataset for training top-performing "
        "reward models"
    ),
    tags=("rated", "human-feedback", "reward-modeling", "english", "multi-turn"),
)


SPECS: tuple[DatasetSpec, ...] = (HELPSTEER2,)
