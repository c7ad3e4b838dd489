"""Tests of scispaces.angles: the angle between two random directions in R^n."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from scispaces import angles
from scispaces.angles import angle_cdf, angle_normaliser, angle_pdf, angle_variance, cosine_pdf
from scispaces.reference import (
    ANGLE_DIMENSIONS,
    ANGLE_FLOOR,
    EPS,
    angle_errors,
    angle_grid,
    angle_reference,
    mp_angle_cdf,
    mp_angle_normaliser,
    mp_angle_variance,
)

PI = math.pi

dimensions = st.integers(2, 10**7)
moderate_dimensions = st.integers(2, 1000)


# =========================================================================== example values


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (2, 1 / PI),
        (3, 0.5),
        (4, 2 / PI),
        (5, 0.75),
        (6, 8 / (3 * PI)),
        (3.0, 0.5),
        (np.int64(4), 2 / PI),
    ],
)
def test_normaliser_small_n(n, expected):
    assert angle_normaliser(n) == pytest.approx(expected, rel=2 * EPS, abs=0)


def test_normaliser_grows_like_sqrt_n_over_2pi():
    n = np.array([1e4, 1e6, 1e8, 1e12])
    ratio = angle_normaliser(n) / np.sqrt(n / (2 * PI))
    # C_n = sqrt((n - 1)/(2 pi)) exp(-1/(4(n - 1)) + ...) = sqrt(n/(2 pi)) (1 - 3/(4n) + O(n^-2))
    assert np.all(np.abs(ratio - (1 - 3 / (4 * n))) <= 1 / n**2 + 8 * EPS)


def test_pdf_n2_is_uniform_including_end_points():
    theta = np.array([0.0, 1e-300, 0.5, PI / 2, 3.0, np.nextafter(PI, 0), PI])
    np.testing.assert_allclose(angle_pdf(theta, 2), 1 / PI, rtol=EPS)
    assert angle_pdf(0.0, 2) == angle_pdf(PI, 2) == pytest.approx(1 / PI, rel=EPS)
    # and 0 just outside
    assert angle_pdf(np.nextafter(0.0, -1), 2) == 0.0
    assert angle_pdf(np.nextafter(PI, 4), 2) == 0.0


def test_pdf_n3_is_half_sine():
    theta = np.linspace(0, PI, 101)
    np.testing.assert_allclose(angle_pdf(theta, 3), np.sin(theta) / 2, rtol=4 * EPS, atol=0)
    assert angle_pdf(PI / 2, 3) == 0.5


def test_pdf_n4():
    theta = np.linspace(0, PI, 51)
    np.testing.assert_allclose(
        angle_pdf(theta, 4), 2 / PI * np.sin(theta) ** 2, rtol=8 * EPS, atol=0
    )


def test_pdf_is_zero_outside_0_pi():
    theta = np.array([-100.0, -PI, -1e-12, PI + 1e-12, 4.0, 1e6])
    for n in (2, 3, 10, 1001):
        assert np.all(angle_pdf(theta, n) == 0.0)


def test_cosine_pdf_n3_is_uniform():
    t = np.linspace(-1, 1, 201)[1:-1]
    assert np.all(cosine_pdf(t, 3) == 0.5)
    assert cosine_pdf(0.3, 3) == 0.5
    # 0 outside (-1, 1), including the end points (documented support is the open interval)
    assert np.all(cosine_pdf(np.array([-1.5, -1.0, 1.0, 2.0]), 3) == 0.0)


def test_cosine_pdf_n2_is_arcsine_density():
    t = np.array([-0.999, -0.5, 0.0, 0.25, 0.999999])
    np.testing.assert_allclose(
        cosine_pdf(t, 2), 1 / (PI * np.sqrt((1 - t) * (1 + t))), rtol=4 * EPS
    )
    assert cosine_pdf(1.0, 2) == math.inf
    assert cosine_pdf(-1.0, 2) == math.inf
    assert cosine_pdf(1.5, 2) == 0.0


def test_cosine_pdf_n4_is_semicircle():
    t = np.linspace(-1, 1, 101)[1:-1]
    np.testing.assert_allclose(cosine_pdf(t, 4), 2 / PI * np.sqrt((1 - t) * (1 + t)), rtol=8 * EPS)


def test_cosine_pdf_is_the_pdf_of_cos_theta():
    # p_theta(theta) = p_t(cos theta) |d cos theta / d theta| = p_t(cos theta) sin theta
    theta = np.linspace(0.05, PI - 0.05, 41)
    for n in (2, 3, 5, 20, 300):
        np.testing.assert_allclose(
            cosine_pdf(np.cos(theta), n) * np.sin(theta),
            angle_pdf(theta, n),
            rtol=100 * n * EPS,
            atol=1e-300,
        )


def test_cdf_n2_is_theta_over_pi():
    theta = np.concatenate([np.linspace(0, PI, 49), [1e-150, 1e-10, PI - 1e-10]])
    np.testing.assert_allclose(angle_cdf(theta, 2), theta / PI, rtol=4 * EPS, atol=0)


def test_cdf_n3_is_one_minus_cos_over_two():
    theta = np.concatenate([np.linspace(0, PI, 49), [1e-10, 1e-3, PI - 1e-3]])
    # (1 - cos theta)/2 = sin^2(theta/2), written without cancellation at small theta
    np.testing.assert_allclose(angle_cdf(theta, 3), np.sin(theta / 2) ** 2, rtol=8 * EPS, atol=0)
    np.testing.assert_allclose(angle_cdf(theta, 3), (1 - np.cos(theta)) / 2, rtol=0, atol=4 * EPS)


def test_cdf_outside_0_pi():
    assert angle_cdf(-1.0, 5) == 0.0
    assert angle_cdf(-1e-300, 2) == 0.0
    assert angle_cdf(4.0, 5) == 1.0
    assert angle_cdf(np.nextafter(PI, 4), 2) == 1.0


def test_variance_n2_n3():
    assert angle_variance(2) == pytest.approx(PI**2 / 12, rel=4 * EPS)
    assert angle_variance(3) == pytest.approx(PI**2 / 4 - 2, rel=4 * EPS)


@pytest.mark.parametrize(
    ("n", "printed"),
    [
        (3, "0.467401"),
        (10, "0.110661"),
        (20, "0.0525832"),
        (50, "0.0204053"),
        (100, "0.0101007"),
        (200, "0.00502508"),
        (1000, "0.001001"),
    ],
)
def test_variance_table_of_the_post(n, printed):
    assert f"{angle_variance(n):.6g}" == printed


# ======================================================================= mpmath references

_NORMALISER_NS = sorted(
    set(np.unique(np.round(np.geomspace(2, 1e7, 150)).astype(int)).tolist()) | set(range(190, 213))
)


def test_normaliser_against_mpmath():
    # includes the switch from the gamma ratio to the series at x = (n - 1)/2 = 100, i.e. n = 201
    assert {200, 201, 202} <= set(_NORMALISER_NS)
    ns = np.array(_NORMALISER_NS)
    reference = np.array([mp_angle_normaliser(int(n)) for n in ns])
    np.testing.assert_allclose(angle_normaliser(ns), reference, rtol=2e-15, atol=0)
    # the scalar path gives the same numbers as the vectorised one
    assert [angle_normaliser(int(n)) for n in ns[::10]] == angle_normaliser(ns[::10]).tolist()


def test_normaliser_is_continuous_across_the_series_switch():
    # neighbours differ by the smooth factor C_(n+1)/C_n ~ 1 + 1/(2n); no jump at n = 201
    ns = np.arange(195.0, 210.0)
    c = angle_normaliser(ns)
    expected = np.array(
        [mp_angle_normaliser(int(n + 1)) / mp_angle_normaliser(int(n)) for n in ns[:-1]]
    )
    np.testing.assert_allclose(c[1:] / c[:-1], expected, rtol=4e-15)


_CDF_THETA = np.concatenate(
    [
        np.linspace(0, PI, 49),
        [1e-12, 1e-8, 1e-4, 0.01, 0.1, 0.3],
        PI - np.array([1e-12, 1e-8, 1e-4, 0.01, 0.1, 0.3]),
    ]
)


@pytest.mark.parametrize("n", [2, 3, 7, 50, 1000])
def test_cdf_against_mpmath(n):
    # The tails go like sin(theta)^(n-1), so a float theta's rounding is amplified ~n times.
    reference = np.array([mp_angle_cdf(t, n) for t in _CDF_THETA])
    np.testing.assert_allclose(angle_cdf(_CDF_THETA, n), reference, rtol=10 * n * EPS, atol=1e-300)


@pytest.mark.parametrize("n", [2, 3, 1000, 10**6, 10**15])
def test_cdf_near_pi_over_2_against_mpmath(n):
    """Around the median the CDF keeps full relative accuracy.

    There sin(theta)^2 rounds to 1 (within ~1e-8 of pi/2) and its rounding decides F when n is
    large; the library takes I_{cos^2 theta}(1/2, a) there instead. Before, n = 1e15 was 8 % off.
    """
    offsets = np.array([1e-3, 1e-5, 1e-7, 1e-8, 1e-9]) / max(1.0, math.sqrt(n) / 1e3)
    theta = np.concatenate([PI / 2 - offsets, PI / 2 + offsets])
    reference = angle_reference("angle_cdf", theta, n)
    np.testing.assert_allclose(angle_cdf(theta, n), reference, rtol=8 * EPS, atol=0)


@pytest.mark.parametrize("name", ["angle_pdf", "cosine_pdf", "angle_cdf"])
@pytest.mark.parametrize("n", ANGLE_DIMENSIONS, ids=lambda n: f"{n:.0e}")
def test_accuracy_in_every_dimension(name, n):
    """The accuracy the docstrings state: 1.6 (2 + |log v|) eps (tested with a factor 2.5 to
    spare), v the value relative to its scale (p/C_n, q/C_n, or min(F, 1 - F))."""
    errors = angle_errors(name, n)
    x = angle_grid(n)
    if name == "cosine_pdf":
        x = np.unique(np.cos(x))
        x = x[np.abs(x) < 1]
    value = getattr(angles, name)(x, n)
    if name == "angle_cdf":
        log_scale = np.log(np.maximum(np.minimum(value, 1 - value), ANGLE_FLOOR))
    else:
        log_scale = np.log(np.maximum(value, ANGLE_FLOOR)) - np.log(angle_normaliser(n))
    bound = 4 * (2 + np.abs(log_scale)) * EPS
    assert np.all(errors <= np.where(value > ANGLE_FLOOR, bound, 1e-3)), errors.max()


def test_high_dimensions_keep_the_density_near_its_mode():
    """sin(theta)^(n-2) in floats is off by ~n eps near pi/2 (5 % at n = 1e15): not here."""
    for n in (1e6, 1e10, 1e15, 1e30):
        theta = PI / 2 + np.array([-3.0, -1.0, -0.1, 0.1, 1.0, 3.0]) / math.sqrt(n)
        for name, x in (("angle_pdf", theta), ("cosine_pdf", np.cos(theta))):
            want = angle_reference(name, x, n)
            got = getattr(angles, name)(x, n)
            np.testing.assert_allclose(got, want, rtol=20 * EPS, err_msg=f"{name}, n = {n:g}")


def test_cdf_at_tiny_angles_where_sin_squared_underflows():
    theta = np.array([1e-300, 1e-200, 1e-160, 1e-120])
    np.testing.assert_allclose(angle_cdf(theta, 2), theta / PI, rtol=2 * EPS)
    np.testing.assert_allclose(angle_cdf(theta, 3), theta**2 / 4, rtol=4 * EPS)
    assert np.all(angle_cdf(theta, 5) == 0.0)


def test_variance_against_mpmath():
    ns = np.unique(np.round(np.geomspace(2, 1e8, 120)).astype(int))
    reference = np.array([mp_angle_variance(int(n)) for n in ns])
    np.testing.assert_allclose(angle_variance(ns), reference, rtol=1e-14, atol=0)


# ============================================================================== properties


@given(theta=st.floats(-20, 20), n=dimensions)
def test_pdf_is_nonnegative_and_zero_outside(theta, n):
    p = angle_pdf(theta, n)
    assert isinstance(p, float)
    assert math.isfinite(p)
    assert p >= 0
    if theta < 0 or theta > PI:
        assert p == 0.0
    # never above its maximum C_n, reached at pi/2
    assert p <= angle_normaliser(n) * (1 + 4 * EPS)


@given(t=st.floats(1e-3, PI / 2), n=st.integers(2, 5000))
def test_pdf_is_symmetric_about_pi_over_2(t, n):
    # pi - t is rounded (and np.pi is not pi): sin(pi - t) = sin(t) (1 + O(eps cot t)),
    # raised to the power n - 2
    rtol = n * (abs(1 / math.tan(t)) * 4 * EPS + 4 * EPS) + 4 * EPS
    assert angle_pdf(PI - t, n) == pytest.approx(angle_pdf(t, n), rel=rtol, abs=1e-300)


@given(
    theta=st.lists(st.floats(-0.5, PI + 0.5), min_size=2, max_size=40),
    n=st.integers(2, 10**6),
)
def test_cdf_is_monotone_and_in_0_1(theta, n):
    theta = np.sort(np.array(theta))
    f = angle_cdf(theta, n)
    assert np.all((f >= 0) & (f <= 1))
    assert np.all(np.diff(f) >= 0)


@given(n=st.integers(2, 10**8))
def test_cdf_at_0_half_pi_and_pi(n):
    assert angle_cdf(0.0, n) == 0.0
    # The float PI / 2 lies cos(PI / 2) = 6.1e-17 below pi/2, so F there is 1/2 - C_n * 6.1e-17.
    assert abs(angle_cdf(PI / 2, n) - (0.5 - angle_normaliser(n) * math.cos(PI / 2))) <= 2 * EPS / 4
    assert angle_cdf(np.nextafter(PI / 2, 4), n) >= 0.5
    assert angle_cdf(PI, n) == 1.0
    assert angle_cdf(-1.0, n) == 0.0
    assert angle_cdf(PI + 1.0, n) == 1.0


@given(t=st.floats(0, PI), n=st.integers(2, 10**6))
def test_cdf_reflection(t, n):
    # F(pi - t) = 1 - F(t); pi - t is rounded by up to eps, which moves F by up to C_n eps
    atol = 4 * EPS * (1 + angle_normaliser(n))
    assert angle_cdf(PI - t, n) == pytest.approx(1 - angle_cdf(t, n), rel=0, abs=atol)


@settings(max_examples=25)  # quadrature: the slowest property
@given(n=moderate_dimensions)
def test_pdf_integrates_to_one(n):
    total, err = integrate.quad(
        angle_pdf, 0, PI, args=(n,), points=[PI / 2], epsabs=1e-13, epsrel=1e-13
    )
    assert total == pytest.approx(1.0, rel=1e-10)


@given(t=st.floats(0.01, PI - 0.01), n=moderate_dimensions)
def test_cdf_derivative_is_pdf(t, n):
    h = 1e-5
    derivative = (angle_cdf(t + h, n) - angle_cdf(t - h, n)) / (2 * h)
    # truncation ~ h^2 p''' / 6 <= ~1e-10 n^1.5 C_n; rounding ~ eps / h
    assert derivative == pytest.approx(angle_pdf(t, n), rel=0, abs=1e-5 * angle_normaliser(n))


@settings(max_examples=25)  # quadrature: the slowest property
@given(n=st.integers(2, 300))
def test_variance_is_second_central_moment(n):
    moment, _ = integrate.quad(
        lambda th: (th - PI / 2) ** 2 * angle_pdf(th, n),
        0,
        PI,
        points=[PI / 2],
        epsabs=0,
        epsrel=1e-12,
    )
    assert angle_variance(n) == pytest.approx(moment, rel=1e-10)


@given(n=st.integers(2, 300))
def test_mean_is_pi_over_2(n):
    mean, _ = integrate.quad(
        lambda th: th * angle_pdf(th, n), 0, PI, points=[PI / 2], epsabs=0, epsrel=1e-12
    )
    assert mean == pytest.approx(PI / 2, rel=1e-10)


@given(n=st.integers(4, 10**7))
def test_variance_recurrence(n):
    assert angle_variance(n) == pytest.approx(angle_variance(n - 2) - 2 / (n - 2) ** 2, rel=1e-13)


@given(n=st.integers(2, 10**8))
def test_variance_is_decreasing_and_n_var_above_one(n):
    assert angle_variance(n + 1) < angle_variance(n)
    assert n * angle_variance(n) > 1


@given(n=st.integers(100, 10**6))
def test_variance_asymptotics(n):
    v = angle_variance(n)
    # V = 1/n + 1/n^2 + 2/(3 n^3) + O(n^-5)
    assert n * v - 1 == pytest.approx(1 / n, rel=1 / n)
    assert (v - 1 / n) * n**2 == pytest.approx(1.0, abs=1 / n + 100 * EPS * n)


def test_n_times_variance_tends_to_one():
    n = np.array([1e2, 1e4, 1e6, 1e8, 1e10])
    excess = n * angle_variance(n) - 1
    np.testing.assert_allclose(excess * n, 1 + 2 / (3 * n), rtol=1e-5)
    assert np.all(np.diff(excess) < 0)


# ============================================================================ broadcasting


@pytest.mark.parametrize("func", [angle_pdf, angle_cdf, cosine_pdf])
def test_broadcasting_theta_against_n(func):
    x = np.linspace(0.1, 0.9, 5).reshape(5, 1)
    n = np.array([2, 3, 10])
    out = func(x, n)
    assert isinstance(out, np.ndarray)
    assert out.shape == (5, 3)
    assert out.dtype == np.float64
    for i in range(5):
        for j in range(3):
            assert out[i, j] == func(float(x[i, 0]), int(n[j]))


@pytest.mark.parametrize("func", [angle_normaliser, angle_variance])
def test_functions_of_n_keep_the_shape(func):
    n = np.array([[2, 3, 4], [10, 100, 1000]])
    out = func(n)
    assert out.shape == (2, 3)
    assert out[1, 2] == func(1000)


@pytest.mark.parametrize(
    ("func", "args"),
    [
        (angle_normaliser, (3,)),
        (angle_variance, (3,)),
        (angle_pdf, (1.0, 3)),
        (angle_cdf, (1.0, 3)),
        (cosine_pdf, (0.2, 3)),
        (angle_pdf, (np.float64(1.0), np.int64(3))),
        (angle_cdf, (np.array(1.0), np.array(3))),
        (angle_pdf, (1, 3.0)),
    ],
)
def test_scalars_in_give_python_float_out(func, args):
    assert type(func(*args)) is float


def test_lists_in_give_arrays_out():
    assert isinstance(angle_pdf([0.5, 1.0], 3), np.ndarray)
    assert isinstance(angle_variance([2, 3]), np.ndarray)
    assert angle_normaliser([3]).shape == (1,)


# =============================================================================== bad input

N_FUNCTIONS = [
    pytest.param(lambda n: angle_normaliser(n), id="normaliser"),
    pytest.param(lambda n: angle_variance(n), id="variance"),
    pytest.param(lambda n: angle_pdf(1.0, n), id="pdf"),
    pytest.param(lambda n: angle_cdf(1.0, n), id="cdf"),
    pytest.param(lambda n: cosine_pdf(0.5, n), id="cosine_pdf"),
]


@pytest.mark.parametrize("func", N_FUNCTIONS)
@pytest.mark.parametrize(
    ("n", "error"),
    [
        (1, ValueError),
        (0, ValueError),
        (-3, ValueError),
        (2.5, ValueError),
        (np.array([3, 4.5]), ValueError),
        (math.nan, ValueError),
        (math.inf, ValueError),
        (-math.inf, ValueError),
        (np.array([5.0, np.nan]), ValueError),
        (True, TypeError),
        (np.array([True, False]), TypeError),
        ("3", TypeError),
        (["3", "4"], TypeError),
        (3 + 0j, TypeError),
        (None, TypeError),
    ],
)
def test_bad_dimension_is_rejected_by_name(func, n, error):
    with pytest.raises(error, match="^n: "):
        func(n)


@pytest.mark.parametrize(
    ("func", "name"),
    [(angle_pdf, "theta"), (angle_cdf, "theta"), (cosine_pdf, "t")],
)
@pytest.mark.parametrize(
    ("x", "error"),
    [
        (math.nan, ValueError),
        (math.inf, ValueError),
        (-math.inf, ValueError),
        (np.array([0.5, np.nan]), ValueError),
        (np.array([[0.1], [np.inf]]), ValueError),
        ("0.5", TypeError),
        (True, TypeError),
        (np.array([False]), TypeError),
        (0.5j, TypeError),
    ],
)
def test_bad_argument_is_rejected_by_name(func, name, x, error):
    with pytest.raises(error, match=f"^{name}: "):
        func(x, 3)


@pytest.mark.parametrize(
    ("func", "name"), [(angle_pdf, "theta"), (angle_cdf, "theta"), (cosine_pdf, "t")]
)
def test_shapes_that_do_not_broadcast_are_refused_by_name(func, name):
    with pytest.raises(ValueError, match=f"^{name}, n: shapes do not broadcast"):
        func(np.zeros(4), np.array([2, 3, 4]))


@pytest.mark.parametrize("n", [2**53, 1e100, 1e300, 1.7e308])
def test_huge_dimensions_give_finite_results_without_warnings(n):
    # the pytest configuration turns warnings into errors
    theta = np.array([0.0, 1e-300, 1.0, PI / 2, 2.0, PI])
    for value in (angle_pdf(theta, n), angle_cdf(theta, n), cosine_pdf(np.cos(theta), n)):
        assert np.all(np.isfinite(value))
    assert angle_normaliser(n) == pytest.approx(math.sqrt(n / (2 * PI)), rel=1e-15)
    assert angle_variance(n) == pytest.approx(1 / n, rel=1e-15)
