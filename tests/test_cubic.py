"""Tests of scispaces.cubic: all roots of a real cubic a x^3 + b x^2 + c x + d = 0."""

from __future__ import annotations

import math
import warnings

import mpmath as mp
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from scispaces.cubic import solve_cubic
from scispaces.reference import (
    EPS,
    companion_eigvals,
    cubic_contract_errors,
    exact_m_n,
    matched_root_errors,
    mp_cubic_roots,
)

# mpmath's precision is relative to the largest root: roots from 1e-300 to 1e300 need ~700 digits
EXTREME = {"dps": 700, "extraprec": 1400, "maxsteps": 400}


# =========================================================================== helpers


def root_errors(roots, coefficients, **options) -> np.ndarray:
    """Relative error of each exact root of one cubic against the nearest unused found root."""
    return matched_root_errors([roots], mp_cubic_roots(coefficients, **options))[0]


def root_tolerance(abcd, x: complex, rel: float) -> float:
    """How far a root x can move when the coefficients move by ``rel`` relatively: the first-order
    displacement for a simple root, or that of a double or triple root, whichever is smallest.
    """
    a, b, c, d = abcd
    ax = abs(x)
    delta = rel * (abs(a) * ax**3 + abs(b) * ax**2 + abs(c) * ax + abs(d))
    f1 = abs(3 * a * x**2 + 2 * b * x + c)
    f2 = abs(3 * a * x + b)
    bounds = [(delta / abs(a)) ** (1 / 3)]
    if f1 > 0:
        bounds.append(delta / f1)
    if f2 > 0:
        bounds.append(math.sqrt(delta / f2))
    return min(bounds)


def assert_structure(roots: np.ndarray) -> None:
    """Real roots (imag exactly 0) first, ascending; then at most one pair z, conj(z), Im z > 0."""
    assert roots.shape[-1] == 3
    for row in roots.reshape(-1, 3):
        real = row.imag == 0
        n_real = int(real.sum())
        assert n_real in (1, 3), row
        if n_real == 3:
            assert np.all(np.diff(row.real) >= 0), row
        else:
            assert real[0], row
            assert row[1].imag > 0, row
            assert row[2] == np.conj(row[1]), row  # exactly
            assert row[2].real == row[1].real and row[2].imag == -row[1].imag, row


def assert_no_negative_zero(roots: np.ndarray) -> None:
    parts = np.concatenate([roots.real.ravel(), roots.imag.ravel()])
    zeros = parts[parts == 0]
    assert not np.any(np.signbit(zeros)), roots


# =========================================================================== hand cases

# The post's notation: x^3 + a x^2 + b x = c, that is solve_cubic(1, a, b, -c).
# Relative error of every root against mpmath.polyroots at 50 digits: the largest measured over
# these cases is 4.4e-16 (two ulps at 2, for x = 2 in (x - 1)(x - 2)(x - 3), whose middle root
# comes from the deflated quadratic, not from Newton); the bound is 1e-15.
HAND_RTOL = 1e-15


@pytest.mark.parametrize(
    ("post", "n_real", "approx"),
    [
        ((0, 3, 1), 1, [0.32218535]),  # m > 0: sinh branch
        ((0, -3, 5), 1, [2.27901879]),  # m < 0, |p| > 2: cosh branch
        ((0, -3, -5), 1, [-2.27901879]),
        ((0, -3, 1), 3, [-1.53208889, -0.34729636, 1.87938524]),  # |p| < 2: cosine branch
        ((0, -3, 2), 3, [-1, -1, 2]),  # |p| = 2: double root
        ((0, 0, 8), 1, [2]),  # m = 0: cube root
        ((-6, 11, 6), 3, [1, 2, 3]),
    ],
)
def test_hand_cases_from_the_post(post, n_real, approx):
    a, b, c = post
    coefficients = (1, a, b, -c)
    roots = solve_cubic(*coefficients)
    assert roots.shape == (3,)
    assert roots.dtype == np.complex128
    assert_structure(roots)
    assert int(np.sum(roots.imag == 0)) == n_real
    np.testing.assert_allclose(roots.real[:n_real], approx, rtol=0, atol=5e-9)
    assert np.all(root_errors(roots, coefficients) <= HAND_RTOL)


