"""Tests of scispaces.sde: Euler-Maruyama paths, the Fokker-Planck solver and the OU density."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sps
import scipy.sparse.linalg as spla
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from scispaces import sde
from scispaces.reference import (
    cram_max_error,
    gaussian_moments_ode,
    ou_mean_variance,
    semi_discrete_solution,
)
from scispaces.sde import euler_maruyama, fokker_planck_1d, fokker_planck_generator, ou_density

MASS_REL = 1e-13  # h * sum(p) is conserved to rounding (the contract of fokker_planck_1d)
Z = 4.0  # Monte Carlo bounds: 4 standard errors (two-sided miss probability 6e-5 per check)

# the Ornstein-Uhlenbeck reference problem: dx = -THETA x dt + SIGMA dw from N(M0, S0)
THETA, SIGMA, M0, S0 = 1.0, 0.8, 1.5, 0.05


def const(value: float):
    """A coefficient (x, t) -> value, of the shape of x."""
    return lambda x, t: np.full(np.shape(x), float(value))


def zero(x, t):
    return np.zeros(np.shape(x))


def gaussian(x: np.ndarray, mean: float, var: float) -> np.ndarray:
    return np.exp(-((x - mean) ** 2) / (2 * var)) / np.sqrt(2 * math.pi * var)


def grid_moments(x: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mass h sum p, mean and variance of each row of p (densities on the uniform grid x)."""
    h = (x[-1] - x[0]) / (x.size - 1)
    mass = h * p.sum(axis=-1)
    mean = h * (p * x).sum(axis=-1) / mass
    var = h * (p * (x - mean[..., None]) ** 2).sum(axis=-1) / mass
    return mass, mean, var


# ====================================================================== Fokker-Planck: mass, p >= 0

X_CONS = np.linspace(-3.0, 3.0, 121)
T_CONS = [0.0, 0.1, 0.25, 0.5, 1.0]

CONSERVATION_CASES = {
    "ou": (lambda x, t: -THETA * x, const(SIGMA)),
    "double_well": (lambda x, t: x - x**3, const(0.7)),
    "state_and_time_g": (lambda x, t: -x, lambda x, t: (0.5 + 0.3 * np.sin(x)) * (1 + t)),
    "sin_g_times_1_plus_t": (lambda x, t: x - x**3, lambda x, t: 0.5 + 0.3 * np.sin(x) * (1 + t)),
    "advection_converging": (lambda x, t: 0.5 - x, const(0.0)),
    "advection_sign_changes": (lambda x, t: np.sin(3 * x) + 0.2 * t, const(0.0)),
    "advection_then_diffusion": (lambda x, t: -x, lambda x, t: np.where(x > 0, 0.6, 0.0)),
}


@pytest.mark.parametrize("case", sorted(CONSERVATION_CASES))
def test_fp_conserves_mass_and_positivity(case):
    drift, diffusion = CONSERVATION_CASES[case]
    # 0.5 + 0.3 sin(x) (1 + t) stays >= 0.2 > 0 up to t = 2/3, so stop at 0.5 there
    times = T_CONS[:-1] if case == "sin_g_times_1_plus_t" else T_CONS
    p0 = gaussian(X_CONS, 0.4, 0.2)
    out = fokker_planck_1d(drift, diffusion, p0, X_CONS, times)
    assert out.shape == (len(times), X_CONS.size)
    mass, _, _ = grid_moments(X_CONS, out)
    assert np.all(np.abs(mass - mass[0]) <= MASS_REL * mass[0]), mass - mass[0]
    assert np.all(out >= 0)
    assert np.isfinite(out).all()


@settings(max_examples=40)
@given(
    a=st.floats(-1.0, 3.0),
    c=st.floats(-1.0, 1.0),
    g0=st.one_of(st.just(0.0), st.floats(1e-3, 1.5)),
    wiggle=st.floats(0.0, 0.9),
    m=st.floats(-2.0, 2.0),
    v=st.floats(0.01, 1.0),
    scale=st.floats(1e-3, 1e3),
)
def test_fp_conservation_property(a, c, g0, wiggle, m, v, scale):
    """Random linear drift (attracting or repelling), state- and time-dependent g, any mass."""
    x = np.linspace(-4.0, 4.0, 81)
    p0 = scale * gaussian(x, m, v)
    out = fokker_planck_1d(
        lambda y, t: -a * (y - c),
        lambda y, t: g0 * (1 + wiggle * np.sin(2 * y + t)),
        p0,
        x,
        [0.0, 0.25, 0.5],
    )
    mass, _, _ = grid_moments(x, out)
    assert np.all(np.abs(mass - mass[0]) <= MASS_REL * mass[0])
    assert np.all(out >= 0)


@pytest.mark.parametrize("speed", [0.7, -0.7])
def test_fp_pure_advection_moves_the_mean_exactly(speed):
    """g = 0 (upwind branch), constant f: h sum J = f h sum p, so the mean moves by exactly f t.

    The semi-discrete upwind scheme is advection plus the numerical diffusion |f| h / 2, so (while
    the density stays away from the ends) its variance grows by exactly |f| h t; the time
    integration reproduces both to its tolerance.
    """
    x = np.linspace(-4.0, 4.0, 161)
    h = x[1] - x[0]
    times = np.array([0.0, 0.5, 1.0, 2.0])
    out = fokker_planck_1d(const(speed), const(0.0), gaussian(x, 0.0, 0.1), x, times)
    mass, mean, var = grid_moments(x, out)
    np.testing.assert_allclose(mean, mean[0] + speed * times, rtol=0, atol=1e-8)
    np.testing.assert_allclose(var - var[0], abs(speed) * h * times, rtol=0, atol=1e-8)


# ==================================================================== Fokker-Planck: accuracy


def ou_fp_error(n: int, times=(0.0, 0.5, 1.0)) -> np.ndarray:
    """Max error against ou_density at each time, on n points of [-4, 5]."""
    x = np.linspace(-4.0, 5.0, n)
    p0 = ou_density(x, 0.0, THETA, SIGMA, M0, S0)
    out = fokker_planck_1d(lambda y, t: -THETA * y, const(SIGMA), p0, x, list(times))
    exact = ou_density(x[None, :], np.asarray(times)[:, None], THETA, SIGMA, M0, S0)
    return np.abs(out - exact).max(axis=1)


