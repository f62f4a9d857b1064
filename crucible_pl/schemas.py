"""The canonical columns of each dataset family, as patito models, and frame validation.

Every normalized dataset has ``id`` (non-null, unique, non-empty String), ``input``
and ``expected``, plus the columns of its family (see ``docs/architecture.md``). Each
family has a model here; :data:`MODELS` maps the family name to it. The models are
ordinary patito models: ``schemas.MultipleChoice.validate(df)`` works, and
``schemas.MultipleChoice.model_json_schema()`` gives a JSON Schema of one row. Columns
that are not part of a family are allowed.

:func:`validate_frame` checks a collected frame against its family and, unlike
``Model.validate``, names the failing rows by ``id``. Dtypes and missing columns are
checked by patito on the frame's schema; the row rules (nulls, duplicates and each
model constraint) are evaluated as Polars expressions in a single ``select``.

Examples
--------
>>> import polars as pl
>>> from crucible_pl import schemas
>>> sorted(schemas.MODELS)  # doctest: +NORMALIZE_WHITESPACE
['chat', 'code', 'generation', 'instruction', 'math', 'multiple_choice', 'preference',
 'rated', 'rubric']
>>> schemas.MultipleChoice.model_json_schema()["required"]
['id', 'input', 'expected', 'choices']
"""

# Over 500 lines on purpose: one patito model per family, the public reference of the
# canonical columns; about 250 of its lines are their docstrings and examples.
from __future__ import annotations

import logging
from collections.abc import Mapping
from types import MappingProxyType

import patito as pt
import polars as pl
from pydantic import ConfigDict

from crucible_pl.errors import InvalidInputError, ValidationError

__all__ = [
    "MODELS",
    "ROLES",
    "Chat",
    "Code",
    "Generation",
    "Instruction",
    "Math",
    "Message",
    "MultipleChoice",
    "Preference",
    "Rated",
    "Rubric",
    "RubricScores",
    "validate_frame",
]

logger = logging.getLogger(__name__)

ROLES: tuple[str, ...] = ("system", "user", "assistant", "tool")
"""The roles a conversation turn may have after normalization."""

_MAX_IDS = 10


def _rule(name: str, expr: pl.Expr) -> pl.Expr:
    """A row constraint; ``name`` is what a failure report says about the rows."""
    return expr.alias(name)


def _non_empty(column: str) -> pl.Expr:
    return _rule("empty string", pl.col(column).str.len_chars() > 0)


def _conversation_rules(column: str) -> list[pl.Expr]:
    turns = pl.col(column).list.eval
    role = pl.element().struct.field("role")
    return [
        _rule("empty conversation", pl.col(column).list.len() > 0),
        _rule(
            "role not in " + "/".join(ROLES),
            turns(role.is_in(list(ROLES)).fill_null(False)).list.all(),
        ),
        _rule(
            "turn with null content",
            turns(pl.element().struct.field("content").is_not_null()).list.all(),
        ),
    ]


class Message(pt.Model):  # type: ignore[misc]  # patito is untyped
    """One turn of a conversation: a ``Struct{role, content}`` element.

    ``role`` is one of :data:`ROLES` after normalization.

    Examples
    --------
    >>> from crucible_pl.schemas import Message
    >>> Message.columns
    ['role', 'content']
    >>> Message(role="user", content="What is 2 + 2?").role
    'user'
    """

    role: str
    content: str


class _Base(pt.Model):  # type: ignore[misc]  # patito is untyped
    """Columns every family has. Extra columns are allowed."""

    model_config = ConfigDict(extra="allow")

    id: str = pt.Field(unique=True, constraints=[_non_empty("id")])
    input: str = pt.Field(constraints=[_non_empty("input")])


