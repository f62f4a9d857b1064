"""A seeded 64-bit hash of strings that never changes: across runs, machines and Polars versions.

``pl.Expr.hash`` is documented as unstable across Polars versions, so sampling,
shuffling and splitting key rows by :func:`stable_hash` instead. The algorithm is
fixed and can be reproduced in a few lines of plain Python (all arithmetic is
modulo 2**64, ``>>`` is a logical shift)::

    GOLDEN = 0x9E3779B97F4A7C15
    MASK = 2**64 - 1

    def mix64(x):  # the splitmix64 output function
        z = (x + GOLDEN) & MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def stable_hash(value: str, seed: int) -> int:
        data = value.encode("utf-8")
        n = len(data)
        key = mix64(seed)
        padded = data + b"\\0" * (-n % 8)          # zero-pad to whole 8-byte words
        acc = 0
        for j in range(len(padded) // 8):
            word = int.from_bytes(padded[8 * j : 8 * j + 8], "big")
            acc = (acc + mix64((word + mix64(key + j + 1)) & MASK)) & MASK
        return mix64(((acc ^ key) + n) & MASK)

In words: the UTF-8 bytes are cut into big-endian 64-bit words (the last one
zero-padded); each word is offset by a key derived from the seed and its position
(added modulo 2**64) and passed through the splitmix64 mixer; the mixed words are
summed, the byte length is folded in, and the sum is mixed once more. A null input
gives a null hash. Non-string inputs are cast to ``pl.String`` first, so an integer
column hashes like its decimal text.

Implementation notes. Polars arithmetic on ``UInt64`` wraps modulo 2**64, ``//`` by
a power of two is a logical right shift, and ``^`` is XOR. The first
:data:`STATIC_WORDS` words (64 bytes, enough for nearly every id) are plain
columns cut with ``bin.slice`` + ``bin.reinterpret``. Longer strings take their
remaining words through a list path (hex encoding, 16-digit chunks) applied only to
the rows that need it. All intermediates live in one struct and each mixing step is
materialised with ``struct.with_fields``: written as one nested expression,
``z ^ (z >> 30)`` duplicates ``z`` and the tree would grow eightfold per mix.
Measured on the shared 2-core build machine: about 0.4 s of CPU per million short
ids (7-9 s for 20 million); ids over 64 bytes cost about 1 µs more each.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from crucible_pl.errors import InvalidInputError

__all__ = ["STATIC_WORDS", "check_seed", "mix64", "mix64_int", "stable_hash", "stable_hash_int"]

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_C1 = 0xBF58476D1CE4E5B9
_C2 = 0x94D049BB133111EB

STATIC_WORDS = 8
"""Words hashed as plain columns; the bytes after ``8 * STATIC_WORDS`` go through lists."""

_U64 = pl.UInt64


def mix64_int(x: int) -> int:
    """The splitmix64 output function on a Python int (reference for :func:`mix64`).

    Examples
    --------
    >>> mix64_int(0)  # the first output of splitmix64 seeded with 0
    16294208416658607535
    """
    z = (x + _GOLDEN) & _MASK
    z = ((z ^ (z >> 30)) * _C1) & _MASK
    z = ((z ^ (z >> 27)) * _C2) & _MASK
    return z ^ (z >> 31)


def stable_hash_int(value: str, seed: int = 0) -> int:
    """Pure-Python reference of :func:`stable_hash` for one string.

    Examples
    --------
    >>> stable_hash_int("mmlu/astronomy/test/0", 0) == stable_hash_int("mmlu/astronomy/test/0")
    True
    """
    check_seed(seed)
    data = value.encode("utf-8")
    n = len(data)
    key = mix64_int(seed)
    padded = data + b"\0" * (-n % 8)
    acc = 0
    for j in range(len(padded) // 8):
        word = int.from_bytes(padded[8 * j : 8 * j + 8], "big")
        acc = (acc + mix64_int((word + mix64_int(key + j + 1)) & _MASK)) & _MASK
    return mix64_int(((acc ^ key) + n) & _MASK)


def check_seed(seed: object) -> None:
    """Raise :class:`InvalidInputError` unless ``seed`` is an int in ``[0, 2**64)``.

    Examples
    --------
    >>> check_seed(-1)
    Traceback (most recent call last):
    ...
    crucible_pl.errors.InvalidInputError: Invalid seed -1: expected an int between 0 and ...
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= _MASK:
        raise InvalidInputError(
            f"Invalid seed {seed!r}: expected an int between 0 and 2**64 - 1. "
            "Pass a non-negative integer such as seed=0."
        )


def _lit(value: int) -> pl.Expr:
    return pl.lit(value, dtype=_U64)


def _shr(z: pl.Expr, bits: int) -> pl.Expr:
    # Floor division of an unsigned integer by 2**bits is a logical right shift.
    return z // _lit(1 << bits)


def _first_step(z: pl.Expr) -> pl.Expr:
    z = z + _lit(_GOLDEN)
    return (z ^ _shr(z, 30)) * _lit(_C1)


