"""Tests of scispaces.pgf: binomial and Poisson pmfs, PGF coefficient extraction, TV distance."""

from __future__ import annotations

import math
import warnings

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from scispaces.pgf import (
    binomial_pmf,
    binomial_poisson_tv,
    pgf_coefficients,
    poisson_pmf,
    tv_distance,
)
from scispaces.reference import (
    EPS,
    mp_binomial_pmf,
    mp_binomial_poisson_tv,
    mp_poisson_pmf,
    mp_values,
    pmf_accuracy,
    poisson_limit_constant,
    sd_grid,
)

TINY = 1e-300  # relative accuracy is only promised where the pmf exceeds this


def mp_binomial(k, n, p) -> float:
    return float(mp_values(mp_binomial_pmf, [(k, n, p)])[0])


def mp_poisson(k, lam) -> float:
    return float(mp_values(mp_poisson_pmf, [(k, lam)])[0])


def quiet(fn, *args, **kwargs):
    """fn(*args, **kwargs) with every warning and floating-point flag raised as an error."""
    with warnings.catch_warnings(), np.errstate(all="warn"):
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


# =========================================================================== example values


def test_binomial_example_value():
    # C(10, 3) 0.3^3 0.7^7 = 120 * 0.027 * 0.0823543 = 0.266827932 (exactly, in decimal)
    assert binomial_pmf(3, 10, 0.3) == pytest.approx(0.266827932, rel=8 * EPS)


def test_poisson_example_value():
    assert poisson_pmf(2, 3.0) == pytest.approx(9 * math.exp(-3) / 2, rel=4 * EPS)


def test_small_binomials_by_hand():
    assert binomial_pmf(1, 2, 0.5) == pytest.approx(0.5, rel=4 * EPS)
    assert binomial_pmf(2, 4, 0.5) == pytest.approx(6 / 16, rel=4 * EPS)
    np.testing.assert_allclose(
        binomial_pmf(np.arange(4), 3, 0.25), [27 / 64, 27 / 64, 9 / 64, 1 / 64], rtol=8 * EPS
    )


def test_small_poissons_by_hand():
    lam = 0.7
    k = np.arange(6)
    expected = [math.exp(-lam) * lam**j / math.factorial(j) for j in range(6)]
    np.testing.assert_allclose(poisson_pmf(k, lam), expected, rtol=8 * EPS)


def test_binomial_poisson_tv_example_value():
    # independent reference: subtract the two scipy pmfs (fine at n = 10)
    k = np.arange(201)
    reference = 0.5 * np.abs(stats.binom.pmf(k, 10, 0.3) - stats.poisson.pmf(k, 3.0)).sum()
    assert reference == pytest.approx(0.0864089, abs=5e-8)
    assert binomial_poisson_tv(10, 3.0) == pytest.approx(reference, rel=1e-13)


@pytest.mark.parametrize(
    ("n", "lam"), [(1, 0.5), (2, 1.9), (4, 3.0), (10, 0.01), (11, 10.0), (50, 7.5), (300, 299.0)]
)
def test_binomial_poisson_tv_small_n_against_scipy(n, lam):
    k = np.arange(1001)
    reference = 0.5 * np.abs(stats.binom.pmf(k, n, lam / n) - stats.poisson.pmf(k, lam)).sum()
    assert binomial_poisson_tv(n, lam) == pytest.approx(reference, rel=1e-11, abs=1e-15)


# ============================================================================== edge cases


def test_binomial_k_zero_and_k_n():
    for n, p in [(1, 0.3), (10, 0.5), (1000, 1e-3), (10**9, 3e-9), (10**9, 1e-12)]:
        assert binomial_pmf(0, n, p) == pytest.approx((mp_binomial(0, n, p)), rel=1e-14)
    for n, p in [(1, 0.3), (10, 0.5), (1000, 0.999), (10**6, 1 - 1e-9)]:
        assert binomial_pmf(n, n, p) == pytest.approx((mp_binomial(n, n, p)), rel=1e-13)
    # (1 - p)^n for tiny p at huge n, where 1 - p itself would round
    assert binomial_pmf(0, 10**9, 3e-9) == pytest.approx(math.exp(-3.0), rel=1e-8)


def test_binomial_p_zero_and_one():
    k = np.arange(8)
    assert binomial_pmf(k, 7, 0.0).tolist() == [1.0] + [0.0] * 7
    assert binomial_pmf(k, 7, 1.0).tolist() == [0.0] * 7 + [1.0]
    assert binomial_pmf(0, 10**9, 0.0) == 1.0
    assert binomial_pmf(10**9, 10**9, 1.0) == 1.0


def test_binomial_n_zero_is_point_mass_at_zero():
    for p in (0.0, 0.3, 1.0):
        assert binomial_pmf(0, 0, p) == 1.0
        assert binomial_pmf(1, 0, p) == 0.0


def test_binomial_k_above_n_is_zero():
    assert binomial_pmf(11, 10, 0.3) == 0.0
    assert binomial_pmf(10**6, 10, 0.999) == 0.0
    assert np.all(binomial_pmf(np.arange(6, 20), 5, 0.5) == 0.0)
    assert binomial_pmf(3, 2, 1.0) == 0.0


def test_poisson_k_zero_is_exp_minus_lam():
    for lam in (1e-300, 1e-8, 0.5, 3.0, 700.0, 1e8):
        assert poisson_pmf(0, lam) == math.exp(-lam)


def test_binomial_single_trial_is_bernoulli():
    for p in (1e-12, 0.3, 0.5, 0.9):
        assert binomial_pmf(1, 1, p) == pytest.approx(p, rel=4 * EPS)
        assert binomial_pmf(0, 1, p) == pytest.approx(1 - p, rel=4 * EPS)


def test_tiny_positive_p_and_lam_give_no_warning():
    """A subnormal n p or lam is valid input; x/m overflowing inside bd0 must not warn."""
    assert quiet(binomial_pmf, 1, 2, 5e-324) == 0.0
    assert quiet(binomial_pmf, 1, 2, 1e-310) == 0.0
    assert quiet(poisson_pmf, 1, 5e-324) == 0.0
    assert quiet(poisson_pmf, 3, 1e-310) == 0.0


