"""McNemar's exact test of two runs' discordant pairs, exact in integers up to a bound.

Up to :data:`EXACT_MCNEMAR_PAIRS` discordant pairs the binomial tail is summed in Python
integers; beyond, the same sum is taken relative to its largest term, whose logarithm
comes from Stirling's series (:func:`_log_comb_over_pow2`).

Examples
--------
>>> from crucible_pl.scoring._mcnemar import mcnemar_exact_p
>>> mcnemar_exact_p(1, 9)
0.021484375
"""

from __future__ import annotations

import math

from crucible_pl.errors import InvalidInputError

__all__ = ["EXACT_MCNEMAR_PAIRS", "mcnemar_exact_p"]


def mcnemar_exact_p(n_a_only: int, n_b_only: int) -> float:
    """McNemar's exact two-sided p-value for ``b`` and ``c`` discordant pairs.

    The two-sided binomial test of ``b`` successes in ``n = b + c`` trials with
    probability 1/2: ``min(1, 2 * sum(comb(n, k) for k <= min(b, c)) / 2**n)``, and 1
    when ``b`` and ``c`` differ by at most 1 (``b = c = 0`` too). Up to :data:`EXACT_MCNEMAR_PAIRS`
    discordant pairs the sum is taken in Python integers (``math.comb``), so the result
    is the correctly rounded float. Beyond, ``math.comb`` itself costs seconds, so the
    same sum is taken relative to its largest term, ``comb(n, m) / 2**n``, whose
    logarithm comes from Stirling's series written with ``log1p`` (absolute error in
    ``log p`` about ``1e-16 * |log p|``): the p-value is then right to about 12
    significant digits. Tiny p-values underflow to 0.0 below about ``1e-308``.

    Parameters
    ----------
    n_a_only, n_b_only
        The discordant counts: items only run A got right, and only run B.

    Returns
    -------
    float
        The two-sided p-value.

    Examples
    --------
    >>> mcnemar_exact_p(1, 9), mcnemar_exact_p(5, 5), mcnemar_exact_p(0, 0)
    (0.021484375, 1.0, 1.0)
    >>> mcnemar_exact_p(0, 5)  # 2 * (1/2)**5
    0.0625
    """
    for value in (n_a_only, n_b_only):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidInputError(f"Invalid discordant count {value!r}: expected an int >= 0.")
    n = n_a_only + n_b_only
    m = min(n_a_only, n_b_only)
    if 2 * m + 1 >= n:  # |b - c| <= 1: the tail holds half the mass or more
        return 1.0
    if n <= EXACT_MCNEMAR_PAIRS:
        term = tail = math.comb(n, m)
        for k in range(m, 0, -1):
            term = term * k // (n - k + 1)  # comb(n, k - 1), exactly
            tail += term
        return min(1.0, (2 * tail) / (1 << n))
    if m == 0:
        return math.ldexp(1.0, 1 - n)
    # sum_k<=m comb(n, k) / comb(n, m): the ratios fall at least geometrically (by
    # k / (n - k + 1) < 1 at each step down), so stop once they no longer count.
    ratio_sum, ratio = 1.0, 1.0
    for k in range(m, 0, -1):
        ratio *= k / (n - k + 1)
        ratio_sum += ratio
        if ratio < 1e-18 * ratio_sum:
            break
    return min(1.0, 2.0 * math.exp(_log_comb_over_pow2(n, m)) * ratio_sum)


EXACT_MCNEMAR_PAIRS = 20_000
"""Up to this many discordant pairs McNemar's p-value is summed in integers."""


def _log_comb_over_pow2(n: int, m: int) -> float:
    """``log(comb(n, m) / 2**n)`` for ``0 < m < n``, by Stirling's series.

    ``log comb(n, m) = -m log(q) - (n - m) log(1 - q) + log(n / (2 pi m (n - m))) / 2 +
    S(n) - S(m) - S(n - m)`` with ``q = m / n`` and ``S(x) = 1/(12x) - 1/(360x**3) +
    1/(1260x**5)`` (truncation error below ``1/(1680 x**7)``). Subtracting ``n log 2``
    with ``2q = 1 - t`` and ``2(1 - q) = 1 + t`` leaves two ``log1p`` terms of the size
    of the result itself, so no large terms cancel.
    """
    t = (n - 2 * m) / n
    main = -m * math.log1p(-t) - (n - m) * math.log1p(t)

    def series(x: int) -> float:
        return 1 / (12 * x) - 1 / (360 * x**3) + 1 / (1260 * x**5)

    return (
        main
        + 0.5 * math.log(n / (2 * math.pi * m * (n - m)))
        + series(n)
        - series(m)
        - series(n - m)
    )