class Math(_Base):
    """Math word problems: ``expected`` is the final answer (GSM8K, MATH, ...).

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.schemas import Math, validate_frame
    >>> Math.columns
    ['id', 'input', 'expected', 'solution', 'level', 'subject']
    >>> df = pl.DataFrame({"id": ["q1"], "input": ["What is 6 * 7?"], "expected": ["42"]})
    >>> validate_frame(df, "math")  # valid: nothing is raised
    """

    expected: str = pt.Field(constraints=[_non_empty("expected")])
    solution: str | None = pt.Field(default=None, allow_missing=True)
    level: int | None = pt.Field(default=None, dtype=pl.Int64, allow_missing=True)
    subject: str | None = pt.Field(default=None, allow_missing=True)


class MultipleChoice(_Base):
    """Multiple choice: ``expected`` is the 0-based index of the right entry of ``choices``.

    ``expected`` is null where the source withholds its labels (HellaSwag and WinoGrande
    test splits).

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.schemas import MultipleChoice, validate_frame
    >>> MultipleChoice.columns
    ['id', 'input', 'expected', 'choices', 'subject']
    >>> df = pl.DataFrame(
    ...     {"id": ["q1"], "input": ["2 + 2?"], "expected": [1], "choices": [["3", "4"]]}
    ... )
    >>> validate_frame(df, "multiple_choice")  # valid: nothing is raised
    """

    expected: int | None = pt.Field(
        dtype=pl.Int64,
        constraints=[
            _rule(
                "out of range of choices",
                (pl.col("expected") >= 0) & (pl.col("expected") < pl.col("choices").list.len()),
            )
        ],
    )
    choices: list[str] = pt.Field(
        constraints=[
            _rule("fewer than 2 choices", pl.col("choices").list.len() >= 2),
            _rule(
                "null choice",
                pl.col("choices").list.eval(pl.element().is_not_null()).list.all(),
            ),
        ]
    )
    subject: str | None = pt.Field(default=None, allow_missing=True)


class Code(_Base):
    """Code generation: ``expected`` is the reference solution, ``test`` the tests to run.

    ``expected`` is null for sources that ship tests but no reference solution
    (DeepCoder's ``lcbv5`` and ``codeforces``).

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.schemas import Code, validate_frame
    >>> Code.columns
    ['id', 'input', 'expected', 'test', 'entry_point', 'language']
    >>> df = pl.DataFrame(
    ...     {"id": ["t1"], "input": ["def add(a, b):"], "expected": ["    return a + b"],
    ...      "test": ["assert add(1, 2) == 3"], "entry_point": ["add"], "language": ["python"]}
    ... )
    >>> validate_frame(df, "code")  # valid: nothing is raised
    """

    expected: str | None = None
    test: str = pt.Field(constraints=[_non_empty("test")])
    entry_point: str | None = None
    language: str | None = None


class Chat(_Base):
    """Conversations: ``input`` is every turn before the last assistant turn, ``expected``.

    ``messages`` is the whole conversation and ``expected`` the last assistant turn's
    text; every turn's role is one of :data:`ROLES`.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.schemas import Chat, validate_frame
    >>> Chat.columns
    ['id', 'input', 'expected', 'messages']
    >>> user = {"role": "user", "content": "Hi"}
    >>> reply = {"role": "assistant", "content": "Hello!"}
    >>> df = pl.DataFrame(
    ...     {"id": ["c1"], "input": [[user]], "expected": ["Hello!"], "messages": [[user, reply]]}
    ... )
    >>> validate_frame(df, "chat")  # valid: nothing is raised
    >>> robot = pl.lit([{"role": "robot", "content": "Beep"}])
    >>> validate_frame(df.with_columns(messages=robot), "chat")
    Traceback (most recent call last):
    ...
    crucible_pl.errors.ValidationError: Frame failed validation (chat):
      messages: role not in system/user/assistant/tool (1 row), ids: c1
    """

    input: list[Message] = pt.Field(constraints=_conversation_rules("input"))  # type: ignore[assignment]
    expected: str = pt.Field(constraints=[_non_empty("expected")])
    messages: list[Message] = pt.Field(constraints=_conversation_rules("messages"))