def test_m_zero_pair_is_minus_one_plus_minus_i_sqrt3():
    roots = solve_cubic(1, 0, 0, -8)
    assert roots[0] == 2
    assert roots[1] == pytest.approx(complex(-1, math.sqrt(3)), rel=2 * EPS, abs=0)
    assert roots[2] == np.conj(roots[1])


def test_double_root_at_abs_p_2_is_exact():
    assert solve_cubic(1, 0, -3, -2).tolist() == [-1, -1, 2]
    assert solve_cubic(1, 0, -3, 2).tolist() == [-2, 1, 1]
    assert solve_cubic(1, 3, 0, -4).tolist() == [-2, -2, 1]  # (x + 2)^2 (x - 1)


# =========================================================================== every case class


@pytest.mark.parametrize(
    ("coefficients", "expected"),
    [
        # three distinct real roots, with and without the x^2 term
        ((1, -6, 11, -6), [1, 2, 3]),
        ((1, 0, -1, 0), [-1, 0, 1]),
        ((-1, 0, 3, 0), [-math.sqrt(3), 0, math.sqrt(3)]),
        # one real root, m > 0 (P > 0)
        ((1, -1, 1, -1), [1, 1j, -1j]),
        ((-2, 0, -2, 0), [0, 1j, -1j]),
        # one real root, m < 0 with |p| > 2
        ((1, -4, 1, -4), [4, 1j, -1j]),
        # m = 0 (P = 0) with Q != 0, shifted: (x - 1)^3 = 8
        ((1, -3, 3, -9), [3, math.sqrt(3) * 1j, -math.sqrt(3) * 1j]),
        # double root, |p| = 2
        ((1, 0, -3, -2), [-1, -1, 2]),
        # triple root
        ((1, -6, 12, -8), [2, 2, 2]),
        # p = 0 with P > 0: x^3 + 3x = 0
        ((1, 0, 3, 0), [0, math.sqrt(3) * 1j, -math.sqrt(3) * 1j]),
        # b = c = d = 0
        ((1, 0, 0, 0), [0, 0, 0]),
        ((-3.5, 0, 0, 0), [0, 0, 0]),
        # x^2 (x + 1), x^2 (x - 1)
        ((1, 1, 0, 0), [-1, 0, 0]),
        ((1, -1, 0, 0), [0, 0, 1]),
    ],
)
def test_case_classes(coefficients, expected):
    roots = solve_cubic(*coefficients)
    assert_structure(roots)
    assert_no_negative_zero(roots)
    np.testing.assert_allclose(roots, np.array(expected, dtype=complex), rtol=2 * EPS, atol=0)


def test_triple_root_is_exact():
    assert solve_cubic(1, -6, 12, -8).tolist() == [2, 2, 2]
    assert solve_cubic(-0.5, 3, -6, 4).tolist() == [2, 2, 2]


def test_zero_coefficients_give_exact_zeros():
    assert solve_cubic(1, 0, 0, 0).tolist() == [0, 0, 0]
    assert solve_cubic(1, 0, 3, 0)[0] == 0
    assert solve_cubic(1, 0, 3, 0)[1].real == 0


@pytest.mark.parametrize(
    "coefficients",
    [
        (1, 0, 0, 0),
        (-1, 0, 0, 0),
        (1, -0.0, -0.0, -0.0),
        (-1, -0.0, 0.0, -0.0),
        (1, 0, 3, 0),
        (-2, 0, -2, 0),
        (1, 0, -3, 0),
        (-1, 0, 3, 0),
        (1, 1, 0, 0),
        (1, -1, 0, 0),
        (-1, 1, -0.0, 0),
        (1, -3, 3, -9),
        (1, -1, 1, -1),
        (1, 0, -1, 0),
        (1e-150, 0, -1e150, 0),
        (1e150, 0, 0, -0.0),
    ],
)
def test_no_negative_zero(coefficients):
    assert_no_negative_zero(solve_cubic(*coefficients))


def test_no_negative_zero_in_arrays():
    rng = np.random.default_rng(7)
    n = 500
    a = rng.choice([-2.0, -1.0, 0.5, 1.0, 3.0], n)
    b = rng.choice([-0.0, 0.0, -1.0, 1.0, 2.0], n)
    c = rng.choice([-0.0, 0.0, -1.0, 1.0, 3.0], n)
    d = rng.choice([-0.0, 0.0], n)
    roots = solve_cubic(a, b, c, d)
    assert_structure(roots)
    assert_no_negative_zero(roots)


