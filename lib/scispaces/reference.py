"""Reference values and accuracy measures: the one oracle that tests, chapters and benchmarks share.

When a test, a chapter and a benchmark each say "the error against mpmath is ...", they must
measure the same thing the same way. This module is where they do: high-precision references
(mpmath, always inside ``mpmath.workdps``, never by setting the global precision), the
baselines a user would otherwise reach for, and the error measures, after SciPy's
``special/_mptestutils.py``.

Sections: generic measures; then one section per library module, in the order of the book.
A new module adds its references here, not in its test file.

Examples
--------
>>> relative_errors([1.0, 2.0 + 4e-16], [1.0, 2.0]).tolist()
[0.0, 2.220446049250313e-16]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scispaces._checks import broadcast, count, function, number_array, real_array

EPS = float(np.finfo(np.float64).eps)  # 2.2e-16, the spacing of float64 just above 1

# ------------------------------------------------------------------------------ generic measures


def relative_errors(got: ArrayLike, want: ArrayLike) -> NDArray[np.float64]:
    """``|got - want| / |want|`` elementwise (real or complex), exact to rounding at any scale.

    0 where the two are equal (equal infinities too); inf where ``want`` is 0 and ``got`` is
    not, where ``got`` is NaN or differs from an infinite ``want``, or where the error exceeds
    the float64 range. A NaN in ``want`` is refused: a reference must be a number.
    """
    got, want = broadcast(got=number_array(got, "got"), want=number_array(want, "want"))
    if np.isnan(want).any():
        raise ValueError("want: holds NaN; a reference must be a number")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        err = np.abs(got - want) / np.abs(want)
        # |got - want| beyond 1.8e308 with finite sides: halve both (exact at that scale)
        over = np.isinf(err) & np.isfinite(got) & (want != 0)
        err = np.where(over, np.abs(got / 2 - want / 2) / np.abs(want / 2), err)
    err = np.where(np.isnan(err), np.inf, err)  # NaN got, or inf - inf of unequal infinities
    return np.where(got == want, 0.0, err).astype(np.float64)


MAX_DPS = 100_000  # mpmath digits: beyond this one evaluation takes minutes


def mp_values(
    fn: Callable[..., Any], points: Iterable[Sequence[Any]], dps: int = 40
) -> NDArray[np.float64]:
    """``fn(*point)`` for each point, evaluated by mpmath at ``dps`` digits, rounded to float64.

    The arguments are converted exactly (``mpmath.mpf(float(x))``), so the reference is the
    exact function at the float inputs the library saw. ``fn`` must return a real number for
    each point; NaN is refused, a value beyond the float64 range rounds to inf. ``dps`` lies in
    [20, ``MAX_DPS``]: fewer digits than float64 carries (17) cannot be a reference for it.
    """
    import mpmath

    function(fn, "fn")
    if count(dps, "dps", minimum=20) > MAX_DPS:
        raise ValueError(f"dps: at most {MAX_DPS} digits, got {dps}")
    if isinstance(points, str | bytes) or not isinstance(points, Iterable):
        raise TypeError(f"points: expected a list of argument tuples, got {type(points).__name__}")
    out = []
    with mpmath.workdps(dps):
        for i, point in enumerate(points):
            args = real_array(point, f"points[{i}]")
            if args.ndim != 1:
                raise ValueError(
                    f"points[{i}]: must be a sequence of numbers, got shape {args.shape}"
                )
            value = fn(*(mpmath.mpf(float(v)) for v in args))
            if isinstance(value, bool) or not isinstance(value, numbers.Real | mpmath.mpf):
                raise TypeError(
                    f"fn: returned {type(value).__name__} at points[{i}], not a real number"
                )
            if mpmath.isnan(value):
                raise ValueError(f"fn: returned NaN at points[{i}] = {tuple(args.tolist())}")
            out.append(float(value))
    return np.array(out, dtype=np.float64)


def mp_relative_errors(
    got: ArrayLike, fn: Callable[..., Any], points: Iterable[Sequence[Any]], dps: int = 40
) -> NDArray[np.float64]:
    """Relative errors of ``got`` against ``fn`` evaluated by mpmath at the same points."""
    got = number_array(got, "got")
    want = mp_values(fn, points, dps)
    if got.shape != want.shape:
        raise ValueError(f"got, points: {got.shape} values for {want.size} points")
    return relative_errors(got, want)


# ------------------------------------------------------------------------------ cubic


_TINY = float(np.finfo(np.float64).tiny)  # the smallest normal float, 2.2e-308


def _cubic_rows(coefficients: ArrayLike) -> NDArray[np.float64]:
    """``coefficients`` as an (m, 4) array of finite rows ``(a, b, c, d)`` with ``a != 0``."""
    from scispaces._checks import real_array

    rows = real_array(coefficients, "coefficients")
    if rows.ndim not in (1, 2) or rows.shape[-1] != 4:
        raise ValueError(f"coefficients: must be rows (a, b, c, d), got shape {rows.shape}")
    rows = np.atleast_2d(rows)
    if np.any(rows[:, 0] == 0):
        raise ValueError("coefficients: the leading coefficient a must be non-zero")
    return rows


def _root_spread(row: NDArray[np.float64]) -> tuple[float, float]:
    """Fujiwara's bounds, as log10, on the largest and the smallest nonzero root.

    Every root of a x^3 + b x^2 + c x + d is at most 2 max |coefficient ratio|^(1/k) (ratios to
    a), every nonzero one at least 1/2 of the same bound for the reversed polynomial (ratios to
    the last nonzero coefficient).
    """
    terms = list(np.trim_zeros(row, "b"))  # trailing zeros: exact zero roots
    logs = [math.log10(abs(v)) if v else -math.inf for v in terms]
    top = max(((logs[k] - logs[0]) / k for k in range(1, len(terms))), default=0.0)
    bottom = min(((logs[-1] - logs[-1 - k]) / k for k in range(1, len(terms))), default=0.0)
    return top + math.log10(2), bottom - math.log10(2)


def _exact_multiple_root(terms: list[Fraction]) -> list[Fraction] | None:
    """All roots, exactly, of a polynomial (degree 1 to 3, nonzero constant term) that has a
    multiple root or is linear; None if its roots are simple (gcd(p, p') = 1, in rationals)."""
    n = len(terms) - 1
    if n == 1:
        return [-terms[1] / terms[0]]
    p, q = terms, [c * (n - i) for i, c in enumerate(terms[:-1])]  # p and p'
    while any(q):  # Euclid: p, q <- q, p mod q
        q = q[next(i for i, c in enumerate(q) if c) :]
        r = list(p)
        while len(r) >= len(q):
            f = r[0] / q[0]
            r = [x - f * y for x, y in zip(r[1:], q[1:] + [0] * (len(r) - len(q)), strict=True)]
        p, q = q, r
    gcd = [c / p[0] for c in p]
    if len(gcd) == 1:
        return None
    multiple = -gcd[1] / (len(gcd) - 1)  # gcd = (x - r)^(m - 1): r = -(its x^(m-2) coeff) / (m - 1)
    simple = -terms[1] / terms[0] - len(gcd) * multiple
    return [multiple] * len(gcd) + ([simple] if n > len(gcd) else [])


def _initial_roots(terms: list[Any]) -> list[Any]:
    """Starting points for Durand-Kerner from the Newton polygon (Bini 1996): an edge of the
    upper hull of (power, log|coefficient|) from power i to j gives j - i roots of modulus
    |c_i / c_j|^(1/(j - i)), put on a circle at angles that are not conjugate-symmetric."""
    import mpmath

    n = len(terms) - 1
    points = [(n - i, mpmath.log(abs(v))) for i, v in enumerate(terms) if v][::-1]
    hull: list[tuple[int, Any]] = []
    for x, y in points:  # by power, ascending: keep the upper hull
        while len(hull) > 1:
            (x0, y0), (x1, y1) = hull[-2], hull[-1]
            if (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0) < 0:
                break
            hull.pop()
        hull.append((x, y))
    roots = []
    for (i, yi), (j, yj) in zip(hull, hull[1:], strict=False):  # consecutive vertices
        radius = mpmath.exp((yi - yj) / (j - i))
        roots += [radius * mpmath.expjpi(2 * q / (j - i) + 0.2 + 0.3 * i) for q in range(j - i)]
    return roots


def mp_cubic_roots(
    coefficients: ArrayLike,
    dps: int | None = None,
    extraprec: int | None = None,
    maxsteps: int | None = None,
) -> list[list[Any]]:
    """The roots of m cubics, rows ``(a, b, c, d)``, as mpmath numbers to ``dps`` digits.

    The exact roots of the float coefficients: zero roots and multiple roots are found exactly
    (in rationals, from gcd(p, p')); the others by ``mpmath.polyroots`` (Durand-Kerner) on the
    exactly rescaled polynomial whose largest root is of order one, started from the Newton
    polygon's estimates so that roots of very different sizes converge. Its tolerance is
    absolute, so by default a cubic gets 40 digits more than the spread of its roots (Fujiwara's
    bounds): 50 for roots of similar size, about 700 for roots from 1e-300 to 1e300;
    ``extraprec`` and ``maxsteps`` default to twice that (at least 300 and 200); they are capped
    at 2000 digits, 10^4 bits and 10^4 steps. Keep these roots, not their rounding, as the
    reference of :func:`matched_root_errors`. Refuses (``ValueError``) to return roots it did
    not resolve.

    >>> [[complex(r) for r in row] for row in mp_cubic_roots([1, -6, 11, -6])]
    [[(1+0j), (2+0j), (3+0j)]]
    """
    import mpmath

    from scispaces._checks import count

    rows = _cubic_rows(coefficients)
    options = {
        "dps": (dps, 15, 2000),
        "extraprec": (extraprec, 0, 10**4),
        "maxsteps": (maxsteps, 1, 10**4),
    }
    given = {}
    for name, (value, low, high) in options.items():
        given[name] = None if value is None else count(value, name, low)
        if given[name] is not None and given[name] > high:
            raise ValueError(f"{name}: must be at most {high} (a bound on the work), got {value}")
    out = []
    for row in rows:
        top, bottom = _root_spread(row)
        digits = given["dps"] or 50 + math.ceil(max(0.0, top - bottom - 10))
        kept = [float(v) for v in np.trim_zeros(row, "b")]
        exact = [Fraction(v) for v in kept]
        with mpmath.workdps(digits):
            roots = [mpmath.mpf(0)] * (4 - len(exact))  # exact zero roots
            if len(exact) > 1 and (multiple := _exact_multiple_root(exact)) is not None:
                values = [mpmath.mpf(r.numerator) / r.denominator for r in multiple]
                out.append(sorted(roots + values))
                continue
            k = math.floor(top / math.log10(2))  # x = 2^k t: the largest root t of order one
            terms = [mpmath.ldexp(mpmath.mpf(v), -j * k) for j, v in enumerate(kept)]
            try:
                found = mpmath.polyroots(
                    terms,
                    maxsteps=given["maxsteps"] or max(200, 2 * digits),
                    extraprec=given["extraprec"] or max(300, 2 * digits),
                    cleanup=False,
                    roots_init=_initial_roots(terms),
                )
            except mpmath.libmp.NoConvergence as exc:
                raise ValueError(
                    "coefficients, dps, extraprec, maxsteps: mpmath.polyroots did not converge "
                    f"for {row.tolist()}: raise dps, extraprec or maxsteps"
                ) from exc
            # undo the scaling (exact), and drop parts below the precision relative to the root
            tiny = mpmath.ldexp(1, 20 - mpmath.mp.prec)
            for r in found:
                re, im = r.real * mpmath.ldexp(1, k), r.imag * mpmath.ldexp(1, k)
                roots.append(
                    mpmath.mpc(re * (abs(re) > tiny * abs(im)), im * (abs(im) > tiny * abs(re)))
                )
            out.append(sorted(roots, key=lambda r: (r.real, r.imag)))
    return out


def matched_root_errors(
    found: ArrayLike, reference: Sequence[Sequence[Any]], floors: ArrayLike | None = None
) -> NDArray[np.float64]:
    """Relative error ``|x - r| / max(|r|, floor)`` of every reference root r against its found x.

    ``found`` has shape (m, k); ``reference`` holds m rows of k roots: complex numbers, or the
    mpmath numbers of :func:`mp_cubic_roots`, so that a found root is measured against the
    exact root and not against its rounding. For each row, each reference root in turn takes
    the nearest found root not yet taken, so a doubled root cannot be matched twice. ``floors``
    (shape (m, k), default 0) turns the error of roots below them into an absolute one. Computed
    in mpmath (50 digits); 0 for an exact match, inf where r and its floor are 0 but x is not.

    >>> float(matched_root_errors([[2.0, 1.0]], [[1.0, 2.0 + 4e-16]]).max()) < 2 * EPS
    True
    """
    import mpmath

    from scispaces._checks import _as_numbers, real_array

    found = np.atleast_2d(_as_numbers(found, "found"))
    if found.ndim != 2 or not (np.issubdtype(found.dtype, np.number) and found.dtype != bool):
        raise TypeError(f"found: expected an (m, k) array of numbers, got dtype {found.dtype}")
    if not np.isfinite(found).all():
        raise ValueError("found: must be finite (no NaN or inf)")
    floors = np.zeros(found.shape) if floors is None else real_array(floors, "floors")
    if floors.shape != found.shape:
        raise ValueError(f"found, floors: shapes differ, {found.shape} and {floors.shape}")
    if np.any(floors < 0):
        raise ValueError("floors: must be >= 0")
    with mpmath.workdps(50):
        try:
            want = [[mpmath.mpmathify(r) for r in row] for row in reference]
        except (TypeError, ValueError) as exc:
            raise TypeError("reference: expected rows of numbers") from exc
        if not all(mpmath.isfinite(r) for row in want for r in row):
            raise ValueError("reference: must be finite (no NaN or inf)")
        if [len(row) for row in want] != [found.shape[1]] * len(found):
            raise ValueError(
                f"found, reference: {found.shape[0]} rows of {found.shape[1]} found roots, "
                f"reference rows of lengths {[len(row) for row in want]}"
            )
        out = np.empty(found.shape)
        for i, (got, row) in enumerate(zip(found, want, strict=True)):
            free = [mpmath.mpc(complex(g)) for g in got]
            for j, r in enumerate(row):
                x = free.pop(min(range(len(free)), key=lambda q: abs(free[q] - r)))
                scale = max(abs(r), mpmath.mpf(floors[i, j]))
                out[i, j] = 0.0 if x == r else math.inf if scale == 0 else float(abs(x - r) / scale)
    return out


def cubic_contract_errors(found: ArrayLike, coefficients: ArrayLike) -> NDArray[np.float64]:
    """The errors of roots found for cubics (rows ``(a, b, c, d)``) as ``solve_cubic`` promises
    them: relative to each exact root, except that a root below the smallest normal float
    (2.2e-308), or, where a ratio b/a, c/a, d/a is not a normal float, below 1e-150 times the
    largest root, is measured against that floor (the largest root) instead.

    >>> cubic_contract_errors([[1.0, 2.0, 3.0]], [1, -6, 11, -6]).tolist()
    [[0.0, 0.0, 0.0]]
    """
    from scispaces._checks import _as_numbers

    rows = _cubic_rows(coefficients)
    if np.shape(_as_numbers(found, "found")) not in ((len(rows), 3), (3,) * (len(rows) == 1)):
        raise ValueError(f"found, coefficients: expected {len(rows)} rows of 3 roots")
    reference = mp_cubic_roots(rows)
    with np.errstate(over="ignore", under="ignore"):
        ratios = rows[:, 1:] / rows[:, :1]
    normal = (
        (ratios == 0) & (rows[:, 1:] == 0) | (np.abs(ratios) >= _TINY) & np.isfinite(ratios)
    ).all(axis=1)
    floors = np.full((len(rows), 3), _TINY)
    for i, row in enumerate(reference):
        largest = max(abs(r) for r in row)
        for j, r in enumerate(row):
            if not normal[i] and abs(r) < 1e-150 * largest:
                floors[i, j] = max(_TINY, float(largest))
    return matched_root_errors(found, reference, floors)


def companion_eigvals(coefficients: ArrayLike) -> NDArray[np.complex128]:
    """Roots of cubics, rows ``(a, b, c, d)``, as eigenvalues of their companion matrices, batched.

    The baseline a NumPy user would write; ``numpy.roots`` computes the same, one cubic at a time.

    >>> np.sort_complex(companion_eigvals([1, -6, 11, -6])[0]).real.round(12)
    array([1., 2., 3.])
    """
    co = _cubic_rows(coefficients)
    companion = np.zeros((len(co), 3, 3))
    with np.errstate(over="ignore"):
        companion[:, 0, :] = -co[:, 1:] / co[:, :1]
    if not np.isfinite(companion).all():
        raise ValueError("coefficients: the ratios b/a, c/a, d/a exceed the float64 range")
    companion[:, 1, 0] = companion[:, 2, 1] = 1
    return np.linalg.eigvals(companion).astype(complex)


def exact_m_n(coefficients: ArrayLike) -> list[tuple[Fraction, Fraction]]:
    """The post's m and n of each cubic ``a x^3 + b x^2 + c x + d`` (rows), exactly, in rationals.

    ``x = y - b/(3a)`` gives ``y^3 + m y = n``; the discriminant ``-4 m^3 - 27 n^2`` has the sign
    of the cubic's (>= 0: three real roots, counted with multiplicity).

    >>> exact_m_n([1, -6, 11, -6])  # (x - 1)(x - 2)(x - 3) = (y - 1) y (y + 1), y = x - 2
    [(Fraction(-1, 1), Fraction(0, 1))]
    """
    out = []
    for row in _cubic_rows(coefficients):
        a, b, c, d = (Fraction(float(v)) for v in row)
        sq, lin, rhs = b / a, c / a, -d / a  # the post's form x^3 + sq x^2 + lin x = rhs
        out.append((lin - sq * sq / 3, rhs + sq * lin / 3 - 2 * sq**3 / 27))
    return out


# ------------------------------------------------------------------------------ angles
# Each oracle checks its input like the library does: the dimension n is a whole number from 2 to
# the top of the float range (1.8e308), angles and cosines are finite floats. The work grows only
# with log10(n) (the digits added), so every n in that range is supported: one value takes at
# most a few milliseconds, angle_errors at most about 0.5 s.

# Dimensions at which scispaces.angles is measured: small, moderate, and far beyond where
# Gamma(n/2) overflows or sin(theta)^(n-2) in floats loses every digit.
ANGLE_DIMENSIONS = (2, 3, 4, 5, 10, 100, 1000, 10**6, 10**10, 10**15, 10**30, 10**100, 10**300)
#: Values below this floor are compared absolutely, their error divided by the floor.
ANGLE_FLOOR = 1e-280


def _dimension(n: Any) -> float:
    """The dimension ``n`` as a float, after checking it is one whole number >= 2."""
    from scispaces import _checks as c

    arr = c.whole_array(n, "n", minimum=2, what="the dimension")
    if arr.ndim != 0:
        raise ValueError(f"n: must be a single number, got an array of shape {arr.shape}")
    return float(arr)


def _angle_dps(n: float) -> int:
    """Digits for dimension ``n``: sin^2 theta = 1 - O(1/n) near pi/2 needs log10(n) more."""
    return 40 + int(np.log10(float(n)))


def _mp_normaliser(n: Any) -> Any:
    """C_n = exp(log Gamma(n/2) - log Gamma((n-1)/2)) / sqrt(pi) at the working precision.

    The log-gammas are of size n log n, so their difference keeps the digits beyond log10(n)
    that _angle_dps adds; mpmath's gamma itself is 30 times slower at n = 1e300.
    """
    import mpmath

    log_ratio = mpmath.loggamma(n / 2) - mpmath.loggamma((n - 1) / 2)
    return mpmath.exp(log_ratio) / mpmath.sqrt(mpmath.pi)


def _mp_power(base: Any, exponent: Any) -> Any:
    """``base ** exponent`` for base in [0, 1], as exp(exponent log base) (0^0 = 1).

    mpmath's ``**`` with an exponent like n = 1e300 squares a thousand times at full precision,
    80 times slower; the logarithm's absolute error, times the exponent, is what the digits of
    _angle_dps cover in either form.
    """
    import mpmath

    if base == 0 or exponent == 0:
        return mpmath.mpf(exponent == 0)
    return mpmath.exp(exponent * mpmath.log(base))


def mp_angle_normaliser(n: float) -> float:
    """C_n = Gamma(n/2) / (sqrt(pi) Gamma((n-1)/2)), by mpmath; ``n`` whole, 2 <= n <= 1.8e308."""
    import mpmath

    n = _dimension(n)
    with mpmath.workdps(_angle_dps(n)):
        return float(_mp_normaliser(mpmath.mpf(n)))


def mp_angle_pdf(theta: float, n: float) -> float:
    """C_n sin(theta)^(n-2) at the float ``theta`` exactly (0 outside [0, pi]), by mpmath.

    ``theta`` any finite float, ``n`` whole, 2 <= n <= 1.8e308.
    """
    import mpmath

    from scispaces import _checks as c

    theta, n = c.real_scalar(theta, "theta"), _dimension(n)
    with mpmath.workdps(_angle_dps(n)):
        t, n = mpmath.mpf(theta), mpmath.mpf(n)
        if t < 0 or t > mpmath.pi:
            return 0.0
        return float(_mp_normaliser(n) * _mp_power(mpmath.sin(t), n - 2))


def mp_cosine_pdf(t: float, n: float) -> float:
    """C_n (1 - t^2)^((n-3)/2) at the float ``t`` exactly (0 outside (-1, 1)), by mpmath.

    ``t`` any finite float (inf at t = +-1 for n = 2), ``n`` whole, 2 <= n <= 1.8e308.
    """
    import mpmath

    from scispaces import _checks as c

    t, n = c.real_scalar(t, "t"), _dimension(n)
    with mpmath.workdps(_angle_dps(n)):
        t, n = mpmath.mpf(t), mpmath.mpf(n)
        if abs(t) >= 1:
            return float("inf") if abs(t) == 1 and n == 2 else 0.0
        return float(_mp_normaliser(n) * _mp_power(1 - t**2, (n - 3) / 2))


def mp_angle_cdf(theta: float, n: float) -> float:
    """P(angle <= theta) at the float ``theta`` exactly, by mpmath.

    The mass between theta and the nearer end, T = (1/2) I_x(a, 1/2) with x = sin^2 theta and
    a = (n-1)/2, is F below pi/2 and 1 - F above; with log10(n) extra digits, x keeps its
    distance from 1. Since I_x(a, 1/2) = x^a 2F1(a, 1/2; a+1; x) / (a B(a, 1/2)) and that 2F1 is
    at most (1 - x)^(-1/2), T is taken as 0 where this bound is below 1e-330 (float 0), where
    mpmath's hypergeometric series would not converge. ``theta`` any finite float, ``n`` whole,
    2 <= n <= 1.8e308.
    """
    import mpmath

    from scispaces import _checks as c

    theta, n = c.real_scalar(theta, "theta"), _dimension(n)
    with mpmath.workdps(_angle_dps(n)):
        t, n = mpmath.mpf(theta), mpmath.mpf(n)
        if t <= 0 or t > mpmath.pi:
            return 0.0 if t <= 0 else 1.0
        a, x = (n - 1) / 2, mpmath.sin(t) ** 2
        bound = a * mpmath.log(x) - mpmath.log(a * mpmath.beta(a, 0.5)) - mpmath.log(1 - x) / 2
        tail = 0 if bound < -760 else mpmath.betainc(a, 0.5, 0, x, regularized=True) / 2
        return float(tail if mpmath.cos(t) >= 0 else 1 - tail)


def mp_angle_variance(n: float) -> float:
    """(1/2) psi_1(n/2), by mpmath; ``n`` whole, 2 <= n <= 1.8e308."""
    import mpmath

    n = _dimension(n)
    with mpmath.workdps(40):
        return float(mpmath.psi(1, mpmath.mpf(n) / 2) / 2)


def angle_grid(n: float) -> NDArray[np.float64]:
    """The angles at which scispaces.angles is measured in dimension ``n`` (whole, >= 2).

    65 evenly spaced angles in [0, pi]; 30 tail angles 10^-300 ... 1 from either end; and
    pi/2 + z / sqrt(n) for 20 values ``|z|`` from 1e-4 (F within 1e-5 of 1/2) to 36 (F near 1e-280
    for large n).
    """
    n = _dimension(n)
    ends = np.geomspace(1e-300, 1, 30)
    z = np.array([1e-4, 1e-2, 0.1, 0.5, 1, 2, 4, 8, 16, 36])
    middle = np.pi / 2 + np.concatenate([-z, z]) / np.sqrt(n)
    grid = np.concatenate([np.linspace(0, np.pi, 65), ends, np.pi - ends, middle])
    return np.unique(grid[(grid >= 0) & (grid <= np.pi)])


_ANGLE_REFERENCES = {
    "angle_normaliser": (mp_angle_normaliser, ("n",)),
    "angle_pdf": (mp_angle_pdf, ("theta", "n")),
    "cosine_pdf": (mp_cosine_pdf, ("t", "n")),
    "angle_cdf": (mp_angle_cdf, ("theta", "n")),
    "angle_variance": (mp_angle_variance, ("n",)),
}


def _angle_name(name: Any, names: Iterable[str]) -> str:
    if not isinstance(name, str):
        raise TypeError(f"name: expected a str, got {type(name).__name__}")
    if name not in names:
        raise ValueError(f"name: must be one of {', '.join(names)}, got {name!r}")
    return name


def angle_reference(name: str, *args: ArrayLike) -> NDArray[np.float64]:
    """mpmath's value of ``scispaces.angles.<name>`` at every point of the broadcast ``args``.

    The arguments are taken as the float64 values the library sees (``(theta, n)``, ``(t, n)``
    or ``(n,)``, as in the library's signature); errors name them so. Every ``n`` is whole,
    2 <= n <= 1.8e308; empty arrays give an empty result.
    """
    from scispaces import _checks as c

    fn, params = _ANGLE_REFERENCES[_angle_name(name, _ANGLE_REFERENCES)]
    if len(args) != len(params):
        raise TypeError(
            f"name, args: {name} takes {len(params)} arguments ({', '.join(params)}), "
            f"got {len(args)}"
        )
    arrays = {
        p: c.whole_array(a, p, minimum=2, what="the dimension") if p == "n" else c.real_array(a, p)
        for p, a in zip(params, args, strict=True)
    }
    arrays = c.broadcast(**arrays)
    points = zip(*(a.ravel() for a in arrays), strict=True)
    values = [fn(*point) for point in points]
    return np.array(values, dtype=np.float64).reshape(arrays[0].shape)


def angle_errors(name: str, n: float) -> NDArray[np.float64]:
    """Relative errors of ``scispaces.angles.<name>`` on :func:`angle_grid` against mpmath.

    ``name`` is ``angle_pdf``, ``angle_cdf`` (at the angles) or ``cosine_pdf`` (at their
    cosines, so t runs from -1 to 1 and near 0 as finely as theta near pi/2); ``n`` is whole,
    2 <= n <= 1.8e308. Values below :data:`ANGLE_FLOOR` are measured against that floor instead
    of themselves.
    """
    from scispaces import angles

    name = _angle_name(name, ("angle_pdf", "angle_cdf", "cosine_pdf"))
    x = angle_grid(n)
    if name == "cosine_pdf":
        x = np.unique(np.cos(x))
        x = x[np.abs(x) < 1]
    got = getattr(angles, name)(x, n)
    want = angle_reference(name, x, n)
    return np.abs(got - want) / np.maximum(np.abs(want), ANGLE_FLOOR)


# ------------------------------------------------------------------------------ pgf
# Each oracle checks its input like the library does and refuses, with the range stated, the
# inputs whose work would grow past a second or two: sums whose number of terms grows with lam
# (mp_binomial_poisson_tv, poisson_limit_constant, mp_aliased_poisson) and sample sizes.

#: Largest lam for mp_binomial_poisson_tv, the library's limit (24 sqrt(lam) + 80 terms, 1-2 s).
TV_MAX_LAM = 2e6
#: Largest lam for poisson_limit_constant (lam + 12 sqrt(lam) + 40 terms, each from k!).
LIMIT_MAX_LAM = 1e3
#: Most mpmath pmfs (about 0.2 ms each) in mp_aliased_poisson's sum.
ALIAS_MAX_TERMS = 5_000
#: Most points pmf_sample draws (0.5 s).
SAMPLE_MAX = 10**6
#: Most points pmf_accuracy checks, each with two mpmath pmfs (1.3 s).
ACCURACY_MAX = 2_000
#: Most standard deviations sd_grid reaches on each side.
SD_GRID_MAX_REACH = 10_000


def _mp_real(x: Any, name: str) -> Any:
    """``x`` as an mpmath number after the shared checks (an mpf from mp_values is kept as it is)."""
    import mpmath

    from scispaces import _checks as c

    if not isinstance(x, mpmath.mpf):
        return mpmath.mpf(c.real_scalar(x, name))
    if not mpmath.isfinite(x):
        raise ValueError(f"{name}: must be finite (no NaN or inf)")
    return mpmath.mpf(x)


def _mp_whole(x: Any, name: str, minimum: int = 0) -> Any:
    """``x`` as an mpmath number, after checking it is one whole number >= ``minimum``."""
    import mpmath

    x = _mp_real(x, name)
    if x < minimum or x != mpmath.floor(x):
        raise ValueError(f"{name}: must be a whole number >= {minimum}")
    return x


def _mp_positive(x: Any, name: str) -> Any:
    x = _mp_real(x, name)
    if x <= 0:
        raise ValueError(f"{name}: must be > 0")
    return x


def _mp_digits(x: Any) -> int:
    """Decimal digits to add to the working precision for a pmf whose count reaches ``x``."""
    import mpmath

    return int(mpmath.log10(abs(mpmath.mpf(x)) + 1)) + 10


def mp_binomial_pmf(k: Any, n: Any, p: Any) -> Any:
    """``C(n, k) p^k (1 - p)^(n - k)`` in mpmath, the float ``p`` taken exactly (for mp_values).

    Works with ``log10 n`` extra digits, so the log-gamma differences inside ``binomial`` keep
    the working precision up to n = 1.8e308. ``k``, ``n`` whole >= 0 (0 for k > n), ``p`` in
    [0, 1]; floats or mpmath numbers.
    """
    import mpmath

    k, n, p = _mp_whole(k, "k"), _mp_whole(n, "n"), _mp_real(p, "p")
    if not 0 <= p <= 1:
        raise ValueError("p: must lie in [0, 1]")
    if k > n:
        return mpmath.mpf(0)
    with mpmath.extradps(_mp_digits(n)):
        return +(mpmath.binomial(n, k) * p**k * (1 - p) ** (n - k))


def mp_poisson_pmf(k: Any, lam: Any) -> Any:
    """``e^-lam lam^k / k!`` in mpmath, the float ``lam`` taken exactly (for mp_values).

    ``k`` whole >= 0, ``lam`` > 0; floats or mpmath numbers.
    """
    import mpmath

    k, lam = _mp_whole(k, "k"), _mp_positive(lam, "lam")
    with mpmath.extradps(_mp_digits(max(k, lam))):
        return +mpmath.exp(k * mpmath.log(lam) - lam - mpmath.loggamma(k + 1))


def mp_binomial_poisson_tv(n: Any, lam: Any) -> float:
    """``1/2 sum_k |b_k - pi_k|`` for Bin(n, lam/n) against Poi(lam), at 40 digits plus ``log10 n``.

    The two pmfs differ by a relative 1/n, so the subtraction needs those extra digits. The sum
    runs over k within lam -+ (12 sqrt(lam) + 40), outside which both laws hold < 1e-25 (both have
    mean lam and variance <= lam); it starts from the exact pmfs at the window's first k and
    steps with ``b_(k+1)/b_k = (n - k) p / ((k + 1)(1 - p))`` and ``pi_(k+1)/pi_k = lam/(k + 1)``.
    ``n`` whole >= 1 (up to 1.8e308), 0 < lam <= min(n, :data:`TV_MAX_LAM`).
    """
    import mpmath

    n, lam = float(_mp_whole(n, "n", minimum=1)), float(_mp_positive(lam, "lam"))
    if lam > n:
        raise ValueError("n, lam: n must be >= lam, so that p = lam/n is a probability")
    if lam > TV_MAX_LAM:
        raise ValueError(f"lam: at most {TV_MAX_LAM:g} (the sum has 24 sqrt(lam) + 80 terms)")
    with mpmath.workdps(40 + _mp_digits(max(n, lam))):
        lam, n = mpmath.mpf(lam), mpmath.mpf(n)
        p = lam / n
        reach = 12 * mpmath.sqrt(lam) + 40
        first, last = max(0, int(lam - reach)), int(lam + reach)
        b = mp_binomial_pmf(first, n, p) if p < 1 else mpmath.mpf(first == n)
        pi = mp_poisson_pmf(first, lam)
        total = mpmath.mpf(0)
        for k in range(first, last + 1):
            total += abs(b - pi)
            b = b * (n - k) * p / ((k + 1) * (1 - p)) if p < 1 else mpmath.mpf(k + 1 == n)
            b = b if k + 1 <= n else mpmath.mpf(0)
            pi = pi * lam / (k + 1)
        return float(total / 2)


def poisson_limit_constant(lam: float) -> float:
    """``(lam^2/4) sum_k |pi_k - 2 pi_(k-1) + pi_(k-2)|`` (``pi_-1 = pi_-2 = 0``) at 40 digits.

    The constant that n d_TV(Bin(n, lam/n), Poi(lam)) approaches in the chapter's 1/n expansion.
    ``lam`` in (0, :data:`LIMIT_MAX_LAM`] (the sum has lam + 12 sqrt(lam) + 40 terms); below
    about 1e-162 the constant, about lam^2, rounds to 0.
    """
    import mpmath

    from scispaces import _checks as c

    lam = c.real_scalar(lam, "lam")
    if not 0 < lam <= LIMIT_MAX_LAM:
        raise ValueError(f"lam: must lie in (0, {LIMIT_MAX_LAM:g}]")
    with mpmath.workdps(40):
        lm = mpmath.mpf(lam)
        top = int(lm + 12 * mpmath.sqrt(lm) + 40)
        pi = [mpmath.mpf(0), mpmath.mpf(0)]
        pi += [mpmath.exp(-lm) * lm**k / mpmath.factorial(k) for k in range(top)]
        total = mpmath.fsum(abs(pi[i] - 2 * pi[i - 1] + pi[i - 2]) for i in range(2, len(pi)))
        return float(lm**2 / 4 * total)


def sd_grid(mean: float, sd: float, top: float, reach: int = 35) -> NDArray[np.int64]:
    """Whole k at ``mean + z sd`` for z = -reach..reach, and k = 0..3, clipped to [0, top].

    ``sd`` >= 0, ``top`` >= 0 (inf for no limit), ``reach`` in [0, :data:`SD_GRID_MAX_REACH`];
    ``|mean| + reach sd`` below 2^53, where whole numbers are exact in float64.
    """
    from scispaces import _checks as c

    mean, sd = c.real_scalar(mean, "mean"), c.real_scalar(sd, "sd")
    if not (isinstance(top, float | np.floating) and top == math.inf):
        top = c.real_scalar(top, "top")
    reach = c.count(reach, "reach", minimum=0)
    if sd < 0:
        raise ValueError("sd: must be >= 0")
    if top < 0:
        raise ValueError("top: must be >= 0")
    if reach > SD_GRID_MAX_REACH:
        raise ValueError(f"reach: at most {SD_GRID_MAX_REACH}, got {reach}")
    if not abs(mean) + reach * sd < 2.0**53:
        raise ValueError("mean, sd, reach: |mean| + reach sd must be below 2^53")
    ks = {int(round(mean + z * sd)) for z in range(-reach, reach + 1)} | {0, 1, 2, 3}
    return np.array(sorted(k for k in ks if 0 <= k <= top), dtype=np.int64)


def pmf_sample(size: int, seed: int = 1) -> dict[str, NDArray[np.float64]]:
    """Random arguments for the pmfs, as the benchmark and the docstrings' accuracy use them.

    Binomial: n uniform in [1, 1e6), k uniform in [0, n], p uniform in [0.01, 0.99] (mostly far
    tails). Poisson: lam uniform in [0.1, 1e4], k a Gamma(lam) draw rounded down (the bulk).
    ``size`` in [1, :data:`SAMPLE_MAX`]; ``seed`` an integer >= 0, a Generator or None.
    """
    from scispaces import _checks as c

    size = c.count(size, "size")
    if size > SAMPLE_MAX:
        raise ValueError(f"size: at most {SAMPLE_MAX}, got {size}")
    rng = c.generator(seed)
    n = rng.integers(1, 10**6, size).astype(float)
    k = np.floor(rng.uniform(0, 1, size) * (n + 1))
    p = rng.uniform(0.01, 0.99, size)
    lam = rng.uniform(0.1, 1e4, size)
    return {"k": k, "n": n, "p": p, "kp": np.floor(rng.gamma(lam, 1.0)), "lam": lam}


def pmf_accuracy(
    binomial: Callable[..., Any],
    poisson: Callable[..., Any],
    size: int = 500,
    floor: float = 1e-300,
) -> dict[str, float]:
    """Largest relative errors of two pmf implementations on :func:`pmf_sample` (seed 1).

    ``binomial(k, n, p)`` and ``poisson(k, lam)`` are vectorised and must return finite numbers
    of the arguments' shape; results whose exact value is below ``floor`` (in [0, 1)) are left
    out (relative accuracy is not promised there). ``size`` in [1, :data:`ACCURACY_MAX`].
    """
    from scispaces import _checks as c

    c.function(binomial, "binomial")
    c.function(poisson, "poisson")
    size = c.count(size, "size")
    if size > ACCURACY_MAX:
        raise ValueError(f"size: at most {ACCURACY_MAX} (each point is an mpmath evaluation)")
    floor = c.real_scalar(floor, "floor")
    if not 0 <= floor < 1:
        raise ValueError("floor: must lie in [0, 1)")
    s = pmf_sample(size)
    want = {
        "binomial": mp_values(mp_binomial_pmf, zip(s["k"], s["n"], s["p"], strict=True)),
        "poisson": mp_values(mp_poisson_pmf, zip(s["kp"], s["lam"], strict=True)),
    }
    got = {"binomial": binomial(s["k"], s["n"], s["p"]), "poisson": poisson(s["kp"], s["lam"])}
    worst = {}
    for name, values in got.items():
        values = c.real_array(values, name)
        if values.shape != (size,):
            raise ValueError(f"{name}: returned shape {values.shape} for {size} arguments")
        kept = want[name] > floor
        if not kept.any():
            raise ValueError(f"size, floor: no exact {name} value of the sample exceeds floor")
        worst[name] = float(relative_errors(values, want[name])[kept].max())
    return worst


def mp_elementwise(
    fn: Callable[..., Any], *arrays: ArrayLike, dps: int = 40
) -> NDArray[np.float64]:
    """``fn`` by mpmath at every element of the broadcast float64 arrays (e.g. ``mp_poisson_pmf``).

    For checks of vectorised functions: the arguments are converted to float64 as the library
    converts them (finite reals; errors name ``arrays[i]``), and the result has their broadcast
    shape (empty arrays give an empty result). ``dps`` as in :func:`mp_values`.
    """
    from scispaces import _checks as c

    function(fn, "fn")
    if not arrays:
        raise TypeError("arrays: give at least one array of arguments")
    named = {f"arrays[{i}]": a for i, a in enumerate(arrays)}
    arrs = c.broadcast(**{name: c.real_array(a, name) for name, a in named.items()})
    flat = zip(*(a.ravel() for a in arrs), strict=True)
    return mp_values(fn, flat, dps).reshape(arrs[0].shape)


def tv_reference(p: ArrayLike, q: ArrayLike) -> NDArray[np.float64] | float:
    """``1/2 sum_k |p_k - q_k|`` with zero padding and broadcast leading axes, summed exactly.

    ``p`` and ``q`` hold finite reals, at least one along the last axis; a sum beyond the float64
    range is refused.
    """
    from scispaces import _checks as c

    a, b = (np.atleast_1d(c.real_array(x, name)) for x, name in ((p, "p"), (q, "q")))
    for x, name in ((a, "p"), (b, "q")):
        if x.shape[-1] == 0:
            raise ValueError(f"{name}: must hold at least one value along the last axis")
    width = max(a.shape[-1], b.shape[-1])
    a = np.concatenate([a, np.zeros((*a.shape[:-1], width - a.shape[-1]))], axis=-1)
    b = np.concatenate([b, np.zeros((*b.shape[:-1], width - b.shape[-1]))], axis=-1)
    a, b = c.broadcast(p=a, q=b)
    with np.errstate(over="ignore"):
        diff = np.abs(a - b).reshape(-1, width)  # exact: Sterbenz or no cancellation to worry about
    try:
        out = np.array([0.5 * math.fsum(row) for row in diff]).reshape(a.shape[:-1])
    except OverflowError:  # fsum's total passed the float64 range
        out = np.array(math.inf)
    if not np.isfinite(out).all():
        raise ValueError("p, q: the sum of |p_k - q_k| exceeds the float64 range")
    return float(out) if out.ndim == 0 else out


def mp_aliased_poisson(lam: float, k_max: int, radius: float, nodes: int) -> NDArray[np.float64]:
    """``sum_(m >= 0) pi_(k + m N) r^(m N)`` for k = 0..k_max: what the trapezoid rule on N nodes
    of the circle ``|z| = r`` returns for the Poisson PGF (coefficients past lam + 60 sqrt(lam) + 200,
    below 1e-100, are taken as 0).

    ``lam`` > 0, ``radius`` in (0, 1], ``nodes`` > ``k_max`` >= 0 (the rule gives N
    coefficients), ``k_max`` < 2^24, and at most :data:`ALIAS_MAX_TERMS` terms in all.
    """
    import mpmath

    from scispaces import _checks as c

    lam, r = c.real_scalar(lam, "lam"), c.real_scalar(radius, "radius")
    k_max, nodes = c.count(k_max, "k_max", minimum=0), c.count(nodes, "nodes")
    if lam <= 0:
        raise ValueError("lam: must be > 0")
    if not 0 < r <= 1:
        raise ValueError("radius: must lie in (0, 1]")
    if k_max >= 1 << 24:
        raise ValueError(f"k_max: must be < 2^24, got {k_max}")
    if nodes <= k_max:
        raise ValueError("k_max, nodes: nodes must be > k_max (N nodes give N coefficients)")
    top = int(lam + 60 * math.sqrt(lam) + 200)
    last = min(k_max, top)
    q, s = divmod(top, nodes)
    terms = (last + 1) * (q + 1) - max(0, last - s)  # sum over k <= last of (top - k)//N + 1
    if terms > ALIAS_MAX_TERMS:
        raise ValueError(
            f"lam, k_max, nodes: the sum has {terms} terms, at most {ALIAS_MAX_TERMS} are allowed"
        )
    out = np.zeros(k_max + 1)
    with mpmath.workdps(40):
        r_n = mpmath.mpf(r) ** nodes
        for k in range(last + 1):
            terms = [
                mp_poisson_pmf(mpmath.mpf(k + m * nodes), lam) * r_n**m
                for m in range((top - k) // nodes + 1)
            ]
            out[k] = float(mpmath.fsum(terms))
    return out


# ------------------------------------------------------------------------------ embedding

H_KAPPA_RANGE = (0.01, 20.0)  # as scispaces.embedding.KAPPA_RANGE
MP_H_MAX_N, MP_H_MAX_K = 2e4, 5e4  # beyond, mpmath's Bessel functions can take minutes


def _h_point(n: Any, kappa: Any, dps: Any) -> tuple[float, float, int]:
    """(n, kappa, dps) for the mpmath references of h, refused by name outside their range:
    2 <= n <= 2e4, 0.01 <= kappa <= 20, kappa n <= 5e4, 15 <= dps <= 200."""
    from scispaces._checks import count, in_range, real_scalar

    n, kappa = real_scalar(n, "n"), real_scalar(kappa, "kappa")
    in_range(np.array(n), "n", 2.0, MP_H_MAX_N)
    in_range(np.array(kappa), "kappa", H_KAPPA_RANGE[0], min(H_KAPPA_RANGE[1], MP_H_MAX_K / n))
    dps = count(dps, "dps", minimum=15)
    if dps > 200:
        raise ValueError(f"dps: must be an integer in [15, 200], got {dps}")
    return n, kappa, dps


def mp_h(n: Any, kappa: Any = 1.0, dps: int = 40) -> float:
    """h_n by its Bessel closed form in mpmath, k = kappa n:
    log(Gamma(n/2) (k/2)^(1 - n/2) I_{n/2-1}(k)) - k I_{n/2}(k) / I_{n/2-1}(k).

    For 2 <= n <= 2e4 and kappa n <= 5e4 (two seconds at most; mpmath's Bessel functions take
    a minute at k = 2e5).
    """
    import mpmath

    n, kappa, dps = _h_point(n, kappa, dps)
    with mpmath.workdps(dps):
        n, kappa = mpmath.mpf(n), mpmath.mpf(kappa)
        k, nu = kappa * n, n / 2 - 1
        i_nu = mpmath.besseli(nu, k, maxterms=10**7)
        i_next = mpmath.besseli(nu + 1, k, maxterms=10**7)
        log_moment = mpmath.loggamma(n / 2) + (1 - n / 2) * mpmath.log(k / 2) + mpmath.log(i_nu)
        return float(log_moment - k * i_next / i_nu)


def mp_h_quad(n: Any, kappa: Any = 1.0, dps: int = 30) -> float:
    """h_n from its defining integrals over theta in mpmath, independent of Bessel functions:
    log(int w e^(k cos) / int w) - k int w e^(k cos) cos / int w e^(k cos), w = sin^(n-2) theta.

    The same range as :func:`mp_h`.
    """
    import mpmath

    n, kappa, dps = _h_point(n, kappa, dps)
    with mpmath.workdps(dps):
        n, kappa = mpmath.mpf(n), mpmath.mpf(kappa)
        k = kappa * n
        nodes = [0, mpmath.pi / 4, mpmath.pi / 2, 3 * mpmath.pi / 4, mpmath.pi]

        def weighted(power: int) -> Any:
            return mpmath.quad(
                lambda t: (
                    mpmath.sin(t) ** (n - 2)
                    * mpmath.exp(k * mpmath.cos(t))
                    * mpmath.cos(t) ** power
                ),
                nodes,
            )

        z, zc = weighted(0), weighted(1)
        norm = mpmath.quad(lambda t: mpmath.sin(t) ** (n - 2), nodes)
        return float(mpmath.log(z / norm) - k * zc / z)


def h_laplace(n: ArrayLike, kappa: Any = 1.0) -> NDArray[np.float64] | float:
    """The two-term Laplace expansion of h_n: n s + C, with remainder O(1/n).

    In t = cos(theta) the weight is (1 - t^2)^(-3/2) exp(n G(t)), G = log(1 - t^2)/2 + kappa t,
    peaked at t*, the positive root of kappa t^2 + t - kappa: s = log(1 - t*^2)/2 and
    C = log g - log(A)/2 - kappa a, with A = -G2, G2 and G3 the second and third derivatives of
    G at t*, g = (1 - t*^2)^(-3/2) and a = g'/(g A) + G3/(2 A^2) the O(1/n) shift of the tilted
    mean of t (derived in the chapter). For 0 <= n <= 1e300 and 0.01 <= kappa <= 20; n = 0
    gives C.
    """
    from scispaces._checks import in_range, real_array, real_scalar, scalar_or_array

    n_arr = in_range(real_array(n, "n"), "n", 0.0, 1e300)
    kappa = real_scalar(kappa, "kappa")
    in_range(np.array(kappa), "kappa", *H_KAPPA_RANGE)
    t = 2 * kappa / (np.sqrt(1 + 4 * kappa * kappa) + 1)  # no cancellation for small kappa
    q, log_q = 1 - t * t, np.log1p(-t * t)
    curvature = (1 + t * t) / q**2  # A
    third = -2 * t * (3 + t * t) / q**3  # G3
    shift = 3 * t / (q * curvature) + third / (2 * curvature**2)
    constant = -1.5 * log_q - 0.5 * np.log(curvature) - kappa * shift
    return scalar_or_array(n_arr * 0.5 * log_q + constant, n_arr)


def h_ive(n: ArrayLike, kappa: ArrayLike = 1.0) -> NDArray[np.float64]:
    """h_n by the closed form in float64 through ``scipy.special.ive``: what a SciPy user writes.

    NaN where ``ive`` underflows to 0 (from about n = 2900 at kappa = 1): a baseline, not a
    reference. For 2 <= n <= 1e300 and 0.01 <= kappa <= 20.
    """
    from scipy import special

    from scispaces._checks import broadcast, in_range, real_array

    n = in_range(real_array(n, "n"), "n", 2.0, 1e300)
    kappa = in_range(real_array(kappa, "kappa"), "kappa", *H_KAPPA_RANGE)
    n, kappa = broadcast(n=n, kappa=kappa)
    k, nu = kappa * n, n / 2 - 1
    i_nu, i_next = special.ive(nu, k), special.ive(nu + 1, k)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (
            special.gammaln(n / 2)
            + (1 - n / 2) * np.log(k / 2)
            + np.log(i_nu)
            + k
            - k * i_next / i_nu
        )
    return np.where(i_nu > 0, out, np.nan)


def dense_pair_entropy(U: ArrayLike, V: ArrayLike) -> float:
    """-sum p log p of the softmax over all scores s = U V^T, dense in memory:
    log p = d - logsumexp(d) with d = s - max s, which is exact near the maximum."""
    from scipy import special

    from scispaces._checks import real_array

    U, V = real_array(U, "U"), real_array(V, "V")
    if U.ndim != 2 or V.ndim != 2 or U.shape[1] != V.shape[1] or 0 in (len(U), len(V)):
        raise ValueError(f"U, V: must be (N, n) and (M, n), N, M >= 1, got {U.shape}, {V.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        s = U @ V.T
    if not np.isfinite(s).all():
        raise ValueError("U, V: a score <u_i, v_j> overflows float64")
    with np.errstate(over="ignore"):  # scores spread beyond the float range: p is 0 there
        d = np.maximum(s - s.max(), -1e4)  # exact near the maximum, whatever its size
    log_p = d - special.logsumexp(d)
    return float(-(np.exp(log_p) * log_p).sum())


# ------------------------------------------------------------------------------ sde
# Each function checks its input like the library does (the edge harness holds the oracle to it).


def _digits(dps: Any) -> int:
    """mpmath's working precision: a whole number of digits in [15, 1000]."""
    from scispaces import _checks as c

    dps = c.count(dps, "dps", minimum=15)
    if dps > 1000:
        raise ValueError(f"dps: must lie in [15, 1000], got {dps}")
    return dps


def _finite_or_refuse(values: Any, names: str, what: str) -> None:
    if not np.isfinite(np.asarray(values, dtype=float)).all():
        raise ValueError(f"{names}: {what} exceeds the float range")


def ou_mean_variance(
    t: float, theta: float, sigma: float, m0: float, s0: float, dps: int = 30
) -> tuple[float, float]:
    """Mean and variance at time t of dx = -theta x dt + sigma dw from N(m0, s0), by mpmath."""
    import mpmath

    from scispaces import _checks as c

    values = {n: c.real_scalar(v, n) for n, v in (("t", t), ("theta", theta), ("sigma", sigma))}
    values.update(m0=c.real_scalar(m0, "m0"), s0=c.real_scalar(s0, "s0"))
    for name in ("t", "theta", "sigma", "s0"):
        if values[name] < 0:
            raise ValueError(f"{name}: must be >= 0")
    dps = _digits(dps)
    with mpmath.workdps(dps):
        th, sg, m, s, tt = (mpmath.mpf(values[n]) for n in ("theta", "sigma", "m0", "s0", "t"))
        decay = mpmath.exp(-th * tt)
        spread = -mpmath.expm1(-2 * th * tt) / (2 * th) if th > 0 else tt
        mean, var = float(m * decay), float(s * decay**2 + sg**2 * spread)
    _finite_or_refuse([mean, var], "sigma, s0, t", "the variance")
    return mean, var


def gaussian_moments_ode(
    theta: Callable[[float], float],
    sigma: Callable[[float], float],
    m0: float,
    s0: float,
    times: Sequence,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mean and variance of dx = -theta(t) x dt + sigma(t) dw from N(m0, s0) at ``times`` (from 0).

    They solve m' = -theta m, v' = -2 theta v + sigma^2, integrated by scipy's DOP853 at rtol
    1e-13 (a two-dimensional, non-stiff system: about 1e-12 relative). The density stays
    Gaussian, so this is an exact solution of a Fokker-Planck equation with time-dependent
    coefficients. ``times`` lie in [0, 1e3].
    """
    from scipy.integrate import solve_ivp

    from scispaces import _checks as c

    c.function(theta, "theta")
    c.function(sigma, "sigma")
    m0, s0 = c.real_scalar(m0, "m0"), c.real_scalar(s0, "s0")
    if s0 < 0:
        raise ValueError("s0: a variance, must be >= 0")
    t = c.real_array(times, "times")
    if t.ndim != 1 or t.size < 1 or np.any(np.diff(t) <= 0) or t[0] < 0 or t[-1] > 1e3:
        raise ValueError("times: must be strictly increasing, in [0, 1e3]")

    def rates(s: float, y: NDArray[np.float64]) -> list[float]:
        th, sg = c.real_scalar(theta(s), "theta"), c.real_scalar(sigma(s), "sigma")
        return [-th * y[0], -2 * th * y[1], -2 * th * y[2] + sg * sg]

    # m = m0 M and v = s0 V + W with M(0) = V(0) = 1, W(0) = 0: the scale of m0, s0 stays out
    with np.errstate(over="ignore", invalid="ignore"):
        sol = solve_ivp(
            rates, (0.0, t[-1]), [1.0, 1.0, 0.0], method="DOP853", t_eval=t, rtol=1e-13, atol=1e-15
        )
    if not sol.success or sol.y.shape[1] != t.size:
        raise ValueError(f"theta, sigma: the moment equations could not be solved ({sol.message})")
    with np.errstate(over="ignore", invalid="ignore"):
        mean, var = m0 * sol.y[0], s0 * sol.y[1] + sol.y[2]
    _finite_or_refuse([mean, var], "theta, sigma, m0, s0", "the mean or variance")
    return mean, var


def semi_discrete_solution(
    generator: Callable[[float], Any], p0: ArrayLike, times: Sequence, constant: bool = False
) -> NDArray[np.float64]:
    """The exact time integration of dp/dt = L(t) p, L(t) = ``generator(t)`` (sparse), at ``times``.

    Separates a time integrator's error from the spatial one. Constant L: exp((t - t0) L) p0 by
    ``scipy.sparse.linalg.expm_multiply`` (Al-Mohy and Higham 2011, accurate to about 1e-15
    relative to the largest value), in one call when the times are equally spaced. Otherwise
    ``solve_ivp`` Radau with rtol 1e-10, atol 1e-14 and the exact Jacobian L(t). Supported:
    ||L(t0)||_1 (t_last - t0) up to 1e8 (the work grows with it).
    """
    import scipy.sparse as sps
    from scipy.integrate import solve_ivp
    from scipy.sparse.linalg import expm_multiply

    from scispaces import _checks as c

    c.function(generator, "generator")
    if not isinstance(constant, bool | np.bool_):
        raise TypeError(f"constant: expected a bool, got {type(constant).__name__}")
    p0 = c.real_array(p0, "p0")
    t = c.real_array(times, "times")
    if p0.ndim != 1 or p0.size < 1:
        raise ValueError("p0: must be a non-empty vector")
    if t.ndim != 1 or t.size < 1 or np.any(np.diff(t) <= 0):
        raise ValueError("times: must be a strictly increasing 1-D array")

    def matrix(s: float) -> Any:
        L = generator(s)
        L = L if sps.issparse(L) else c.real_array(L, "generator")
        if L.shape != (p0.size, p0.size) or not np.isfinite(L.data if sps.issparse(L) else L).all():
            raise ValueError(
                f"generator, p0: the generator must return a finite square matrix of the size of "
                f"p0 ({p0.size}), got shape {L.shape}"
            )
        return sps.csc_array(L)

    L0 = matrix(t[0])
    with np.errstate(over="ignore"):
        work = _one_norm(L0) * (t[-1] - t[0])
    if not work <= 1e8:
        raise ValueError(f"times: ||L||_1 (t_last - t0) = {work:.3g}, more than the supported 1e8")
    if t.size == 1:
        return p0[None, :].copy()
    scale = float(np.abs(p0).max()) or 1.0  # the equation is linear: solve for p0 / scale
    p0 = p0 / scale
    if constant:
        steps = np.diff(t)
        if t.size > 2 and np.all(steps == steps[0]):
            return scale * expm_multiply(
                L0, p0, start=0.0, stop=t[-1] - t[0], num=t.size, endpoint=True
            )
        return scale * np.array([p0] + [expm_multiply(L0 * (s - t[0]), p0) for s in t[1:]])
    sol = solve_ivp(
        lambda s, p: matrix(s) @ p,
        (t[0], t[-1]),
        p0,
        method="Radau",
        t_eval=t,
        rtol=1e-10,
        atol=1e-14,
        jac=lambda s, p: matrix(s),
    )
    return scale * sol.y.T


def _one_norm(L: Any) -> float:
    """The 1-norm (largest column sum of |L|) of a sparse matrix."""
    return float(abs(L).sum(axis=0).max()) if L.nnz else 0.0


def cram_max_error(
    theta: ArrayLike, alpha: ArrayLike, alpha0: float, points: ArrayLike, dps: int = 40
) -> float:
    """max ``|r(x) - e^x|`` over ``points`` x <= 0 for r(x) = alpha0 + 2 Re sum alpha_k / (x - theta_k).

    Evaluated by mpmath at ``dps`` digits from the float coefficients, so it measures the rational
    approximation itself, not the rounding of its evaluation in float64.
    """
    import mpmath

    from scispaces import _checks as c

    poles, residues = (_complex_vector(v, n) for v, n in ((theta, "theta"), (alpha, "alpha")))
    if poles.size != residues.size:
        raise ValueError(
            f"theta, alpha: must have the same length, got {poles.size} and {residues.size}"
        )
    alpha0 = c.real_scalar(alpha0, "alpha0")
    x = c.real_array(points, "points")
    if x.size == 0:
        raise ValueError("points: must hold at least one point")
    if np.any(x > 0):
        raise ValueError("points: must be <= 0 (the approximation is of e^x on the negative axis)")
    dps = _digits(dps)
    worst = 0.0
    with mpmath.workdps(dps):
        th = [mpmath.mpc(complex(v)) for v in poles]
        al = [mpmath.mpc(complex(v)) for v in residues]
        for value in x.ravel():
            z = mpmath.mpf(float(value))
            if any(z == q for q in th):
                raise ValueError("points: a point lies on a pole theta_k")
            r = mpmath.mpf(alpha0) + 2 * sum(a / (z - q) for a, q in zip(al, th, strict=True)).real
            worst = max(worst, float(abs(r - mpmath.exp(z))))
    _finite_or_refuse(worst, "theta, alpha, alpha0", "the error")
    return worst


def _complex_vector(values: ArrayLike, name: str) -> NDArray[np.complex128]:
    """A finite 1-D complex array (the poles or residues of a rational approximation)."""
    if isinstance(values, str | bytes) or values is None:
        raise TypeError(
            f"{name}: expected a vector of complex numbers, got {type(values).__name__}"
        )
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: must be a vector of numbers") from exc
    if arr.dtype.kind not in "iufc" or arr.dtype == bool:
        raise TypeError(f"{name}: expected complex numbers, got dtype {arr.dtype}")
    arr = arr.astype(complex)
    if arr.ndim != 1 or arr.size < 1 or not np.isfinite(arr).all():
        raise ValueError(f"{name}: must be a non-empty finite vector")
    return arr


def mp_ou_density(
    x: ArrayLike, t: ArrayLike, theta: Any, sigma: Any, m0: Any, s0: Any, dps: int = 30
) -> NDArray[np.float64]:
    """The Ornstein-Uhlenbeck density (scispaces.sde.ou_density) by mpmath, elementwise.

    The Gaussian with mean m0 e^(-theta t) and variance s0 e^(-2 theta t) + sigma^2 t phi(2 theta t),
    phi(u) = (1 - e^-u)/u, at the float inputs, rounded to float64 at the end.
    """
    import mpmath

    from scispaces import _checks as c

    xs, ts = c.broadcast(x=c.real_array(x, "x"), t=c.real_array(t, "t"))
    th, sg, m, s = (
        c.real_scalar(v, n) for v, n in ((theta, "theta"), (sigma, "sigma"), (m0, "m0"), (s0, "s0"))
    )
    for name, v in (("theta", th), ("sigma", sg), ("s0", s)):
        if v < 0:
            raise ValueError(f"{name}: must be >= 0")
    if np.any(ts < 0):
        raise ValueError("t: must be >= 0")
    dps = _digits(dps)
    out = np.empty(xs.shape)
    with mpmath.workdps(dps):
        th, sg, m, s = (mpmath.mpf(v) for v in (th, sg, m, s))
        for i, (xi, ti) in enumerate(zip(xs.ravel(), ts.ravel(), strict=True)):
            tt = mpmath.mpf(float(ti))
            u = 2 * th * tt
            spread = tt * (-mpmath.expm1(-u) / u if u != 0 else 1)
            var = s * mpmath.exp(-u) + sg**2 * spread
            if var == 0:
                raise ValueError("s0, sigma, t: the variance is 0 (a point mass), no density")
            z = (mpmath.mpf(float(xi)) - m * mpmath.exp(-th * tt)) ** 2 / (2 * var)
            out.flat[i] = float(mpmath.exp(-z) / mpmath.sqrt(2 * mpmath.pi * var))
    _finite_or_refuse(out, "s0, sigma, t", "the density")
    return out


# ------------------------------------------------------------------------------ rtf


def _rtf_rows(
    a: ArrayLike, b: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64], tuple[int, ...]]:
    """``a`` and ``b`` broadcast together as (m, d) rows (d >= 1), and their leading shape."""
    a, b = real_array(a, "a"), real_array(b, "b")
    if a.ndim == 0 or b.ndim == 0 or a.shape[-1] == 0 or a.shape[-1] != b.shape[-1]:
        raise ValueError("a, b: need the same state size d >= 1 on the last axis")
    a, b = broadcast(a=a, b=b)
    return a.reshape(-1, a.shape[-1]), b.reshape(-1, b.shape[-1]), a.shape[:-1]


RTF_MAX_L = 1 << 16  # kernel length of the rtf references (mpmath: about 2 L d operations)


def _rtf_length(L: Any, d: int, dps: Any) -> tuple[int, int]:
    L = count(L, "L")
    if not d < L <= RTF_MAX_L:
        raise ValueError(f"L: must exceed the state size d = {d} and be at most {RTF_MAX_L}")
    dps = count(dps, "dps", minimum=20)
    if dps > MAX_DPS:
        raise ValueError(f"dps: at most {MAX_DPS} digits, got {dps}")
    return L, dps


def _mp_mulmod(x: list[Any], y: list[Any], p: list[Any]) -> list[Any]:
    """x y mod p, polynomials as d coefficients (lowest degree first); p = lambda^d + p[d-1]
    lambda^(d-1) + ... + p[0] is monic, its leading 1 not stored."""
    d = len(p)
    prod = [0] * (2 * d - 1)
    for i, xi in enumerate(x):
        for j, yj in enumerate(y):
            prod[i + j] += xi * yj
    for top in range(2 * d - 2, d - 1, -1):  # lambda^top = lambda^(top-d) (lambda^d - p)
        c = prod[top]
        for i in range(d):
            prod[top - d + i] -= c * p[i]
    return prod[:d]


def _mp_rtf(a: NDArray[np.float64], b: NDArray[np.float64], L: int, n: int) -> list[Any]:
    """The first ``n`` kernel values of one system as mpmath numbers (inside workdps), and
    the largest term of the sums that formed them (to measure cancellation)."""
    import mpmath

    d = a.size
    am = [mpmath.mpf(float(v)) for v in a]
    h: list[Any] = []
    for m in range(n + d):  # the impulse response of b/a: h_m = b_(m+1) - sum_i a_i h_(m-i)
        back = h[max(0, m - d) :][::-1]
        h.append((mpmath.mpf(float(b[m])) if m < d else 0) - mpmath.fdot(am, back))
    p = am[::-1]  # lambda^d + a_1 lambda^(d-1) + ... + a_d, lowest degree first
    lam = [0, 1] + [0] * (d - 2) if d > 1 else [-p[0]]  # lambda mod p
    power, base, e = [1] + [0] * (d - 1), lam, L  # lambda^L mod p, by squaring
    while e:
        if e & 1:
            power = _mp_mulmod(power, base, p)
        base, e = _mp_mulmod(base, base, p), e >> 1
    column = [(1 if i == 0 else 0) - power[i] for i in range(d)]  # 1 - lambda^L mod p
    M = mpmath.matrix(d, d)
    for j in range(d):  # column j: (1 - lambda^L) lambda^j mod p
        for i in range(d):
            M[i, j] = column[i]
        column = _mp_mulmod(column, lam, p)
    try:
        sigma = mpmath.lu_solve(M, mpmath.matrix([1] + [0] * (d - 1)))
    except ZeroDivisionError as exc:
        raise ValueError(
            "a: a pole's L-th power is 1 (1 - lambda^L is not invertible modulo the "
            "characteristic polynomial): no kernel of this length exists"
        ) from exc
    s = [sigma[j] for j in range(d)]
    largest = max(abs(x) for x in s) * max(abs(x) for x in h)
    return [mpmath.fdot(s, h[k : k + d]) for k in range(n)], largest


def _mp_rtf_rounded(
    a: NDArray[np.float64], b: NDArray[np.float64], L: int, n: int, dps: int, output: bool
) -> list[float]:
    """:func:`_mp_rtf` rounded to floats (or, with ``output``, the companion output vector
    from its first d values), with the precision raised until cancellation leaves ``dps - 25``
    correct digits (unstable poles need about ``L log10 |lambda|`` more)."""
    import mpmath

    # a pole of modulus rho > 1 makes h grow like rho^m while the kernel does not: the sums cancel
    # about (n + d) log10(rho) digits, which are added up front (rho from numpy's roots, or
    # Fujiwara's bound 2 max |a_i|^(1/i) where those overflow)
    with np.errstate(all="ignore"):
        rho = np.abs(np.roots(np.concatenate([[1.0], a]))).max(initial=0.0)
    if not np.isfinite(rho):
        rho = 2 * 10 ** max(math.log10(abs(v)) / (i + 1) for i, v in enumerate(a) if v)
    dps += int((n + a.size) * max(0.0, math.log10(max(rho, 1.0)))) + 5
    while True:
        if dps > MAX_DPS:
            raise ValueError(f"a: the reference would need more than {MAX_DPS} digits")
        with mpmath.workdps(dps):
            values, largest = _mp_rtf(a, b, L, n)
            if output:  # C_j = sum_(i <= j) a_i K_(j-i), a_0 = 1
                den = [mpmath.mpf(1)] + [mpmath.mpf(float(v)) for v in a]
                largest = max(largest, max(abs(x) for x in den) * max(abs(x) for x in values))
                values = [mpmath.fdot(den[: j + 1], values[j::-1]) for j in range(a.size)]
            size = max(abs(x) for x in values)
            if largest == 0 or (size > 0 and mpmath.log10(largest / size) <= dps - 25):
                return [float(v) for v in values]
            loss = mpmath.log10(largest / size) if size > 0 else dps
        dps += int(loss) + 10


def mp_rtf_kernel(a: ArrayLike, b: ArrayLike, L: int, dps: int = 40) -> NDArray[np.float64]:
    r"""The first ``L`` kernel values of :math:`(a, b)` (``scispaces.rtf.rtf_kernel``) by mpmath.

    Exact arithmetic on the float inputs, in polynomial algebra, with no FFT and no roots: with
    :math:`p(\lambda) = \lambda^d + a_1\lambda^{d-1} + \dots + a_d`, :math:`h` the impulse response
    of :math:`b(z)/a(z)` (its recurrence) and :math:`\sigma = (1 - \lambda^L)^{-1} \bmod p` (one
    linear solve), :math:`\bar K_k = \sum_{j<d}\sigma_j h_{k+j}`, which is
    :math:`\tilde C^{\top}\bar A^k (I - \bar A^L)^{-1} e_1` for the companion :math:`\bar A` by
    Cayley--Hamilton. Works for repeated and unstable poles (raising the precision until the
    final sums keep ``dps - 25`` digits after cancellation); refuses (naming ``a``) a pole whose
    :math:`L`-th power is 1. Leading axes of ``a`` and ``b`` broadcast (result ``(..., L)``);
    each row costs about :math:`2Ld` multiply-adds at ``dps`` digits, a few seconds at
    :math:`d = 64`, :math:`L = 8192`.
    """
    a, b, lead = _rtf_rows(a, b)
    L, dps = _rtf_length(L, a.shape[-1], dps)
    out = np.array([_mp_rtf_rounded(ar, br, L, L, dps, False) for ar, br in zip(a, b, strict=True)])
    if not np.isfinite(out).all():
        raise ValueError("a, b: the kernel exceeds the float64 range (about 1.8e308)")
    return out.reshape(*lead, L)


def mp_companion_output(a: ArrayLike, b: ArrayLike, L: int, dps: int = 40) -> NDArray[np.float64]:
    r"""The output vector :math:`\bar C = \tilde C (I - \bar A^L)^{-\top}` of the companion
    realisation (``scispaces.rtf.rtf_to_companion``), correctly rounded from mpmath.

    :math:`\bar C_j = \sum_{i \le j} a_i \bar K_{j-i}` (:math:`a_0 = 1`, :math:`j < d`) with the
    exact kernel of :func:`mp_rtf_kernel`; only its first :math:`d` values are computed.
    """
    a, b, lead = _rtf_rows(a, b)
    d = a.shape[-1]
    L, dps = _rtf_length(L, d, dps)
    out = np.array([_mp_rtf_rounded(ar, br, L, d, dps, True) for ar, br in zip(a, b, strict=True)])
    if not np.isfinite(out).all():
        raise ValueError("a, b: the output vector exceeds the float64 range (about 1.8e308)")
    return out.reshape(*lead, d)


def mp_modal_form(
    a: ArrayLike, b: ArrayLike, L: int, dps: int = 40
) -> tuple[NDArray[np.complex128], NDArray[np.complex128]]:
    r"""Poles and residues of the length-``L`` kernel of :math:`(a, b)`, S4D-style, from mpmath.

    :math:`\bar K_k = \operatorname{Re}\sum_i \bar r_i\lambda_i^k` over the poles with
    :math:`\operatorname{Im}\lambda_i \ge 0` (a complex pair's residue doubled), where the
    :math:`\lambda_i` are the roots of :math:`\lambda^d + a_1\lambda^{d-1} + \dots + a_d`
    (``mpmath.polyroots``) and :math:`\bar r_i = r_i / (1 - \lambda_i^L)` with :math:`r_i` the
    residues of :math:`b(z)/a(z) = \sum_i r_i/(1 - \lambda_i z)`. Both are correctly rounded to
    complex128, the best input a Vandermonde evaluation can have. One system (1-D ``a``, ``b``);
    refuses repeated or zero poles, for which that form does not exist.
    """
    import mpmath

    a, b, lead = _rtf_rows(a, b)
    if lead != ():
        raise ValueError("a, b: one system at a time (1-D a and b)")
    d = a.shape[-1]
    L, dps = _rtf_length(L, d, dps)
    with mpmath.workdps(dps):
        try:
            roots = mpmath.polyroots(
                [1] + [mpmath.mpf(float(v)) for v in a[0]], maxsteps=400, extraprec=4 * dps
            )
        except mpmath.libmp.NoConvergence as exc:
            raise ValueError("a: mpmath.polyroots did not converge (400 steps)") from exc
        gap = min((abs(x - y) for i, x in enumerate(roots) for y in roots[:i]), default=1)
        if min(abs(x) for x in roots) == 0 or gap < mpmath.mpf(10) ** (5 - dps // 2):
            raise ValueError("a: the poles must be distinct and nonzero for a modal form")
        poles, residues = [], []
        for i, lam in enumerate(roots):
            if mpmath.im(lam) < -(mpmath.mpf(10) ** (-dps // 2)):
                continue  # the conjugate of a pole kept
            num = mpmath.fsum(mpmath.mpf(float(v)) * lam ** (-j) for j, v in enumerate(b[0]))
            den = mpmath.fprod(1 - mu / lam for j, mu in enumerate(roots) if j != i)
            pair = abs(mpmath.im(lam)) > mpmath.mpf(10) ** (-dps // 2)
            residues.append((2 if pair else 1) * num / den / (1 - lam**L))
            poles.append(lam if pair else mpmath.re(lam))
    poles, residues = (np.array([complex(v) for v in x]) for x in (poles, residues))
    if not np.isfinite(residues).all():
        raise ValueError("a, b: a residue exceeds the float64 range (about 1.8e308)")
    return poles, residues


def rtf_systems(
    channels: int, d: int, radius: tuple[float, float], seed: int = 0
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Random stable real systems :math:`(a, b)`: ``channels`` rows of ``d`` coefficients.

    Poles in complex-conjugate pairs, the roots of :math:`\lambda^2 - p\lambda + q` with float
    :math:`p = 2r\cos\theta`, :math:`q = r^2`, radii :math:`r` uniform in ``radius`` and angles
    uniform in :math:`(0, \pi)`, and one real pole :math:`\pm r` when ``d`` is odd. :math:`a` is
    the product of these factors computed by mpmath (50 digits) and rounded once: a product in
    float (``numpy.poly``) can move poles of radius 0.999 outside the unit circle at
    :math:`d = 64`. :math:`b` is standard normal. The systems shared by the tests, the chapter
    and the benchmark.
    """
    import mpmath

    channels, d = count(channels, "channels"), count(d, "d")
    if channels * d > 1 << 20:
        raise ValueError("channels, d: at most 2**20 coefficients in all")
    bounds = real_array(radius, "radius")
    if bounds.shape != (2,) or not 0 <= bounds[0] <= bounds[1] < 1:
        raise ValueError("radius: must be (low, high) with 0 <= low <= high < 1")
    low, high = float(bounds[0]), float(bounds[1])
    rng = np.random.default_rng(count(seed, "seed", minimum=0))
    r = rng.uniform(low, high, (channels, d // 2))
    factors = np.stack([2 * r * np.cos(rng.uniform(0, np.pi, r.shape)), r * r], axis=-1)
    real = rng.uniform(low, high, channels) * rng.choice([-1.0, 1.0], channels)
    a = np.empty((channels, d))
    with mpmath.workdps(50):
        for row in range(channels):
            c = [mpmath.mpf(1)] if d % 2 == 0 else [mpmath.mpf(1), -mpmath.mpf(float(real[row]))]
            for p, q in factors[row]:  # times 1 - p z + q z^2
                c = c + [0, 0]
                for i in range(len(c) - 1, 0, -1):
                    c[i] = c[i] - p * c[i - 1] + (q * c[i - 2] if i > 1 else 0)
            a[row] = [float(v) for v in c[1:]]
    return a, rng.standard_normal((channels, d))


def _ssm_arrays(A: ArrayLike, B: ArrayLike, C: ArrayLike) -> tuple[NDArray[np.float64], ...]:
    """``A`` (..., d, d), ``B`` and ``C`` (..., d), finite, leading axes broadcast together."""
    A, B, C = real_array(A, "A"), real_array(B, "B"), real_array(C, "C")
    if A.ndim < 2 or A.shape[-1] != A.shape[-2] or A.shape[-1] == 0:
        raise ValueError(f"A: must be a square matrix (or a stack of them), got shape {A.shape}")
    d = A.shape[-1]
    for name, v in (("B", B), ("C", C)):
        if v.ndim == 0 or v.shape[-1] != d:
            raise ValueError(f"{name}: must have d = {d} entries on its last axis")
    try:
        lead = np.broadcast_shapes(A.shape[:-2], B.shape[:-1], C.shape[:-1])
    except ValueError as exc:
        raise ValueError("A, B, C: leading axes do not broadcast") from exc
    return (
        np.broadcast_to(A, (*lead, d, d)),
        np.broadcast_to(B, (*lead, d)),
        np.broadcast_to(C, (*lead, d)),
    )


def _peer_length(L: Any, channels: int) -> int:
    L = count(L, "L")
    if L * max(channels, 1) > 1 << 24:
        raise ValueError("L: at most 2**24 kernel values in one call")
    return L


def power_kernel(A: ArrayLike, B: ArrayLike, C: ArrayLike, L: int) -> NDArray[np.float64]:
    r""":math:`\bar K_k = \bar C^{\top}\bar A^k\bar B`, :math:`k < L`, by the matrix-power loop
    :math:`x \leftarrow \bar A x` over stacks of systems (a peer of ``rtf_kernel``)."""
    A, B, C = _ssm_arrays(A, B, C)
    L = _peer_length(L, int(np.prod(B.shape[:-1])))
    out = np.empty((*B.shape[:-1], L))
    x = B[..., :, None]
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(L):
            out[..., k] = np.einsum("...i,...i->...", C, x[..., 0])
            x = A @ x
    if not np.isfinite(out).all():
        raise ValueError("A, B, C: the kernel exceeds the float64 range (about 1.8e308)")
    return out


def lfilter_kernel(a: ArrayLike, b: ArrayLike, L: int) -> NDArray[np.float64]:
    r"""The first ``L`` values of the impulse response of :math:`b(z)/a(z)`, one
    ``scipy.signal.lfilter`` call per channel (a peer of ``rtf_kernel``, given for ``b`` the
    output vector :math:`\bar C` of the companion realisation)."""
    from scipy.signal import lfilter

    a, c, lead = _rtf_rows(a, b)
    L = _peer_length(L, a.shape[0])
    impulse = np.zeros(L)
    impulse[0] = 1
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.array(
            [lfilter(cr, np.concatenate([[1.0], ar]), impulse) for ar, cr in zip(a, c, strict=True)]
        )
    if not np.isfinite(out).all():
        raise ValueError("a, b: the impulse response exceeds the float64 range (about 1.8e308)")
    return out.reshape(*lead, L)


def vandermonde_kernel(
    poles: ArrayLike, residues: ArrayLike, L: int, chunk: int = 1 << 22
) -> NDArray[np.float64]:
    r""":math:`\bar K_k = \operatorname{Re}\sum_i r_i\lambda_i^k`, :math:`k < L`, S4D-style: the
    Vandermonde matrix :math:`\exp(k\log\lambda_i)` contracted with the residues, in blocks of
    at most ``chunk`` entries (a peer of ``rtf_kernel``, given :func:`mp_modal_form`'s output)."""
    lam, res = number_array(poles, "poles"), number_array(residues, "residues")
    for name, v in (("poles", lam), ("residues", res)):
        if v.ndim == 0 or v.shape[-1] == 0 or not np.isfinite(v).all():
            raise ValueError(f"{name}: must be finite, with at least one entry on the last axis")
    if lam.shape != res.shape:
        raise ValueError(f"poles, residues: shapes differ ({lam.shape} and {res.shape})")
    if np.any(lam == 0):
        raise ValueError("poles: must be nonzero (their logarithms form the Vandermonde matrix)")
    L, chunk = _peer_length(L, int(np.prod(lam.shape[:-1]))), count(chunk, "chunk")
    log = np.log(lam.astype(complex)).reshape(-1, lam.shape[-1])
    flat_res = res.astype(complex).reshape(-1, res.shape[-1])
    k = np.arange(L)
    out = np.empty((log.shape[0], L))
    step = max(1, chunk // (L * log.shape[-1]))
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(0, log.shape[0], step):
            V = np.exp(log[i : i + step, :, None] * k)
            out[i : i + step] = np.einsum("cn,cnk->ck", flat_res[i : i + step], V).real
    if not np.isfinite(out).all():
        raise ValueError("poles, residues: the kernel exceeds the float64 range (about 1.8e308)")
    return out.reshape(*lam.shape[:-1], L)


def _exact_step_down(row: NDArray[np.float64], stop: bool = True) -> tuple[list[Fraction], bool]:
    """The Schur step-down in rational arithmetic: the reflection coefficients and whether all
    |k| < 1. With ``stop``, the list ends at the first |k| >= 1; without, it goes on while
    1 - k^2 != 0 (and refuses, naming ``a``, where it is 0 before the last step)."""
    a = [Fraction(float(v)) for v in row]
    ks: list[Fraction] = []
    stable = True
    for m in range(len(a), 0, -1):
        k = a[m - 1]
        ks.insert(0, k)
        stable = stable and abs(k) < 1
        if m == 1 or (stop and not stable):
            break
        if k * k == 1:
            raise ValueError("a: the step-down meets k = +-1 before its last step (undefined)")
        a = [(a[i] - k * a[m - 2 - i]) / (1 - k * k) for i in range(m - 1)]
    return ks, stable


EXACT_SCHUR_MAX_D = 12  # beyond this the rational numbers grow too long to be practical


def exact_is_stable(a: ArrayLike) -> NDArray[np.bool_]:
    r"""Whether each row's roots of :math:`\lambda^d + a_1\lambda^{d-1} + \dots + a_d` lie in the
    open unit disk, decided exactly: the Schur step-down in rational arithmetic on the float
    inputs (``scispaces.rtf.is_stable`` in exact arithmetic). ``a`` has shape ``(..., d)``,
    :math:`d \le` ``EXACT_SCHUR_MAX_D``."""
    a = real_array(a, "a")
    if a.ndim == 0 or not 1 <= a.shape[-1] <= EXACT_SCHUR_MAX_D:
        raise ValueError(f"a: needs 1 <= d <= {EXACT_SCHUR_MAX_D} coefficients on the last axis")
    rows = a.reshape(-1, a.shape[-1])
    return np.array([_exact_step_down(r)[1] for r in rows], dtype=bool).reshape(a.shape[:-1])


def exact_reflection(a: ArrayLike) -> NDArray[np.float64]:
    r"""The reflection coefficients of each row (``scispaces.rtf.poly_to_reflection``), computed
    exactly in rational arithmetic and rounded once; stable or not. Refuses (naming ``a``) a row
    whose step-down meets :math:`|k| = 1` before its last step, a coefficient beyond the float
    range, and :math:`d >` ``EXACT_SCHUR_MAX_D``."""
    a = real_array(a, "a")
    if a.ndim == 0 or not 1 <= a.shape[-1] <= EXACT_SCHUR_MAX_D:
        raise ValueError(f"a: needs 1 <= d <= {EXACT_SCHUR_MAX_D} coefficients on the last axis")
    rows = [_exact_step_down(r, stop=False)[0] for r in a.reshape(-1, a.shape[-1])]
    try:
        return np.array([[float(k) for k in ks] for ks in rows]).reshape(a.shape)
    except OverflowError as exc:
        raise ValueError("a: a reflection coefficient exceeds the float64 range") from exc


# ------------------------------------------------------------------------------ losses


# mpmath.diff of the definitions was checked against their analytic derivative at 200 digits
# (3 000 points, |x| up to 1e4, gamma and K up to 100: agreement to 1e-50); beyond, not checked.
MP_GRAD_LIMITS = {"logits": 1e4, "gamma": 100.0, "K": 100.0}


def _loss_setup(logits, y, kind, gamma, K, margin, alpha, dps):
    """Checked inputs of the loss oracles, as the library checks them: (x, signs, options, dps)."""
    from scispaces.losses import _options, _signs

    kind, gamma, K, t, alpha, _ = _options(kind, gamma, K, margin, alpha, "none")
    x, sign = broadcast(logits=real_array(logits, "logits"), y=_signs(y))
    dps = count(dps, "dps", minimum=20)
    if dps > 200:
        raise ValueError(f"dps: must be an integer in [20, 200], got {dps}")
    return x, sign, (kind, gamma, K, t, alpha), dps


def _mp_loss(x: Any, sign: float, kind: str, gamma: Any, K: Any, t: float, alpha: Any) -> Any:
    """One loss from its definition, in mpmath: z = l x, p = 1/(1 + e^-z), 1 - p = 1/(1 + e^z)."""
    import mpmath

    z = sign * x
    ce = mpmath.log1p(mpmath.exp(-z))  # -log p
    if kind == "ce":
        value = ce
    elif kind == "hinge":
        value = max(mpmath.mpf(0), 1 - z)
    elif kind == "focal":
        value = (1 / (1 + mpmath.exp(z))) ** gamma * ce
    elif kind == "softened":
        value = ce / (1 + mpmath.exp(K * z))
    else:  # hard_truncated: theta(t - z), theta(0) = 1/2
        value = ce * (1 if z < t else 0 if z > t else mpmath.mpf(0.5))
    return value if alpha is None else value * (alpha if sign > 0 else 1 - alpha)


def _mp_loss_grad(x: Any, sign: float, kind: str, gamma: Any, K: Any, t: float, alpha: Any) -> Any:
    """d(loss)/dx by mpmath.diff of the definition; hinge and the step piecewise (0 at their jumps)."""
    import mpmath

    z = sign * x
    weight = 1 if alpha is None else (alpha if sign > 0 else 1 - alpha)
    if kind == "hinge":
        return -sign * weight * (1 if z < 1 else 0)
    if kind == "hard_truncated":
        step = 1 if z < t else 0 if z > t else mpmath.mpf(0.5)
        return step * mpmath.diff(lambda v: _mp_loss(v, sign, "ce", gamma, K, t, alpha), x)
    return mpmath.diff(lambda v: _mp_loss(v, sign, kind, gamma, K, t, alpha), x)


def _mp_loss_values(fn, logits, y, kind, gamma, K, margin, alpha, dps, limits=None):
    """``fn`` (``_mp_loss`` or ``_mp_loss_grad``) at every point, after the checks (and the
    ``limits`` on ``|logits|``, gamma and K, if given)."""
    import mpmath

    x, sign, (kind, gamma, K, t, alpha), dps = _loss_setup(
        logits, y, kind, gamma, K, margin, alpha, dps
    )
    for name, value in (limits or {}).items():
        size = {"logits": float(np.abs(x).max(initial=0.0)), "gamma": gamma, "K": K}[name]
        if size > value:
            raise ValueError(f"{name}: the reference gradient needs |{name}| <= {value:g}")
    out = np.empty(x.shape)
    with mpmath.workdps(dps):
        g, k = mpmath.mpf(gamma), mpmath.mpf(K)
        a = None if alpha is None else mpmath.mpf(alpha)
        for i in np.ndindex(x.shape):
            out[i] = float(fn(mpmath.mpf(float(x[i])), float(sign[i]), kind, g, k, t, a))
    return out


def mp_binary_loss(
    logits: ArrayLike,
    y: ArrayLike,
    kind: str = "ce",
    gamma: float = 2.0,
    K: float = 1.0,
    margin: float = 0.6,
    alpha: float | None = None,
    dps: int = 50,
) -> NDArray[np.float64]:
    """``scispaces.losses.binary_loss`` (reduction 'none') from its definition, in mpmath at
    ``dps`` digits (20 to 200) and rounded once: with z = l x, CE = log(1 + e^-z), focal
    (1 + e^z)^-gamma CE, softened CE / (1 + e^(K z)), the step at the float threshold
    t = log(m) - log1p(-m) that the library documents. Inputs are checked as the library checks them."""
    return _mp_loss_values(_mp_loss, logits, y, kind, gamma, K, margin, alpha, dps)


def mp_binary_loss_grad(
    logits: ArrayLike,
    y: ArrayLike,
    kind: str = "ce",
    gamma: float = 2.0,
    K: float = 1.0,
    margin: float = 0.6,
    alpha: float | None = None,
    dps: int = 50,
) -> NDArray[np.float64]:
    """The derivative in each logit of :func:`mp_binary_loss`: ``mpmath.diff`` of the definition
    (numerical differentiation at raised precision, not the library's algebra), with the hinge
    and the truncation step piecewise (the value at their jumps as the library documents).
    Refuses ``|logits| > 1e4`` and gamma or K > 100, where the differentiation step is not checked."""
    return _mp_loss_values(
        _mp_loss_grad, logits, y, kind, gamma, K, margin, alpha, dps, MP_GRAD_LIMITS
    )


def torchvision_focal_formula(logits: Any, y: Any, gamma: float) -> Any:
    """The focal loss as torchvision's ``sigmoid_focal_loss`` writes it (no alpha, no reduction),
    on tensors, unchecked: CE (1 - p_t)^gamma with p = sigmoid(x). What a benchmark times."""
    import torch
    import torch.nn.functional as F

    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    return ce * (1 - p_t) ** gamma


def torchvision_focal(logits: Any, y: Any, gamma: float = 2.0) -> Any:
    """:func:`torchvision_focal_formula` on checked input: finite real logits and labels in {0, 1}
    (arrays or tensors, as float64 tensors; a tensor that requires grad keeps its graph),
    ``0 <= gamma <= 100`` (beyond, 1 - p_t = 1 in floats where p_t < 1e-16 would make a
    loss that should vanish come out as CE). The baseline a user would otherwise write: its
    autograd gives NaN for gamma < 1 once 1 - p_t rounds to 0."""
    import torch

    from scispaces._checks import real_scalar

    def tensor(v: Any, name: str) -> Any:
        if isinstance(v, torch.Tensor):
            real_array(v.detach().numpy(), name)
            return v if v.dtype == torch.float64 else v.double()
        return torch.from_numpy(real_array(v, name).copy())

    x, labels = tensor(logits, "logits"), tensor(y, "y")
    if not bool(((labels == 0) | (labels == 1)).all()):
        raise ValueError("y: labels must lie in {0, 1}")
    gamma = real_scalar(gamma, "gamma")
    if not 0 <= gamma <= 100:
        raise ValueError(f"gamma: must lie in [0, 100], got {gamma!r}")
    try:
        x, labels = torch.broadcast_tensors(x, labels)
    except RuntimeError as exc:
        raise ValueError(
            f"logits, y: shapes do not broadcast ({tuple(x.shape)}, {tuple(labels.shape)})"
        ) from exc
    return torchvision_focal_formula(x, labels, gamma)


MP_TOY_MAX_K = 1000.0  # beyond, b* - 1/8 < e^(-k/4)/k: b* is 1/8 in float64


def mp_exact_toy_optimum(k: ArrayLike, dps: int = 50) -> NDArray[np.float64]:
    """The cross-entropy optimum b*(k) of EXACT's three points with f = k(x - b), from the
    stationarity condition itself, not the cubic: the root of the decreasing function
    sigma(-k(1/4 + b)) + sigma(-kb) - sigma(k(b - 1/4)), written b = 1/8 + s log(2)/k, found by
    bisection on s in [0, 1] in mpmath (3.4 steps per digit). The terms differ by factors up to e^(k/4) and
    the root depends on terms of order k, so the precision is ``dps`` (20 to 200) plus
    k/4 log10(e) plus log10(1/k) digits; 0 < k <= ``MP_TOY_MAX_K``. The bracket is checked (the
    function is > 0 at s = 0 and <= 0 at s = 1) before each search."""
    import mpmath

    from scispaces._checks import count

    k_arr = real_array(k, "k")
    if np.any(k_arr <= 0) or np.any(k_arr > MP_TOY_MAX_K):
        raise ValueError(f"k: the reference needs 0 < k <= {MP_TOY_MAX_K:g}")
    dps = count(dps, "dps", minimum=20)
    if dps > 200:
        raise ValueError(f"dps: must be an integer in [20, 200], got {dps}")
    out = np.empty(k_arr.shape)
    for i in np.ndindex(k_arr.shape):
        k_f = float(k_arr[i])
        with mpmath.workdps(
            dps + int(k_f / 4 * math.log10(math.e) + max(0.0, -math.log10(k_f))) + 10
        ):
            k_mp, L = mpmath.mpf(k_f), mpmath.log(2)

            def g(s, k=k_mp, L=L):  # kb = k/8 + s L, kept apart from the k/4 terms
                kb = k / 8 + s * L
                return (
                    1 / (1 + mpmath.exp(k / 4 + kb))
                    + 1 / (1 + mpmath.exp(kb))
                    - 1 / (1 + mpmath.exp(k / 4 - kb))
                )

            lo, hi = mpmath.mpf(0), mpmath.mpf(1)
            if not (g(lo) > 0 >= g(hi)):
                raise ValueError(f"k: the bracket [1/8, 1/8 + log(2)/k] fails at k = {k_f!r}")
            for _ in range(int(3.4 * dps) + 10):
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if g(mid) > 0 else (lo, mid)
            b = mpmath.mpf(1) / 8 + (lo + hi) / 2 * L / k_mp
            if b > mpmath.mpf(np.finfo(np.float64).max):
                raise ValueError(f"k: b* exceeds the float range at k = {k_f!r}")
            out[i] = float(b)
    return out


# ------------------------------------------------------------------------------ entropy
# Oracles for scispaces.entropy: mpmath row entropies, the dense attention entropy, and the two
# peers of entropy_normalize (SciPy's brentq per row, the source post's Newton iteration).


def _entropy_row(values: Any, name: str, masks: bool) -> NDArray[np.float64]:
    """One row of scores (``masks``: -inf allowed) or of weights >= 0 with a positive entry."""
    arr = number_array(values, name)
    if np.iscomplexobj(arr):
        raise TypeError(f"{name}: expected real numbers, got a complex array")
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name}: must be a non-empty 1-d row")
    if np.isnan(arr).any() or np.isposinf(arr).any() or (not masks and np.isinf(arr).any()):
        raise ValueError(f"{name}: must be finite" + (" or -inf" if masks else ""))
    if masks and np.all(arr == -np.inf):
        raise ValueError(f"{name}: every entry is -inf: the softmax is undefined")
    if not masks and (np.any(arr < 0) or not np.any(arr > 0)):
        raise ValueError(f"{name}: weights must be >= 0 with a positive entry")
    return arr


def _mp_entropy(x: list, dps: int) -> float:
    """-sum p log p of softmax(x) for finite floats x, in mpmath at ``dps`` digits."""
    import mpmath

    with mpmath.workdps(dps):
        x = [mpmath.mpf(v) for v in x]
        top = max(x)
        e = [mpmath.exp(v - top) for v in x]
        z = mpmath.fsum(e)
        return float(
            mpmath.log(z) - mpmath.fsum(w * (v - top) for w, v in zip(e, x, strict=True)) / z
        )


def mp_softmax_entropy(s: ArrayLike, dps: int = 40) -> float:
    """-sum p log p of softmax(s) for one row, in mpmath at ``dps`` digits; -inf entries masked."""
    row = _entropy_row(s, "s", masks=True)
    return _mp_entropy([float(v) for v in row if v > -np.inf], _digits(dps))


def mp_power_entropy(p: ArrayLike, gamma: Any, dps: int = 40) -> float:
    """The entropy of p^gamma / sum p^gamma for one row of weights, in mpmath (zeros stay 0):
    the softmax entropy of gamma log p, with log p taken in mpmath."""
    import mpmath

    row = _entropy_row(p, "p", masks=False)
    g = real_array(gamma, "gamma")
    if g.ndim != 0 or g < 0:
        raise ValueError("gamma: must be one number >= 0")
    dps = _digits(dps)
    with mpmath.workdps(dps + 20):  # gamma log p exact enough before the final rounding
        scores = [mpmath.mpf(float(g)) * mpmath.log(mpmath.mpf(float(v))) for v in row if v > 0]
        return _mp_entropy(scores, dps + 20)


def dense_attention_entropy(q: ArrayLike, k: ArrayLike, scale: Any) -> NDArray[np.float64]:
    """Every score of q (m, d) against k (n, d) at once, log p by SciPy's logsumexp, then
    -sum p log p per query: the dense float64 reference (memory m n)."""
    from scipy import special

    q, k = real_array(q, "q"), real_array(k, "k")
    if q.ndim != 2 or k.ndim != 2 or q.shape[1] != k.shape[1] or 0 in q.shape + k.shape:
        raise ValueError("q, k: must be non-empty matrices (m, d) and (n, d) with the same d")
    lam = real_array(scale, "scale")
    if lam.ndim != 0:
        raise ValueError("scale: must be one number")
    with np.errstate(over="ignore", invalid="ignore"):
        s = lam * (q @ k.T)
    if not np.isfinite(s).all():
        raise ValueError("q, k, scale: a score overflows float64")
    with np.errstate(over="ignore"):  # s - max below -1.8e308: weight 0 either way
        s = np.maximum(s - s.max(axis=1, keepdims=True), -1e4)  # ties at the top stay exact
    log_p = s - special.logsumexp(s, axis=1, keepdims=True)
    return -(np.exp(log_p) * log_p).sum(axis=1)


def _normalize_rows(p: Any, target: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Rows (r, n) of positive weights and one finite target per row."""
    rows = real_array(p, "p")
    if rows.ndim != 2 or 0 in rows.shape:
        raise ValueError("p: must be a non-empty matrix of rows")
    if not np.all(rows > 0):
        raise ValueError("p: every weight must be > 0 (the source post takes log p)")
    t = real_array(target, "target")
    try:
        t = np.broadcast_to(t, rows.shape[:1]).astype(float)
    except ValueError as exc:
        raise ValueError(
            f"target: shape {t.shape} does not match the {rows.shape[0]} rows"
        ) from exc
    return rows, t


def brentq_normalize(
    p: ArrayLike, target: ArrayLike, xtol: float = 1e-14
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """What a SciPy user writes: brentq per row on H(e^u) - target, u = log(gamma) in [-30, 30].

    Returns the normalised rows and gamma. H is evaluated from log p - max log p, without the
    library. Each target must lie strictly inside the row's reachable interval.
    """
    from scipy import optimize

    rows, t = _normalize_rows(p, target)
    xtol = real_array(xtol, "xtol")
    if xtol.ndim != 0 or not 0 < xtol <= 1e-6:
        raise ValueError("xtol: must be one number in (0, 1e-6]")
    logs = np.log(rows)
    logs -= logs.max(axis=1, keepdims=True)

    def entropy_at(row: NDArray[np.float64], u: float) -> float:
        a = np.exp(u) * row
        e = np.exp(a)
        z = e.sum()
        return float(np.log(z) - e @ a / z)

    u = np.empty(len(rows))
    for i, row in enumerate(logs):
        f = lambda v, row=row, ti=t[i]: entropy_at(row, v) - ti  # noqa: E731
        if not f(-30.0) > 0 > f(30.0):
            raise ValueError(f"target: row {i}'s target is not reached for gamma in [e^-30, e^30]")
        u[i] = optimize.brentq(f, -30.0, 30.0, xtol=float(xtol), rtol=4 * EPS)
    out = np.exp(np.exp(u)[:, None] * logs)
    return out / out.sum(axis=1, keepdims=True), np.exp(u)


def post_entropy_newton(
    p: ArrayLike, target: ArrayLike, steps: int = 10
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The source post's iteration (kexue.fm/archives/8829), vectorised over rows: from p,
    gamma = 1 + (H* - H)/(H^2 - E[(log p)^2]), then p <- p^gamma normalised, ``steps`` times.

    Returns (gammas, errors), each (steps, rows): every step's gamma and ``|H - H*|`` after it. A
    negative gamma, an overflow or NaN is returned as computed: those are its failures.
    """
    rows, t = _normalize_rows(p, target)
    steps = count(steps, "steps")
    if steps > 1000:
        raise ValueError(f"steps: must be an integer in [1, 1000], got {steps}")
    rows, gammas, errors = rows / rows.sum(axis=1, keepdims=True), [], []
    with np.errstate(all="ignore"):  # its failures produce inf and NaN: they are the result
        for _ in range(steps):
            H = -(rows * np.log(rows)).sum(axis=1)
            gamma = 1 + (t - H) / (H**2 - (rows * np.log(rows) ** 2).sum(axis=1))
            rows = rows ** gamma[:, None]
            rows /= rows.sum(axis=1, keepdims=True)
            gammas.append(gamma)
            errors.append(np.abs(-(rows * np.log(rows)).sum(axis=1) - t))
    return np.array(gammas), np.array(errors)


# ------------------------------------------------------------------------------ dynamics


def _stable_heavy_ball(h: Any, lr: Any, beta: Any, sigma: Any) -> tuple[float, ...]:
    """The four scalars of a stationary heavy-ball problem, checked as the library checks them."""
    from scispaces import _checks as c

    h, lr, beta, sigma = (
        c.real_scalar(v, n) for v, n in ((h, "h"), (lr, "lr"), (beta, "beta"), (sigma, "sigma"))
    )
    for name, value in (("h", h), ("lr", lr)):
        if not value > 0:
            raise ValueError(f"{name}: must be > 0")
    if not 0 <= beta < 1:
        raise ValueError("beta: must lie in [0, 1)")
    if sigma < 0:
        raise ValueError("sigma: must be >= 0")
    if not Fraction(lr) * Fraction(h) < 2 * (1 + Fraction(beta)):
        raise ValueError("lr, h: lr * h must be < 2 (1 + beta), the stability edge")
    return h, lr, beta, sigma


def exact_stationary_variance(h: Any, lr: Any, beta: Any, sigma: Any) -> float:
    """Stationary Var(theta) of heavy ball with gradient noise on L = h theta^2 / 2, exactly.

    The iterates are the AR(2) process theta' = a1 theta + a2 theta_prev + e with a1 = 1 + beta -
    lr h, a2 = -beta, Var e = lr^2 sigma^2; the Yule-Walker equations g1 = a1 g0 + a2 g1,
    g2 = a1 g1 + a2 g0, g0 = a1 g1 + a2 g2 + Var e are solved in rational arithmetic on the float
    inputs, and the result is rounded once (scalars; the library's input rules).
    """
    h, lr, beta, sigma = (Fraction(v) for v in _stable_heavy_ball(h, lr, beta, sigma))
    a1, a2, s = 1 + beta - lr * h, -beta, (lr * sigma) ** 2
    # g1 = k g0 with k = a1 / (1 - a2); g2 = (a1 k + a2) g0; g0 (1 - a1 k - a2 (a1 k + a2)) = s
    k = a1 / (1 - a2)
    try:
        value = float(s / (1 - a1 * k - a2 * (a1 * k + a2)))
    except OverflowError:
        value = math.inf
    _finite_or_refuse(value, "sigma, lr, h", "the variance")
    return value


def lyapunov_variance(h: ArrayLike, lr: ArrayLike, beta: ArrayLike, sigma: ArrayLike):
    """The same variance by scipy.linalg.solve_discrete_lyapunov (the general tool a user would
    pick): Sigma = A Sigma A^T + Q for the companion state (theta_n, theta_{n-1}), A = [[1 + beta -
    lr h, -beta], [1, 0]], Q = diag(lr^2 sigma^2, 0); one solve per element, broadcast.

    The solver's error grows like the condition of the equation, about 1/(lr h (1 - beta)) and
    1/(1 - f) near the stability edge; supported: lr h >= 1e-8, f <= 1 - 1e-8 and sigma lr
    below 1e150, where it agrees with the exact value to about 1e-8 or better.
    """
    from scipy.linalg import solve_discrete_lyapunov

    from scispaces import _checks as c

    arrays = c.broadcast(
        h=c.real_array(h, "h"),
        lr=c.real_array(lr, "lr"),
        beta=c.real_array(beta, "beta"),
        sigma=c.real_array(sigma, "sigma"),
    )
    out = np.empty(arrays[0].shape)
    for i, (hi, li, bi, si) in enumerate(zip(*(a.ravel() for a in arrays), strict=True)):
        hi, li, bi, si = _stable_heavy_ball(hi, li, bi, si)
        step = li * hi  # finite: below 2 (1 + beta)
        if step < 1e-8 or step > (1 - 1e-8) * 2 * (1 + bi):
            raise ValueError("lr, h: lr * h must lie in [1e-8, (1 - 1e-8) 2 (1 + beta)]")
        if not li * si < 1e150:
            raise ValueError("sigma, lr: lr * sigma must be below 1e150")
        A = np.array([[1 + bi - step, -bi], [1.0, 0.0]])
        out.flat[i] = solve_discrete_lyapunov(A, np.diag([(li * si) ** 2, 0.0]))[0, 0]
    _finite_or_refuse(out, "sigma, lr, h", "the variance")
    return out


def torch_momentum_sgd(
    grad: Callable[[Any], Any],
    theta0: ArrayLike,
    lr: float,
    beta: float,
    steps: int,
    noise: float = 0.0,
    nesterov: bool = False,
    seed: int = 0,
) -> NDArray[np.float64]:
    """A Python loop of torch.optim.SGD steps on one float64 parameter tensor holding every path.

    ``grad`` takes and returns a torch tensor; the gradient noise is ``noise`` times the numbers
    scispaces.dynamics.momentum_sgd draws for ``seed`` (one block of theta0's size per step, from
    numpy.random.default_rng), so that the two compute the same run. Returns the last iterate.
    """
    import torch

    from scispaces import _checks as c

    c.function(grad, "grad")
    start = c.real_array(theta0, "theta0")
    lr, beta, noise = (
        c.real_scalar(v, n) for v, n in ((lr, "lr"), (beta, "beta"), (noise, "noise"))
    )
    if not isinstance(nesterov, bool):
        raise TypeError(f"nesterov: expected a bool, got {type(nesterov).__name__}")
    low = 0 < beta if nesterov else 0 <= beta  # torch's Nesterov needs a momentum
    for name, ok in (("lr", lr > 0), ("beta", low and beta <= 1), ("noise", noise >= 0)):
        if not ok:
            raise ValueError(f"{name}: need lr > 0, beta in [0, 1] (> 0 with Nesterov), noise >= 0")
    steps = c.count(steps, "steps", minimum=0)
    if steps > 100_000:
        raise ValueError("steps: at most 1e5 steps (a reference loop)")
    rng = np.random.default_rng(c.count(seed, "seed", minimum=0))
    param = torch.nn.Parameter(torch.tensor(start, dtype=torch.float64))
    optimizer = torch.optim.SGD([param], lr=lr, momentum=beta, nesterov=nesterov)
    for n in range(steps):
        with torch.no_grad():
            g = grad(param.detach())
            if n == 0 and not (isinstance(g, torch.Tensor) and g.shape == param.shape):
                raise TypeError(f"grad: must return a torch tensor of shape {tuple(param.shape)}")
            if noise > 0:
                g = g + noise * torch.from_numpy(rng.standard_normal(start.shape))
        param.grad = g.to(torch.float64)
        optimizer.step()
    out = param.detach().numpy().copy()
    if not np.isfinite(out).all():
        raise ValueError("lr, noise, grad: the iterates became NaN or inf")
    return out


def gibbs_mean(
    f: Callable[[NDArray[np.float64]], Any],
    potential: Callable[[NDArray[np.float64]], Any],
    temperature: Any,
    x: ArrayLike,
) -> float:
    """E f(theta) under the density proportional to exp(-potential / temperature) on the line.

    The trapezoidal rule on the uniform grid ``x`` (at least 3 points), which converges
    geometrically for a smooth density that is negligible at both ends; the caller's grid must
    cover the mass and resolve its narrowest peak.
    """
    from scispaces import _checks as c

    c.function(f, "f")
    c.function(potential, "potential")
    t = c.real_scalar(temperature, "temperature")
    if not t > 0:
        raise ValueError("temperature: must be > 0")
    grid = c.real_array(x, "x")
    if grid.ndim != 1 or grid.size < 3 or np.any(np.diff(grid) <= 0):
        raise ValueError("x: must be an increasing 1-D grid of at least 3 points")
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused just below
        energy, values = potential(grid), f(grid)
    for name, v in (("potential", energy), ("f", values)):
        if not np.isfinite(c.number_array(v, name)).all():
            raise ValueError(f"{name}, x: {name} is NaN or inf on the grid")
    energy, values = c.real_array(energy, "potential"), c.real_array(values, "f")
    if energy.shape != grid.shape or values.shape != grid.shape:
        raise ValueError("potential, f: must return one value per grid point")
    with np.errstate(over="ignore", under="ignore"):
        weight = np.exp(-(energy - energy.min()) / t)
        if weight[0] > 1e-16 * weight.max() or weight[-1] > 1e-16 * weight.max():
            raise ValueError("x, temperature: the density is not negligible at the grid's ends")
        mean = np.trapezoid(values * weight, grid) / np.trapezoid(weight, grid)
    _finite_or_refuse(mean, "f", "the mean")
    return float(mean)


# ------------------------------------------------------------------------------ linear_models
# Populations with a known Bayes rule for the closed-form classifier chapter, a 40-digit
# evaluation of the LDA formulas, generalised iterative scaling (the classical maximum-entropy
# solver) and a cross-validated logistic regression, shared by tests, chapter and benchmark.
# Each refuses input outside the range it is meant for, by name.

LDA_FAMILIES = ("gaussian", "exponential")
LDA_MAX_X = 1e100  # mp_lda and gis_fit: |x| and features up to this size
CV_MAX_X = 1e4  # logistic_cv: |x| up to this size (standardise larger data first)


def class_population(family: str, d: int, n_classes: int, seed: int = 0) -> dict[str, Any]:
    """A population of K classes in d dimensions whose Bayes rule is known in closed form.

    ``'gaussian'``: class means with independent N(0, 0.45^2) coordinates and one covariance
    shared by the classes, eigenvalues spaced geometrically from 1/4 to 4 in a random basis
    (LDA's model). ``'exponential'``: independent exponential coordinates with rates e^u per
    class and coordinate, u uniform in [-1.5, 1.5] for the first half of the coordinates and in
    [-0.2, 0.2] for the rest: skewed, with covariances that differ between classes, yet linear
    log-odds (logistic regression's model, not LDA's). Equal priors; d * max(d, K) <= 1e6.
    Returns a dict with ``family``, ``priors`` and ``means`` and ``cov``, or ``rates``.
    """
    from scispaces._checks import generator

    if not isinstance(family, str):
        raise TypeError(f"family: expected one of {LDA_FAMILIES}, got {type(family).__name__}")
    if family not in LDA_FAMILIES:
        raise ValueError(f"family: must be one of {LDA_FAMILIES}, got {family!r}")
    d, k = count(d, "d", 1), count(n_classes, "n_classes", 2)
    if d * max(d, k) > 10**6:
        raise ValueError("d, n_classes: d * max(d, n_classes) must be at most 1e6")
    rng = generator(seed)
    pop: dict[str, Any] = {"family": family, "priors": np.full(k, 1.0 / k)}
    if family == "gaussian":
        basis = np.linalg.qr(rng.standard_normal((d, d)))[0]
        pop["cov"] = (basis * np.geomspace(0.25, 4.0, d)) @ basis.T
        pop["means"] = 0.45 * rng.standard_normal((k, d))
    else:
        spread = np.where(np.arange(d) < d / 2, 1.5, 0.2)
        pop["rates"] = np.exp(rng.uniform(-1.0, 1.0, (k, d)) * spread)
    return pop


def _population(pop: Any) -> tuple[str, int, int]:
    """Check a population from :func:`class_population`: (family, d, K)."""
    keys = {"gaussian": ("means", "cov"), "exponential": ("rates",)}
    if not isinstance(pop, dict) or pop.get("family") not in keys:
        raise TypeError("pop: expected a population from class_population")
    if any(key not in pop for key in (*keys[pop["family"]], "priors")):
        raise TypeError(f"pop: a {pop['family']} population needs {keys[pop['family']]}, priors")
    first = real_array(pop[keys[pop["family"]][0]], "pop")
    priors = real_array(pop["priors"], "pop")
    if first.ndim != 2 or priors.shape != (first.shape[0],) or np.any(priors <= 0):
        raise ValueError("pop: means or rates of shape (K, d) and K positive priors")
    k, d = first.shape
    if pop["family"] == "gaussian" and real_array(pop["cov"], "pop").shape != (d, d):
        raise ValueError(f"pop: the covariance must have shape ({d}, {d})")
    if pop["family"] == "exponential" and np.any(first <= 0):
        raise ValueError("pop: the rates must be > 0")
    return pop["family"], d, k


def _class_labels(y: Any, n: int, k: int | None = None) -> NDArray[np.int64]:
    """``y`` as n integer labels in 0..k-1 (k given) or 0..K-1 with every class present."""
    from scispaces._checks import whole_array

    labels = whole_array(y, "y", 0, "each label")
    if labels.shape != (n,):
        raise ValueError(f"y: must hold {n} labels, one per row, got shape {labels.shape}")
    top = n - 1 if k is None else k - 1
    if labels.max() > top:
        raise ValueError(
            f"y: labels must lie in 0..{top}" + (" (every class present)" * (k is None))
        )
    labels = labels.astype(np.int64)
    if k is None and np.any(np.bincount(labels) == 0):
        raise ValueError("y: every class 0..K-1 must be present")
    return labels


def sample_population(
    pop: dict[str, Any], counts: ArrayLike, seed: int = 0
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """``counts[k]`` samples of each class k of ``pop``, in class order: (X, y); N d <= 1e8."""
    from scispaces._checks import generator, whole_array

    family, d, k = _population(pop)
    n = whole_array(counts, "counts", minimum=0, what="each count")
    if n.shape != (k,) or n.sum() > 10**8 / d:
        raise ValueError(f"counts: must be {k} whole numbers (one per class), sum * d <= 1e8")
    rng = generator(seed)
    y = np.repeat(np.arange(k), n.astype(np.int64))
    if family == "gaussian":
        L = np.linalg.cholesky(pop["cov"])
        X = pop["means"][y] + rng.standard_normal((y.size, d)) @ L.T
    else:
        X = rng.exponential(1.0 / pop["rates"][y])
    return X, y


def bayes_log_posterior(pop: dict[str, Any], X: ArrayLike) -> NDArray[np.float64]:
    """log p(k | x) under the true population: the Bayes rule the classifiers are judged against.

    Gaussian classes: x^T S^-1 mu_k - mu_k^T S^-1 mu_k / 2 + log p_k; exponential classes:
    sum_j (log r_kj - r_kj x_j) + log p_k; both normalised by log-sum-exp over k. ``|x| <= 1e8``.
    """
    family, d, k = _population(pop)
    X = real_array(X, "X")
    if X.ndim != 2 or X.shape[1] != d or np.abs(X).max(initial=0) > 1e8:
        raise ValueError(f"X: must have shape (N, {d}) and entries |x| <= 1e8")
    if family == "gaussian":
        W = np.linalg.solve(pop["cov"], pop["means"].T)
        logits = X @ W - 0.5 * np.einsum("kj,jk->k", pop["means"], W)
    else:
        if np.any(X < 0):
            raise ValueError("X: exponential classes live on x >= 0")
        rates = pop["rates"]
        logits = np.log(rates).sum(axis=1) - X @ rates.T
    logits = logits + np.log(pop["priors"])
    top = logits.max(axis=1, keepdims=True)
    return logits - top - np.log(np.exp(logits - top).sum(axis=1, keepdims=True))


def _unit_interval(x: Any) -> float:
    """``x`` as a float in [0, 1] (a shrinkage intensity), refused by name otherwise."""
    from scispaces._checks import real_scalar

    value = real_scalar(x, "shrinkage")
    if not 0 <= value <= 1:
        raise ValueError(f"shrinkage: must lie in [0, 1], got {value!r}")
    return value


def mp_lda(
    X: ArrayLike, y: ArrayLike, shrinkage: Any = None, covariance: str = "within", dps: int = 40
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The weights and intercepts of :func:`scispaces.linear_models.lda_fit`, evaluated in mpmath
    at ``dps`` digits from the same float data (means, scatter, Ledoit-Wolf intensity, shrinkage,
    the LU inverse), rounded once to float64. N d^2 <= 1e6, 20 <= dps <= 200, ``|x| <= 1e100``."""
    import mpmath

    X = real_array(X, "X")
    if X.ndim != 2 or 0 in X.shape or np.abs(X).max() > LDA_MAX_X:
        raise ValueError(f"X: must be a non-empty (N, d) array with |x| <= {LDA_MAX_X:g}")
    n, d = X.shape
    if n * d * d > 10**6:
        raise ValueError("X: the reference needs N d^2 <= 1e6")
    labels = _class_labels(y, n)
    k = int(labels.max()) + 1
    if not (shrinkage is None or (isinstance(shrinkage, str) and shrinkage == "ledoit-wolf")):
        shrinkage = _unit_interval(shrinkage)
    dps = count(dps, "dps", 20)
    if dps > 200 or covariance not in ("within", "total"):
        raise ValueError("dps, covariance: need 20 <= dps <= 200 and 'within' or 'total'")
    with mpmath.workdps(dps):
        rows = [[mpmath.mpf(float(v)) for v in row] for row in X]
        counts = np.bincount(labels).tolist()
        means = [
            [sum(rows[i][j] for i in range(n) if labels[i] == c) / counts[c] for j in range(d)]
            for c in range(k)
        ]
        centre = [sum(counts[c] * means[c][j] for c in range(k)) / n for j in range(d)]
        Z = [
            [
                rows[i][j] - (means[labels[i]][j] if covariance == "within" else centre[j])
                for j in range(d)
            ]
            for i in range(n)
        ]
        S = mpmath.matrix(d, d)
        for z in Z:
            for a in range(d):
                for b in range(a, d):
                    S[a, b] += z[a] * z[b]
        for a in range(d):
            for b in range(a, d):
                S[a, b] /= n
                S[b, a] = S[a, b]
        mu = sum(S[a, a] for a in range(d)) / d
        if shrinkage is None:
            alpha = mpmath.mpf(0)
        elif isinstance(shrinkage, str):  # Ledoit-Wolf's intensity for the target mu I
            frob = sum(S[a, b] ** 2 for a in range(d) for b in range(d))
            fourth = sum(sum(v * v for v in z) ** 2 for z in Z)
            delta = (frob - d * mu * mu) / d
            beta = max((fourth / n - frob) / (d * n), 0)
            alpha = min(beta, delta) / delta if delta > 0 else mpmath.mpf(0)
        else:
            alpha = mpmath.mpf(shrinkage)
        for a in range(d):
            for b in range(d):
                S[a, b] *= 1 - alpha
            S[a, a] += alpha * mu
        try:
            W = mpmath.inverse(S) * mpmath.matrix([list(m) for m in means]).T
        except ZeroDivisionError as exc:
            raise ValueError("X: the covariance is singular") from exc
        b = [
            mpmath.log(mpmath.mpf(counts[c]) / n) - sum(means[c][j] * W[j, c] for j in range(d)) / 2
            for c in range(k)
        ]
        return (
            np.array([[float(W[j, c]) for c in range(k)] for j in range(d)]),
            np.array([float(v) for v in b]),
        )


def gis_fit(
    F: ArrayLike, y: ArrayLike, tol: float = 1e-10, max_iter: int = 100_000
) -> tuple[NDArray[np.float64], int, float]:
    """Generalised iterative scaling (Darroch and Ratcliff 1972) for the conditional
    maximum-entropy model of :func:`scispaces.linear_models.maxent_fit` with l2 = 0.

    The features must lie in [0, 1e100]; a slack feature C - sum_j f_j (C the largest sum)
    makes every sum equal C, and each step is lambda_j += log(tau_j / E_lambda f_j) / C, every
    empirical expectation tau_j > 0. Stops when ``max_j |E_lambda f_j - tau_j| <= tol`` over
    the original features (the slack's constraint follows from theirs) or after ``max_iter``
    (at most 1e7) steps. Returns (weights of the original features, steps, residual).
    """
    from scispaces._checks import real_scalar

    F = real_array(F, "F")
    if F.ndim != 3 or 0 in F.shape:
        raise ValueError("F: must be a non-empty array of shape (N, K, m)")
    if np.any(F < 0) or F.max() > LDA_MAX_X:
        raise ValueError(f"F: generalised iterative scaling needs features in [0, {LDA_MAX_X:g}]")
    n, k, m = F.shape
    labels = _class_labels(y, n, k)
    tol = real_scalar(tol, "tol")
    if not tol > 0:
        raise ValueError("tol: must be > 0")
    max_iter = count(max_iter, "max_iter", 1)
    if max_iter > 10**7:
        raise ValueError("max_iter: at most 1e7")
    sums = F.sum(axis=2)
    C = sums.max()
    Fs = np.concatenate([F, (C - sums)[:, :, None]], axis=2)
    if np.all(Fs[:, :, m] == 0):
        Fs = F  # every sum is already C
    tau = Fs[np.arange(n), labels].mean(axis=0)
    if C <= 0 or np.any(tau <= 0):
        raise ValueError("F: every feature (and the slack) must fire on some observed (x_i, y_i)")
    flat = Fs.reshape(-1, Fs.shape[2])
    w = np.zeros(Fs.shape[2])
    for steps in range(max_iter + 1):
        logits = (flat @ w).reshape(n, k)
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        expect = np.einsum("ik,ikj->j", p, Fs) / n
        residual = float(np.abs(expect[:m] - tau[:m]).max())
        if residual <= tol or steps == max_iter:
            break
        w += np.log(tau / expect) / C
    weights = w[:m] - (w[m] if Fs.shape[2] > m else 0.0)
    return weights, steps, residual


def logistic_cv(
    X: ArrayLike,
    y: ArrayLike,
    n_classes: int,
    l2_grid: ArrayLike = (1e-3, 1e-2, 1e-1, 1.0),
    folds: int = 3,
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """Multinomial logistic regression, penalty ``l2/2 |(w, b)|^2`` on all K (d + 1) weights, with
    l2 chosen from ``l2_grid`` (values in [1e-8, 1e8]) by ``folds``-fold cross-validated
    log-loss (fold f: the samples i with i mod folds = f, so stratified when y is sorted; ties go
    to the larger l2; each fold walks the grid from the largest l2 down, warm-started), then
    refitted on all data by
    :func:`scispaces.linear_models.maxent_fit` (Newton, residual 1e-9). ``|x| <= 1e4``.
    Returns (W of shape (d, K), b, the chosen l2)."""
    from scispaces.linear_models import class_features, maxent_fit

    X = real_array(X, "X")
    if X.ndim != 2 or 0 in X.shape or np.abs(X).max() > CV_MAX_X:
        raise ValueError(f"X: must be a non-empty (N, d) array with |x| <= {CV_MAX_X:g}")
    k = count(n_classes, "n_classes", 2)
    labels = _class_labels(y, X.shape[0], k)
    grid = np.sort(real_array(l2_grid, "l2_grid").ravel())[::-1]
    if grid.size == 0 or np.any(grid < 1e-8) or np.any(grid > 1e8):
        raise ValueError("l2_grid: must hold values in [1e-8, 1e8]")
    folds = count(folds, "folds", 2)
    n = X.shape[0]
    if folds > n:
        raise ValueError(f"folds: at most N = {n}")
    F = class_features(X, k)
    loss = np.zeros(grid.size)
    for f in range(folds):
        test = np.arange(n) % folds == f
        w = None
        for j, l2 in enumerate(grid):  # from the largest l2 down, each fit starts at the last
            w = maxent_fit(F[~test], labels[~test], l2=l2, tol=1e-9, start=w).weights
            logits = F[test] @ w
            top = logits.max(axis=1)
            lse = top + np.log(np.exp(logits - top[:, None]).sum(axis=1))
            loss[j] += np.sum(lse - logits[np.arange(test.sum()), labels[test]])
    best = float(grid[int(np.argmin(loss))])
    w = maxent_fit(F, labels, l2=best, tol=1e-9).weights.reshape(k, -1)
    return w[:, :-1].T, w[:, -1], best


# ------------------------------------------------------------------------------ simplex
# Exact and high-precision values of scispaces.simplex along the last axis of float inputs,
# the post's reference code (kexue.fm/archives/10145 and 9085) as baselines, and the ulp measure.


def _simplex_rows(x: ArrayLike, name: str = "x") -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``x`` checked (finite reals, a non-empty last axis) and its rows (m, n)."""
    arr = real_array(x, name)
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise ValueError(f"{name}: must be an array with a non-empty last axis")
    return arr, arr.reshape(-1, arr.shape[-1])


def _simplex_digits(dps: Any) -> int:
    """mpmath's working precision: a whole number of digits in [20, 1000] (a float64 needs 17)."""
    dps = count(dps, "dps", minimum=20)
    if dps > 1000:
        raise ValueError(f"dps: must lie in [20, 1000], got {dps}")
    return dps


def _mpf(v: Any) -> Any:
    """A Fraction, float or mpf as an mpf at the working precision."""
    import mpmath

    if isinstance(v, Fraction):
        return mpmath.mpf(v.numerator) / v.denominator
    return mpmath.mpf(v)


def exact_sparsemax(x: ArrayLike) -> NDArray[np.object_]:
    """sparsemax along the last axis, in exact rational arithmetic (``Fraction`` entries).

    The support is the largest k with 1 + k z_(k) > z_(1) + ... + z_(k) (z sorted descending),
    and tau = (z_(1) + ... + z_(k) - 1) / k; every float is a rational, so this is exact.
    """
    arr, rows = _simplex_rows(x)
    out = np.empty(rows.shape, dtype=object)
    for r, row in enumerate(rows.tolist()):
        z = [Fraction(v) for v in row]
        total, best, k = Fraction(0), Fraction(0), 0
        top = max(z)
        near = [v for v in z if v >= top - 1]  # tau >= max - 1: the others are out
        for j, v in enumerate(sorted(near, reverse=True), start=1):
            total += v
            if 1 + j * v > total:
                best, k = total, j
        tau = (best - 1) / k
        out[r] = [max(v - tau, Fraction(0)) for v in z]
    return out.reshape(arr.shape)


def exact_entmax15(x: ArrayLike, dps: int = 50) -> NDArray[np.object_]:
    """entmax-1.5 along the last axis: the support decided and the mean and variance of the
    support taken in exact rationals, tau = mean - sqrt(1/k - variance) by mpmath at ``dps``
    digits (``mpf`` entries, p_i = relu(x_i / 2 - tau)^2).

    The support is the largest k with sum_{i<k} (z_(i) - z_(k))^2 < 1, z = x / 2, from exact
    prefix sums.
    """
    import mpmath

    arr, rows = _simplex_rows(x)
    dps = _simplex_digits(dps)
    out = np.empty(rows.shape, dtype=object)
    for r, row in enumerate(rows.tolist()):
        z = [Fraction(v) / 2 for v in row]
        s1 = s2 = Fraction(0)
        k = 0
        top = max(z)
        near = [v for v in z if v >= top - 1]  # tau >= max - 1: the others are out
        for j, v in enumerate(sorted(near, reverse=True), start=1):
            if s2 - 2 * v * s1 + (j - 1) * v * v < 1:
                k, m1, m2 = j, s1 + v, s2 + v * v
            s1, s2 = s1 + v, s2 + v * v
        mean = m1 / k
        spread = Fraction(1, k) - (m2 / k - mean * mean)
        with mpmath.workdps(dps):  # z_i - tau = (z_i - mean) + sqrt(spread): exact, then rounded
            root = mpmath.sqrt(_mpf(spread))
            out[r] = [max(_mpf(v - mean) + root, mpmath.mpf(0)) ** 2 for v in z]
    return out.reshape(arr.shape)


def mp_entmax(x: ArrayLike, alpha: float, dps: int = 50) -> NDArray[np.object_]:
    """entmax-alpha along the last axis by bisection in mpmath (``mpf`` entries, ``dps`` digits).

    p_i = relu((alpha - 1) x_i - tau)^(1/(alpha - 1)) with tau in [z_max - 1, z_max - n^(1-alpha)]
    halved to within 10^-(dps + 10) of the truth; alpha = 1 is softmax. A member of the support
    with probability q lies q^(alpha - 1) above tau, so the bisection works with dps + 10 +
    16 (alpha - 1) digits: q down to 1e-16 keeps dps digits. The float alpha is taken exactly;
    alpha lies in [1, 64].
    """
    import mpmath

    from scispaces._checks import real_scalar

    arr, rows = _simplex_rows(x)
    alpha = real_scalar(alpha, "alpha")
    if not 1 <= alpha <= 64:
        raise ValueError(f"alpha: must lie in [1, 64], got {alpha!r}")
    dps = _simplex_digits(dps)
    work = dps + 10 + math.ceil(16 * (alpha - 1))
    out = np.empty(rows.shape, dtype=object)
    with mpmath.workdps(work):
        a = mpmath.mpf(alpha)
        for r, row in enumerate(rows.tolist()):
            v = [mpmath.mpf(u) for u in row]
            top = max(v)
            if alpha == 1:
                w = [mpmath.exp(u - top) for u in v]
                out[r] = [u / mpmath.fsum(w) for u in w]
                continue
            z = [(a - 1) * (u - top) for u in v]  # shifted first: exact to the precision
            near = [u for u in z if u >= -1]  # tau >= max z - 1 = -1: the others are out
            power = 1 / (a - 1)
            low, high = mpmath.mpf(-1), -(mpmath.mpf(len(near)) ** (1 - a))
            tol = mpmath.mpf(10) ** (10 - work)
            while high - low > tol:
                mid = (low + high) / 2
                if mpmath.fsum(max(u - mid, 0) ** power for u in near) >= 1:
                    low = mid
                else:
                    high = mid
            p = [max(u - low, 0) ** power for u in z]
            out[r] = [u / mpmath.fsum(p) for u in p]
    return out.reshape(arr.shape)


def exact_sparsemax_loss(x: ArrayLike, target: ArrayLike) -> NDArray[np.object_] | Fraction:
    """The sparsemax loss 1/2 - x_t + sum_{i in S} (x_i^2 - tau^2) / 2 (the post's form) in exact
    rationals, one per row of ``x`` (last axis), ``target`` the class index of each row."""
    from scispaces._checks import whole_array

    arr, rows = _simplex_rows(x)
    labels = whole_array(target, "target", what="a class index")
    if np.any(labels >= arr.shape[-1]):
        raise ValueError(f"target: a class index must be below {arr.shape[-1]}")
    try:
        labels = np.broadcast_to(labels, arr.shape[:-1]).ravel()
    except ValueError as exc:
        raise ValueError(
            f"target: shape {labels.shape} does not match x's rows {arr.shape[:-1]}"
        ) from exc
    p = exact_sparsemax(rows)
    out = np.empty(len(rows), dtype=object)
    for r, (row, t) in enumerate(zip(rows.tolist(), labels.tolist(), strict=True)):
        z = [Fraction(v) for v in row]
        support = [i for i, q in enumerate(p[r]) if q > 0]
        tau = z[support[0]] - p[r][support[0]]
        out[r] = Fraction(1, 2) - z[int(t)] + sum(z[i] ** 2 - tau**2 for i in support) / 2
    return out[0] if arr.ndim == 1 else out.reshape(arr.shape[:-1])


_PERTURB_LAWS = ("gumbel", "normal", "logistic", "uniform")


def mp_perturbmax(mu: ArrayLike, noise: str, dps: int = 30) -> NDArray[np.float64]:
    """P(argmax(mu + eps) = i) for i.i.d. noise, along the last axis, by mpmath quadrature.

    p_i = int f(t - mu_i) prod_{j != i} F(t - mu_j) dt with the standard law of ``noise``
    (Gumbel, normal, logistic, uniform on [0, 1]), split at every mu_j and mu_j + 1 (where the
    uniform integrand has kinks); rounded to float64. At most 32 entries per row.
    """
    import mpmath

    arr, rows = _simplex_rows(mu, "mu")
    if not isinstance(noise, str):
        raise TypeError(f"noise: expected a string, got {type(noise).__name__}")
    if noise not in _PERTURB_LAWS:
        raise ValueError(f"noise: must be one of {', '.join(_PERTURB_LAWS)}, got {noise!r}")
    if rows.shape[1] > 32:
        raise ValueError(f"mu: at most 32 entries per row, got {rows.shape[1]}")
    dps = _simplex_digits(dps)
    out = np.empty(rows.shape)
    with mpmath.workdps(dps):
        laws = {
            "gumbel": (
                lambda t: mpmath.exp(-mpmath.exp(-t)),
                lambda t: mpmath.exp(-t - mpmath.exp(-t)),
            ),
            "normal": (mpmath.ncdf, mpmath.npdf),
            "logistic": (
                lambda t: 1 / (1 + mpmath.exp(-t)),
                lambda t: 1 / (4 * mpmath.cosh(t / 2) ** 2),
            ),
            "uniform": (
                lambda t: min(max(t, mpmath.mpf(0)), mpmath.mpf(1)),
                lambda t: mpmath.mpf(1) if 0 <= t <= 1 else mpmath.mpf(0),
            ),
        }
        F, f = laws[noise]
        for r, row in enumerate(rows.tolist()):
            # shifted to max 0; an entry far below (uniform: 1 below, else 200, where F = 1 and
            # f = 0 to 1e-80 on the others' range) is held there: the same probabilities
            floor = -2 if noise == "uniform" else -200
            m = [max(mpmath.mpf(v) - max(row), floor) for v in row]
            cuts = sorted(set(m) | {v + 1 for v in m})
            # uniform: the integrand lives on [min mu, max mu + 1]; Gumbel: below min mu - 10
            # every integrand is under e^(-e^10) (and mpmath would chase e^(-e^(-t)) for ever)
            lo = {"uniform": cuts[0], "gumbel": cuts[0] - 10}.get(noise, -mpmath.inf)
            hi = cuts[-1] if noise == "uniform" else mpmath.inf
            points = [lo, *[c for c in cuts if lo < c < hi], hi]
            for i, mi in enumerate(m):
                others = [v for j, v in enumerate(m) if j != i]

                def integrand(t: Any, mi: Any = mi, others: list = others) -> Any:
                    return f(t - mi) * mpmath.fprod(F(t - v) for v in others)

                out[r, i] = float(mpmath.quad(integrand, points))
    return out.reshape(arr.shape)


def ulp_errors(got: ArrayLike, exact: Any) -> NDArray[np.float64]:
    """``|got - exact|`` in units of the spacing of floats at the exact value (its ulp), elementwise.

    ``exact`` holds Fractions, mpf or floats (as from :func:`exact_sparsemax`); an exact 0 counts
    0 when ``got`` is 0 and inf otherwise.
    """
    import mpmath

    got = real_array(got, "got")
    want = np.asarray(exact, dtype=object)
    if want.shape != got.shape:
        raise ValueError(f"got, exact: shapes {got.shape} and {want.shape} differ")
    out = np.empty(got.shape)
    with mpmath.workdps(60):
        for i, (g, w) in enumerate(zip(got.ravel().tolist(), want.ravel().tolist(), strict=True)):
            if isinstance(w, bool) or not isinstance(w, numbers.Real | mpmath.mpf):
                raise TypeError(f"exact: expected real numbers, got {type(w).__name__}")
            w = _mpf(w)
            if not mpmath.isfinite(w):
                raise ValueError("exact: must be finite")
            if w == 0:
                out.flat[i] = 0.0 if g == 0 else math.inf
            else:
                out.flat[i] = float(abs(mpmath.mpf(g) - w) / np.spacing(abs(float(w))))
    return out


def _vector(x: ArrayLike, name: str = "x") -> NDArray[np.float64]:
    """One non-empty vector of scores up to 1e15 in size: the post's code sums the scores
    without shifting by the maximum, so its error grows like 1e-16 times the largest, and
    beyond 2^53 (9e15) max - 1 rounds to max and sparsemax returns zeros."""
    arr = real_array(x, name)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"{name}: the post's code takes one non-empty vector, got shape {arr.shape}"
        )
    if np.abs(arr).max() > 1e15:
        raise ValueError(f"{name}: the post's code is run on scores up to 1e15 in size")
    return arr


def post_sparsemax(x: ArrayLike) -> NDArray[np.float64]:
    """The post's NumPy sparsemax (kexue.fm/archives/10145), transcribed: one vector.

    It sorts, forms (cumsum - 1)/k, and takes the entry before the first k where the sorted
    value falls below it; at full support that index is -1, the last entry, by wrap-around.
    """
    x = _vector(x)
    z = np.sort(x)[::-1]
    lam = (np.cumsum(z) - 1) / np.arange(1, len(x) + 1)
    return np.maximum(x - lam[(z >= lam).argmin() - 1], 0)


def post_entmax15(x: ArrayLike) -> NDArray[np.float64]:
    """The post's NumPy entmax-1.5 (there named ``entmat``), transcribed: one vector.

    It keeps the k with z_(k) > tau_k > z_(k+1), both strict; when a tie makes that set empty
    the post's code fails with NumPy's broadcast error, reported here as a ValueError naming x.
    """
    x = _vector(x)
    z = np.sort(x / 2)[::-1]
    k = np.arange(1, len(x) + 1)
    mean = np.cumsum(z) / k
    var = np.cumsum(z**2) / k - mean**2
    tau = mean - np.sqrt(np.maximum(1.0 / k - var, 0))
    below = np.pad(z[1:], (0, 1), constant_values=-np.inf)
    chosen = tau[(z > tau) & (tau > below)]
    if chosen.size != 1:
        raise ValueError(
            f"x: the post's entmax code selects {chosen.size} thresholds, not one (a tie)"
        )
    return np.maximum(x / 2 - chosen, 0) ** 2


def post_quantile_perturbmax(mu: ArrayLike, nodes: int) -> NDArray[np.float64]:
    """The post's rule for normal perturb-max (kexue.fm/archives/9085): the mean over the K
    quantiles eps_k = Phi^-1(k/(K+1)) of prod_{j != i} Phi(mu_i - mu_j + eps_k); one vector.

    It is not renormalised, as in the post: its total falls short of 1 (the tails are cut).
    """
    from scipy import special

    mu = _vector(mu, "mu")
    K = count(nodes, "nodes", minimum=1)
    if K > 10**6:
        raise ValueError(f"nodes: at most 1e6 quantile nodes, got {K}")
    eps = special.ndtri(np.arange(1, K + 1) / (K + 1))
    gaps = mu[:, None] - mu[None, :]
    F = special.ndtr(gaps[:, :, None] + eps)  # (i, j, k)
    F[np.arange(len(mu)), np.arange(len(mu))] = 1.0
    return F.prod(axis=1).mean(axis=1)


# ------------------------------------------------------------------------------ smoothing
# Oracles for scispaces.smoothing: the convolution by scipy.integrate.quad on the kernel's own
# terms (split where f breaks), the closed forms from their definitions in mpmath, and the
# Fourier density's pdf, log-pdf and CDF in mpmath, the CDF by quadrature of the density.

SMOOTHING_KERNELS = ("gaussian", "logistic", "cauchy")
_SMOOTHING_DPS = 100  # the smoothing oracles' largest precision: seconds per call beyond


def _smoothing_dps(dps: Any) -> int:
    if count(dps, "dps", minimum=20) > _SMOOTHING_DPS:
        raise ValueError(f"dps: at most {_SMOOTHING_DPS} digits, got {dps}")
    return int(dps)


def _smoothing_kernel(kernel: Any) -> str:
    if not isinstance(kernel, str):
        raise TypeError(f"kernel: expected a kernel name, got {type(kernel).__name__}")
    if kernel not in SMOOTHING_KERNELS:
        raise ValueError(f"kernel: must be one of {', '.join(SMOOTHING_KERNELS)}, got {kernel!r}")
    return kernel


def _shifted(x: float, w: float, t: float) -> float:
    """x - w t, +-inf where it leaves the float range (the kernel there is negligible)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.float64(x) - np.float64(w) * np.float64(t))


def _kernel_density(kernel: str, t: float) -> float:
    """The standard kernel's density at t, in floats (for quad)."""
    if kernel == "gaussian":
        return math.exp(-t * t / 2) / math.sqrt(2 * math.pi)
    if kernel == "logistic":
        e = math.exp(-abs(t))
        return e / (1 + e) ** 2
    return 1 / (math.pi * (1 + t * t))


def quad_convolution(
    f: Callable[[float], float],
    x: ArrayLike,
    width: Any,
    kernel: str,
    breaks: ArrayLike = (),
) -> NDArray[np.float64]:
    """``int f(y) phi_w(x - y) dy`` for each x by ``scipy.integrate.quad`` (QUADPACK), in the
    kernel's variable t = (x - y)/w, split at 0 and at the breaks of f within ``|t| <= 1e4``, with
    relative tolerance 1e-12; 0 < width <= 1e6.

    ``f`` takes and returns one float. Refuses a divergent integral: QUADPACK's warning (an
    integrand it cannot integrate) becomes a ValueError naming f and the kernel.
    """
    import warnings

    from scipy import integrate

    function(f, "f")
    kernel = _smoothing_kernel(kernel)
    xs = real_array(x, "x")
    w = real_array(width, "width")
    if w.ndim != 0 or not 0 < w <= 1e6:
        raise ValueError("width: must be one number in (0, 1e6]")
    w = float(w)

    def value(y: float) -> float:
        v = f(y)
        if v is None or isinstance(v, str | bytes) or np.iscomplexobj(v):
            raise TypeError(f"f: must return one real number, got {type(v).__name__}")
        v = np.asarray(v, dtype=float)
        if v.shape != ():
            raise ValueError(f"f: must return one number, got shape {v.shape}")
        if not np.isfinite(v):
            raise ValueError(f"f: returned {float(v)} at y = {y!r}")
        return float(v)

    cuts = real_array(breaks, "breaks").ravel()
    out = []
    for xv in xs.ravel():
        with np.errstate(over="ignore"):
            t = (xv - cuts) / w
        inner = t[np.abs(t) <= 1e4]  # farther breaks only split a tail QUADPACK handles whole
        points = [-np.inf, *sorted({0.0, *inner.tolist()}), np.inf]
        total = 0.0
        for lo, hi in zip(points[:-1], points[1:], strict=True):
            if lo == hi:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("error", integrate.IntegrationWarning)
                try:
                    piece, _ = integrate.quad(
                        lambda t, xv=xv: value(_shifted(xv, w, t)) * _kernel_density(kernel, t),
                        lo,
                        hi,
                        epsabs=0.0,
                        epsrel=1e-12,
                        limit=500,
                    )
                except integrate.IntegrationWarning as exc:
                    raise ValueError(
                        f"f, kernel: quad cannot integrate f against it ({exc})"
                    ) from exc
            total += piece
        out.append(total)
    return np.array(out, dtype=np.float64).reshape(xs.shape)


def _mp_kernel_cdf(kernel: str, z: Any) -> Any:
    import mpmath

    if kernel == "gaussian":
        return mpmath.ncdf(z)
    if kernel == "logistic":
        return 1 / (1 + mpmath.exp(-z))
    return mpmath.mpf(1) / 2 + mpmath.atan(z) / mpmath.pi


def mp_smoothed(
    name: str,
    x: ArrayLike,
    width: ArrayLike,
    kernel: str,
    lo: int = -6,
    hi: int = 10,
    dps: int = 40,
) -> NDArray[np.float64]:
    """The closed forms of the smoothed ReLU, step and clipped floor in mpmath at ``dps`` digits,
    from their definitions: ReLU ``w (phi(z) + z Phi(z))`` (Gaussian) or ``w log(1 + e^z)``
    (logistic); step ``Phi(z)``; floor ``lo + sum_{lo < n <= hi} Phi((x - n)/w)``; z = x/w, with
    x and width broadcast. A Gaussian tail beyond z = -40 is below the float range: 0."""
    import mpmath

    if name not in ("relu", "step", "floor"):
        raise ValueError(f"name: must be 'relu', 'step' or 'floor', got {name!r}")
    kernel = _smoothing_kernel(kernel)
    if name == "relu" and kernel == "cauchy":
        raise ValueError("kernel: the Cauchy kernel's convolution with ReLU diverges")
    xs, ws = broadcast(x=real_array(x, "x"), width=real_array(width, "width"))
    if np.any(ws <= 0):
        raise ValueError("width: must be > 0")
    lo, hi = count(lo, "lo", minimum=-(2**53)), count(hi, "hi", minimum=-(2**53))
    if name == "floor" and not 0 < hi - lo <= 10_000:
        raise ValueError("lo, hi: hi must exceed lo by 1 to 10 000")
    out = []
    with mpmath.workdps(_smoothing_dps(dps)):
        for xv, wv in zip(xs.ravel(), ws.ravel(), strict=True):
            xm, wm = mpmath.mpf(float(xv)), mpmath.mpf(float(wv))
            z = xm / wm
            if kernel == "gaussian" and name != "floor" and z < -40:
                value = 0
            elif name == "relu" and kernel == "gaussian":
                value = wm * (mpmath.npdf(z) + z * mpmath.ncdf(z))
            elif name == "relu":
                value = wm * mpmath.log1p(mpmath.exp(z))
            elif name == "step":
                value = _mp_kernel_cdf(kernel, z)
            else:
                low = -50 if kernel == "gaussian" else -mpmath.inf  # ncdf(-50) < 1e-540
                value = lo + mpmath.fsum(
                    _mp_kernel_cdf(kernel, max((xm - n) / wm, low)) for n in range(lo + 1, hi + 1)
                )
            out.append(float(value))
    return np.array(out, dtype=np.float64).reshape(xs.shape)


def mp_fourier(
    name: str, y: ArrayLike, a: ArrayLike, mu: Any = 0.0, sigma: Any = 1.0, dps: int = 30
) -> NDArray[np.float64]:
    """The Fourier-series density (``name`` = 'pdf', 'logpdf' or 'cdf') in mpmath at ``dps``
    digits, from the definition ``q(y) = sech^2(z) |sum_k a_k e^{-i pi k x}|^2 / (2 sigma sum|a_k|^2)``,
    ``x = tanh z``, ``z = (y - mu)/sigma``; the CDF by ``mpmath.quad`` of the density in x over
    ``[-1, tanh z]`` (not by the closed form it checks), in the variable ``1 + x``."""
    import mpmath

    if name not in ("pdf", "logpdf", "cdf"):
        raise ValueError(f"name: must be 'pdf', 'logpdf' or 'cdf', got {name!r}")
    ys = real_array(y, "y")
    coef = number_array(a, "a").astype(np.complex128)
    if coef.ndim != 1 or coef.size == 0 or not np.isfinite(coef).all() or not np.any(coef):
        raise ValueError("a: must be a non-empty 1-d array of finite numbers, not all zero")
    m, s = real_array(mu, "mu"), real_array(sigma, "sigma")
    if m.ndim != 0 or s.ndim != 0 or not s > 0:
        raise ValueError("mu, sigma: must be single numbers with sigma > 0")
    out = []
    with mpmath.workdps(_smoothing_dps(dps)):
        ak = [mpmath.mpc(complex(v)) for v in coef]
        norm = 2 * mpmath.fsum(abs(v) ** 2 for v in ak)
        sm = mpmath.mpf(float(s))

        def p(x):
            series = mpmath.fsum(v * mpmath.expj(-mpmath.pi * k * x) for k, v in enumerate(ak))
            return abs(series) ** 2 / norm

        for yv in ys.ravel():
            z = (mpmath.mpf(float(yv)) - mpmath.mpf(float(m))) / sm
            x = mpmath.tanh(z)
            if name == "cdf":  # over [0, s], s = 1 + x = 2/(1 + e^{-2z}): no cancellation
                value = mpmath.quad(lambda t: p(t - 1), [0, 2 / (1 + mpmath.exp(-2 * z))])
            else:
                value = mpmath.sech(z) ** 2 / sm * p(x)
                value = mpmath.log(value) if name == "logpdf" else value
            out.append(float(value))
    return np.array(out, dtype=np.float64).reshape(ys.shape)