def test_huge_k_gives_zero_without_warning():
    """Every float above 2^53 is whole, so k = 1e200 is valid; its pmf underflows to 0 quietly."""
    assert quiet(poisson_pmf, 1e200, 1.0) == 0.0
    assert quiet(binomial_pmf, 5, 1e200, 0.5) == 0.0


@pytest.mark.parametrize(
    ("k", "lam"), [(5e307, 5e307), (1.5e308, 1.5e308), (1e300, 1e300 + 1e285), (2**70, 2.0**70)]
)
def test_poisson_at_the_top_of_the_float_range(k, lam):
    """sqrt(2 pi k) overflowed for k > 2.9e307 (poisson_pmf(5e307, 5e307) gave 0, not 5.6e-155)."""
    assert quiet(poisson_pmf, k, lam) == pytest.approx(mp_poisson(k, lam), rel=1e-12)


@pytest.mark.parametrize(
    ("k", "n", "p"),
    [
        (5e299, 1e300, 0.5),  # 2 pi k (n - k) overflowed: 0 instead of 8.0e-151
        (5e307, 1e308, 0.5),  # two_product's split overflowed: NaN
        (1, 1e308, 1e-308),  # n p = 1
        (3e307, 1.7e308, 0.17647058823529413),
        (1e300 - 1e285, 1e300, 1 - 1e-15),
    ],
)
def test_binomial_at_the_top_of_the_float_range(k, n, p):
    assert quiet(binomial_pmf, k, n, p) == pytest.approx(mp_binomial(k, n, p), rel=1e-12)


# ===================================================================== scipy (where accurate)


@pytest.mark.parametrize("n", [1, 2, 5, 10, 37, 100, 1000])
@pytest.mark.parametrize("p", [1e-9, 1e-4, 0.01, 0.3, 0.5, 0.77, 0.999, 1 - 1e-9])
def test_binomial_small_n_against_scipy_every_k(n, p):
    k = np.arange(n + 1)
    reference = stats.binom.pmf(k, n, p)
    keep = reference > TINY
    np.testing.assert_allclose(binomial_pmf(k[keep], n, p), reference[keep], rtol=1e-12, atol=0)


@pytest.mark.parametrize("n", [10**4, 10**5])
@pytest.mark.parametrize("p", [1e-4, 0.01, 0.3, 0.5, 0.9])
def test_binomial_large_n_against_scipy_in_the_bulk(n, p):
    # scipy itself drifts to ~1.2e-12 in the far tails here (see the mpmath tests), so only
    # the bulk, mean +- 10 sd, is compared with it at 1e-12
    mean, sd = n * p, math.sqrt(n * p * (1 - p))
    k = np.arange(max(0, int(mean - 10 * sd)), min(n, int(mean + 10 * sd)) + 1)
    reference = stats.binom.pmf(k, n, p)
    keep = reference > TINY
    np.testing.assert_allclose(binomial_pmf(k[keep], n, p), reference[keep], rtol=1e-12, atol=0)


@pytest.mark.parametrize("n", [100, 10**4, 10**6, 10**9])
@pytest.mark.parametrize("lam", [0.01, 0.5, 3.0, 10.0, 30.0])
def test_binomial_poisson_regime_against_scipy(n, lam):
    # p = lam / n: the regime of the chapter, where scipy is accurate to ~1e-13 even at n = 1e9
    k = np.arange(int(lam + 35 * math.sqrt(lam)) + 40)
    reference = stats.binom.pmf(k, n, lam / n)
    keep = reference > TINY
    np.testing.assert_allclose(
        binomial_pmf(k[keep], n, lam / n), reference[keep], rtol=1e-12, atol=0
    )


@pytest.mark.parametrize("lam", [1e-6, 0.01, 0.5, 1.0, 3.0, 30.0, 100.0])
def test_poisson_against_scipy_every_k(lam):
    k = np.arange(int(lam + 35 * math.sqrt(lam)) + 40)
    reference = stats.poisson.pmf(k, lam)
    keep = reference > TINY
    np.testing.assert_allclose(poisson_pmf(k[keep], lam), reference[keep], rtol=1e-12, atol=0)


def test_poisson_lam_1000_against_scipy_in_the_bulk():
    # At lam = 1e3 scipy itself is off by up to ~1.5e-12 relative even at the mode (against
    # 40-digit mpmath), while poisson_pmf is within ~4e-15 (see the mpmath test below); so
    # scipy is only good for 5e-12 here, and only the bulk (mean +- 10 sd) is compared.
    lam = 1000.0
    k = np.arange(684, 1317)
    np.testing.assert_allclose(poisson_pmf(k, lam), stats.poisson.pmf(k, lam), rtol=5e-12, atol=0)


# ======================================================================= mpmath references


@pytest.mark.parametrize("n", [10, 1000, 10**6, 10**9])
@pytest.mark.parametrize("p", [3e-9, 1e-3, 0.3, 0.5])
def test_binomial_against_mpmath_to_35_sd(n, p):
    k = sd_grid(n * p, math.sqrt(n * p * (1 - p)), n)
    reference = np.array([(mp_binomial(j, n, p)) for j in k])
    keep = reference > TINY
    assert keep.sum() >= min(k.size, 30) or n * p < 1
    np.testing.assert_allclose(binomial_pmf(k[keep], n, p), reference[keep], rtol=1e-12, atol=0)


@pytest.mark.parametrize("n", [10, 1000, 10**6, 10**9])
@pytest.mark.parametrize("q", [2.0**-50, 1e-9, 1e-3, 0.1])
def test_binomial_near_p_one_against_mpmath(n, q):
    # p = 1 - q, with q a float whose 1 - q is exact enough; the mass sits at k = n - O(nq)
    p = 1 - q
    j = sd_grid(n * (1 - p), math.sqrt(n * p * (1 - p)), n)
    k = n - j
    reference = np.array([(mp_binomial(i, n, p)) for i in k])
    keep = reference > TINY
    np.testing.assert_allclose(binomial_pmf(k[keep], n, p), reference[keep], rtol=1e-12, atol=0)


