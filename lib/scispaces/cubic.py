r"""All roots of real cubics by the trigonometric / hyperbolic method, vectorised.

Derived in the chapter *Solving the cubic with trigonometry* (``book/cubic_trig.ipynb``), after
Su Jianlin, kexue.fm/archives/831 (2010-08-08). For :math:`a x^3 + b x^2 + c x + d = 0`:

1. scale :math:`x = s\,t` by a power of two so the monic coefficients are of order one (exact,
   and nothing overflows for coefficients from 1e-150 to 1e150);
2. depress :math:`t = y - B/3`: :math:`y^3 + P y + Q = 0`, and with :math:`\lambda = \sqrt{|P|/3}`,
   :math:`y = \lambda z`, reach :math:`z^3 \pm 3z = p`, :math:`p = -Q/\lambda^3`;
3. solve: :math:`P > 0`: :math:`z = 2\sinh(\tfrac13\operatorname{arsinh}\tfrac p2)`; :math:`P < 0`,
   :math:`|p| \ge 2`: :math:`z = 2\,\mathrm{sgn}(p)\cosh(\tfrac13\operatorname{arcosh}\tfrac{|p|}2)`;
   :math:`P < 0`, :math:`|p| < 2`: :math:`z_k = 2\cos\big(\tfrac13(\arccos\tfrac p2 - 2\pi k)\big)`;
   :math:`P = 0`: :math:`y = \sqrt[3]{-Q}`;
4. polish each real root with one guarded Newton step on the monic cubic, and recover a complex
   pair from the real root :math:`r` by Vieta's relations in the original units:
   :math:`|z|^2 = -D/r` and :math:`2\,\mathrm{Re}\,z = -(B + r)` or :math:`(C - |z|^2)/r`, whichever
   does not cancel; for three real roots the other two come from deflating the isolated one;
5. re-solve the few cubics whose roots cluster (within 10% of their size) around the cluster's
   centre :math:`c_0`, with the shifted coefficients :math:`f''(c_0)/2, f'(c_0), f(c_0)` evaluated
   in double-double, which resolves near-multiple roots far below the usual
   :math:`\sqrt\varepsilon` / :math:`\varepsilon^{1/3}` floor.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scispaces._checks import real_array
from scispaces._dd import horner, two_product

__all__ = ["solve_cubic"]


def _horner(B, C, D, t):
    """f(t) = t^3 + B t^2 + C t + D and f'(t), by Horner's rule."""
    f = ((t + B) * t + C) * t + D
    df = (3 * t + 2 * B) * t + C
    return f, df


def _polish(B, C, D, t):
    """One Newton step on the scaled monic cubic (roots of order one), kept only if it is small.

    From the closed-form start a simple root needs a correction of a few ulps; a step above 1e-6
    means f' is nearly 0 (a near-multiple root), where Newton would jump, and those roots are
    recomputed by the cluster refinement anyway.
    """
    f, df = _horner(B, C, D, t)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        step = f / df
    return np.where(np.abs(step) <= 1e-6, t - step, t)  # NaN/inf steps fail the test too


_CHUNK = (
    1 << 13
)  # cubics per block: the temporaries (64 KiB each) stay in cache and below malloc's mmap threshold
_SHIFTS = 2 * np.pi * np.arange(3) / 3


def _deflate(B, C, D, r):
    """x^3 + B x^2 + C x + D = (x - r)(x^2 - 2h x + g): the half-sum h and product g of the other roots.

    Vieta gives two forms. Division-free, g = C + r(B + r) and 2h = -(B + r), which is accurate
    when r is the small root; with r as the large root, g = -D/r and 2h = (C - g)/r. The first
    g decides which (r^2 > |g|: r is the larger), so a zero or tiny r never divides anything.
    """
    with np.errstate(
        divide="ignore", invalid="ignore", over="ignore"
    ):  # r^2 = inf compares correctly
        g_small = C + r * (B + r)
        large = r * r > np.abs(g_small)
        g = np.where(large, -D / r, g_small)
        twice_h = np.where(large, (C - g) / r, -(B + r))
    return twice_h / 2, g


def _refine_small(B, C, D, r):
    """A real root r much smaller than the other two, recomputed as -D / (their product).

    In scaled units such a root has only absolute accuracy; Vieta's r * g = -D with the
    division-free product g = C + r(B + r) restores its relative accuracy, and gives exactly 0
    when D = 0.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        g = C + r * (B + r)
        small = (r * r <= np.abs(g)) & (g != 0)
        return np.where(small, -D / np.where(small, g, 1.0), r)


def _pair(h, g):
    """Roots of x^2 - 2h x + g: (x1, x2, y) meaning x1, x2 real if y == 0, else h +- i y.

    A real pair uses q = h + sgn(h) sqrt(h^2 - g) and g/q, which does not cancel.
    """
    disc = h * h - g
    root = np.sqrt(np.abs(disc))
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


_CLUSTER = 0.1  # roots closer than this fraction of their size are recomputed around their centre


def _near(gap2, size2):
    """A squared gap is close when below _CLUSTER^2 times the squared size of the roots it separates.

    Squares of roots near 1e300 overflow to inf, which still compares correctly.
    """
    return gap2 < _CLUSTER * _CLUSTER * size2


