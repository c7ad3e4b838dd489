"""Error-free float operations and double-double evaluation, vectorised (shared by the library).

A double-double value is an unevaluated sum hi + lo with |lo| <= ulp(hi)/2: about 32 digits.
"""

from __future__ import annotations

_SPLIT = 134217729.0  # 2^27 + 1, Veltkamp's splitter


def two_sum(a, b):
    """a + b = s + e exactly (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def two_product(a, b):
    """a * b = p + e exactly (Dekker, float64 only)."""
    p = a * b
    ta = _SPLIT * a
    a_hi = ta - (ta - a)
    a_lo = a - a_hi
    tb = _SPLIT * b
    b_hi = tb - (tb - b)
    b_lo = b - b_hi
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
