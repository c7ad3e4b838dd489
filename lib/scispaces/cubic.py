r"""All three roots of real cubics by the trigonometric and hyperbolic formulas, vectorised.

Derived in the chapter *Solving the cubic with trigonometry*, after Su Jianlin,
kexue.fm/archives/831 (2010). The one public function is :func:`solve_cubic`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scispaces._checks import broadcast, real_array
from scispaces._dd import horner, two_product

__all__ = ["solve_cubic"]

_CHUNK = 1 << 13  # cubics per block: the temporaries (64 KiB each) stay in cache
_SHIFTS = 2 * np.pi * np.arange(3) / 3
_CLUSTER = 0.1  # roots closer than this fraction of their size are recomputed around their centre
_TINY = np.finfo(np.float64).tiny  # the smallest normal float, 2.2e-308


def _closed_form(B, C, D):
    r"""The chapter's formulas for :math:`t^3 + B t^2 + C t + D = 0`, coefficients of order one.

    Depress :math:`t = y - B/3`: :math:`y^3 + P y + Q = 0` (the post's :math:`m = P`,
    :math:`n = -Q`); with :math:`\lambda = \sqrt{|P|/3}` and :math:`y = \lambda z`,
    :math:`z^3 \pm 3z = p`, :math:`p = -Q/\lambda^3`. Returns ``(t, three)``: rows with
    ``three`` hold the three cosine roots, ascending; the others hold their one real root in
    column 0 (from sinh, cosh, or the real cube root when :math:`P = 0`).
    """
    shift = B / -3
    P = C - B * B / 3
    Q = (2 * B * B / 27 - C / 3) * B + D
    lam = np.sqrt(np.abs(P) / 3)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p = -Q / (lam * lam * lam)
    flat = (P == 0) | ~np.isfinite(p)  # P negligible: y^3 = -Q
    three = (P < 0) & (np.abs(p) < 2) & ~flat
    t = np.zeros((B.size, 3))
    i = np.flatnonzero(three)  # z_k = 2 cos((arccos(p/2) - 2 pi k)/3), k = 2, 1, 0: ascending
    theta = np.arccos(p[i] / 2) / 3
    t[i] = 2 * lam[i, None] * np.cos(theta[:, None] - _SHIFTS[::-1]) + shift[i, None]
    i = np.flatnonzero((P > 0) & ~flat)  # z = 2 sinh(arsinh(p/2)/3)
    t[i, 0] = 2 * np.sinh(np.arcsinh(p[i] / 2) / 3) * lam[i] + shift[i]
    i = np.flatnonzero((P < 0) & ~three & ~flat)  # |p| >= 2: z = 2 sgn(p) cosh(arcosh(|p|/2)/3)
    t[i, 0] = 2 * np.sign(p[i]) * np.cosh(np.arccosh(np.abs(p[i]) / 2) / 3) * lam[i] + shift[i]
    i = np.flatnonzero(flat)  # the real cube root
    t[i, 0] = np.cbrt(-Q[i]) + shift[i]
    return t, three


def _polish(B, C, D, t):
    """One Newton step on the scaled monic cubic (roots of order one), kept only if it is small.

    From the closed-form start a simple root needs a correction of a few ulps; a step above 1e-6
    means f' is nearly 0 (a near-multiple root), where Newton would jump, and those roots are
    recomputed by the cluster refinement anyway.
    """
    f = ((t + B) * t + C) * t + D
    df = (3 * t + 2 * B) * t + C
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        step = f / df
    return np.where(np.abs(step) <= 1e-6, t - step, t)  # NaN/inf steps fail the test too


def _exponent(v):
    """The binary exponent of each value (v = m 2^e, 1/2 <= |m| < 1); -4000 for 0, below all."""
    return np.where(v != 0, np.frexp(v)[1], -4000)


def _deflate(B, C, D, r):
    """x^3 + B x^2 + C x + D = (x - r)(x^2 - 2h x + g): the other two roots as ``(h, g, j)``,
    their half-sum h and product g in units 2^j of their own size.

    Vieta gives two forms. Division-free, g = C + r(B + r) and 2h = -(B + r), which is accurate
    when r is the small root; with r as the large root, g = -D/r and 2h = (C - g)/r. The first
    g decides which (r^2 > |g|: r is the larger), so a zero or tiny r never divides anything.
    The units, exact powers of two, keep h^2 and g from overflowing or underflowing however far
    the two roots are from r.
    """
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        g = C + r * (B + r)
        large = r * r > np.abs(g)  # r^2 = inf compares right
        # j: the exponent of sqrt|g| (their geometric mean), or of h where g = 0, keeping
        # h / 2^j below 2^1000 (a member of the pair below 1e-300 of the other is then 0)
        er = _exponent(r)
        e_g = np.where(large, np.where(D != 0, _exponent(D) - er, -4000), _exponent(g))
        e_h = np.where(large, _exponent(C) - er, _exponent(B + r))
        j = np.clip(np.where(e_g > -4000, np.maximum(e_g // 2, e_h - 1000), e_h), -1100, 1100)
        # -D/r and (C - g)/r in units 2^j, with r scaled to its mantissa so nothing overflows
        rm = np.ldexp(r, -er)
        g_large = -np.ldexp(D, -2 * j - er) / rm
        twice_h_large = (np.ldexp(C, -j - er) - np.ldexp(g_large, j - er)) / rm
        g = np.where(large, g_large, np.ldexp(g, -2 * j))
        twice_h = np.where(large, twice_h_large, -np.ldexp(B + r, -j))
    return twice_h / 2, g, j


def _refine_small(B, C, D, r):
    """A real root r much smaller than the other two, recomputed as -D / (their product).

    Such a root computed in scaled units has only absolute accuracy; Vieta's r g = -D with the
    division-free product g = C + r(B + r) restores its relative accuracy, and gives exactly 0
    when D = 0.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        g = C + r * (B + r)
        small = (r * r <= np.abs(g)) & (g != 0)
        return np.where(small, -D / np.where(small, g, 1.0), r)