class Preference(_Base):
    """Preference pairs: ``chosen`` is always the preferred response; ``expected`` is null.

    ``input``, ``chosen`` and ``rejected`` are Strings or conversations (List(Struct{role,
    content})). The patito dtype is String; conversations are checked by
    :func:`validate_frame`.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.schemas import Preference, validate_frame
    >>> Preference.columns
    ['id', 'input', 'expected', 'chosen', 'rejected', 'margin']
    >>> df = pl.DataFrame(
    ...     {"id": ["p1"], "input": ["Say hi"], "expected": [None], "chosen": ["Hi!"],
    ...      "rejected": ["No."]}
    ... )
    >>> validate_frame(df, "preference")  # valid: nothing is raised
    """

    input: str | list[Message] = pt.Field(dtype=pl.String)  # type: ignore[assignment]
    expected: None = None
    chosen: str | list[Message] = pt.Field(dtype=pl.String)
    rejected: str | list[Message] = pt.Field(dtype=pl.String)
    margin: float | None = pt.Field(default=None, allow_missing=True)


class Rated(_Base):
    """Rated responses: ``response`` plus one Float64 column per rating; ``expected`` is null.

    ``input`` is a String or a conversation, as in :class:`Preference`.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.schemas import Rated, validate_frame
    >>> Rated.columns
    ['id', 'input', 'expected', 'response']
    >>> df = pl.DataFrame(
    ...     {"id": ["r1"], "input": ["Say hi"], "expected": [None], "response": ["Hi!"],
    ...      "helpfulness": [4.0]}
    ... )
    >>> validate_frame(df, "rated")  # valid: nothing is raised
    """

    input: str | list[Message] = pt.Field(dtype=pl.String)  # type: ignore[assignment]
    expected: None = None
    response: str


class RubricScores(pt.Model):  # type: ignore[misc]  # patito is untyped
    """The five score descriptions of a rubric: the ``rubric`` struct of :class:`Rubric`.

    Examples
    --------
    >>> from crucible_pl.schemas import RubricScores
    >>> RubricScores.columns
    ['score1', 'score2', 'score3', 'score4', 'score5']
    """

    score1: str
    score2: str
    score3: str
    score4: str
    score5: str


class Rubric(_Base):
    """Rubric grading: ``expected`` is the reference answer, ``rubric`` the score scale.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.schemas import Rubric, validate_frame
    >>> Rubric.columns
    ['id', 'input', 'expected', 'criteria', 'rubric']
    >>> scale = {f"score{i}": f"level {i}" for i in range(1, 6)}
    >>> df = pl.DataFrame(
    ...     {"id": ["g1"], "input": ["Explain tides."], "expected": ["The moon's pull."],
    ...      "criteria": ["Is it correct?"], "rubric": [scale]}
    ... )
    >>> validate_frame(df, "rubric")  # valid: nothing is raised
    """

    expected: str = pt.Field(constraints=[_non_empty("expected")])
    criteria: str = pt.Field(constraints=[_non_empty("criteria")])
    rubric: RubricScores


class Instruction(_Base):
    """Instruction following (IFEval): the instructions to check; ``expected`` is null.

    ``kwargs`` holds each instruction's arguments; its struct layout varies by source,
    so only its presence is checked.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.schemas import Instruction, validate_frame
    >>> Instruction.columns
    ['id', 'input', 'expected', 'instruction_id_list']
    >>> df = pl.DataFrame(
    ...     {"id": ["i1"], "input": ["Answer in 3 words."], "expected": [None],
    ...      "instruction_id_list": [["length_constraints:number_words"]],
    ...      "kwargs": [[{"num_words": 3}]]}
    ... )
    >>> validate_frame(df, "instruction")  # valid: nothing is raised
    """

    expected: None = None
    instruction_id_list: list[str] = pt.Field(
        constraints=[_rule("no instruction", pl.col("instruction_id_list").list.len() > 0)]
    )