@pytest.mark.parametrize("lam", [1e-8, 0.01, 0.5, 3.0, 30.0, 1e3, 1e5, 1e6, 1e8])
def test_poisson_against_mpmath_to_35_sd(lam):
    k = sd_grid(lam, math.sqrt(lam), math.inf)
    reference = np.array([(mp_poisson(j, lam)) for j in k])
    keep = reference > TINY
    np.testing.assert_allclose(poisson_pmf(k[keep], lam), reference[keep], rtol=1e-12, atol=0)


def test_documented_accuracy_on_the_benchmark_sample():
    """The docstrings quote 1.1e-13 (binomial) and 8.6e-16 (Poisson) on this sample; the test
    allows for another CPU's rounding."""
    worst = pmf_accuracy(binomial_pmf, poisson_pmf)
    assert worst["binomial"] < 5e-13
    assert worst["poisson"] < 4e-15


# ============================================================================== properties


@given(n=st.integers(0, 2000), p=st.floats(1e-300, 1.0, exclude_max=True))
def test_binomial_pmf_sums_to_one(n, p):
    assert math.fsum(binomial_pmf(np.arange(n + 1), n, p)) == pytest.approx(1.0, abs=1e-12)


@given(lam=st.floats(1e-300, 200.0))
def test_poisson_pmf_sums_to_one(lam):
    k = np.arange(int(lam + 40 * math.sqrt(lam)) + 60)
    assert math.fsum(poisson_pmf(k, lam)) == pytest.approx(1.0, abs=1e-12)


@given(n=st.integers(1, 2000), p=st.floats(1e-12, 1.0, exclude_max=True))
def test_binomial_mean_and_variance(n, p):
    k = np.arange(n + 1, dtype=np.float64)
    pmf = binomial_pmf(k, n, p)
    mean = math.fsum(k * pmf)
    assert mean == pytest.approx(n * p, rel=1e-10)
    # central moment about the exact mean n p; relative to n p (1 - p)
    variance = math.fsum((k - n * p) ** 2 * pmf)
    assert variance == pytest.approx(n * p * (1 - p), rel=1e-10)


@given(lam=st.floats(1e-6, 200.0))
def test_poisson_mean_and_variance(lam):
    k = np.arange(int(lam + 40 * math.sqrt(lam)) + 60, dtype=np.float64)
    pmf = poisson_pmf(k, lam)
    assert math.fsum(k * pmf) == pytest.approx(lam, rel=1e-10)
    assert math.fsum((k - lam) ** 2 * pmf) == pytest.approx(lam, rel=1e-10)


@given(n=st.integers(1, 5000), j=st.integers(1, 1023), data=st.data())
def test_binomial_symmetry_k_to_n_minus_k(n, j, data):
    p = j / 1024  # 1 - p is exact
    k = data.draw(st.integers(0, n))
    a, b = binomial_pmf(k, n, p), binomial_pmf(n - k, n, 1 - p)
    assert a == pytest.approx(b, rel=1e-12, abs=0) or max(a, b) < TINY


@given(n=st.integers(2, 10**9), p=st.floats(1e-6, 1 - 1e-6), u=st.floats(0, 1))
def test_binomial_ratio_of_neighbours(n, p, u):
    # b_{k+1} / b_k = (n - k) p / ((k + 1)(1 - p)), near the mean where both are representable
    mean, sd = n * p, math.sqrt(n * p * (1 - p))
    k = int(min(n - 1, max(0, mean + (u - 0.5) * 10 * sd)))
    b0, b1 = binomial_pmf(k, n, p), binomial_pmf(k + 1, n, p)
    if min(b0, b1) > TINY:
        assert b1 / b0 == pytest.approx((n - k) * p / ((k + 1) * (1 - p)), rel=1e-12)


@given(lam=st.floats(1e-3, 1e8), u=st.floats(0, 1))
def test_poisson_ratio_of_neighbours(lam, u):
    k = int(max(0, lam + (u - 0.5) * 10 * math.sqrt(lam)))
    a, b = poisson_pmf(k, lam), poisson_pmf(k + 1, lam)
    if min(a, b) > TINY:
        assert b / a == pytest.approx(lam / (k + 1), rel=1e-12)


@given(
    k=st.integers(0, 10**9),
    n=st.integers(0, 10**9),
    # p below ~1e-300 hits the overflow warning of test_tiny_positive_p_and_lam_give_no_warning
    p=st.one_of(st.just(0.0), st.floats(1e-300, 1)),
)
def test_binomial_pmf_is_a_probability(k, n, p):
    b = binomial_pmf(k, n, p)
    assert type(b) is float
    assert 0.0 <= b <= 1.0
    if k > n:
        assert b == 0.0


@given(k=st.integers(0, 10**12), lam=st.floats(1e-300, 1e12))
def test_poisson_pmf_is_a_probability(k, lam):
    pi = poisson_pmf(k, lam)
    assert type(pi) is float
    assert 0.0 <= pi <= 1.0


# ======================================================================= pgf_coefficients


def _poly(coefficients):
    c = np.asarray(coefficients)
    return lambda z: np.polynomial.polynomial.polyval(z, c)


@given(
    coefficients=st.lists(st.floats(-1, 1), min_size=1, max_size=40),
    scale=st.sampled_from([1e-6, 1.0, 1e6]),
    extra_nodes=st.integers(0, 30),
    data=st.data(),
)
def test_pgf_coefficients_recover_a_polynomial_on_the_unit_circle(
    coefficients, scale, extra_nodes, data
):
    c = scale * np.array(coefficients)
    nodes = c.size + extra_nodes  # degree < nodes: exact up to rounding
    k_max = data.draw(st.integers(0, nodes - 1))
    expected = np.concatenate([c, np.zeros(nodes - c.size)])[: k_max + 1]
    got = pgf_coefficients(_poly(c), k_max, nodes=nodes)
    assert got.shape == (k_max + 1,)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=0, atol=64 * EPS * (np.abs(c).sum() + 1e-300))