# =========================================================================== accuracy


def test_accuracy_on_random_normal_cubics_beats_companion_eigenvalues():
    rng = np.random.default_rng(20240611)
    n = 2000
    coefficients = rng.standard_normal((n, 4))
    ours = solve_cubic(*coefficients.T)
    reference = mp_cubic_roots(coefficients)
    err_ours = matched_root_errors(ours, reference)
    err_eig = matched_root_errors(companion_eigvals(coefficients), reference)
    # Measured: ours p99 5.4e-16 (max 4.5e-15), eigvals p99 1.6e-15 (max 4.1e-15).
    p99_ours, p99_eig = np.percentile(err_ours, 99), np.percentile(err_eig, 99)
    assert p99_ours <= 4e-15
    assert p99_ours <= p99_eig
    assert_structure(ours)


def _double_root(e):  # (x - 1)^2 (x - 1 - e), coefficients rounded to floats
    return np.poly([1.0, 1.0, 1.0 + e])


def _triple_root_perturbed(i):
    def make(e):  # (x - 1)^3 with e added to coefficient i (1: b, 2: c, 3: d)
        c = np.array([1.0, -3.0, 3.0, -1.0])
        c[i] += e
        return c

    return make


NEAR_MULTIPLE = [s * 10.0**-k for k in range(1, 16) for s in (1, -1)]


@pytest.mark.parametrize(
    "family",
    [
        pytest.param(_double_root, id="(x-1)^2(x-1-e)"),
        pytest.param(lambda e: np.poly([-2.0, 3.0, 3.0 + e]), id="(x+2)(x-3)(x-3-e)"),
        pytest.param(lambda e: np.poly([0.5, 0.5 + e, 7.0]), id="(x-0.5)(x-0.5-e)(x-7)"),
        pytest.param(_triple_root_perturbed(1), id="(x-1)^3+e*x^2"),
        pytest.param(_triple_root_perturbed(2), id="(x-1)^3+e*x"),
        pytest.param(_triple_root_perturbed(3), id="(x-1)^3+e"),
    ],
)
def test_near_multiple_roots_no_worse_than_numpy_roots(family):
    # Both get the same float coefficients and are measured against the 50-digit roots of those
    # floats. "No worse" allows ties and a last-place difference: a factor 1 + 1e-9 plus 4 eps
    # (the roots are of order 1). Clusters are re-solved around their centre with coefficients
    # evaluated in double-double, which puts solve_cubic below np.roots' error in every case.
    worse = []
    for e in NEAR_MULTIPLE:
        coefficients = family(e)
        want = mp_cubic_roots(coefficients, extraprec=1000, maxsteps=500)
        ours = matched_root_errors([solve_cubic(*coefficients)], want).max()
        theirs = matched_root_errors([np.roots(coefficients)], want).max()
        if ours > theirs * (1 + 1e-9) + 4 * EPS:
            worse.append(
                f"e={e:.0e} coefficients={coefficients.tolist()}: {ours:.3g} > {theirs:.3g}"
            )
    assert not worse, "max |error| of solve_cubic > np.roots:\n" + "\n".join(worse)


# =========================================================================== scale


SCALE_CASES = [
    (1, -6, 11, -6),
    (1, 0, 3, -1),
    (1, 0, -3, -5),
    (1, 0, -3, -1),
    (1, 0, 0, -8),
    (2, 3, 5, 7),
    (-0.75, 1.5, 2.25, -3.5),
    (3, -1, -4, 1),
]


def solve_warning_free(*coefficients):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pyproject does this too; be explicit here
        return solve_cubic(*coefficients)