def test_fp_matches_ou_density_at_second_order():
    e200, e400 = ou_fp_error(200), ou_fp_error(400)
    assert e200[0] == 0 and e400[0] == 0
    # h halves (nearly): a second-order error falls 4x; measured 3.8x, 1.8e-4 at t = 1
    assert np.all(e200[1:] / e400[1:] >= 3.0), e200 / e400
    assert e400[-1] < 3e-4


def test_fp_state_dependent_g_keeps_the_linear_mean_at_second_order():
    """For f = -x, d/dt E[x] = -E[x] whatever g(x, t) is: E[x_t] = m0 e^-t exactly."""
    times = np.array([0.0, 0.5, 1.0])

    def mean_error(n: int) -> np.ndarray:
        x = np.linspace(-4.0, 5.0, n)
        out = fokker_planck_1d(
            lambda y, t: -y,
            lambda y, t: (0.5 + 0.3 * np.sin(y)) * (1 + t),
            ou_density(x, 0.0, THETA, SIGMA, M0, S0),
            x,
            times,
        )
        return np.abs(grid_moments(x, out)[1] - M0 * np.exp(-times))[1:]

    e101, e201 = mean_error(101), mean_error(201)
    assert np.all(e101 / e201 >= 3.0), e101 / e201  # measured 4.0
    assert np.all(e201 < 5e-4)  # measured 2.3e-4


def test_fp_double_well_relaxes_to_the_boltzmann_density():
    """f = -U', U = x^4/4 - x^2/2, g = 0.7: the stationary density is prop. to exp(-2U/g^2).

    Zero Scharfetter-Gummel flux means p_{i+1}/p_i = exp(2 h f(x_{i+1/2})/D), the midpoint rule
    for -2/D times the integral of U'. U' is cubic, so the midpoint error h^3 U'''/24 is exact
    and sums to h^2 (U''(x_i) - U''(x_0))/12: the discrete stationary state is exactly
    exp(-2U/D + h^2 U''/(12 D)), normalised. A symmetric start never excites the slow
    well-to-well mode, so t = 12 relaxes it to ~1e-8.
    """
    D = 0.7**2
    x = np.linspace(-2.2, 2.2, 89)
    h = x[1] - x[0]
    p0 = gaussian(x, 0.0, 1.0)
    p0 /= h * p0.sum()  # [-2.2, 2.2] holds only 97% of N(0, 1)
    out = fokker_planck_1d(lambda y, t: y - y**3, const(0.7), p0, x, [0.0, 12.0])[-1]

    def normalised(log_p: np.ndarray) -> np.ndarray:
        p = np.exp(log_p - log_p.max())
        return p / (h * p.sum())

    U = x**4 / 4 - x**2 / 2
    U2 = 3 * x**2 - 1
    boltzmann = normalised(-2 * U / D)
    discrete = normalised(-2 * U / D + h**2 * U2 / (12 * D))
    np.testing.assert_allclose(out, discrete, rtol=0, atol=1e-7 * discrete.max())
    # against the continuum: |p / p_B - 1| <= exp(h^2 (max U'' - min U'') / (12 D)) - 1
    bound = math.expm1(h**2 * (U2.max() - U2.min()) / (12 * D))
    assert np.all(np.abs(out / boltzmann - 1) <= bound)
    assert np.abs(out - boltzmann).max() < 1e-3 * boltzmann.max()  # measured 6.7e-4


@pytest.mark.parametrize("offset", [0.0, 0.5], ids=["zero_g_on_a_node", "zero_g_between_nodes"])
def test_fp_mass_passes_a_point_where_g_vanishes(offset):
    """f = 1, g = |x|/2 (D = x^2/4, smooth): E[x_t] = m0 + t exactly (the noise is a martingale).

    Euler-Maruyama agrees (mean 1.006 +- 0.004 at t = 2 from m0 = -1), and a Scharfetter-Gummel
    flux for p with drift f - D'/2 gets within 2.3e-3 on this grid. The tolerance, 2% of the
    distance travelled, leaves room for an O(h^2) scheme and none for a node that traps mass.
    """
    h = 0.05
    x = h * (np.arange(-80, 121) + offset)  # [-4, 6], 0 on a node when offset = 0
    p0 = gaussian(x, -1.0, 0.1)
    out = fokker_planck_1d(const(1.0), lambda y, t: 0.5 * np.abs(y), p0, x, [0.0, 1.0, 2.0])
    _, mean, _ = grid_moments(x, out)
    np.testing.assert_allclose(mean[-1], -1.0 + 2.0, atol=0.04)


def test_fp_tiny_positive_g_acts_like_zero_g():
    """g = 1e-158 gives D = 1e-316 > 0: physically pure advection, it must not turn into NaN."""
    x = np.linspace(-2.0, 2.0, 41)
    p0 = gaussian(x, 0.0, 0.1)
    advected = fokker_planck_1d(const(1.0), const(0.0), p0, x, [0.0, 0.5])
    tiny = fokker_planck_1d(const(1.0), const(1e-158), p0, x, [0.0, 0.5])
    np.testing.assert_allclose(tiny, advected, rtol=1e-9, atol=1e-12)


def test_fp_accepts_a_linspace_grid_far_from_the_origin():
    """Translation invariance: OU about c = 1e6 on a linspace grid is OU about 0 shifted."""
    c = 1e6
    offsets = np.linspace(-4.0, 5.0, 401)
    x_far = np.linspace(c - 4.0, c + 5.0, 401)
    p0 = ou_density(offsets, 0.0, THETA, SIGMA, M0, S0)
    times = [0.0, 0.01]
    near = fokker_planck_1d(lambda y, t: -y, const(SIGMA), p0, offsets, times)
    far = fokker_planck_1d(lambda y, t: -(y - c), const(SIGMA), p0, x_far, times)
    np.testing.assert_allclose(far, near, rtol=1e-6, atol=1e-9)


# ================================================================ Fokker-Planck: the time axis


