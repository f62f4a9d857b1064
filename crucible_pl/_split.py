"""The ``datasets`` split-string syntax: ``"test[:100]"``, ``"train[10%:20%]+validation"``.

A split string is one or more parts joined by ``+`` (whitespace around ``+`` is
fine). Each part is a split name with an optional slice ``[start:stop]`` whose bounds
are absolute row numbers or percentages of the split, negative ones counting from
the end, exactly as ``datasets.ReadInstruction.from_spec`` reads them. A percent
slice may end with a rounding mode, ``(closest)`` (the default) or
``(pct1_dropremainder)``.

Unlike ``datasets``, bounds past the end of a split are clamped rather than refused,
and a percentage may have decimals (``train[:12.5%]``).

Examples
--------
>>> from crucible_pl._split import parse_split
>>> request = parse_split("train[:50%] + validation")
>>> request.names
('train', 'validation')
>>> request.parts[0].bounds(7)
(0, 4)
>>> str(request)
'train[:50%]+validation'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from .errors import InvalidSplitError

__all__ = ["Rounding", "SplitPart", "SplitRequest", "parse_split"]

Rounding = Literal["closest", "pct1_dropremainder"]

_VALID_FORMS = (
    "expected a split name with an optional slice such as 'test', 'test[:100]', "
    "'test[-50:]', 'train[10%:20%]' or 'train[:50%]+validation' (split names use letters, "
    "digits, '_', '.' and '-'; percentages lie within -100%..100%)"
)
_NUMBER = r"-?\d+(?:\.\d+)?%?"
_PART_RE = re.compile(
    rf"""
    (?P<name>[A-Za-z0-9_.\-]+)
    (?:\[ (?P<start>{_NUMBER})? : (?P<stop>{_NUMBER})? \])?
    (?:\( (?P<rounding>[^()]*) \))?
    """,
    re.VERBOSE,
)
_PLUS_RE = re.compile(r"\s*\+\s*")


def _format_number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    text = repr(value)
    return format(Decimal(text), "f") if "e" in text or "E" in text else text


@dataclass(frozen=True)
class SplitPart:
    """One ``name[start:stop]`` term of a split string.

    Parameters
    ----------
    name
        The split name, e.g. ``"test"`` or ``"train_sft"``.
    start, stop
        Slice bounds, ``None`` when open; row numbers, or percentages when ``percent``.
    percent
        Whether the bounds are percentages of the split's row count.
    rounding
        How percentages become row numbers: ``"closest"`` (default, as ``datasets``)
        or ``"pct1_dropremainder"`` (multiples of 1% of the split, remainder dropped).

    Examples
    --------
    >>> SplitPart("test", -50, None, percent=False).bounds(120)
    (70, 120)
    >>> SplitPart("test", None, 33, percent=True).bounds(10)
    (0, 3)
    """

    name: str
    start: int | float | None = None
    stop: int | float | None = None
    percent: bool = False
    rounding: Rounding = "closest"

    def bounds(self, num_rows: int) -> tuple[int, int]:
        """Return the absolute ``[start, stop)`` rows this part selects.

        Parameters
        ----------
        num_rows
            The number of rows of the split.

        Returns
        -------
        tuple of int
            ``0 <= start <= stop <= num_rows``. Negative bounds count from the end;
            percentages round like ``datasets`` (``round(p * num_rows / 100)``,
            halves to even); bounds past either end are clamped.

        Raises
        ------
        InvalidSplitError
            When ``num_rows`` is negative, or for ``pct1_dropremainder`` on a split
            of fewer than 100 rows (``datasets`` refuses it too: it is always empty).

        Examples
        --------
        >>> SplitPart("train", 10, 20, percent=True).bounds(1001)
        (100, 200)
        >>> SplitPart("train", None, 500, percent=False).bounds(100)
        (0, 100)
        """
        if num_rows < 0:
            raise InvalidSplitError(
                f"Split {self.name!r} cannot have {num_rows} rows: a row count is >= 0.",
                split=self.name,
            )
        if self.percent and self.rounding == "pct1_dropremainder" and num_rows < 100:
            raise InvalidSplitError(
                f"Split {self}: 'pct1_dropremainder' rounding needs at least 100 rows and "
                f"{self.name!r} has {num_rows}; drop '(pct1_dropremainder)' to use the "
                "default 'closest' rounding.",
                split=self.name,
            )
        start = 0 if self.start is None else self._absolute(self.start, num_rows)
        stop = num_rows if self.stop is None else self._absolute(self.stop, num_rows)
        if start < 0:
            start = max(num_rows + start, 0)
        if stop < 0:
            stop = max(num_rows + stop, 0)
        start = min(start, num_rows)
        stop = min(max(stop, start), num_rows)
        return start, stop

    def _absolute(self, bound: int | float, num_rows: int) -> int:
        if not self.percent:
            return int(bound)
        if self.rounding == "closest":
            # datasets' _pct_to_abs_closest, same expression so the same float result.
            return round(bound * num_rows / 100.0)
        return int(bound * math.trunc(num_rows / 100.0))

    @property
    def is_full(self) -> bool:
        """Whether the part selects the whole split, whatever its size.

        Examples
        --------
        >>> parse_split("test").parts[0].is_full, parse_split("test[:10]").parts[0].is_full
        (True, False)
        """
        start_full = self.start is None or self.start == 0
        stop_full = self.stop is None or (
            self.percent and self.stop == 100 and self.rounding == "closest"
        )
        return start_full and stop_full

    def __str__(self) -> str:
        if self.start is None and self.stop is None:
            return self.name
        unit = "%" if self.percent else ""
        start = "" if self.start is None else _format_number(self.start) + unit
        stop = "" if self.stop is None else _format_number(self.stop) + unit
        suffix = f"({self.rounding})" if self.percent and self.rounding != "closest" else ""
        return f"{self.name}[{start}:{stop}]{suffix}"


@dataclass(frozen=True)
class SplitRequest:
    """A parsed split string: the text as given and its ``+``-joined parts.

    Parameters
    ----------
    text
        The split string as the user wrote it.
    parts
        Its terms, in order.

    Examples
    --------
    >>> parse_split("test[:10]+test[-10:]").names
    ('test',)
    """

    text: str
    parts: tuple[SplitPart, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The distinct split names, in order of first appearance."""
        return tuple(dict.fromkeys(part.name for part in self.parts))

    def __str__(self) -> str:
        return "+".join(str(part) for part in self.parts)