@given(
    coefficients=st.lists(st.floats(-1, 1), min_size=1, max_size=30),
    radius=st.sampled_from([0.8, 0.6, 0.5]),
    extra_nodes=st.integers(0, 10),
)
def test_pgf_coefficients_recover_a_polynomial_inside_the_unit_circle(
    coefficients, radius, extra_nodes
):
    c = np.array(coefficients)
    nodes = min(c.size + extra_nodes, int(8 / -math.log10(radius)) + 1)  # r^-(N-1) <= 1e8
    c = c[:nodes]
    k_max = nodes - 1
    extra_nodes = nodes - c.size
    expected = np.concatenate([c, np.zeros(extra_nodes)])
    got = pgf_coefficients(_poly(c), k_max, radius=radius, nodes=nodes)
    # rounding: eps max_|z|=r |G| ~ eps sum |c_j| r^j, divided by r^k for coefficient k
    size = np.abs(c) @ radius ** np.arange(c.size)
    tol = 64 * EPS * size / radius ** np.arange(k_max + 1)
    assert np.all(np.abs(got - expected) <= tol + 1e-300)


def test_pgf_coefficients_complex_polynomial_with_real_false():
    c = np.array([1 + 2j, -0.5j, 3.0, 0.25 - 1j])
    got = pgf_coefficients(_poly(c), 5, real=False, nodes=8)
    assert got.dtype == np.complex128
    np.testing.assert_allclose(got, [*c, 0, 0], rtol=0, atol=1e-14)
    # real=True (the default) keeps the real parts only
    np.testing.assert_allclose(pgf_coefficients(_poly(c), 5, nodes=8), [*c.real, 0, 0], atol=1e-14)


def test_pgf_coefficients_docstring_example():
    np.testing.assert_allclose(
        pgf_coefficients(lambda z: (1 + z) ** 3, 4), [1, 3, 3, 1, 0], atol=1e-14
    )


@pytest.mark.parametrize(("n", "p"), [(1, 0.3), (10, 0.3), (30, 0.5), (60, 0.05)])
def test_pgf_coefficients_of_binomial_pgf_are_binomial_pmf(n, p):
    got = pgf_coefficients(lambda z: (1 - p + p * z) ** n, n + 3)
    expected = np.concatenate([binomial_pmf(np.arange(n + 1), n, p), np.zeros(3)])
    np.testing.assert_allclose(got, expected, rtol=0, atol=2e-15)


@pytest.mark.parametrize("lam", [0.5, 3.0, 10.0])
def test_pgf_coefficients_of_poisson_pgf_are_poisson_pmf(lam):
    # default nodes for k_max = 40: 256, and the aliased mass pi_{k + 256} is < 1e-200
    got = pgf_coefficients(lambda z: np.exp(lam * (z - 1)), 40)
    np.testing.assert_allclose(got, poisson_pmf(np.arange(41), lam), rtol=0, atol=2e-15)


def _aliased_poisson(lam: float, nodes: int, k_max: int, radius: float) -> np.ndarray:
    """sum_{m >= 0} pi_{k + m N} r^{m N}, to 40 digits."""
    out = []
    with mp.workdps(40):
        r_n = mp.mpf(radius) ** nodes
        for k in range(k_max + 1):
            terms = (mp_poisson_pmf(k + m * nodes, lam) * r_n**m for m in range(40))
            out.append(float(mp.fsum(terms)))
    return np.array(out)


@pytest.mark.parametrize("lam", [3.0, 12.0, 20.0])
def test_pgf_coefficients_alias_as_documented_on_the_unit_circle(lam):
    nodes, k_max = 16, 15
    got = pgf_coefficients(lambda z: np.exp(lam * (z - 1)), k_max, nodes=nodes)
    expected = _aliased_poisson(lam, nodes, k_max, 1.0)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)
    # the aliasing is real: at lam = 12 and 20 the sums differ visibly from the pmf itself
    if lam > 10:
        assert np.max(np.abs(got - poisson_pmf(np.arange(k_max + 1), lam))) > 1e-3


@pytest.mark.parametrize("radius", [0.8, 0.5, 1.0])
def test_pgf_coefficients_alias_as_documented_off_the_unit_circle(radius):
    lam, nodes, k_max = 12.0, 16, 15
    got = pgf_coefficients(lambda z: np.exp(lam * (z - 1)), k_max, radius=radius, nodes=nodes)
    expected = _aliased_poisson(lam, nodes, k_max, radius)
    # max |G| on the circle is e^{lam (r - 1)}; rounding is divided by r^k
    scale = math.exp(lam * (radius - 1)) / radius ** np.arange(k_max + 1)
    assert np.all(np.abs(got - expected) <= 8 * EPS * scale)


def test_pgf_coefficients_radius_damps_the_aliasing():
    lam, nodes, k_max = 12.0, 16, 15
    exact = poisson_pmf(np.arange(k_max + 1), lam)
    g = lambda z: np.exp(lam * (z - 1))  # noqa: E731
    err_1 = np.abs(pgf_coefficients(g, k_max, nodes=nodes) - exact)
    err_r = np.abs(pgf_coefficients(g, k_max, radius=0.8, nodes=nodes) - exact)
    assert np.all(err_r < err_1)


def test_pgf_coefficients_monomial_of_degree_n_aliases_to_constant():
    # z^N on N nodes is r^N at every node
    np.testing.assert_allclose(
        pgf_coefficients(lambda z: z**16, 3, nodes=16), [1, 0, 0, 0], atol=2e-15
    )
    np.testing.assert_allclose(
        pgf_coefficients(lambda z: z**16, 3, radius=0.5, nodes=16),
        [0.5**16, 0, 0, 0],
        atol=2e-15 * 0.5**16 * 2**3,
    )