def _pair(h, g):
    """Roots of x^2 - 2h x + g: (x1, x2, y) meaning x1, x2 real if y == 0, else h +- i y.

    A real pair uses q = h + sgn(h) sqrt(h^2 - g) and g/q, which does not cancel. Where
    |h| > 2^500, h and g are scaled by powers of two (exact) so that h^2 cannot overflow.
    """
    scale = np.where(np.abs(h) > 2.0**500, 2.0**-500, 1.0)
    hs = h * scale
    disc = hs * hs - g * scale * scale
    root = np.sqrt(np.abs(disc)) / scale
    q = h + np.copysign(root, h)
    with np.errstate(divide="ignore", invalid="ignore"):
        other = np.where(q != 0, g / q, 0.0)
    real = disc >= 0
    return np.where(real, q, h), np.where(real, other, h), np.where(real, 0.0, root)


def _sort_rows3(t):
    """Sort each row of an (n, 3) array ascending with a compare-swap network (faster than np.sort)."""
    x0, x1, x2 = t[:, 0], t[:, 1], t[:, 2]
    x0, x1 = np.minimum(x0, x1), np.maximum(x0, x1)
    x1, x2 = np.minimum(x1, x2), np.maximum(x1, x2)
    x0, x1 = np.minimum(x0, x1), np.maximum(x0, x1)
    return np.stack([x0, x1, x2], axis=1)


def _near(gap, size):
    """A gap between two roots is close when below _CLUSTER times the size of the larger."""
    return np.abs(gap) < _CLUSTER * size