@pytest.mark.parametrize("factor", [1e150, 1e-150])
@pytest.mark.parametrize("coefficients", SCALE_CASES)
def test_scaling_all_coefficients_by_1e150_leaves_roots(coefficients, factor):
    base = solve_warning_free(*coefficients)
    scaled_coefficients = factor * np.array(coefficients, dtype=float)  # rounded
    scaled = solve_warning_free(*scaled_coefficients)
    assert_structure(scaled)
    assert np.array_equal(scaled.imag == 0, base.imag == 0)
    # 1e-15 relative, plus what rounding the scaled coefficients (eps/2 each) may move a root
    # by: (1, -6, 11, -6) * 1e-150 moves the root 2 by 2.1e-15 relative (measured), while
    # solve_cubic is within 4.8e-16 of the exact roots of the rounded coefficients.
    moved = matched_root_errors([scaled], [base])[0]  # |y - x| / |x|, x a root of the base
    for x, rel in zip(base, moved, strict=True):
        assert rel * abs(x) <= 1e-15 * abs(x) + 2 * root_tolerance(coefficients, x, EPS)
    assert np.all(root_errors(scaled, scaled_coefficients, **EXTREME) <= 2e-15)


@pytest.mark.parametrize("k", [498, -498, 1000, -1000])
@pytest.mark.parametrize("coefficients", SCALE_CASES)
def test_scaling_all_coefficients_by_2_to_the_k_is_exact(coefficients, k):
    # 2^498 ~ 8e149: the scaled coefficients are exact, so the roots must be identical
    scaled = [math.ldexp(v, k) for v in coefficients]
    assert np.array_equal(solve_warning_free(*scaled), solve_warning_free(*coefficients))


@pytest.mark.parametrize("coefficients", [(1, 2, 3), (-1, 2, 3), (1, -2, 0.5), (0.5, 1, -3)])
def test_tiny_leading_coefficient(coefficients):
    a = 1e-150
    b, c, d = coefficients
    roots = solve_warning_free(a, b, c, d)
    assert_structure(roots)
    # one root near -b/a = -1e150 * b, the other two near those of b x^2 + c x + d
    assert np.any(np.abs(roots + b / a) <= 1e-15 * abs(b / a))
    assert np.all(root_errors(roots, (a, b, c, d), **EXTREME) <= 4e-16)


def test_extreme_scales_three_real_roots():
    roots = solve_warning_free(1e-150, -1e150, 1e-150, 1e150)
    assert np.all(roots.imag == 0)
    np.testing.assert_allclose(roots.real, [-1, 1, 1e300], rtol=4e-16, atol=0)


def test_extreme_scales_one_real_root():
    roots = solve_warning_free(1e-150, 1e150, 1e150, 1e150)
    assert_structure(roots)
    pair = complex(-0.5, math.sqrt(3) / 2)
    np.testing.assert_allclose(roots, [-1e300, pair, pair.conjugate()], rtol=4e-16, atol=0)


def test_extreme_scales_against_reference():
    # |coefficients| in {1, 1e75, 1e150, 1e-75, 1e-150} x [0.5, 2]: roots from 1e-300 to 1e300.
    # Measured on the rows solve_cubic gets right: largest relative error 1.9e-16.
    rng = np.random.default_rng(11)
    rows = []
    for _ in range(20):
        exponents = rng.choice([-150, -75, 0, 75, 150], 4)
        rows.append(rng.uniform(0.5, 2, 4) * rng.choice([-1, 1], 4) * 10.0**exponents)
    rows = np.array(rows)
    roots = solve_warning_free(*rows.T)
    assert_structure(roots)
    bad = []
    for row, got in zip(rows, roots, strict=True):
        errors = root_errors(got, row, **EXTREME)
        if np.any(errors > 1e-15):
            bad.append(f"{row.tolist()}: got {got.tolist()}, errors {errors.tolist()}")
    assert not bad, f"{len(bad)} of {len(rows)} wrong:\n" + "\n".join(bad)


# =========================================================================== small and zero roots

# A root far smaller than the others must still be accurate relative to its own size (the
# residual property below demands it, and x = 0 is exactly a root when d = 0). Reference:
# mpmath at 700 digits; the passing cases here are within 1.6e-16 (measured).