@pytest.mark.parametrize(
    ("k_max", "nodes"), [(0, 64), (1, 64), (15, 64), (16, 128), (31, 128), (32, 256), (100, 512)]
)
@pytest.mark.parametrize("radius", [1.0, 0.9])
def test_pgf_coefficients_default_nodes_on_the_circle(k_max, nodes, radius):
    seen = []

    def g(z):
        seen.append(z.copy())
        return np.ones_like(z)

    out = pgf_coefficients(g, k_max, radius=radius)
    assert len(seen) == 1
    (z,) = seen
    assert z.dtype == np.complex128
    assert z.shape == (nodes,)
    np.testing.assert_allclose(np.abs(z), radius, rtol=4 * EPS)
    np.testing.assert_allclose(
        z, radius * np.exp(2j * np.pi * np.arange(nodes) / nodes), atol=1e-15
    )
    assert out.shape == (k_max + 1,)
    np.testing.assert_allclose(out, [1.0] + [0.0] * k_max, atol=1e-15 / radius**k_max)


def test_pgf_coefficients_accepts_numpy_integers():
    out = pgf_coefficients(lambda z: (1 + z) ** 2, np.int64(3), nodes=np.int64(4))
    np.testing.assert_allclose(out, [1, 2, 1, 0], atol=1e-15)


# ============================================================================ tv_distance


def test_tv_distance_examples_and_padding():
    assert tv_distance([0.5, 0.5], [1.0]) == 0.5
    assert tv_distance([1.0], [0.5, 0.5]) == 0.5
    assert tv_distance([1.0, 0.0], [0.0, 1.0]) == 1.0
    assert tv_distance([0.2, 0.3, 0.5], [0.2, 0.3, 0.5, 0.0, 0.0]) == 0.0
    assert tv_distance([0.0, 0.0, 1.0], [1.0]) == 1.0


def test_tv_distance_leading_axes_broadcast():
    p = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    out = tv_distance(p, [1.0])
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, [0.0, 1.0, 0.5])
    q = np.array([[0.25, 0.25, 0.5]])  # (1, 3) against (3, 2)
    np.testing.assert_allclose(tv_distance(p, q), [0.75, 0.75, 0.5], rtol=4 * EPS)
    assert tv_distance(np.ones((4, 1, 3)) / 3, np.ones((5, 2)) / 2).shape == (4, 5)


pmfs = st.lists(st.floats(0, 1e3), min_size=1, max_size=30).filter(lambda w: sum(w) > 0)


def _normalise(weights):
    w = np.array(weights)
    return w / w.sum()


@given(a=pmfs, b=pmfs)
def test_tv_distance_metric_properties(a, b):
    p, q = _normalise(a), _normalise(b)
    d = tv_distance(p, q)
    assert type(d) is float
    assert d == tv_distance(q, p)
    assert -4 * EPS <= d <= 1 + 4 * EPS
    assert tv_distance(p, p) == 0.0
    # padding: appending zeros changes nothing
    assert tv_distance(np.concatenate([p, np.zeros(7)]), q) == pytest.approx(d, abs=4 * EPS)


@given(a=pmfs, b=pmfs, c=pmfs)
def test_tv_distance_triangle_inequality(a, b, c):
    p, q, r = _normalise(a), _normalise(b), _normalise(c)
    assert tv_distance(p, r) <= tv_distance(p, q) + tv_distance(q, r) + 8 * EPS


@given(a=pmfs, b=pmfs)
def test_tv_distance_is_half_l1_of_zero_padded(a, b):
    p, q = _normalise(a), _normalise(b)
    width = max(p.size, q.size)
    x = np.concatenate([p, np.zeros(width - p.size)])
    y = np.concatenate([q, np.zeros(width - q.size)])
    assert tv_distance(p, q) == pytest.approx(0.5 * np.abs(x - y).sum(), rel=4 * EPS)


def test_tv_distance_accepts_pmfs_rounded_to_float32():
    p = np.array([0.1, 0.2, 0.7], dtype=np.float32)  # sums to 1 - 3e-8 in float64
    assert tv_distance(p, [0.1, 0.2, 0.7]) == pytest.approx(0.0, abs=1e-7)


# ================================================================== binomial_poisson_tv


@pytest.mark.parametrize("n", [100, 1000, 10**4, 10**6, 10**9])
@pytest.mark.parametrize("lam", [0.5, 3.0, 10.0])
def test_binomial_poisson_tv_against_mpmath(n, lam):
    # the docstring promises relative accuracy even at n = 1e9, where subtracting the two pmfs
    # would keep only about six digits; measured agreement is ~1e-15, so 1e-12 holds with room
    assert binomial_poisson_tv(n, lam) == pytest.approx(mp_binomial_poisson_tv(n, lam), rel=1e-12)


@pytest.mark.parametrize(("n", "lam"), [(1e200, 1.0), (1e300, 0.5), (1.7e308, 30.0), (2**70, 3.0)])
def test_binomial_poisson_tv_at_huge_n(n, lam):
    """p^2 underflowed in n (log(1 - p) + p): at n = 1e200 the distance was 9 % off."""
    got = quiet(binomial_poisson_tv, n, lam)
    assert got == pytest.approx(mp_binomial_poisson_tv(n, lam), rel=1e-12)


@pytest.mark.parametrize("lam", [1e-12, 0.01, 1.0, 30.0, 63.5, 100.0, 1e4])
def test_binomial_poisson_tv_across_n_and_lam(lam):
    """The docstring's grid: relative error 1.3e-14 at worst (n = 1000, lam = 63.5)."""
    ns = [n for n in (1, 10, 64, 65, 1e3, 1e6, 1e15, 1e200, 1.7e308) if n >= lam]
    got = quiet(binomial_poisson_tv, ns, lam)
    want = np.array([mp_binomial_poisson_tv(n, lam) for n in ns])
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=0)