def _solve_monic(B0, C0, D0, re, im):
    """Roots of x^3 + B0 x^2 + C0 x + D0 (1-D arrays) into ``re``, ``im`` (n, 3).

    Scale x = s t by the power of two s with the roots' size bound in [s, 2s) (exact), take the
    closed form, polish the real root it gives, and recover the other two by deflation in the
    unscaled units. Returns the mask of rows with a near-multiple root.
    """
    size = np.maximum(np.maximum(np.abs(B0), np.sqrt(np.abs(C0))), np.cbrt(np.abs(D0)))
    s = np.ldexp(1.0, np.frexp(size)[1] - 1)
    inv = 1 / s
    B, C, D = B0 * inv, C0 * inv * inv, D0 * inv * inv * inv
    t, three = _closed_form(B, C, D)
    # Three real roots: polish the isolated one (the end farther from its neighbour: simple and
    # accurate) and take the other two from the quadratic left by deflating it, unscaled. This
    # keeps small roots (even exact zeros) accurate relative to themselves, splits a near-double
    # pair symmetrically, and, when the pair is far smaller than the isolated root (where the
    # scaled |p| is only rounding), lets the quadratic decide whether the pair is real.
    low = (t[:, 1] - t[:, 0]) > (t[:, 2] - t[:, 1])
    start = np.where(three & ~low, t[:, 2], t[:, 0])  # one-root rows: their root is in column 0
    r = _refine_small(B0, C0, D0, _polish(B, C, D, start) * s)
    h, g, j = _deflate(B0, C0, D0, r)
    x1, x2, y = (np.ldexp(v, j) for v in _pair(h, g))  # ldexp: 0 or subnormal below the range
    # A complex pair is kept where the closed form found one real root, or where the pair is far
    # smaller than the isolated root; otherwise the closed form's "three real" stands, and a pair
    # that rounding pushed off the axis is its real part twice.
    y = np.where((y > 0) & (~three | (np.maximum(np.abs(x1), np.abs(x2)) < 1e-2 * np.abs(r))), y, 0)
    re[:] = np.stack([r, x1, x2], axis=1) + 0.0  # + 0.0 turns -0.0 into 0.0
    im[:] = np.stack([np.zeros_like(y), y, -y], axis=1) + 0.0
    real = y == 0  # real roots ascending
    re[real] = _sort_rows3(re[real])
    x, z = re, np.hypot(x1, y)  # z: the modulus of a complex pair
    with np.errstate(over="ignore"):  # a difference of huge roots is inf: still far
        return np.where(
            real,
            _near(x[:, 1] - x[:, 0], np.maximum(np.abs(x[:, 0]), np.abs(x[:, 1])))
            | _near(x[:, 2] - x[:, 1], np.maximum(np.abs(x[:, 1]), np.abs(x[:, 2]))),
            _near(2 * y, z) | _near(np.hypot(r - x1, y), np.maximum(np.abs(r), z)),
        )


def _monic(a, b, c, d):
    """The monic ratios b/a, c/a, d/a in units 2^u: ``(B, C, D, u)``, x = 2^u w.

    u = 0 where the three ratios are normal floats (or 0), which keeps every root accurate
    relative to itself. Elsewhere (a ratio overflows or underflows) the ratios are formed from
    mantissas and exponents, exactly scaled to a root size of order one: u is then the
    roots' binary exponent.
    """
    with np.errstate(over="ignore", under="ignore"):
        ratios = [b / a, c / a, d / a]
    u = np.zeros(a.size, dtype=int)
    bad = np.zeros(a.size, dtype=bool)
    for ratio, coefficient in zip(ratios, (b, c, d), strict=True):
        bad |= ~np.isfinite(ratio) | ((np.abs(ratio) < _TINY) & (coefficient != 0))
    i = np.flatnonzero(bad)
    if i.size:
        ma, ea = np.frexp(a[i])
        split = [(m / ma, e - ea) for m, e in (np.frexp(v[i]) for v in (b, c, d))]  # m 2^e
        with np.errstate(divide="ignore"):  # log2(0) = -inf: a zero ratio sets no size
            sizes = [(np.log2(np.abs(m)) + e) / k for k, (m, e) in enumerate(split, start=1)]
        u[i] = np.floor(np.max(sizes, axis=0))
        for k, (m, e) in enumerate(split, start=1):
            ratios[k - 1][i] = np.ldexp(m, e - k * u[i])
    return *ratios, u


def _solve_rows(a, b, c, d):
    """Roots of the cubics with 1-D coefficient arrays: real parts, imaginary parts, near-multiple mask."""
    B, C, D, u = _monic(a, b, c, d)
    re, im = np.empty((a.size, 3)), np.empty((a.size, 3))
    near = _solve_monic(B, C, D, re, im)
    scaled = np.flatnonzero(u)
    if scaled.size:
        with np.errstate(over="ignore"):
            re[scaled] = np.ldexp(re[scaled], u[scaled, None]) + 0.0  # no -0.0 from underflow
            im[scaled] = np.ldexp(im[scaled], u[scaled, None]) + 0.0
        if not (np.isfinite(re[scaled]).all() and np.isfinite(im[scaled]).all()):
            raise ValueError("a, b, c, d: a root exceeds the float64 range (about 1.8e308)")
    return re, im, near