@pytest.mark.parametrize(
    ("coefficients", "expected"),
    [
        ((1, -3, 2, 0), [0, 1, 2]),  # x (x - 1)(x - 2)
        ((1, 3, 1, 0), [0, (-3 - math.sqrt(5)) / 2, (-3 + math.sqrt(5)) / 2]),
        ((1, -2, 2, 0), [0, 1 + 1j, 1 - 1j]),  # x ((x - 1)^2 + 1)
        ((1, 2, 2, 0), [0, -1 + 1j, -1 - 1j]),
        ((5, -2, 1, 0), [0, 0.2 + 0.4j, 0.2 - 0.4j]),
        ((1, 1, 1, 0), [0, complex(-0.5, math.sqrt(3) / 2), complex(-0.5, -math.sqrt(3) / 2)]),
        ((0.15625, 33.765321563589794, 72.0, 0.0), None),
    ],
    ids=lambda v: str(v) if isinstance(v, tuple) else "",
)
def test_zero_constant_term_gives_an_exact_zero_root(coefficients, expected):
    roots = solve_warning_free(*coefficients)
    assert_structure(roots)
    assert 0 in roots.tolist(), roots
    assert np.all(root_errors(roots, coefficients) <= 4e-16), roots
    if expected is not None:
        assert np.all(matched_root_errors([roots], [expected]) <= 4e-16), roots


@pytest.mark.parametrize(
    "coefficients",
    [
        (1, 0, -1e20, 1),  # +-1e10 and 1e-20
        (1, 0, 1e20, 1),  # +-1e10 i and -1e-20
        (1, 0, -1e150, 1),  # +-1e75 and 1e-150
        (1, 1, 3, 1e-90),  # -0.5 +- 1.66 i and -3.3e-91
        (1e-150, 0, -1, 1),  # +-1e75 and 1
        (1e-150, 0, 1, 1),  # +-1e75 i and -1
        (1.6e-75, -1.7, 1.2e150, 1.8e150),  # -1.5 and a pair of size 1e112
        (2e150, -5.7e-151, 2e150, -1.3),  # 6.5e-151 and +-i
    ],
    ids=str,
)
def test_small_root_next_to_large_ones_is_relatively_accurate(coefficients):
    roots = solve_warning_free(*coefficients)
    assert_structure(roots)
    errors = root_errors(roots, coefficients, **EXTREME)
    assert np.all(errors <= 4e-16), f"got {roots.tolist()}, errors {errors.tolist()}"


@pytest.mark.parametrize(
    ("coefficients", "double"),
    [
        ((1, 4, 5, 2), -1.0),  # (x + 1)^2 (x + 2)
        ((1, -5, 8, -4), 2.0),  # (x - 1)(x - 2)^2
        ((6, -7, -4, 5), 1.0),  # (x - 1)^2 (6x + 5)
        ((-1, 0.5, 2, -1.5), 1.0),  # -(x - 1)^2 (x + 1.5)
        ((1, -7, 15, -9), 3.0),  # (x - 1)(x - 3)^2
    ],
    ids=lambda v: str(v) if isinstance(v, tuple) else "",
)
def test_exact_double_root_splits_symmetrically(coefficients, double):
    # A double root is sqrt(eps)-conditioned: it may split by ~1e-8, into two real roots or a
    # complex pair. But the pair's mean is well conditioned: it must stay at the double root
    # to rounding level (np.roots: within 1.1e-15 = 5 eps on all of these; see also test_vieta).
    roots = solve_warning_free(*coefficients)
    assert_structure(roots)
    near = roots[np.argsort(np.abs(roots - double))[:2]]
    assert np.all(np.abs(near - double) <= 1e-7 * abs(double))
    assert abs(near.mean() - double) <= 16 * EPS * abs(double), near


# =========================================================================== properties

leading = st.one_of(st.floats(1e-2, 1e2), st.floats(-1e2, -1e-2))
coefficient = st.floats(-1e2, 1e2, allow_subnormal=False)
cubics = st.tuples(leading, coefficient, coefficient, coefficient)


# Tolerances of the properties, measured on ~7700 random integer, normal and log-uniform cubics
# without tiny roots or exact double roots (the library's two known weak spots, tested above):
# Vieta errors <= 1.9 eps x (size of the terms), residuals <= 4.5 eps x (largest term), and
# scaling by a random factor moves roots <= 0.18 of the first-order bound root_tolerance(16 eps).


@given(cubics)
def test_vieta(abcd):
    a, b, c, d = abcd
    x = solve_cubic(a, b, c, d)
    x1, x2, x3 = x
    s1 = x1 + x2 + x3
    s2 = x1 * x2 + x1 * x3 + x2 * x3
    s3 = x1 * x2 * x3
    tol1 = 64 * EPS * (np.sum(np.abs(x)) + abs(b / a))
    tol2 = 64 * EPS * (abs(x1 * x2) + abs(x1 * x3) + abs(x2 * x3) + abs(c / a))
    tol3 = 64 * EPS * (abs(s3) + abs(d / a))
    assert abs(s1 - (-b / a)) <= tol1
    assert abs(s2 - c / a) <= tol2
    assert abs(s3 - (-d / a)) <= tol3