@pytest.mark.parametrize(
    ("n", "lam"), [(1e6, 999999.0), (1e6, 999999.9999), (1e5, 99999.5), (2e6, 1.9e6), (1e9, 1e6)]
)
def test_binomial_poisson_tv_at_large_lam_and_p_near_one(n, lam):
    """log1p(-k/n) near k = n once magnified rounding by n/(n - k): 1.3e-12 off at (1e6, 999999);
    a running sum over a million k once cost 5e-9 at (1e9, 1e6)."""
    assert quiet(binomial_poisson_tv, n, lam) == pytest.approx(
        mp_binomial_poisson_tv(n, lam), rel=1e-14
    )


@pytest.mark.parametrize("lam", [1e-300, 1e-12, 1e-5])
def test_binomial_poisson_tv_at_tiny_lam(lam):
    """Tiny means need only k = 0..3; the bound p (1 - e^-lam) ~ lam^2 at n = 1 is attained."""
    assert quiet(binomial_poisson_tv, 1, lam) == pytest.approx(-lam * math.expm1(-lam), rel=1e-13)
    assert quiet(binomial_poisson_tv, 100, lam) == pytest.approx(
        mp_binomial_poisson_tv(100, lam), rel=1e-12
    )


@pytest.mark.parametrize("lam", [0.5, 3.0, 10.0])
def test_binomial_poisson_tv_large_n_bound_and_limit(lam):
    constant = poisson_limit_constant(lam)
    n = np.array([1e6, 1e9])
    tv = binomial_poisson_tv(n, lam)
    # Barbour-Hall: d_TV <= (1 - e^-lam) lam / n = (1 - e^-lam) lam p
    assert np.all(tv <= -math.expm1(-lam) * lam / n)
    assert n[0] * tv[0] == pytest.approx(constant, rel=1e-3)
    assert n[1] * tv[1] == pytest.approx(constant, rel=1e-6)
    # and the approach is O(1/n): n (n TV / C - 1) is the same at 1e6 and 1e9
    gap = n * (n * tv / constant - 1)
    assert gap[1] == pytest.approx(gap[0], rel=1e-3)


@pytest.mark.parametrize("lam", [0.5, 3.0, 10.0])
def test_limit_constant_against_scipy(lam):
    # the same second difference from scipy's pmf (accurate at these lam), as a check of the helper
    pi = np.concatenate([[0.0, 0.0], stats.poisson.pmf(np.arange(200), lam)])
    second = pi[2:] - 2 * pi[1:-1] + pi[:-2]
    assert poisson_limit_constant(lam) == pytest.approx(
        lam**2 / 4 * np.abs(second).sum(), rel=1e-12
    )
    if lam == 3.0:
        assert poisson_limit_constant(lam) == pytest.approx(0.75054005564555, rel=1e-13)


@pytest.mark.parametrize("p", [1e-8, 1e-3, 0.015625, 0.5, 0.9])
def test_binomial_poisson_tv_single_trial_closed_form(p):
    # d_TV(Bernoulli(p), Poi(p)) = p (1 - e^-p): the Barbour-Hall bound, attained
    assert binomial_poisson_tv(1, p) == pytest.approx(-p * math.expm1(-p), rel=1e-13)


@given(n=st.integers(1, 500), u=st.floats(1e-3, 0.99))
def test_binomial_poisson_tv_against_scipy_moderate_n(n, u):
    lam = u * n
    k = np.arange(n + int(lam + 40 * math.sqrt(lam)) + 60)
    reference = 0.5 * np.abs(stats.binom.pmf(k, n, lam / n) - stats.poisson.pmf(k, lam)).sum()
    tv = binomial_poisson_tv(n, lam)
    assert type(tv) is float
    assert 0 < tv < 1
    # (at n = 1 the bound is attained: d_TV(Bernoulli(p), Poi(p)) = p (1 - e^-p))
    assert tv <= -math.expm1(-lam) * lam / n * (1 + 1e-13)
    # the scipy reference subtracts two pmfs: absolute error ~ 1e-15
    assert tv == pytest.approx(reference, rel=1e-10, abs=1e-14)


@pytest.mark.parametrize("n", [1, 3, 10, 1000])
def test_binomial_poisson_tv_n_equal_lam(n):
    """n = lam is allowed: Bin(n, 1) is a point mass at n, so TV = 1 - pi_n, without a warning
    (log1p(-p) at p = 1 once gave NaN)."""
    expected = 1 - mp_poisson(n, float(n))
    assert quiet(binomial_poisson_tv, n, float(n)) == pytest.approx(expected, rel=1e-13)


def test_binomial_poisson_tv_lam_just_below_n():
    k = np.arange(80)
    reference = 0.5 * np.abs(stats.binom.pmf(k, 10, 9.999 / 10) - stats.poisson.pmf(k, 9.999)).sum()
    assert binomial_poisson_tv(10, 9.999) == pytest.approx(reference, rel=1e-11)


# ============================================================================ broadcasting


def test_binomial_broadcasting():
    k = np.arange(6).reshape(6, 1, 1)
    n = np.array([5, 10, 1000]).reshape(1, 3, 1)
    p = np.array([0.1, 0.5])
    out = binomial_pmf(k, n, p)
    assert isinstance(out, np.ndarray)
    assert out.shape == (6, 3, 2)
    assert out.dtype == np.float64
    for i in range(6):
        for j in range(3):
            for m in range(2):
                expected = binomial_pmf(int(k[i, 0, 0]), int(n[0, j, 0]), float(p[m]))
                assert out[i, j, m] == pytest.approx(expected, rel=4 * EPS, abs=0)


def test_poisson_broadcasting():
    k = np.arange(5).reshape(5, 1)
    lam = np.array([0.1, 3.0, 1e6])
    out = poisson_pmf(k, lam)
    assert out.shape == (5, 3)
    for i in range(5):
        for j in range(3):
            assert out[i, j] == pytest.approx(poisson_pmf(i, float(lam[j])), rel=4 * EPS, abs=0)


def test_binomial_poisson_tv_broadcasting():
    n = np.array([[10], [1000]])
    lam = np.array([0.5, 3.0, 7.0])
    out = binomial_poisson_tv(n, lam)
    assert out.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            assert out[i, j] == pytest.approx(
                binomial_poisson_tv(int(n[i, 0]), float(lam[j])), rel=4 * EPS
            )