class Generation(_Base):
    """Free-form generation (TruthfulQA generation): ``expected`` is the best answer.

    Examples
    --------
    >>> import polars as pl
    >>> from crucible_pl.schemas import Generation, validate_frame
    >>> Generation.columns
    ['id', 'input', 'expected', 'correct_answers', 'incorrect_answers']
    >>> df = pl.DataFrame(
    ...     {"id": ["t1"], "input": ["Can pigs fly?"], "expected": ["No."],
    ...      "correct_answers": [["No."]], "incorrect_answers": [["Yes."]]}
    ... )
    >>> validate_frame(df, "generation")  # valid: nothing is raised
    """

    expected: str = pt.Field(constraints=[_non_empty("expected")])
    correct_answers: list[str] | None = None
    incorrect_answers: list[str] | None = None


MODELS: Mapping[str, type[pt.Model]] = MappingProxyType(
    {
        "math": Math,
        "multiple_choice": MultipleChoice,
        "code": Code,
        "chat": Chat,
        "preference": Preference,
        "rated": Rated,
        "rubric": Rubric,
        "instruction": Instruction,
        "generation": Generation,
    }
)
"""Family name -> patito model."""

# Columns that must exist although their content is free-form (not in the model's dtypes).
_REQUIRED_EXTRA: Mapping[str, tuple[str, ...]] = {"instruction": ("kwargs",)}
# Columns holding a String or a conversation; patito only sees the String side.
_POLYMORPHIC: Mapping[str, tuple[str, ...]] = {
    "preference": ("input", "chosen", "rejected"),
    "rated": ("input",),
}
_MESSAGE_DTYPE = pl.List(pl.Struct({"role": pl.String, "content": pl.String}))


def validate_frame(df: pl.DataFrame, family: str, *, context: str = "") -> None:
    """Check a collected frame against its family's schema and name the failing rows.

    Checks, per column of the family's model: presence and dtype (patito, on the schema),
    nulls in required columns, duplicates in ``id``, and every constraint of the model
    (non-empty strings, ``expected`` within ``choices``, conversation roles...). All row
    rules run as Polars expressions in one ``select``.

    Parameters
    ----------
    df
        The collected frame.
    family
        A key of :data:`MODELS`, e.g. ``"multiple_choice"``.
    context
        What the frame is, for the message, e.g. ``"mmlu (config 'astronomy', split 'test')"``.

    Returns
    -------
    None

    Raises
    ------
    ValidationError
        If any rule fails. The message has one line per failing rule: the column, the
        rule, how many rows fail and up to 10 of their ids (``row <n>`` where the id is
        null or the ``id`` column unusable).
    InvalidInputError
        If ``family`` is not a key of :data:`MODELS`.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame(
    ...     {"id": ["q1", "q2"], "input": ["2+2?", "3+3?"], "expected": [1, 2],
    ...      "choices": [["3", "4"], ["5", "6"]]}
    ... )
    >>> validate_frame(df, "multiple_choice", context="demo")
    Traceback (most recent call last):
    ...
    crucible_pl.errors.ValidationError: demo failed validation (multiple_choice):
      expected: out of range of choices (1 row), ids: q2
    """
    model = MODELS.get(family)
    if model is None:
        raise InvalidInputError(
            f"Unknown dataset family {family!r}. Valid families: {', '.join(sorted(MODELS))}."
        )
    problems: list[str] = []
    unusable: set[str] = set()

    problems.extend(_structure_problems(df.schema, model, family, unusable))
    rules = _row_rules(model, family, df, unusable)
    if rules:
        problems.extend(_evaluate(df, rules))
    if problems:
        what = context or "Frame"
        message = f"{what} failed validation ({family}):\n" + "\n".join(problems)
        logger.debug("validation failed: %d problem(s) in %s", len(problems), what)
        raise ValidationError(message)