def test_fp_first_output_is_p0_exactly_and_p0_is_not_modified():
    x = np.linspace(-3.0, 3.0, 61)
    p0 = gaussian(x, 0.3, 0.4)
    keep = p0.copy()
    out = fokker_planck_1d(lambda y, t: -y, const(0.5), p0, x, [0.0, 0.3])
    np.testing.assert_array_equal(out[0], keep)
    np.testing.assert_array_equal(p0, keep)
    assert not np.array_equal(out[1], out[0])


def test_fp_single_time_returns_just_p0():
    x = np.linspace(-3.0, 3.0, 61)
    p0 = gaussian(x, 0.3, 0.4)
    out = fokker_planck_1d(lambda y, t: -y, const(0.5), p0, x, [2.5])
    assert out.shape == (1, x.size)
    np.testing.assert_array_equal(out[0], p0)


def test_fp_autonomous_problem_does_not_care_where_time_starts():
    x = np.linspace(-4.0, 5.0, 91)
    p0 = ou_density(x, 0.0, THETA, SIGMA, M0, S0)
    a = fokker_planck_1d(lambda y, t: -y, const(SIGMA), p0, x, [0.0, 0.5, 1.0])
    b = fokker_planck_1d(lambda y, t: -y, const(SIGMA), p0, x, [2.0, 2.5, 3.0])
    np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)


def test_fp_coefficients_see_the_absolute_time():
    """f = 0, g^2 = t from t = 2 to 3: E[x^2] grows by the integral of t, 2.5 (0.5 if t - t0).

    With f = 0 the discrete flux gives d/dt h sum x^2 p = D(t) exactly (away from the ends), so
    the variance grows by 2.5 up to the time integration's tolerance.
    """
    x = np.linspace(-15.0, 15.0, 301)
    out = fokker_planck_1d(
        zero, lambda y, t: np.full(y.shape, math.sqrt(t)), gaussian(x, 0, 1), x, [2, 3]
    )
    _, mean, var = grid_moments(x, out)
    assert abs(mean[1]) < 1e-12
    assert abs((var[1] - var[0]) - 2.5) <= 1e-7


# ================================================================================ ou_density

OU_PARAMS = [
    # theta, sigma, m0, s0, t
    (1.0, 0.8, 1.5, 0.05, 1.0),
    (0.3, 2.0, -3.0, 1.0, 0.2),
    (5.0, 0.5, 2.0, 0.0, 0.7),
    (0.0, 0.8, 1.5, 0.05, 2.0),
    (0.0, 0.0, -1.0, 0.3, 4.0),
    (2.0, 0.0, 1.0, 0.5, 0.5),
]


@pytest.mark.parametrize(("theta", "sigma", "m0", "s0", "t"), OU_PARAMS)
def test_ou_density_is_normalised_with_the_stated_moments(theta, sigma, m0, s0, t):
    mean, var = ou_mean_variance(t, theta, sigma, m0, s0)
    sd = math.sqrt(var)
    x = np.linspace(mean - 14 * sd, mean + 14 * sd, 4001)
    p = ou_density(x, t, theta, sigma, m0, s0)
    # the trapezoid rule is spectrally accurate for a Gaussian on a wide grid
    assert np.trapezoid(p, x) == pytest.approx(1.0, abs=1e-12)
    assert np.trapezoid(x * p, x) == pytest.approx(mean, abs=1e-11 * (1 + abs(mean)))
    assert np.trapezoid((x - mean) ** 2 * p, x) == pytest.approx(var, rel=1e-11)


@given(
    theta=st.floats(0.0, 5.0),
    sigma=st.floats(0.05, 3.0),
    m0=st.floats(-5.0, 5.0),
    s0=st.floats(0.0, 2.0),
    t=st.floats(1e-3, 10.0),
    z=st.lists(st.floats(-8.0, 8.0), min_size=1, max_size=8),
)
def test_ou_density_agrees_with_scipy(theta, sigma, m0, s0, t, z):
    mean, var = ou_mean_variance(t, theta, sigma, m0, s0)
    x = mean + math.sqrt(var) * np.array(z)
    got = ou_density(x, t, theta, sigma, m0, s0)
    np.testing.assert_allclose(got, stats.norm.pdf(x, mean, math.sqrt(var)), rtol=1e-11)


def test_ou_density_theta_zero_is_brownian_motion():
    x = np.linspace(-6.0, 9.0, 301)
    for t in (0.0, 0.1, 1.0, 7.0):
        np.testing.assert_allclose(
            ou_density(x, t, 0.0, SIGMA, M0, S0),
            stats.norm.pdf(x, M0, math.sqrt(S0 + SIGMA**2 * t)),
            rtol=1e-12,  # rounding of z^2 / 2 far out in the tails (z up to 25 here)
        )


def test_ou_density_long_time_is_the_stationary_gaussian():
    x = np.linspace(-3.0, 3.0, 121)
    stationary = stats.norm.pdf(x, 0.0, SIGMA / math.sqrt(2 * THETA))
    # e^-50 of the start is left, far below rounding
    np.testing.assert_allclose(ou_density(x, 50.0, THETA, SIGMA, M0, S0), stationary, rtol=1e-13)
    np.testing.assert_allclose(ou_density(x, 1e9, THETA, SIGMA, M0, 0.0), stationary, rtol=1e-13)


def test_ou_density_time_zero_is_the_start():
    x = np.linspace(-1.0, 4.0, 101)
    np.testing.assert_allclose(
        ou_density(x, 0.0, THETA, SIGMA, M0, S0), stats.norm.pdf(x, M0, math.sqrt(S0)), rtol=1e-13
    )


def test_ou_density_broadcasts_x_against_t():
    x = np.linspace(-2.0, 3.0, 7)
    t = np.array([0.1, 0.5, 2.0])
    grid = ou_density(x[:, None], t[None, :], THETA, SIGMA, M0, S0)
    assert grid.shape == (7, 3)
    for j, tj in enumerate(t):
        np.testing.assert_array_equal(grid[:, j], ou_density(x, tj, THETA, SIGMA, M0, S0))