@pytest.mark.parametrize(
    ("func", "args"),
    [
        (binomial_pmf, (3, 10, 0.3)),
        (binomial_pmf, (np.int64(3), np.array(10), np.float64(0.3))),
        (binomial_pmf, (3.0, 10.0, 1)),
        (poisson_pmf, (2, 3.0)),
        (poisson_pmf, (np.array(2), 3)),
        (tv_distance, ([0.5, 0.5], [1.0])),
        (binomial_poisson_tv, (10, 3.0)),
        (binomial_poisson_tv, (np.int64(10), np.float64(3.0))),
    ],
)
def test_scalars_in_give_python_float_out(func, args):
    assert type(func(*args)) is float


def test_lists_in_give_arrays_out():
    assert isinstance(binomial_pmf([0, 1], 1, 0.5), np.ndarray)
    assert isinstance(poisson_pmf([0, 1], 1.0), np.ndarray)
    assert binomial_pmf(0, [3], 0.5).shape == (1,)
    assert poisson_pmf(0, [2.0]).shape == (1,)
    assert binomial_poisson_tv([10], 3.0).shape == (1,)
    assert tv_distance([[1.0]], [1.0]).shape == (1,)
    assert isinstance(pgf_coefficients(lambda z: z, 0), np.ndarray)


# =============================================================================== bad input

BAD_COUNT = [
    (-1, ValueError),
    (2.5, ValueError),
    (np.array([3, 4.5]), ValueError),
    (-0.5, ValueError),
    (math.nan, ValueError),
    (math.inf, ValueError),
    (-math.inf, ValueError),
    (np.array([1.0, np.nan]), ValueError),
    (True, TypeError),
    (np.array([True]), TypeError),
    ("3", TypeError),
    (3 + 0j, TypeError),
    (None, TypeError),
]


@pytest.mark.parametrize(
    "func",
    [
        pytest.param(lambda k: binomial_pmf(k, 10, 0.3), id="binomial"),
        pytest.param(lambda k: poisson_pmf(k, 3.0), id="poisson"),
    ],
)
@pytest.mark.parametrize(("k", "error"), BAD_COUNT)
def test_bad_k_is_rejected_by_name(func, k, error):
    with pytest.raises(error, match="^k: "):
        func(k)


@pytest.mark.parametrize(
    "func",
    [
        pytest.param(lambda n: binomial_pmf(1, n, 0.3), id="binomial"),
        pytest.param(lambda n: binomial_poisson_tv(n, 0.5), id="tv"),
    ],
)
@pytest.mark.parametrize(("n", "error"), BAD_COUNT)
def test_bad_n_is_rejected_by_name(func, n, error):
    with pytest.raises(error, match="^n: "):
        func(n)


@pytest.mark.parametrize(
    ("p", "error"),
    [
        (-0.1, ValueError),
        (-1e-300, ValueError),
        (1.0000001, ValueError),
        (2, ValueError),
        (np.array([0.5, 1.5]), ValueError),
        (math.nan, ValueError),
        (math.inf, ValueError),
        (np.array([0.5, -np.inf]), ValueError),
        (True, TypeError),
        ("0.5", TypeError),
        (0.5j, TypeError),
    ],
)
def test_bad_p_is_rejected_by_name(p, error):
    with pytest.raises(error, match="^p: "):
        binomial_pmf(1, 10, p)


@pytest.mark.parametrize(
    "func",
    [
        pytest.param(lambda lam: poisson_pmf(1, lam), id="poisson"),
        pytest.param(lambda lam: binomial_poisson_tv(10**6, lam), id="tv"),
    ],
)
@pytest.mark.parametrize(
    ("lam", "error"),
    [
        (0, ValueError),
        (0.0, ValueError),
        (-1.0, ValueError),
        (np.array([1.0, 0.0]), ValueError),
        (math.nan, ValueError),
        (math.inf, ValueError),
        (np.array([2.0, np.inf]), ValueError),
        (True, TypeError),
        ("3", TypeError),
        (3j, TypeError),
    ],
)
def test_bad_lam_is_rejected_by_name(func, lam, error):
    with pytest.raises(error, match="^lam: "):
        func(lam)


@pytest.mark.parametrize(("n", "lam"), [(2, 3.0), (0, 0.5), (10, 10.5), (np.array([100, 1]), 2.0)])
def test_binomial_poisson_tv_needs_n_at_least_lam(n, lam):
    with pytest.raises(ValueError, match="^n(, lam)?: "):
        binomial_poisson_tv(n, lam)


def _ones(z):
    return np.ones_like(z)


@pytest.mark.parametrize(
    ("radius", "error"),
    [
        (0.0, ValueError),
        (-1.0, ValueError),
        (math.nan, ValueError),
        (math.inf, ValueError),
        (np.array([1.0, 0.5]), ValueError),
        (True, TypeError),
        ("1", TypeError),
        (1j, TypeError),
    ],
)
def test_bad_radius_is_rejected_by_name(radius, error):
    with pytest.raises(error, match="^radius: "):
        pgf_coefficients(_ones, 3, radius=radius)


@pytest.mark.parametrize("k_max", [-1, 2.5, 3.0, math.nan, True, None, "3", np.array([3])])
def test_bad_k_max_is_rejected_by_name(k_max):
    with pytest.raises((ValueError, TypeError), match="^k_max: "):
        pgf_coefficients(_ones, k_max)


@pytest.mark.parametrize(
    ("k_max", "nodes"), [(3, 3), (15, 8), (0, 0), (3, -4), (3, 16.0), (0, True)]
)
def test_bad_nodes_is_rejected_by_name(k_max, nodes):
    with pytest.raises((ValueError, TypeError), match="^nodes: "):
        pgf_coefficients(_ones, k_max, nodes=nodes)


@pytest.mark.parametrize("G", [None, 3.0, np.ones(64), "exp"])
def test_non_callable_G_is_rejected_by_name(G):
    with pytest.raises(TypeError, match="^G: "):
        pgf_coefficients(G, 3)


