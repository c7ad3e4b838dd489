"""Error-free float operations and double-double evaluation, vectorised (shared by the library).

A double-double value is an unevaluated sum hi + lo with |lo| <= ulp(hi)/2: about 32 digits.
References: Dekker (1971), *A floating-point technique for extending the available precision*;
Knuth, *TAOCP* vol. 2, 4.2.2; the splitting of large numbers as in Hida, Li and Bailey's QD library.
"""

from __future__ import annotations

import numpy as np

_SPLIT = 134217729.0  # 2^27 + 1, Veltkamp's splitter
_SPLIT_LIMIT = 2.0**996  # above this, _SPLIT * a would overflow: split a * 2^-28 instead
_DOWN, _UP = 2.0**-28, 2.0**28


def two_sum(a, b):
    """a + b = s + e exactly (Knuth), unless a + b overflows."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(a):
    """a = hi + lo exactly, each half with at most 26 significant bits (Veltkamp).

    Numbers above 2^996 are scaled down by 2^28 for the split and back up after (exact), so
    that the splitter's product cannot overflow.
    """
    big = np.abs(a) > _SPLIT_LIMIT
    scaled = np.where(big, a * _DOWN, a)
    t = _SPLIT * scaled
    hi = t - (t - scaled)
    lo = scaled - hi
    return np.where(big, hi * _UP, hi), np.where(big, lo * _UP, lo)


def two_product(a, b):
    """a * b = p + e exactly (Dekker, float64), unless a * b overflows or e underflows.

    >>> p, e = two_product(0.1, 3.0)
    >>> float(p), float(e)
    (0.30000000000000004, -2.7755575615628914e-17)
    """
    p = a * b
    a_hi, a_lo = _split(a)
    b_hi, b_lo = _split(b)
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def horner(leading, coefficients, x):
    """sum_k c_k x^(n-k) in double-double, rounded to float64, for float x and coefficients.

    ``leading`` is the first coefficient as a double-double pair (hi, lo), so that an inexact
    product such as 3a can enter exactly; ``coefficients`` are the remaining float arrays.
    """
    hi, lo = leading
    for c in coefficients:
        p, p_err = two_product(hi, x)
        s, s_err = two_sum(p, c)
        lo = lo * x + p_err + s_err
        hi, lo = two_sum(s, lo)
    return hi + lo