def _refine_clusters(a, b, c, d, r, i):
    """Roots (real parts r, imaginary parts i) of cubics with a near-multiple root, recomputed around the cluster.

    Near a multiple root a double-precision solve is stuck at the conditioning floor (sqrt(eps)
    for a double, eps^(1/3) for a triple root). In units t = x / 2^k with the roots of order one
    and the coefficients scaled exactly by powers of two to at most 1, the shift t = c0 + delta
    to the cluster's centre c0 gives the coefficients f''(c0)/2, f'(c0), f(c0), evaluated in
    double-double: small and accurate, so the shifted cubic resolves the cluster to full precision.
    """
    k = np.frexp(np.max(np.abs(r) + np.abs(i), axis=1))[1]
    r, i = np.ldexp(r, -k[:, None]), np.ldexp(i, -k[:, None])
    # coefficients of t^3, t^2, t, 1: (a, b, c, d) 2^(3k, 2k, k, 0), over 2^top (all exact)
    split = [(m, e + (3 - j) * k) for j, (m, e) in enumerate(np.frexp(v) for v in (a, b, c, d))]
    top = np.max([np.where(m != 0, e, np.iinfo(int).min) for m, e in split], axis=0)
    a, b, c, d = (np.ldexp(m, e - top) for m, e in split)
    pairs = ((0, 1), (1, 2), (0, 2))
    gap = np.stack([np.hypot(r[:, j] - r[:, q], i[:, j] - i[:, q]) for j, q in pairs], axis=1)
    norm = np.hypot(r, i)
    size = np.stack([np.maximum(norm[:, j], norm[:, q]) for j, q in pairs], axis=1)
    with np.errstate(invalid="ignore"):  # 0/0 for a pair of zeros: not the closest pair
        closest = np.argmin(np.nan_to_num(gap / size, nan=np.inf), axis=1)  # 0: (0, 1); 1: (1, 2)
    rows = np.arange(len(r))
    pair_centre = (
        r[rows, np.where(closest == 1, 1, 0)] + r[rows, np.where(closest == 0, 1, 2)]
    ) / 2
    triple = _near(gap, size).all(axis=1)
    c0 = np.where(triple, r.mean(axis=1), pair_centre)
    three_a = two_product(a, 3.0)
    half_second = horner(three_a, [b], c0)  # f''(c0)/2 = 3a c0 + b
    first_derivative = horner(three_a, [2 * b, c], c0)  # f'(c0)
    value = horner((a, np.zeros_like(a)), [b, c, d], c0)  # f(c0)
    re, im, _ = _solve_rows(a, half_second, first_derivative, value)
    # Beside a pair cluster, a root outside it and far smaller than c0 keeps its first value,
    # accurate relative to itself (c0 + delta is accurate relative to c0): where both are real.
    outside = np.choose(closest, [2, 0, 1])
    far = np.argmax(np.hypot(re, im), axis=1)
    small = np.abs(r[rows, outside]) < np.abs(c0) / 4
    keep = np.flatnonzero(~triple & small & (i[rows, outside] == 0) & (im[rows, far] == 0))
    re += c0[:, None]
    re[keep, far[keep]] = r[keep, outside[keep]]
    real = keep[(im[keep] == 0).all(axis=1)]
    re[real] = _sort_rows3(re[real])
    return np.ldexp(re, k[:, None]) + 0.0, np.ldexp(im, k[:, None])