@pytest.mark.parametrize(
    "G",
    [
        pytest.param(lambda z: 1.0, id="scalar"),
        pytest.param(lambda z: np.ones(3), id="too-short"),
        pytest.param(lambda z: np.ones((z.size, 1)), id="extra-axis"),
        pytest.param(lambda z: np.ones((2, z.size)), id="two-rows"),
    ],
)
def test_G_of_wrong_shape_is_rejected_by_name(G):
    with pytest.raises(ValueError, match="^G: "):
        pgf_coefficients(G, 3, nodes=8)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, complex(np.inf, 0), complex(0, np.nan)])
def test_G_with_non_finite_values_is_rejected_by_name(bad):
    def G(z):
        out = np.ones_like(z)
        out[3] = bad
        return out

    with pytest.raises(ValueError, match="^G: "):
        pgf_coefficients(G, 3, nodes=8)


@pytest.mark.parametrize(
    ("p", "q", "name", "error"),
    [
        ([0.5, -0.1], [1.0], "p", ValueError),
        ([1.0], [1.1, -0.1], "q", ValueError),
        (0.5, [1.0], "p", ValueError),
        ([1.0], 1.0, "q", ValueError),
        ([0.5, np.nan], [1.0], "p", ValueError),
        ([1.0], [np.inf], "q", ValueError),
        (["a"], [1.0], "p", TypeError),
        ([1.0], [True], "q", TypeError),
        ([1.0], [1j], "q", TypeError),
    ],
)
def test_bad_tv_distance_input_is_rejected_by_name(p, q, name, error):
    with pytest.raises(error, match=f"^{name}: "):
        tv_distance(p, q)


@pytest.mark.parametrize(
    ("p", "q", "name"),
    [
        ([3.0, 5.0], [1.0], "p"),  # weights, not a pmf
        ([1.0], [0.5, 0.4], "q"),  # cut short: the missing 0.1 would be lost
        (np.array([]), [1.0], "p"),
        ([[1.0], [0.9]], [1.0], "p"),  # one row of several
        ([1.0], [1e308, 1e308], "q"),  # the sum overflows
    ],
)
def test_tv_distance_refuses_what_is_not_a_pmf(p, q, name):
    with pytest.raises(ValueError, match=f"^{name}: "):
        quiet(tv_distance, p, q)


def test_tv_distance_refuses_leading_axes_that_do_not_broadcast():
    with pytest.raises(ValueError, match="^p, q: "):
        tv_distance(np.ones((3, 2)) / 2, np.ones((4, 2)) / 2)


@pytest.mark.parametrize(
    ("radius", "k_max"),
    [(1.5, 3), (1e308, 3), (5e-324, 3), (1e-5, 10), (0.5, 27), (0.9, 175)],
)
def test_pgf_coefficients_refuses_a_radius_outside_the_disc_or_amplifying_rounding(radius, k_max):
    """Beyond |z| = 1 a PGF may diverge; r^-k_max > 1e8 once returned noise such as 1e34."""
    with pytest.raises(ValueError, match="^radius: "):
        pgf_coefficients(lambda z: np.exp(3.0 * (z - 1)), k_max, radius=radius)


def test_pgf_coefficients_accepts_the_smallest_radius_it_states():
    k_max = 20
    r = 1e-8 ** (1 / k_max) * (1 + 1e-9)
    got = quiet(pgf_coefficients, lambda z: np.exp(3.0 * (z - 1)), k_max, radius=r)
    # rounding is amplified by r^-k <= 1e8 on top of max |G| = e^{3 (r - 1)} < 1
    np.testing.assert_allclose(got, poisson_pmf(np.arange(k_max + 1), 3.0), rtol=0, atol=1e-7)


def test_pgf_coefficients_at_k_max_zero_takes_any_radius_in_the_disc():
    assert quiet(pgf_coefficients, lambda z: np.exp(3.0 * (z - 1)), 0, radius=5e-324)[
        0
    ] == pytest.approx(math.exp(-3.0), rel=1e-15)


@pytest.mark.parametrize(
    ("G", "error"),
    [
        (lambda z: "abc", TypeError),
        (lambda z: None, ValueError),
        (lambda z: np.exp(800.0 * z), ValueError),  # overflows inside G: no warning escapes
    ],
)
def test_pgf_coefficients_refuses_what_G_returns_by_name(G, error):
    with pytest.raises(error, match="^G: "):
        quiet(pgf_coefficients, G, 3)


@pytest.mark.parametrize("real", [None, 1, 0.5, "yes"])
def test_pgf_coefficients_real_must_be_a_bool(real):
    with pytest.raises(TypeError, match="^real: "):
        pgf_coefficients(_ones, 3, real=real)


def test_pgf_coefficients_refuses_more_than_2_to_the_24_nodes():
    with pytest.raises(ValueError, match="^k_max: "):
        pgf_coefficients(_ones, 2**24)
    with pytest.raises(ValueError, match="^nodes: "):
        pgf_coefficients(_ones, 3, nodes=2**24 + 1)


def test_binomial_poisson_tv_refuses_too_much_work_up_front():
    with pytest.raises(ValueError, match="^n, lam: "):
        binomial_poisson_tv(1e12, 1e7)  # about 1e7 terms
    with pytest.raises(ValueError, match="^n, lam: "):
        binomial_poisson_tv(np.arange(1.0, 20_002.0), 0.5)


@pytest.mark.parametrize(
    ("func", "args", "names"),
    [
        (binomial_pmf, ([1, 2], [3, 4, 5], 0.5), "k, n, p"),
        (poisson_pmf, ([1, 2], [3.0, 4.0, 5.0]), "k, lam"),
        (binomial_poisson_tv, ([10, 20], [1.0, 2.0, 3.0]), "n, lam"),
    ],
)
def test_shapes_that_do_not_broadcast_are_refused_by_name(func, args, names):
    with pytest.raises(ValueError, match=f"^{names}: "):
        func(*args)