def _invalid(text: str, reason: str | None = None) -> InvalidSplitError:
    detail = f" ({reason})" if reason else ""
    return InvalidSplitError(f"Invalid split {text!r}{detail}: {_VALID_FORMS}.")


def _number(token: str) -> tuple[int | float, bool]:
    percent = token.endswith("%")
    digits = token[:-1] if percent else token
    value: int | float = float(digits) if "." in digits else int(digits)
    return value, percent


def _parse_part(sub: str, text: str) -> SplitPart:
    match = _PART_RE.fullmatch(sub)
    if match is None:
        raise _invalid(text, f"cannot read {sub!r}" if sub != text else None)
    bounds: list[int | float | None] = []
    units: set[bool] = set()
    for key in ("start", "stop"):
        token = match[key]
        if token is None:
            bounds.append(None)
            continue
        try:
            value, is_percent = _number(token)
        except ValueError:  # more digits than Python converts
            raise _invalid(text, f"bound {token[:20]}... is too long") from None
        if not is_percent and isinstance(value, float):
            raise _invalid(text, f"row number {token} must be a whole number")
        if is_percent and not -100 <= value <= 100:
            raise _invalid(text, f"percentage {token} is outside -100%..100%")
        bounds.append(value)
        units.add(is_percent)
    if len(units) > 1:
        raise _invalid(text, f"{sub!r} mixes a percentage and a row number")
    percent = units == {True}
    rounding = match["rounding"]
    if rounding is not None and rounding not in ("closest", "pct1_dropremainder"):
        raise _invalid(
            text, f"unknown rounding {rounding!r}, expected 'closest' or 'pct1_dropremainder'"
        )
    return SplitPart(
        match["name"],
        bounds[0],
        bounds[1],
        percent=percent,
        rounding="pct1_dropremainder" if rounding == "pct1_dropremainder" else "closest",
    )


def parse_split(text: str) -> SplitRequest:
    """Parse a ``datasets`` split string.

    Parameters
    ----------
    text
        ``"test"``, ``"test[:100]"``, ``"test[-50:]"``, ``"train[10%:20%]"``,
        ``"train[:50%]+validation"``, ``"train[:33%](pct1_dropremainder)"``...

    Returns
    -------
    SplitRequest

    Raises
    ------
    InvalidSplitError
        When the text does not follow the syntax; the message names the text and
        shows the valid forms.

    Examples
    --------
    >>> parse_split("train[10%:20%]").parts
    (SplitPart(name='train', start=10, stop=20, percent=True, rounding='closest'),)
    >>> parse_split("test[:abc]")
    Traceback (most recent call last):
    ...
    crucible_pl.errors.InvalidSplitError: Invalid split 'test[:abc]': expected a split name ...
    """
    if not isinstance(text, str):
        raise InvalidSplitError(f"Invalid split {text!r}: a split is a string; {_VALID_FORMS}.")
    stripped = text.strip()
    if not stripped:
        raise _invalid(text, "it is empty")
    parts = tuple(_parse_part(sub, text) for sub in _PLUS_RE.split(stripped))
    return SplitRequest(text, parts)
