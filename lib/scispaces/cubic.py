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
   does not cancel; three real roots spread over more than eight orders of magnitude get their
   small members from the same deflation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["solve_cubic"]


def _coefficient(x: ArrayLike, name: str) -> NDArray[np.float64]:
    arr = np.asarray(x)
    if np.iscomplexobj(arr):
        raise TypeError(f"{name}: coefficients must be real, got a complex array")
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"{name}: expected real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: coefficients must be finite (no NaN or inf)")
    return arr


def _horner(B, C, D, t):
    """f(t) = t^3 + B t^2 + C t + D and f'(t), by Horner's rule."""
    f = ((t + B) * t + C) * t + D
    df = (3 * t + 2 * B) * t + C
    return f, df


def _polish(B, C, D, t):
    """One Newton step on the monic cubic, kept only where it lowers |f|."""
    f, df = _horner(B, C, D, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(df != 0, f / df, 0.0)
    t_new = t - step
    f_new, _ = _horner(B, C, D, t_new)
    return np.where(np.isfinite(t_new) & (np.abs(f_new) < np.abs(f)), t_new, t)


_CHUNK = (
    1 << 13
)  # cubics per block: the temporaries (64 KiB each) stay in cache and below malloc's mmap threshold
_SHIFTS = 2 * np.pi * np.arange(3) / 3


def _deflate(B, C, D, r):
    """x^3 + B x^2 + C x + D = (x - r)(x^2 - 2h x + g): the half-sum h and product g of the other roots.

    Vieta: g = -D/r, and 2h = -(B + r) or (C - g)/r, whichever does not cancel (the second when
    |r| is the larger root scale). Works in the caller's units, so nothing underflows.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        g = np.where(r != 0, -D / r, C)
        twice_h = np.where(r * r > np.abs(g), (C - g) / r, -(B + r))
    return twice_h / 2, g


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


def _solve_block(a, b, c, d, re, im):
    """Roots of one block of 1-D coefficient arrays, into real and imaginary parts ``re``, ``im`` (n, 3)."""
    # 1. monic, then scale x = s t by the power of two s >= the root-size bound (exact).
    B0, C0, D0 = b / a, c / a, d / a
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

    # 3a. three real roots: z_k = 2 cos((arccos(p/2) - 2 pi k)/3), already in descending order.
    i3 = np.flatnonzero(three)
    if i3.size:
        B3, C3, D3 = B[i3, None], C[i3, None], D[i3, None]
        theta = np.arccos(p[i3] / 2) / 3
        t3 = 2 * lam[i3, None] * np.cos(theta[:, None] - _SHIFTS) + shift[i3, None]
        x3 = _polish(B3, C3, D3, t3[:, ::-1]) * s[i3, None]
        # Roots far below the largest one are lost in the scaled coefficients (D/s^3 may even
        # underflow): take them from the quadratic left by deflating the largest, in original units.
        big = np.abs(x3[:, 0]) >= np.abs(x3[:, 2])
        dom = np.where(big, x3[:, 0], x3[:, 2])
        spread = np.minimum(
            np.abs(x3[:, 1]), np.abs(np.where(big, x3[:, 2], x3[:, 0]))
        ) < 1e-8 * np.abs(dom)
        if spread.any():
            j = np.flatnonzero(spread)
            x1, x2, _ = _pair(*_deflate(B0[i3][j], C0[i3][j], D0[i3][j], dom[j]))  # real here
            x3[j] = np.stack([dom[j], x1, x2], axis=1)
        re[i3] = _sort_rows3(x3)
        im[i3] = 0

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
        r = _polish(B1, C1, D1, y + shift[i1]) * s[i1]
        x1, x2, imag = _pair(*_deflate(B0[i1], C0[i1], D0[i1], r))
        re[i1] = np.stack([r, x1, x2], axis=1)
        im[i1] = np.stack([np.zeros_like(imag), imag, -imag], axis=1)
        ties = i1[
            imag == 0
        ]  # the pair is real (at |p| = 2, or rounded onto the axis): sort all three
        if ties.size:
            re[ties] = _sort_rows3(re[ties])
            im[ties] = 0
    re += 0.0  # turn -0.0 into 0.0


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
    a, b, c, d = (_coefficient(v, n) for v, n in zip((a, b, c, d), "abcd", strict=True))
    if np.any(a == 0):
        raise ValueError(
            "a: the leading coefficient must be non-zero (otherwise it is not a cubic)"
        )
    shape = np.broadcast_shapes(a.shape, b.shape, c.shape, d.shape)
    a, b, c, d = np.broadcast_arrays(a, b, c, d)
    if len(shape) != 1:  # blocks are taken from 1-D arrays; 1-D views are used as they are
        a, b, c, d = (v.ravel() for v in (a, b, c, d))
    out = np.empty((a.size, 3), dtype=np.complex128)
    for lo in range(0, a.size, _CHUNK):
        block = slice(lo, lo + _CHUNK)
        re, im = np.empty((len(a[block]), 3)), np.empty((len(a[block]), 3))
        _solve_block(a[block], b[block], c[block], d[block], re, im)
        out[block].real, out[block].imag = re, im
    if not np.isfinite(out).all():
        raise ValueError(
            "a, b, c, d: the coefficient ratios b/a, c/a, d/a exceed the floating-point range"
        )
    return out.reshape(*shape, 3)