def test_ou_density_docstring_example():
    assert round(float(ou_density(0.0, 1e9, 1.0, 1.0, 0.0, 0.0)), 12) == 0.564189583548
    assert float(ou_density(0.0, 1e9, 1.0, 1.0, 0.0, 0.0)) == pytest.approx(1 / math.sqrt(math.pi))


# ============================================================================= Euler-Maruyama


def ou_drift(x, t):
    return -THETA * x


def test_em_docstring_example():
    paths = euler_maruyama(lambda x, t: -x, lambda x, t: np.ones_like(x), 1.0, [0, 1], 4, seed=1)
    assert paths.shape == (2, 4)
    np.testing.assert_array_equal(paths[0], 1.0)


def test_em_same_seed_same_paths_other_seed_other_paths():
    args = (ou_drift, const(SIGMA), M0, [0.0, 0.5, 1.0], 50)
    a = euler_maruyama(*args, seed=7, max_step=0.1)
    b = euler_maruyama(*args, seed=7, max_step=0.1)
    c = euler_maruyama(*args, seed=8, max_step=0.1)
    np.testing.assert_array_equal(a, b)
    assert np.all(a[1:] != c[1:])
    np.testing.assert_array_equal(euler_maruyama(*args), euler_maruyama(*args, seed=0))


def test_em_shape_scalar_start():
    out = euler_maruyama(ou_drift, const(SIGMA), 2.0, [0.0, 0.5, 1.0, 3.0], 11)
    assert out.shape == (4, 11)
    np.testing.assert_array_equal(out[0], 2.0)


def test_em_shape_vector_start_diagonal_noise():
    x0 = np.array([1.0, -2.0, 0.5])
    out = euler_maruyama(ou_drift, const(0.3), x0, [0.0, 1.0], 9)
    assert out.shape == (2, 9, 3)
    np.testing.assert_array_equal(out[0], np.broadcast_to(x0, (9, 3)))


def test_em_shape_one_start_per_path_and_start_untouched():
    x0 = np.arange(12.0).reshape(6, 2)
    keep = x0.copy()
    out = euler_maruyama(ou_drift, const(0.3), x0, [0.0, 0.5, 1.0], 6)
    assert out.shape == (3, 6, 2)
    np.testing.assert_array_equal(out[0], keep)
    np.testing.assert_array_equal(x0, keep)


def test_em_scalar_start_with_a_plain_number_for_g():
    out = euler_maruyama(ou_drift, lambda x, t: 0.5, 0.0, [0.0, 1.0], 5, max_step=0.25)
    assert out.shape == (2, 5)
    assert np.isfinite(out).all()


@pytest.mark.parametrize("m", [1, 2, 3])
def test_em_shape_matrix_noise(m):
    """(n_paths, d, m) noise: d = 2 states driven by m independent noises, any m."""
    G = np.arange(1.0, 2 * m + 1).reshape(2, m) / 4
    out = euler_maruyama(
        zero, lambda x, t: np.broadcast_to(G, (x.shape[0], 2, m)), [0.0, 1.0], [0.0, 1.0], 8
    )
    assert out.shape == (2, 8, 2)


@pytest.mark.parametrize("m", [1, 2, 3])
def test_em_matrix_noise_covariance_is_g_gt_t(m):
    """Zero drift, constant G: x_t - x_0 = G w_t exactly, covariance G G^T t.

    Each entry of the sample second moment (1/N) sum x_i x_j has standard error
    sqrt((S_ii S_jj + S_ij^2) / N).
    """
    G = np.array([[1.0, 0.5, 0.0], [-0.3, 0.2, 0.8]])[:, :m]
    n = 20_000
    times = np.array([0.0, 0.5, 2.0])
    out = euler_maruyama(
        zero, lambda x, t: np.broadcast_to(G, (x.shape[0], 2, m)), [1.0, -1.0], times, n, seed=3
    )
    for k in (1, 2):
        dx = out[k] - np.array([1.0, -1.0])
        S = G @ G.T * times[k]
        sample = dx.T @ dx / n
        se = np.sqrt((np.outer(np.diag(S), np.diag(S)) + S**2) / n)
        assert np.all(np.abs(sample - S) <= Z * se), (sample, S)


def test_em_diagonal_noise_covariance():
    g = np.array([0.3, 1.2])
    n = 20_000
    out = euler_maruyama(zero, lambda x, t: np.broadcast_to(g, x.shape), [0.0, 0.0], [0, 1.5], n)
    sample = out[1].T @ out[1] / n
    S = np.diag(g**2 * 1.5)
    se = np.sqrt((np.outer(np.diag(S), np.diag(S)) + S**2) / n)
    assert np.all(np.abs(sample - S) <= Z * se), (sample, S)


def test_em_ou_moments():
    """x0 = 1.5, theta = 1, sigma = 0.8, dt = 2^-9, 2e4 paths, at t = 0.5 and 1.

    EM for OU is x <- r x + sigma sqrt(dt) eps, r = 1 - theta dt: Gaussian with mean x0 r^n and
    variance sigma^2 dt (1 - r^2n) / (1 - r^2) after n steps. Its distance from the closed form
    (the discretisation bias, ~0.1 standard error here) is added to the 4-standard-error bound;
    the sample variance of N Gaussians has standard error var sqrt(2 / (N - 1)).
    """
    n_paths, dt = 20_000, 2.0**-9
    times = np.array([0.0, 0.5, 1.0])
    out = euler_maruyama(ou_drift, const(SIGMA), M0, times, n_paths, seed=11, max_step=dt)
    r = 1 - THETA * dt
    for k in (1, 2):
        steps = round(times[k] / dt)
        em_mean = M0 * r**steps
        em_var = SIGMA**2 * dt * (1 - r ** (2 * steps)) / (1 - r**2)
        mean, var = ou_mean_variance(times[k], THETA, SIGMA, M0, 0.0)
        se_mean = math.sqrt(var / n_paths)
        se_var = var * math.sqrt(2 / (n_paths - 1))
        sample_mean, sample_var = out[k].mean(), out[k].var(ddof=1)
        assert abs(sample_mean - mean) <= Z * se_mean + abs(em_mean - mean)
        assert abs(sample_var - var) <= Z * se_var + abs(em_var - var)