# Each step references its input more than once, so each is materialised separately.
_STEPS: tuple[Callable[[pl.Expr], pl.Expr], ...] = (
    _first_step,
    lambda z: (z ^ _shr(z, 27)) * _lit(_C2),
    lambda z: z ^ _shr(z, 31),
)


def _mix64_fields(s: pl.Expr, names: list[str]) -> pl.Expr:
    """Apply the splitmix64 output function to UInt64 fields of struct ``s``, step by step.

    Each step is materialised by ``struct.with_fields``: written as one nested expression,
    ``z ^ (z >> 30)`` would duplicate ``z`` and the tree would grow eightfold per mix.
    """
    for step in _STEPS:
        s = s.struct.with_fields(*(step(pl.field(name)).alias(name) for name in names))
    return s


def mix64(x: pl.Expr) -> pl.Expr:
    """The splitmix64 output function on a UInt64 expression (wrapping arithmetic).

    Examples
    --------
    >>> pl.select(mix64(pl.lit(0, dtype=pl.UInt64))).item() == mix64_int(0)
    True
    """
    return _mix64_fields(pl.struct(x.alias("z")), ["z"]).struct.field("z")


def _tail_sum(padded: pl.Expr, n: pl.Expr, key: int) -> pl.Expr:
    """Sum of the mixed words after the first :data:`STATIC_WORDS`, 0 for shorter strings.

    Only the rows that have such words are processed (``filter``), and the results are put
    back in place with ``gather``; an appended 0 serves every other row.
    """
    long = (n > 8 * STATIC_WORDS).fill_null(False)
    # Full 16-hex-digit chunks of the bytes after the static prefix (the trailing partial
    # chunk of the 7-byte padding is dropped by the regex).
    words = (
        padded.filter(long)
        .bin.slice(8 * STATIC_WORDS)
        .bin.encode("hex")
        .str.extract_all(r"[0-9a-f]{16}")
        .list.eval(pl.element().str.to_integer(base=16, dtype=_U64))
    )
    n_words = (n.filter(long).cast(pl.Int64) + 7) // 8 - STATIC_WORDS
    offset = _lit((key + 1 + STATIC_WORDS) & _MASK)
    position_keys = pl.int_ranges(0, n_words, dtype=_U64).list.eval(mix64(pl.element() + offset))
    sums = (words + position_keys).list.eval(mix64(pl.element())).list.sum()
    index = pl.when(long).then(long.cum_sum() - 1).otherwise(long.sum())
    return sums.append(_lit(0)).gather(index)


def stable_hash(expr: pl.Expr | str, seed: int = 0) -> pl.Expr:
    """Hash each value to a UInt64 that is identical on every run, machine and Polars version.

    Parameters
    ----------
    expr
        A String expression, or a column name. Other dtypes are cast to String first.
    seed
        An int in ``[0, 2**64)``; different seeds give independent hashes.

    Returns
    -------
    pl.Expr
        A ``UInt64`` expression (null where the input is null), named like the input.

    Raises
    ------
    InvalidInputError
        If ``seed`` is not an int in ``[0, 2**64)``.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"id": ["a", "mmlu/astronomy/test/0", None]})
    >>> df.select(stable_hash("id", seed=0))
    shape: (3, 1)
    ┌─────────────────────┐
    │ id                  │
    │ ---                 │
    │ u64                 │
    ╞═════════════════════╡
    │ 6425660008120935974 │
    │ 7821260738828851162 │
    │ null                │
    └─────────────────────┘
    >>> stable_hash_int("a", 0)
    6425660008120935974
    """
    check_seed(seed)
    key = mix64_int(seed)
    col = pl.col(expr) if isinstance(expr, str) else expr
    text = col.cast(pl.String)
    # Seven NUL bytes guarantee that every word starting inside the string has 8 bytes.
    padded = pl.concat_str(text, pl.lit("\0" * 7)).cast(pl.Binary)
    words = [f"w{j}" for j in range(STATIC_WORDS)]
    # One struct carries every intermediate, so each is computed once even without CSE.
    s = pl.struct(padded.alias("p"), text.str.len_bytes().cast(_U64).alias("n"))
    s = s.struct.with_fields(
        # Null (skipped by sum_horizontal) when the word starts past the end of the string.
        *(
            (
                pl.field("p").bin.slice(8 * j, 8).bin.reinterpret(dtype=_U64, endianness="big")
                + _lit(mix64_int(key + j + 1))
            ).alias(name)
            for j, name in enumerate(words)
        ),
        _tail_sum(pl.field("p"), pl.field("n"), key).alias("tail"),
    )
    s = _mix64_fields(s, words)
    acc = pl.sum_horizontal(*(pl.field(name) for name in [*words, "tail"]))
    s = s.struct.with_fields(((acc ^ _lit(key)) + pl.field("n")).alias("h"))
    out = _mix64_fields(s, ["h"]).struct.field("h")
    return out.alias(col.meta.output_name()) if _has_name(col) else out


def _has_name(expr: pl.Expr) -> bool:
    try:
        expr.meta.output_name()
    except pl.exceptions.ComputeError:
        return False
    return True