@given(cubics)
def test_residual_is_small(abcd):
    a, b, c, d = abcd
    roots = solve_cubic(a, b, c, d)
    with mp.workdps(60):
        for z in roots:
            x = mp.mpc(z)
            terms = [a * x**3, b * x**2, c * x, mp.mpf(d)]
            residual = abs(sum(terms))
            assert residual <= 16 * EPS * max(abs(t) for t in terms), (z, residual)


@given(cubics)
def test_output_structure(abcd):
    roots = solve_cubic(*abcd)
    assert roots.shape == (3,)
    assert roots.dtype == np.complex128
    assert np.all(np.isfinite(roots))
    assert_structure(roots)
    assert_no_negative_zero(roots)


@given(cubics, st.integers(-60, 60))
def test_scaling_by_a_power_of_two_is_exact(abcd, k):
    scaled = [math.ldexp(v, k) for v in abcd]
    base = solve_cubic(*abcd)
    assert np.array_equal(solve_cubic(*scaled), base)


@given(cubics, st.floats(1e-3, 1e3))
def test_scaling_by_a_positive_factor_is_close(abcd, k):
    scaled = tuple(k * v for v in abcd)
    base = solve_cubic(*abcd)
    moved = matched_root_errors([solve_cubic(*scaled)], [base])[0]  # |y - x| / |x|
    for x, rel in zip(base, moved, strict=True):
        # coefficients rounded once by the scaling, plus the solver's own error on both sides
        tol = 4 * root_tolerance(abcd, x, 16 * EPS)
        assert rel * abs(x) <= tol, (x, rel, tol)


@given(cubics)
def test_number_of_real_roots_follows_discriminant(abcd):
    ((m, n),) = exact_m_n(abcd)  # the discriminant -4 m^3 - 27 n^2, exactly
    disc = -4 * m**3 - 27 * n**2
    assume(abs(disc) > (4 * abs(m) ** 3 + 27 * n**2) / 10**9)
    n_real = int(np.sum(solve_cubic(*abcd).imag == 0))
    assert n_real == (3 if disc > 0 else 1)


@given(
    st.lists(
        st.tuples(
            st.floats(-1.5, 1.5), st.floats(0.1, 3), st.floats(-1.5, 1.5), st.sampled_from([1, -1])
        ),
        min_size=1,
        max_size=20,
    )
)
def test_number_of_real_roots_is_exact_for_well_separated_real_roots(specs):
    # (x - r1)(x - r2)(x - r3) with r2 = r1 + gap, r3 chosen away from both: three real roots;
    # (x - r)(x^2 + q^2): one.
    coefficients, n_real = [], []
    for r1, gap, r3, sign in specs:
        if sign > 0:
            r2 = r1 + gap
            r3 = r2 + 0.5 + abs(r3)
            coefficients.append(np.poly([r1, r2, r3]))
            n_real.append(3)
        else:
            coefficients.append(np.poly([r1, complex(r3, gap), complex(r3, -gap)]).real)
            n_real.append(1)
    coefficients = np.array(coefficients)
    roots = solve_cubic(*coefficients.T)
    assert np.sum(roots.imag == 0, axis=1).tolist() == n_real


# =========================================================================== shapes


def test_scalar_shape():
    assert solve_cubic(1, 2, 3, 4).shape == (3,)
    assert solve_cubic(np.float64(1), 2.0, np.int32(3), np.array(4.0)).shape == (3,)


def test_broadcasting_matches_scalar_calls():
    a = 2.0
    b = np.array([-3.0, 0.0, 1.5, 4.0]).reshape(4, 1)
    c = np.array([-2.0, -1.0, 0.0, 0.5, 3.0])
    d = -1.25
    roots = solve_cubic(a, b, c, d)
    assert roots.shape == (4, 5, 3)
    assert roots.dtype == np.complex128
    for i in range(4):
        for j in range(5):
            assert np.array_equal(roots[i, j], solve_cubic(a, b[i, 0], c[j], d))