def test_em_without_noise_is_forward_euler():
    """g = 0: each interval of times in ceil(span / max_step) equal steps of x += f(x, t) dt."""

    def drift(x, t):
        return np.sin(3 * t) - x**3 + 0.5 * x

    x0 = np.array([[0.3, -1.2], [2.0, 0.0], [-0.7, 1.1]])
    times = np.array([0.1, 0.35, 0.4, 1.3])
    max_step = 0.07
    out = euler_maruyama(drift, zero, x0, times, 3, seed=5, max_step=max_step)
    x, expected = x0.copy(), [x0.copy()]
    for a, b in zip(times[:-1], times[1:], strict=True):
        pieces = math.ceil((b - a) / max_step)
        dt = (b - a) / pieces
        for j in range(pieces):
            x = x + drift(x, a + j * dt) * dt
        expected.append(x.copy())
    np.testing.assert_array_equal(out, np.array(expected))


def test_em_step_count_and_left_end_point():
    # x' = x: one Euler step of 1 gives 2; max_step 0.3 cuts [0, 1] into 4 steps: 1.25^4
    grow = euler_maruyama(lambda x, t: x, zero, 1.0, [0.0, 1.0], 2)
    assert np.all(grow[-1] == 2.0)
    grow = euler_maruyama(lambda x, t: x, zero, 1.0, [0.0, 1.0], 2, max_step=0.3)
    np.testing.assert_allclose(grow[-1], 1.25**4, rtol=1e-15)
    # x' = t, steps of 1/4: the left Riemann sum, 0.375 on [0, 1] and 2.375 on [2, 3]
    for t0, expected in ((0.0, 0.375), (2.0, 2.375)):
        out = euler_maruyama(
            lambda x, t: np.full(x.shape, t), zero, 0.0, [t0, t0 + 1], 2, max_step=0.25
        )
        np.testing.assert_allclose(out[-1], expected, rtol=1e-15)


# ================================================================================ bad input

X_OK = np.linspace(-2.0, 2.0, 21)
P_OK = gaussian(X_OK, 0.0, 0.3)


def fp(**kw):
    args = {
        "drift": ou_drift,
        "diffusion": const(0.5),
        "p0": P_OK,
        "x": X_OK,
        "times": [0.0, 0.1],
    }
    args.update(kw)
    return fokker_planck_1d(**args)


def em(**kw):
    args = {
        "drift": ou_drift,
        "diffusion": const(0.5),
        "x0": 0.0,
        "times": [0.0, 0.1],
        "n_paths": 4,
    }
    args.update(kw)
    return euler_maruyama(**args)


@pytest.mark.parametrize("solve", [fp, em], ids=["fp", "em"])
@pytest.mark.parametrize("name", ["drift", "diffusion"])
@pytest.mark.parametrize("bad", [None, 1.0, "x"])
def test_non_callable_coefficients(solve, name, bad):
    with pytest.raises(TypeError, match=name):
        solve(**{name: bad})


@pytest.mark.parametrize("solve", [fp, em], ids=["fp", "em"])
def test_negative_g_returned(solve):
    with pytest.raises(ValueError, match="diffusion"):
        solve(diffusion=lambda x, t: np.where(x > -1, -0.1, 0.5))