def _structure_problems(
    schema: pl.Schema, model: type[pt.Model], family: str, unusable: set[str]
) -> list[str]:
    """Missing columns and wrong dtypes, from the model's patito metadata.

    Checked here rather than by ``model.validate``, which evaluates the row constraints
    too and fails with a raw Polars error when a column has the wrong dtype.
    """
    problems: list[str] = []
    polymorphic = _POLYMORPHIC.get(family, ())
    required_extra = _REQUIRED_EXTRA.get(family, ())
    for column in [*model.columns, *required_extra]:
        if column not in schema:
            info = model.column_infos.get(column)
            if info is None or not info.allow_missing:
                problems.append(f"  {column}: missing column")
            unusable.add(column)
            continue
        dtype = schema[column]
        if column in polymorphic:
            valid: list[pl.DataType] = [pl.String(), _MESSAGE_DTYPE]
            ok = dtype in valid
        elif column in required_extra:  # a list of structs whose fields vary by source
            valid = [pl.List(pl.Struct)]
            ok = isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct)
        else:
            valid = sorted(model.valid_dtypes[column], key=str)
            ok = dtype in valid
        if not ok:
            expected = " or ".join(str(v) for v in valid)
            problems.append(f"  {column}: dtype {dtype}, expected {expected}")
            unusable.add(column)
    return problems


def _row_rules(
    model: type[pt.Model], family: str, df: pl.DataFrame, unusable: set[str]
) -> list[tuple[str, str, pl.Expr]]:
    """``(column, rule, mask of failing rows)`` for every applicable row rule.

    Uniqueness is checked first with ``n_unique`` (0.3 s for 1M ids); the per-row
    ``is_duplicated`` mask (0.8 s, and needed twice) is a rule only when that check fails.
    """
    schema = df.schema
    present = set(schema.names()) - unusable
    rules: list[tuple[str, str, pl.Expr]] = []
    for column in model.columns:
        if column not in present:
            continue
        if column in model.non_nullable_columns:
            rules.append((column, "null value", pl.col(column).is_null()))
        if column in model.unique_columns and df[column].n_unique() != df.height:
            rules.append((column, "duplicate value", pl.col(column).is_duplicated()))
        constraints = model.column_infos[column].constraints
        if isinstance(constraints, pl.Expr):
            constraints = [constraints]
        for constraint in constraints or []:
            if set(constraint.meta.root_names()) <= present:
                rules.append((column, constraint.meta.output_name(), ~constraint.fill_null(True)))
    for column in _POLYMORPHIC.get(family, ()):
        if column in present and schema[column] == _MESSAGE_DTYPE:
            for constraint in _conversation_rules(column):
                name = constraint.meta.output_name()
                rules.append((column, name, ~constraint.fill_null(True)))
    return rules


def _evaluate(df: pl.DataFrame, rules: list[tuple[str, str, pl.Expr]]) -> list[str]:
    """One line per failing rule. Masks are counted first; ids are gathered only on failure."""
    counts = df.select(mask.sum().alias(f"n{i}") for i, (_, _, mask) in enumerate(rules)).row(0)
    failing = [i for i, count in enumerate(counts) if count]
    if not failing:
        return []
    row = pl.format("row {}", pl.int_range(pl.len()))
    ids_ok = "id" in df.columns and df.schema["id"] == pl.String
    label = pl.coalesce(pl.col("id"), row) if ids_ok else row
    shown = df.select(
        label.filter(rules[i][2]).head(_MAX_IDS).implode().alias(f"ids{i}") for i in failing
    ).row(0)
    lines = []
    for i, ids in zip(failing, shown, strict=True):
        column, rule, _ = rules[i]
        count = counts[i]
        listed = [str(x) for x in ids]
        more = f", ... ({count - len(listed)} more)" if count > len(listed) else ""
        rows = "row" if count == 1 else "rows"
        lines.append(f"  {column}: {rule} ({count} {rows}), ids: {', '.join(listed)}{more}")
    return lines