def test_one_dimensional_and_non_contiguous_inputs():
    rng = np.random.default_rng(3)
    coefficients = rng.standard_normal((4, 30))
    roots = solve_cubic(*coefficients[:, ::3])  # strided views
    assert roots.shape == (10, 3)
    for k in range(10):
        assert np.array_equal(roots[k], solve_cubic(*coefficients[:, 3 * k]))


def test_large_arrays_are_solved_like_small_ones():
    # more cubics than one internal block, and a 2-D shape
    rng = np.random.default_rng(5)
    coefficients = rng.standard_normal((4, 20001))
    coefficients[0, ::7] = 1.0
    coefficients[1:, ::11] = 0.0
    whole = solve_cubic(*coefficients)
    assert whole.shape == (20001, 3)
    pieces = np.concatenate(
        [solve_cubic(*coefficients[:, k : k + 100]) for k in range(0, 20001, 100)]
    )
    assert np.array_equal(whole, pieces)
    grid = solve_cubic(*coefficients[:, :20000].reshape(4, 100, 200))
    assert np.array_equal(grid.reshape(20000, 3), whole[:20000])


def test_empty_arrays():
    assert solve_cubic(np.empty(0), 1, 2, 3).shape == (0, 3)
    assert solve_cubic(1, np.empty((2, 0)), 2, 3).shape == (2, 0, 3)
    assert solve_cubic(1.0, 2.0, [], 3.0).dtype == np.complex128


def test_integer_input():
    roots = solve_cubic(1, -6, 11, -6)
    assert roots.dtype == np.complex128
    assert np.array_equal(roots, solve_cubic(1.0, -6.0, 11.0, -6.0))
    ints = np.array([[1, -6, 11, -6], [2, 0, 0, -16], [1, 0, 3, 0]], dtype=np.int64)
    assert np.array_equal(solve_cubic(*ints.T), solve_cubic(*ints.T.astype(float)))
    assert np.array_equal(solve_cubic(np.int8(1), np.int16(-6), np.uint8(11), np.int32(-6)), roots)


# =========================================================================== bad input


def test_zero_leading_coefficient_scalar():
    with pytest.raises(ValueError, match="^a: .*leading coefficient must be non-zero"):
        solve_cubic(0, 1, 2, 3)
    with pytest.raises(ValueError, match="^a: .*leading coefficient must be non-zero"):
        solve_cubic(-0.0, 1, 2, 3)


def test_zero_leading_coefficient_inside_an_array():
    with pytest.raises(ValueError, match="^a: .*leading coefficient must be non-zero"):
        solve_cubic(np.array([1.0, 2.0, 0.0, 3.0]), 1, 2, 3)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("position", range(4))
def test_non_finite_coefficients(bad, position):
    name = "abcd"[position]
    scalars = [1.0, 2.0, 3.0, 4.0]
    scalars[position] = bad
    with pytest.raises(ValueError, match=f"^{name}: .*finite"):
        solve_cubic(*scalars)
    arrays = [np.ones(3) for _ in range(4)]
    arrays[position][1] = bad
    with pytest.raises(ValueError, match=f"^{name}: .*finite"):
        solve_cubic(*arrays)


@pytest.mark.parametrize("position", range(4))
def test_complex_coefficients(position):
    name = "abcd"[position]
    values = [1.0, 2.0, 3.0, 4.0]
    values[position] = 1 + 2j
    with pytest.raises(TypeError, match=f"^{name}: "):
        solve_cubic(*values)
    values[position] = np.array([1.0, 2.0], dtype=complex)  # complex dtype, zero imaginary part
    with pytest.raises(TypeError, match=f"^{name}: "):
        solve_cubic(*values)


@pytest.mark.parametrize("position", range(4))
def test_string_coefficients(position):
    name = "abcd"[position]
    values = [1.0, 2.0, 3.0, 4.0]
    values[position] = "1.0"
    with pytest.raises(TypeError, match=f"^{name}: "):
        solve_cubic(*values)
    values[position] = np.array(["1", "2"])
    with pytest.raises(TypeError, match=f"^{name}: "):
        solve_cubic(*values)


# =========================================================================== the float range's edges