def _refine_clusters(a, b, c, d, r, i):
    """Roots (real parts r, imaginary parts i) of cubics with a near-multiple root, recomputed around the cluster.

    Near a multiple root a double-precision solve is stuck at the conditioning floor (sqrt(eps)
    for a double, eps^(1/3) for a triple root). Shifting x = c0 + delta to the cluster's centre
    c0 with the new coefficients f''(c0)/2, f'(c0), f(c0) evaluated in double-double makes them
    small and accurate, so solving the shifted cubic resolves the cluster to full precision.
    """
    pairs = ((0, 1), (1, 2), (0, 2))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        gap2 = np.stack(
            [(r[:, j] - r[:, k]) ** 2 + (i[:, j] - i[:, k]) ** 2 for j, k in pairs], axis=1
        )
        norm2 = r * r + i * i
        size2 = np.stack([np.maximum(norm2[:, j], norm2[:, k]) for j, k in pairs], axis=1)
        ratio = np.nan_to_num(gap2 / size2, nan=np.inf)
    closest = ratio.argmin(axis=1)  # 0: roots (0, 1); 1: (1, 2); 2: (0, 2)
    first = np.where(closest == 1, 1, 0)
    second = np.where(closest == 0, 1, 2)
    pair_centre = (r[np.arange(len(r)), first] + r[np.arange(len(r)), second]) / 2
    c0 = np.where(_near(gap2, size2).all(axis=1), r.mean(axis=1), pair_centre)
    three_a = two_product(a, 3.0)
    half_second = horner(three_a, [b], c0)  # f''(c0)/2 = 3a c0 + b
    first_derivative = horner(three_a, [2 * b, c], c0)  # f'(c0)
    value = horner((a, np.zeros_like(a)), [b, c, d], c0)  # f(c0)
    re_shift, im_shift = np.empty((len(a), 3)), np.empty((len(a), 3))
    _solve_block(a, half_second, first_derivative, value, re_shift, im_shift)
    return re_shift + c0[:, None] + 0.0, im_shift


def _solve_block(a, b, c, d, re, im):
    """Roots of one block of 1-D coefficient arrays, into real and imaginary parts ``re``, ``im`` (n, 3).

    Returns the mask of rows with a near-multiple root, for :func:`_refine_clusters`.
    """
    # 1. monic, then scale x = s t by the power of two s >= the root-size bound (exact).
    with np.errstate(over="ignore"):
        B0, C0, D0 = b / a, c / a, d / a
    if not (np.isfinite(B0).all() and np.isfinite(C0).all() and np.isfinite(D0).all()):
        raise ValueError(
            "a, b, c, d: the coefficient ratios b/a, c/a, d/a exceed the floating-point range"
        )
    size = np.maximum(np.maximum(np.abs(B0), np.sqrt(np.abs(C0))), np.cbrt(np.abs(D0)))
    s = np.ldexp(1.0, np.frexp(size)[1])
    inv = 1 / s
    B, C, D = B0 * inv, C0 * inv * inv, D0 * inv * inv * inv

    # 2. depress: t = y - B/3, y^3 + P y + Q = 0, p = -Q / lambda^3.
    shift = B / -3
    P = C - B * B / 3
    Q = (2 * B * B / 27 - C / 3) * B + D
    lam = np.sqrt(np.abs(P) / 3)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p = -Q / (lam * lam * lam)
    flat = (P == 0) | ~np.isfinite(p)  # P negligible: y^3 = -Q
    three = (P < 0) & (np.abs(p) < 2) & ~flat

    # 3a. three real roots: z_k = 2 cos((arccos(p/2) - 2 pi k)/3), k = 2, 1, 0 ascending.
    near = np.zeros(three.shape, dtype=bool)  # rows with a near-multiple root, refined at the end
    i3 = np.flatnonzero(three)
    if i3.size:
        theta = np.arccos(p[i3] / 2) / 3
        t3 = 2 * lam[i3, None] * np.cos(theta[:, None] - _SHIFTS[::-1]) + shift[i3, None]
        # Polish the isolated root (the end farther from its neighbour: simple, accurate) and take
        # the other two from the quadratic left by deflating it, in original units. This keeps
        # small roots (even exact zeros) accurate relative to themselves, splits a near-double
        # pair symmetrically, and, when the pair is far smaller than the isolated root (where the
        # scaled |p| is only rounding), lets the quadratic decide whether the pair is real.
        low = (t3[:, 1] - t3[:, 0]) > (t3[:, 2] - t3[:, 1])
        iso = _polish(B[i3], C[i3], D[i3], np.where(low, t3[:, 0], t3[:, 2])) * s[i3]
        iso = _refine_small(B0[i3], C0[i3], D0[i3], iso)
        x1, x2, y = _pair(*_deflate(B0[i3], C0[i3], D0[i3], iso))
        complex_pair = (y > 0) & (np.maximum(np.abs(x1), np.abs(x2)) < 1e-2 * np.abs(iso))
        roots3 = np.stack([iso, x1, x2], axis=1)
        re[i3] = np.where(complex_pair[:, None], roots3, _sort_rows3(roots3))
        x = re[i3]
        with np.errstate(over="ignore", invalid="ignore"):
            near[i3] = np.where(
                complex_pair,
                _near(4 * y * y, x1 * x1 + y * y),
                _near((x[:, 1] - x[:, 0]) ** 2, np.maximum(x[:, 0] ** 2, x[:, 1] ** 2))
                | _near((x[:, 2] - x[:, 1]) ** 2, np.maximum(x[:, 1] ** 2, x[:, 2] ** 2)),
            )
        im[i3] = np.where(complex_pair[:, None], np.stack([np.zeros_like(y), y, -y], axis=1), 0.0)

    # 3b. one real root, then the complex pair from Vieta's relations.
    i1 = np.flatnonzero(~three)
    if i1.size:
        B1, C1, D1, P1, p1, lam1 = B[i1], C[i1], D[i1], P[i1], p[i1], lam[i1]
        y = np.empty(i1.size)
        level = flat[i1]
        up, down = (P1 > 0) & ~level, (P1 < 0) & ~level
        y[up] = 2 * np.sinh(np.arcsinh(p1[up] / 2) / 3) * lam1[up]
        pd = p1[down]
        y[down] = 2 * np.sign(pd) * np.cosh(np.arccosh(np.abs(pd) / 2) / 3) * lam1[down]
        y[level] = np.cbrt(-Q[i1][level])
        r = _refine_small(B0[i1], C0[i1], D0[i1], _polish(B1, C1, D1, y + shift[i1]) * s[i1])
        x1, x2, imag = _pair(*_deflate(B0[i1], C0[i1], D0[i1], r))
        re[i1] = np.stack([r, x1, x2], axis=1)
        im[i1] = np.stack([np.zeros_like(imag), imag, -imag], axis=1)
        # Near-multiple: the pair nearly coincides, or the real root is near a pair member
        # (|.|_1 distances, within a factor sqrt(2) of the Euclidean test; cheap on every row).
        ar, a1, a2 = np.abs(r), np.abs(x1), np.abs(x2)
        near[i1] = (
            (np.abs(x1 - x2) + 2 * imag < _CLUSTER * (np.maximum(a1, a2) + imag))
            | (np.abs(r - x1) + imag < _CLUSTER * np.maximum(ar, a1))
            | (np.abs(r - x2) + imag < _CLUSTER * np.maximum(ar, a2))
        )
        ties = i1[
            imag == 0
        ]  # the pair is real (at |p| = 2, or rounded onto the axis): sort all three
        if ties.size:
            re[ties] = _sort_rows3(re[ties])
            im[ties] = 0
    re += 0.0  # turn -0.0 into 0.0
    return near