def solve_cubic(a: ArrayLike, b: ArrayLike, c: ArrayLike, d: ArrayLike) -> NDArray[np.complex128]:
    r"""All three roots of :math:`a x^3 + b x^2 + c x + d = 0`, for real coefficients, :math:`a \ne 0`.

    Scale :math:`x = s\,t` by a power of two so that the monic coefficients are of order one
    (exact), depress :math:`t = y - B/3` to :math:`y^3 + P y + Q = 0`, put
    :math:`y = \lambda z` with :math:`\lambda = \sqrt{|P|/3}`, and solve
    :math:`z^3 \pm 3z = p`, :math:`p = -Q/\lambda^3`:

    .. math::

        z = \begin{cases}
        2\sinh\bigl(\tfrac13\operatorname{arsinh}\tfrac p2\bigr) & P > 0,\\
        2\operatorname{sgn}(p)\cosh\bigl(\tfrac13\operatorname{arcosh}\tfrac{|p|}2\bigr)
            & P < 0,\ |p| \ge 2,\\
        2\cos\bigl(\tfrac13(\arccos\tfrac p2 - 2\pi k)\bigr),\ k = 0, 1, 2 & P < 0,\ |p| < 2,
        \end{cases}
        \qquad y = \sqrt[3]{-Q} \text{ if } P = 0.

    The real root so found is polished by one guarded Newton step; the other two come from
    Vieta's relations (deflation) in the unscaled units, which keeps small roots, even exact
    zeros, accurate relative to themselves. Cubics with roots within 10 % of each other are
    solved again around the cluster's centre, with the shifted coefficients evaluated in
    double-double arithmetic, which resolves near-multiple roots below the usual
    :math:`\sqrt\varepsilon` (double) and :math:`\varepsilon^{1/3}` (triple) floors.

    Parameters
    ----------
    a, b, c, d : array_like of real numbers
        Coefficients, finite, broadcast together; ``a`` non-zero. Integers of any size, float32
        and long double are converted to float64.

    Returns
    -------
    numpy.ndarray of complex128, shape ``broadcast_shape + (3,)``
        The roots, ``(3,)`` for scalar coefficients. Real roots have imaginary part exactly 0
        and come first, ascending; a complex pair follows, positive imaginary part first.
        Multiple roots are repeated.

    Raises
    ------
    TypeError
        If a coefficient is not real (complex, a string, a bool, a date or time delta).
    ValueError
        If a coefficient is NaN or infinite, ragged, or the shapes do not broadcast; if any ``a``
        is 0 (not a cubic); if a root exceeds the float64 range (about 1.8e308).

    Notes
    -----
    Accuracy, measured against 50-digit ``mpmath.polyroots`` on 2 000 cubics with standard
    normal coefficients (``benchmarks/kernels/cubic.py``): 99 % of roots within 4.6e-16
    relative, the worst 1.7e-15 (the companion-matrix eigenvalues of ``numpy.roots``: 1.6e-15
    and 1.0e-14). The roots are invariant, bit for bit, under scaling all coefficients by a
    power of two. Every root is accurate relative to itself while the ratios b/a, c/a, d/a are
    normal floats (or 0), as for coefficients from 1e-150 to 1e150 in any mix (tested against
    700-digit references). Beyond that range the roots are computed in units of the largest:
    those below 1e-150 times the largest keep only absolute accuracy (about 1e-16 times the
    largest), and a root below the smallest float comes out as 0 or subnormal.

    References
    ----------
    .. [1] Su Jianlin, "Solving cubic equations with trigonometric functions" (in Chinese),
       https://kexue.fm/archives/831, 2010.
    .. [2] F. Viète, *De aequationum recognitione et emendatione*, 1615 (the cosine form).
    .. [3] W. Kahan, "To solve a real cubic equation", Berkeley, 1986 (deflation, scaling).
    .. [4] T. J. Dekker, "A floating-point technique for extending the available precision",
       Numer. Math. 18 (1971) 224-242 (double-double products).

    Examples
    --------
    >>> solve_cubic(1, -6, 11, -6).real  # (x - 1)(x - 2)(x - 3)
    array([1., 2., 3.])
    >>> np.round(solve_cubic(1, 0, 0, 1), 12)  # x^3 = -1
    array([-1. +0.j       ,  0.5+0.8660254j,  0.5-0.8660254j])
    >>> solve_cubic(1, -9e307, 0, 0).real  # x^2 (x - 9e307): no overflow
    array([0.e+000, 0.e+000, 9.e+307])
    >>> solve_cubic([1, 2], 0, -3, 2).shape  # two cubics
    (2, 3)
    """
    a, b, c, d = broadcast(
        **{name: real_array(v, name) for name, v in zip("abcd", (a, b, c, d), strict=True)}
    )
    if np.any(a == 0):
        raise ValueError(
            "a: the leading coefficient must be non-zero (otherwise it is not a cubic)"
        )
    shape = a.shape
    a, b, c, d = (v.ravel() for v in (a, b, c, d))  # blocks of 1-D arrays; views where possible
    out = np.empty((a.size, 3), dtype=np.complex128)
    near = np.empty(a.size, dtype=bool)
    for lo in range(0, a.size, _CHUNK):
        block = slice(lo, lo + _CHUNK)
        re, im, near[block] = _solve_rows(a[block], b[block], c[block], d[block])
        out.real[block], out.imag[block] = re, im
    rows = np.flatnonzero(near)  # rare: refined together, once
    if rows.size:
        re, im = _refine_clusters(
            a[rows], b[rows], c[rows], d[rows], out.real[rows], out.imag[rows]
        )
        out[rows] = re + 1j * im
    return out.reshape(*shape, 3)