def test_root_near_the_largest_float_does_not_overflow():
    # x^2 (x - 9e307): the scale of the roots used to be 2^1024, which overflowed to NaN
    assert solve_warning_free(1, -9e307, 0, 0).tolist() == [0, 0, 9e307]
    assert solve_warning_free(-1, 1.7e308, 0, 0).tolist() == [0, 0, 1.7e308]


@pytest.mark.parametrize(
    "coefficients",
    [
        (5e-324, 0, 0, 1),  # d/a overflows; roots of size 5.9e107
        (1e-300, 0, 1e10, 0),  # c/a overflows; roots 0 and +-1e155 i
        (1e300, 0, 0, -1e-300),  # d/a underflows; roots of size 1e-200
        (1, 5e-324, 0, 0),  # b/a is subnormal; roots -5e-324, 0, 0
        (1e-320, 3e-320, 0, -4e-320),  # subnormal coefficients: (x - 1)(x + 2)^2
        (1e300, -3e300, 3e300, -1.0000001e300),  # near-triple root, huge coefficients
    ],
    ids=str,
)
def test_ratios_beyond_the_float_range(coefficients):
    roots = solve_warning_free(*coefficients)
    assert_structure(roots)
    assert np.all(root_errors(roots, coefficients) <= 4e-16), roots


@pytest.mark.parametrize(
    "coefficients",
    [
        (3, -6, 3, 1e-300),  # 3x (x - 1)^2 + 1e-300: the small root beside a near-double pair
        (1.0, 5.5e307, 0, -1.5e-25),  # -5.5e307 and a pair of size 5e-167: g underflows
        (-1.53e-293, -7.36e-252, 2.69e6, 2.7e-161),  # +-4.2e149 and -1.0e-167
        (1.6e-49, -1.65e-73, 2.65e-297, 0.0),  # 0, 1.6e-224 and 1.0e-24: h^2 underflows
        (1.0, 0, -2.56e213, 9.1e-301),  # +-5e106 and 3.6e-514 (below the float range: 0)
        (1.0, 1.7e308, 0, -1),  # -1.7e308 and a pair of size 7.7e-155
    ],
    ids=str,
)
def test_roots_far_apart_in_size(coefficients):
    roots = solve_warning_free(*coefficients)
    assert_structure(roots)
    assert_no_negative_zero(roots)
    assert np.all(cubic_contract_errors([roots], coefficients) <= 4e-16), roots


finite = st.floats(allow_nan=False, allow_infinity=False)


@given(finite.filter(lambda v: v != 0), finite, finite, finite)
def test_any_finite_coefficients_give_the_stated_accuracy_or_a_named_error(a, b, c, d):
    # The docstring's promise over the whole float range: roots accurate relative to themselves
    # (absolute for roots it names), or a ValueError when a root exceeds the float range.
    try:
        roots = solve_warning_free(a, b, c, d)
    except ValueError as err:
        assert str(err).startswith("a, b, c, d: a root exceeds the float64 range")
        assert max(abs(r) for r in mp_cubic_roots([a, b, c, d])[0]) > np.finfo(float).max
        return
    assert_structure(roots)
    assert_no_negative_zero(roots)
    assert np.all(cubic_contract_errors([roots], [a, b, c, d]) <= 1e-13), roots


def test_a_root_beyond_the_float_range_is_refused():
    with pytest.raises(ValueError, match=r"^a, b, c, d: a root exceeds the float64 range"):
        solve_cubic(5e-324, 0, 1e300, 0)  # roots +-4.5e311 i


def test_python_ints_beyond_int64():
    big = 2**70  # (x + 2)(x - 1)^2 times 2^70: NumPy holds these as objects
    assert solve_warning_free(big, 0, -3 * big, 2 * big).tolist() == [-2, 1, 1]
    with pytest.raises(ValueError, match="^a: .*float64 range"):
        solve_cubic(10**400, 0, 0, 1)


@pytest.mark.parametrize("bad", [np.timedelta64(3, "s"), np.datetime64("2024-01-01"), True, None])
def test_non_numbers_are_refused(bad):
    with pytest.raises(TypeError, match="^a: "):
        solve_cubic(bad, -6, 11, -6)


def test_shapes_that_do_not_broadcast():
    with pytest.raises(ValueError, match="^a, b, c, d: shapes do not broadcast"):
        solve_cubic(np.ones(3), np.ones(4), 1, 1)