def solve_cubic(a: ArrayLike, b: ArrayLike, c: ArrayLike, d: ArrayLike) -> NDArray[np.complex128]:
    r"""All three roots of :math:`a x^3 + b x^2 + c x + d = 0` for real coefficients, :math:`a \ne 0`.

    The coefficients broadcast; the result has shape ``broadcast_shape + (3,)`` (``(3,)`` for
    scalars), complex. Real roots have imaginary part exactly 0 and come first, ascending; a
    complex pair follows with the positive imaginary part first. Multiple roots are repeated.

    Raises ``ValueError`` if any ``a`` is 0 (not a cubic) or a coefficient is not finite, and
    ``TypeError`` for complex or non-numeric coefficients.

    Examples
    --------
    >>> solve_cubic(1, -6, 11, -6).real  # (x - 1)(x - 2)(x - 3)
    array([1., 2., 3.])
    >>> np.round(solve_cubic(1, 0, 0, 1), 12)  # x^3 = -1
    array([-1. +0.j       ,  0.5+0.8660254j,  0.5-0.8660254j])
    """
    a, b, c, d = (real_array(v, n) for v, n in zip((a, b, c, d), "abcd", strict=True))
    if np.any(a == 0):
        raise ValueError(
            "a: the leading coefficient must be non-zero (otherwise it is not a cubic)"
        )
    shape = np.broadcast_shapes(a.shape, b.shape, c.shape, d.shape)
    a, b, c, d = np.broadcast_arrays(a, b, c, d)
    if len(shape) != 1:  # blocks are taken from 1-D arrays; 1-D views are used as they are
        a, b, c, d = (v.ravel() for v in (a, b, c, d))
    out = np.empty((a.size, 3), dtype=np.complex128)
    near = np.empty(a.size, dtype=bool)
    for lo in range(0, a.size, _CHUNK):
        block = slice(lo, lo + _CHUNK)
        re, im = np.empty((len(a[block]), 3)), np.empty((len(a[block]), 3))
        near[block] = _solve_block(a[block], b[block], c[block], d[block], re, im)
        out[block].real, out[block].imag = re, im
    rows = np.flatnonzero(near)  # rare: refined together, once
    if rows.size:
        re, im = _refine_clusters(
            a[rows], b[rows], c[rows], d[rows], out.real[rows], out.imag[rows]
        )
        out[rows] = re + 1j * im
    return out.reshape(*shape, 3)