@pytest.mark.parametrize("solve", [fp, em], ids=["fp", "em"])
@pytest.mark.parametrize("name", ["drift", "diffusion"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_coefficients_returned(solve, name, bad):
    def coefficient(x, t):
        return np.where(x > 0.5, bad, 0.5) if solve is fp else np.full(np.shape(x), bad)

    with pytest.raises(ValueError, match=name):
        solve(**{name: coefficient})


@pytest.mark.parametrize("solve", [fp, em], ids=["fp", "em"])
@pytest.mark.parametrize(
    "times",
    [[0.0, 0.2, 0.2], [0.0, 0.3, 0.1], [1.0, 0.0], [], [[0.0, 0.1]], [0.0, np.nan]],
    ids=["repeated", "decreasing", "backwards", "empty", "2-D", "nan"],
)
def test_bad_times(solve, times):
    with pytest.raises(ValueError, match="times"):
        solve(times=times)


@pytest.mark.parametrize("solve", [fp, em], ids=["fp", "em"])
def test_times_must_be_real(solve):
    with pytest.raises(TypeError, match="times"):
        solve(times=[0.0, 1.0 + 1j])


@pytest.mark.parametrize(
    "x",
    [
        np.r_[np.linspace(-2.0, 0.0, 11), np.linspace(0.1, 2.0, 10)],
        np.linspace(-2.0, 2.0, 21) ** 3,
        np.linspace(2.0, -2.0, 21),
        np.linspace(-2.0, 2.0, 21).reshape(3, 7),
        np.array([0.0, 1.0]),
        np.array([0.0]),
    ],
    ids=["kinked", "cubed", "decreasing", "2-D", "two_points", "one_point"],
)
def test_bad_grid(x):
    with pytest.raises(ValueError, match="x"):
        fp(x=x, p0=np.ones(np.shape(x)))


@pytest.mark.parametrize(
    "p0",
    [
        np.where(X_OK > 1, -1e-3, P_OK),
        np.zeros(21),
        np.ones(20),
        np.ones((21, 1)),
        np.where(X_OK > 1, np.nan, P_OK),
        np.where(X_OK > 1, np.inf, P_OK),
    ],
    ids=["negative", "zero_mass", "short", "column", "nan", "inf"],
)
def test_bad_p0(p0):
    with pytest.raises(ValueError, match="p0"):
        fp(p0=p0)


def test_p0_must_be_real():
    with pytest.raises(TypeError, match="p0"):
        fp(p0=P_OK.astype(complex))


@pytest.mark.parametrize(
    ("rtol", "error"),
    [
        (0.0, ValueError),
        (1e-14, ValueError),
        (0.1, ValueError),
        (np.nan, ValueError),
        ("a", TypeError),
    ],
)
def test_bad_rtol(rtol, error):
    with pytest.raises(error, match="rtol"):
        fp(rtol=rtol)


@pytest.mark.parametrize(
    ("max_steps", "error"), [(0, ValueError), (2.5, TypeError), (True, TypeError)]
)
def test_bad_max_steps(max_steps, error):
    with pytest.raises(error, match="max_steps"):
        fp(max_steps=max_steps)


@pytest.mark.parametrize(
    ("n_paths", "error"),
    [(0, ValueError), (-3, ValueError), (2.0, TypeError), (True, TypeError), ("4", TypeError)],
)
def test_bad_n_paths(n_paths, error):
    with pytest.raises(error, match="n_paths"):
        em(n_paths=n_paths)


def test_numpy_integer_n_paths_is_fine():
    assert em(n_paths=np.int64(3)).shape == (2, 3)


@pytest.mark.parametrize(
    "x0",
    [np.zeros((5, 2)), np.zeros((3, 2)), np.zeros((4, 2, 1)), np.zeros((1, 4))],
    ids=["too_many_starts", "too_few_starts", "3-D", "one_row"],
)
def test_bad_x0_shape(x0):
    with pytest.raises(ValueError, match="x0"):
        em(x0=x0)


@pytest.mark.parametrize(
    ("x0", "error"), [(np.nan, ValueError), (1j, TypeError), (True, TypeError)]
)
def test_bad_x0_value(x0, error):
    with pytest.raises(error, match="x0"):
        em(x0=x0)


@pytest.mark.parametrize("max_step", [0.0, -0.1, np.nan, np.inf])
def test_bad_max_step(max_step):
    with pytest.raises(ValueError, match="max_step"):
        em(max_step=max_step)


@pytest.mark.parametrize(
    ("kw", "name"),
    [
        ({"theta": -0.1}, "theta"),
        ({"sigma": -0.5}, "sigma"),
        ({"s0": -1e-3}, "s0"),
        ({"t": -1.0}, "t"),
        ({"t": np.array([0.5, -1e-9])}, "t"),
        ({"s0": 0.0, "t": 0.0}, "t"),
        ({"s0": 0.0, "t": np.array([0.0, 1.0])}, "t"),
        ({"theta": np.array([1.0, 2.0])}, "theta"),
        ({"sigma": [0.5]}, "sigma"),
        ({"m0": np.ones((1, 1))}, "m0"),
        ({"theta": np.nan}, "theta"),
        ({"x": np.array([0.0, np.inf])}, "x"),
    ],
)
def test_bad_ou_density_arguments(kw, name):
    args = {"x": 0.0, "t": 1.0, "theta": THETA, "sigma": SIGMA, "m0": M0, "s0": S0}
    args.update(kw)
    with pytest.raises(ValueError, match=name):
        ou_density(**args)


def test_ou_density_point_mass_after_zero_time_is_fine():
    """s0 = 0 is a point mass only at t = 0; for t > 0 and sigma > 0 the density exists."""
    mean, var = ou_mean_variance(0.1, THETA, SIGMA, M0, 0.0)
    assert float(ou_density(M0, 0.1, THETA, SIGMA, M0, 0.0)) == pytest.approx(
        stats.norm.pdf(M0, mean, math.sqrt(var)), rel=1e-13
    )


# ====================================================== Fokker-Planck: the time integration


@pytest.mark.parametrize(
    ("approximation", "bound"), [(sde._CRAM16, 1e-14), (sde._CRAM14, 1e-13)], ids=["16", "14"]
)
def test_cram_coefficients_approximate_the_exponential_on_the_negative_axis(approximation, bound):
    """|r(x) - e^x| on x <= 0 for the float coefficients, by mpmath (measured 5.1e-15 for order 16),
    and the float64 evaluation through the shifted solves within 1e-11 of e^x (measured 3.1e-12
    at x = -1e4: the residues reach 250 and the solves carry entries up to |x|)."""
    x = -np.concatenate([np.linspace(0.0, 3.0, 61), np.logspace(0.5, 4, 120)])
    assert cram_max_error(*approximation, x) < bound
    for value in x:
        rate = np.array([-value])  # a two-cell chain whose generator has eigenvalues 0 and -2|x|
        got = sde._Cram()(1.0, rate, rate, np.array([1.0, 0.0]), check=True)[
            approximation is sde._CRAM14
        ]
        want = (1 + math.exp(2 * value)) / 2
        assert abs(got[0] - want) <= 1e-11, (value, got)


@settings(max_examples=30)
@given(a=st.floats(-3.0, 3.0), b=st.floats(0.0, 2.0), t=st.floats(0.0, 5.0))
def test_generator_is_metzler_with_zero_column_sums(a, b, t):
    x = np.linspace(-2.0, 2.0, 41)
    L = fokker_planck_generator(
        lambda y, s: a * np.sin(y + s), lambda y, s: b * (1 + 0.5 * np.cos(y)), x, t
    ).toarray()
    off = L - np.diag(np.diag(L))
    assert np.all(off >= 0)
    assert np.all(np.abs(L.sum(axis=0)) <= 1e-14 * np.abs(np.diag(L)).max() + 1e-300)


@pytest.mark.parametrize("spread", [0.0, 5.0, 30.0])
def test_subtraction_free_solve_is_exact_and_nonnegative_for_any_rates(spread):
    """Random one-way rates over e^(-30) .. e^30: agrees with a sparse LU solve, every x_i >= 0,
    and the sum (the mass) equals that of the right side to rounding."""
    rng = np.random.default_rng(7)
    n = 400
    net = rng.normal(size=(3, n - 1)) * np.exp(spread * rng.uniform(-1, 1, size=(3, n - 1)))
    right, left = np.maximum(net, 0.0), np.maximum(-net, 0.0)
    start = rng.random(n) * np.exp(spread * rng.uniform(-1, 1, size=n))
    x = sde._subtraction_free_solve(right, left, start)
    assert np.all(x >= 0)
    for k in range(3):
        main = 1 + np.r_[right[k], 0.0] + np.r_[0.0, left[k]]
        A = sps.diags_array([main, -left[k], -right[k]], offsets=[0, 1, -1], format="csc")
        want = spla.spsolve(A, start)
        assert np.abs(x[k] - want).max() <= 1e-12 * want.max()
        assert abs(x[k].sum() - start.sum()) <= 1e-14 * start.sum()


def test_patankar_keeps_a_positive_prediction_and_repairs_a_negative_one():
    """A positive prediction comes back unchanged; one that dips below 0 in the tails by 1e-15 (as
    the rational approximation does) comes back >= 0 and changed by about that much; one spoiled
    by 1e-3 comes back >= 0 with the mass of the start."""
    x = np.linspace(-8.0, 8.0, 161)  # tails down to 1e-30
    start = gaussian(x, -1.0, 0.2)
    moved = gaussian(x, 0.5, 0.4) * (start.sum() / gaussian(x, 0.5, 0.4).sum())
    kept = sde._patankar(start, moved[None, :])[0]
    np.testing.assert_allclose(kept, moved, rtol=1e-12, atol=1e-14 * moved.max())
    dipped = moved - 1e-15 * np.cos(7 * x) ** 2
    out = sde._patankar(start, dipped[None, :])[0]
    assert dipped.min() < 0 and np.all(out >= 0)
    assert np.abs(out - moved).max() <= 1e-13 * moved.max()
    spoiled = moved - 1e-3 * np.cos(7 * x) ** 2
    out = sde._patankar(start, spoiled[None, :])[0]
    assert np.all(out >= 0)
    assert abs(out.sum() - start.sum()) <= MASS_REL * start.sum()


OU_TIMES = np.array([0.0, 0.25, 0.5, 1.0])


def ou_solution(n):
    x = np.linspace(-4.0, 5.0, n)
    p0 = ou_density(x, 0.0, THETA, SIGMA, M0, S0)
    out = fokker_planck_1d(lambda y, t: -THETA * y, const(SIGMA), p0, x, OU_TIMES)
    L = fokker_planck_generator(lambda y, t: -THETA * y, const(SIGMA), x)
    exact_time = semi_discrete_solution(lambda t: L, p0, OU_TIMES, constant=True)
    truth = ou_density(x[None, :], OU_TIMES[:, None], THETA, SIGMA, M0, S0)
    return out, exact_time, truth


@pytest.mark.parametrize("n", [101, 201, 401])
def test_fp_is_the_exact_time_integration_of_the_semi_discrete_system(n):
    """Against expm_multiply: equal to 1e-10 of the peak (measured 1e-13), so the error against
    the OU closed form is that of the exact time integration (the issue's bound is 10 %)."""
    out, exact_time, truth = ou_solution(n)
    assert np.abs(out - exact_time).max() <= 1e-10 * exact_time.max()
    ours, floor = np.abs(out - truth)[1:].max(), np.abs(exact_time - truth)[1:].max()
    assert abs(ours / floor - 1) <= 1e-6


def test_fp_ou_error_falls_like_h_squared():
    """Exact in time, so the error is the spatial one: fitted order 2 +- 0.1 over 101..801."""
    sizes = np.array([101, 201, 401, 801])
    errors = [
        np.abs(fokker_out - truth)[-1].max() for fokker_out, _, truth in map(ou_solution, sizes)
    ]
    slope = np.polyfit(np.log(9.0 / (sizes - 1)), np.log(errors), 1)[0]
    assert abs(slope - 2) <= 0.1, (slope, errors)


def test_fp_time_dependent_coefficients_against_an_exact_gaussian():
    """dx = -theta(t) x dt + sigma(t) dw stays Gaussian; its mean and variance solve two ODEs.
    The solver's error must be within 10 % of that of the exact (Radau, rtol 1e-10) time
    integration of the same semi-discrete system: the time error is negligible."""

    def theta(t):
        return 1 + 0.5 * np.sin(2 * t)

    def sigma(t):
        return 0.8 * (1 + 0.3 * np.cos(3 * t))

    times = np.array([0.0, 0.4, 1.0, 1.7])
    x = np.linspace(-4.0, 5.0, 121)
    p0 = ou_density(x, 0.0, 0.0, 0.0, 1.2, 0.05)
    mean, var = gaussian_moments_ode(theta, sigma, 1.2, 0.05, times)
    truth = gaussian(x[None, :], mean[:, None], var[:, None])
    drift = lambda y, t: -theta(t) * y  # noqa: E731
    noise = lambda y, t: np.full_like(y, sigma(t))  # noqa: E731
    out = fokker_planck_1d(drift, noise, p0, x, times)
    exact_time = semi_discrete_solution(
        lambda t: fokker_planck_generator(drift, noise, x, t), p0, times
    )
    ours, floor = np.abs(out - truth)[1:].max(), np.abs(exact_time - truth)[1:].max()
    assert abs(ours / floor - 1) <= 0.1, (ours, floor)
    assert np.abs(out - exact_time).max() <= 1e-6 * out.max()
    mass = out.sum(axis=1)
    assert np.all(np.abs(mass / mass[0] - 1) <= MASS_REL) and np.all(out >= 0)


@pytest.mark.parametrize("n", [101, 201])
def test_fp_double_well_stationary_density_after_the_slow_mode_has_died(n):
    """f = x - x^3, g = 0.6, start N(0.2, 0.01): the slow well-to-well mode decays like e^-0.114 t,
    so at t = 400 e^-45 of it is left. The solver must then hold the stationary density of the
    semi-discrete system, p_{i+1}/p_i = B(-w_i)/B(w_i) = e^(w_i), w_i = 2 h f(x_{i+1/2})/g^2, to
    1e-8 of its peak; at t = 40 the slow mode is still visible (2.7e-3 of the peak at n = 101)."""
    x = np.linspace(-2.5, 2.5, n)
    h = x[1] - x[0]
    faces = (x[:-1] + x[1:]) / 2
    out = fokker_planck_1d(
        lambda y, t: y - y**3, const(0.6), gaussian(x, 0.2, 0.01), x, [0.0, 40.0, 400.0]
    )
    log_p = np.concatenate([[0.0], np.cumsum(2 * h * (faces - faces**3) / 0.36)])
    stationary = np.exp(log_p - log_p.max())
    stationary *= out[0].sum() / stationary.sum()
    assert np.abs(out[2] - stationary).max() <= 1e-8 * stationary.max()
    assert np.abs(out[1] - stationary).max() >= 1e-4 * stationary.max()


HARD_CASES = {
    "advection_into_the_wall": (const(5.0), const(0.0)),
    "strong_drift_tiny_noise": (const(-20.0), const(1e-3)),
    "converging_flow": (lambda y, t: 2 - 8 * y, const(0.0)),
    "stiff_double_well": (lambda y, t: 20 * (y - y**3), const(0.05)),
    "oscillating_in_time": (
        lambda y, t: np.sin(5 * t) * 3 - y,
        lambda y, t: 0.3 + 0.2 * np.sin(3 * t),
    ),
}


@pytest.mark.parametrize("case", sorted(HARD_CASES))
@pytest.mark.parametrize("scale", [1e-300, 1.0, 1e300])
def test_fp_positive_and_conservative_in_hard_cases(case, scale):
    """Advection-dominated and stiff generators (where the rational approximation alone leaves
    negative values), zeros and subnormals in p0, and masses from 1e-300 to 1e300."""
    drift, diffusion = HARD_CASES[case]
    x = np.linspace(-2.0, 2.0, 101)
    p0 = scale * np.where(np.abs(x - 0.3) < 0.5, 1.0 + x, 0.0)
    p0[0] = 5e-324 if scale < 1e-200 else 0.0
    out = fokker_planck_1d(drift, diffusion, p0, x, [0.0, 0.05, 0.5, 3.0])
    assert np.all(out >= 0) and np.isfinite(out).all()
    mass = out.sum(axis=1)
    assert np.all(np.abs(mass / mass[0] - 1) <= MASS_REL), mass / mass[0] - 1


def test_fp_refuses_work_it_cannot_finish():
    """Spacing 1e-300 (rates overflow), drift 1e12 up to t = 1e308, and coefficients that
    oscillate 1e6 times per unit time: a clear error, not a hang."""
    tiny = np.arange(21) * 1e-300
    with pytest.raises(ValueError, match="x"):
        fp(x=tiny, p0=np.ones(21))
    with pytest.raises(ValueError, match="times, max_steps"):
        fp(drift=const(1e12), times=[0.0, 1e308])
    with pytest.raises(ValueError, match="max_steps"):
        fp(drift=lambda y, t: np.full_like(y, np.sin(1e6 * t)), times=[0.0, 1.0], max_steps=50)


@pytest.mark.parametrize("solve", [fp, em], ids=["fp", "em"])
@pytest.mark.parametrize("name", ["drift", "diffusion"])
def test_coefficient_of_the_wrong_shape_is_named(solve, name):
    with pytest.raises(ValueError, match=name):
        solve(**{name: lambda y, t: np.ones(3)})


@pytest.mark.parametrize(
    ("seed", "error"), [(-1, ValueError), ("abc", TypeError), (1.5, TypeError)]
)
def test_bad_seed_is_named(seed, error):
    with pytest.raises(error, match="seed"):
        em(seed=seed)


def test_em_refuses_a_sub_step_count_beyond_its_budget():
    with pytest.raises(ValueError, match="max_step"):
        em(max_step=1e-9, times=[0.0, 1.0])
    assert em(max_step=1e-3, times=[0.0, 1.0]).shape == (2, 4)


def test_ou_density_at_the_edges_of_the_float_range():
    """sigma = 1e200 (variance 1e400, not representable) and a subnormal theta."""
    got = ou_density(0.0, 1.0, 0.0, 1e200, 0.0, 0.0)
    assert got == pytest.approx(1 / (math.sqrt(2 * math.pi) * 1e200), rel=1e-14)
    x = np.linspace(-3.0, 3.0, 13)
    np.testing.assert_allclose(
        ou_density(x, 0.7, 3e-323, SIGMA, M0, S0),
        ou_density(x, 0.7, 0.0, SIGMA, M0, S0),
        rtol=1e-15,
    )
    assert isinstance(ou_density(0.5, 1.0, THETA, SIGMA, M0, S0), float)


@pytest.mark.parametrize("noise", [0.1, 0.0], ids=["small_g", "zero_g"])
def test_fp_advection_dominated_steps_stay_accurate(noise):
    """Drift 5 with g = 0.1 or 0 on 121 points: a strongly non-normal generator, on which CRAM-16
    misses e^(tau L) by 2e-5 for tau = 1. The check against CRAM-14 must shrink the steps until
    the result matches expm_multiply to 1e-8 of the peak, at every one of eight equal intervals."""
    x = np.linspace(-3.0, 3.0, 121)
    times = np.linspace(0.0, 4.0, 9)
    p0 = gaussian(x, -1.5, 0.1)
    out = fokker_planck_1d(const(5.0), const(noise), p0, x, times)
    L = fokker_planck_generator(const(5.0), const(noise), x)
    exact = semi_discrete_solution(lambda t: L, p0, times, constant=True)
    assert np.abs(out - exact).max() <= 1e-8 * p0.max()
    assert np.all(out >= 0)


def test_fp_long_horizons_reach_the_stationary_density_in_few_steps():
    """OU on 401 points to t = 1e6, 1e12 and 1e20 (step x largest rate up to 1e24): only the
    departure from the stationary density is propagated, so long steps stay exact; t = 1e300
    would need steps beyond 1e150 / (largest rate) and is refused up front."""
    x = np.linspace(-4.0, 5.0, 401)
    h = x[1] - x[0]
    p0 = ou_density(x, 0.0, THETA, SIGMA, M0, S0)
    out = fokker_planck_1d(lambda y, t: -y, const(SIGMA), p0, x, [0.0, 1e6, 1e12, 1e20])
    faces = (x[:-1] + x[1:]) / 2
    log_p = np.concatenate([[0.0], np.cumsum(2 * h * (-faces) / SIGMA**2)])
    stationary = np.exp(log_p - log_p.max())
    stationary *= p0.sum() / stationary.sum()
    assert np.abs(out[1:] - stationary).max() <= 1e-10 * stationary.max()
    with pytest.raises(ValueError, match="times, max_steps"):
        fokker_planck_1d(lambda y, t: -y, const(SIGMA), p0, x, [0.0, 1e300])
