"""Tests of scispaces.embedding: h_n, the H = 0 dimension and the exact pair entropy."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scispaces.embedding import DIMENSION_RANGE, KAPPA_RANGE, h, min_dimension, pair_entropy
from scispaces.reference import EPS, dense_pair_entropy, h_ive, h_laplace, mp_h, mp_h_quad

PHI = (1 + math.sqrt(5)) / 2
LN_PHI = math.log(PHI)
SLOPE = -0.5 * LN_PHI  # h_n / n -> -1/2 ln(phi) for kappa = 1
C_LIMIT = LN_PHI - 0.25 * math.log(5) - (3 - math.sqrt(5)) / 5  # h_n + n/2 ln(phi) -> C (chapter)
REF_REL = 1e-12  # the docstring promises 1e-13 measured against mpmath; tests allow 10x


def slope_coefficient(kappa: float) -> float:
    """2 / (-lim h_n/n) = 4 / ln(kappa/c*), with c* the positive root of kappa c^2 + c - kappa."""
    c_star = (-1 + math.sqrt(1 + 4 * kappa * kappa)) / (2 * kappa)
    return 4 / math.log(kappa / c_star)


def dense_entropy(U: np.ndarray, V: np.ndarray) -> float:
    """-sum p log p of the softmax over all N M scores, in one dense NumPy computation (naive)."""
    s = U @ V.T
    p = np.exp(s - s.max())
    p /= p.sum()
    return float(-(p * np.log(p)).sum())


# =========================================================================== h: reference values

N_GRID = [
    2,
    2.5,
    3,
    3.7,
    4,
    5,
    7.25,
    10,
    17.5,
    32,
    64,
    100,
    150.5,
    *range(398, 407),  # the switch to Debye's expansion at n = 402 (order 200)
    401.5,
    402.5,
    500,
    1000.3,
    2000,
    5000,
    10000,
]


@pytest.mark.parametrize("kappa", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("n", N_GRID)
def test_h_matches_mpmath_bessel_closed_form(n, kappa):
    assert h(n, kappa) == pytest.approx(mp_h(n, kappa), rel=REF_REL, abs=0)


@pytest.mark.parametrize("kappa", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("n", [2.5, 3, 7.5, 10, 32, 64])
def test_h_matches_mpmath_quadrature(n, kappa):
    # independent of Bessel functions: the defining integrals over theta
    assert h(n, kappa) == pytest.approx(mp_h_quad(n, kappa), rel=REF_REL, abs=0)


@pytest.mark.parametrize("kappa", [0.01, 0.03, 0.1, 0.12, 0.2, 5.0, 10.0, 20.0])
@pytest.mark.parametrize("n", [2, 3, 10, 150, 380, 401.9, 403, 1000])
def test_h_matches_mpmath_for_small_and_large_kappa(n, kappa):
    # measured <= 5e-14 (the worst near n = 400, kappa = 0.1, where the power series hands over
    # to the Bessel form); mpmath is slow for k >> 1e4
    assert h(n, kappa) == pytest.approx(mp_h(n, kappa, dps=60), rel=REF_REL, abs=0)


@pytest.mark.parametrize("kappa", [0.01, 0.1, 0.5, 1.0, 2.0, 5.0, 20.0])
@pytest.mark.parametrize("n", [1e8, 1e10, 1e20, 1e62, 1e100, 1e155, 1e200, 1e300])
def test_h_matches_the_laplace_expansion_for_huge_n(n, kappa):
    # h = n s + C + O(1/n): for n >= 1e8 the remainder is below 1e-17 of h; measured <= 7e-15
    assert h(n, kappa) == pytest.approx(h_laplace(n, kappa), rel=5e-14, abs=0)


def test_laplace_constant_at_kappa_one_is_the_chapters():
    assert h_laplace(0.0) == pytest.approx(C_LIMIT, rel=4 * EPS)
    assert h_laplace(1.0) - h_laplace(0.0) == pytest.approx(SLOPE, rel=4 * EPS)


@pytest.mark.parametrize("kappa", [0.5, 1.0, 2.0])
def test_h_agrees_with_the_scipy_closed_form_where_ive_is_normal(kappa):
    n = np.array([2.5, 3, 10, 64, 300, 1000])
    # the naive closed form cancels (log Gamma against (n/2 - 1) log(k/2)): measured <= 2e-14
    np.testing.assert_allclose(h(n, kappa), h_ive(n, kappa), rtol=1e-12, atol=0)


@pytest.mark.parametrize(
    ("n", "kappa"),
    [
        (100, 1e-8),  # the scaled Bessel function underflows for tiny k
        (150, 1e-12),
        (1000, 1e-4),
        (1e6, 1e-8),
        (1000, 100.0),  # backward recurrence too short for k >> n: relative error 4e-7
        (3, 1e4),  # relative error 1.2e-4
        (100, 1e8),  # NaN
    ],
)
def test_h_refuses_kappa_outside_the_verified_range(n, kappa):
    # outside KAPPA_RANGE h would lose digits or return -inf/NaN (before the power series, the
    # small-kappa cases did; the large-kappa ones still would), so it must refuse
    assert not KAPPA_RANGE[0] <= kappa <= KAPPA_RANGE[1]
    with pytest.raises(ValueError, match="^kappa: must lie in"):
        h(n, kappa)


@pytest.mark.parametrize("n", [1.01e300, 1e305, 1.7e308])
def test_h_refuses_n_beyond_the_float_range_of_its_value(n):
    # h is about -1.5 n at kappa = 20: n near 1e308 would give -inf
    assert n > DIMENSION_RANGE[1]
    with pytest.raises(ValueError, match="^n: must lie in"):
        h(n)


@pytest.mark.parametrize("kappa", KAPPA_RANGE)
@pytest.mark.parametrize("n", [2, 3, 64, 403, 1000])
def test_h_matches_mpmath_at_the_ends_of_the_kappa_range(n, kappa):
    assert h(n, kappa) == pytest.approx(mp_h(n, kappa, dps=60), rel=REF_REL, abs=0)


@pytest.mark.parametrize("k", [0.5, 1.0, 3.0, 10.0, 30.0])
def test_h_n3_elementary_form(k):
    # n = 3: E e^{k cos} = sinh(k)/k and the ratio is coth(k) - 1/k
    expected = math.log(math.sinh(k) / k) - k / math.tanh(k) + 1
    assert h(3, k / 3) == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize("kappa", [0.01, 0.1, 0.5, 1.0, 2.0, 20.0])
def test_h_is_continuous_across_its_three_regions(kappa):
    # Debye's expansion from n = 402; the power series up to k = kappa n = 2 sqrt(n)
    series_end = 4 / kappa**2
    for switch in (402.0, series_end):
        if DIMENSION_RANGE[0] < switch < 1e8:
            below = np.nextafter(switch, 0.0)
            # measured jumps <= 1.2e-13 relative
            assert h(below, kappa) == pytest.approx(h(switch, kappa), rel=1e-12, abs=0)


# ======================================================================= h: the post and limits


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (32, "-7.77471"),
        (64, "-15.4734"),
        (96, "-23.1726"),
        (128, "-30.8718"),
        (256, "-61.6692"),
        (512, "-123.264"),
    ],
)
def test_post_table(n, expected):
    assert f"{h(n):.6g}" == expected


def test_h_over_n_tends_to_minus_half_log_phi():
    assert h(1e6) / 1e6 == pytest.approx(SLOPE, rel=1e-6, abs=0)  # measured 3.07e-7
    for n in (1e4, 1e5, 1e6):
        # h/n - slope = C/n + O(1/n^2), |C| = 0.0739
        assert abs(h(n) / n - SLOPE) <= 0.08 / n


def test_laplace_constant():
    assert h(16000) + 8000 * LN_PHI == pytest.approx(-0.07394, abs=1e-4)  # -0.0739368
    ns = [100, 1000, 1e4, 1e5, 1e6]
    remainder = np.array([h(n) + n / 2 * LN_PHI - C_LIMIT for n in ns])
    assert np.all(np.diff(np.abs(remainder)) < 0)
    # O(1/n): measured n * remainder = -0.0439, -0.0438, -0.0438, -0.0438, -0.0440
    assert np.all(np.abs(remainder) <= 0.05 / np.array(ns))
    assert np.all(remainder < 0)


@pytest.mark.parametrize(("kappa", "coefficient"), [(0.5, 21.25), (1.0, 8.31), (2.0, 4.25)])
def test_kappa_slope_coefficient(kappa, coefficient):
    got = 2 / (-h(1e6, kappa) / 1e6)
    assert got == pytest.approx(coefficient, abs=0.01)
    assert got == pytest.approx(slope_coefficient(kappa), rel=1e-4, abs=0)  # measured 3e-7


def test_kappa_one_slope_coefficient_is_four_over_log_phi():
    assert slope_coefficient(1.0) == pytest.approx(4 / LN_PHI, rel=4 * EPS)


@given(n=st.floats(2, 1e5), kappa=st.floats(0.05, 10))
def test_h_is_negative_and_decreasing_in_n_and_kappa(n, kappa):
    # h = -KL(e^{k cos} / E e^{k cos} || uniform) < 0, and it falls with k
    value = h(n, kappa)
    assert value < 0
    assert h(n * 1.01 + 0.01, kappa) < value
    assert h(n, kappa * 1.01) < value


# ========================================================================= h: shapes and types


def test_h_scalar_in_python_float_out():
    for n in (10, 10.0, np.int64(10), np.float64(10.0), np.array(10.0)):
        out = h(n)
        assert type(out) is float
        assert out == h(10)
    assert type(h(10, np.array(2.0))) is float
    assert type(h(10, np.float32(2.0))) is float


def test_h_array_in_array_out():
    n = np.array([2, 10, 300])
    out = h(n)
    assert isinstance(out, np.ndarray)
    assert out.shape == (3,)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, [h(2), h(10), h(300)], rtol=4 * EPS, atol=0)
    assert h([64]).shape == (1,)
    assert h(np.array([[32, 64], [96, 128]])).shape == (2, 2)


def test_h_broadcasts_n_against_kappa():
    n = np.array([[2.0], [3.5], [201.0], [203.0], [5000.0]])
    kappa = np.array([0.5, 1.0, 2.0])
    out = h(n, kappa)
    assert out.shape == (5, 3)
    expected = [[h(float(a), float(b)) for b in kappa] for a in n[:, 0]]
    np.testing.assert_allclose(out, expected, rtol=4 * EPS, atol=0)
    # array kappa with a scalar n
    row = h(64, kappa)
    assert row.shape == (3,)
    np.testing.assert_allclose(row, [h(64, b) for b in kappa], rtol=4 * EPS, atol=0)


def test_h_shapes_that_do_not_broadcast_are_refused():
    with pytest.raises(ValueError):
        h([2, 3], [1.0, 2.0, 3.0])


# ============================================================================ h: bad arguments


@pytest.mark.parametrize(
    ("n", "error"),
    [
        (1.999, ValueError),
        (1, ValueError),
        (0, ValueError),
        (-3, ValueError),
        (np.array([10, 1.5]), ValueError),
        (math.nan, ValueError),
        (math.inf, ValueError),
        (-math.inf, ValueError),
        (np.array([10, np.nan]), ValueError),
        (True, TypeError),
        ("3", TypeError),
        (3 + 0j, TypeError),
        (None, TypeError),
    ],
)
def test_h_bad_n_is_rejected_by_name(n, error):
    with pytest.raises(error, match="^n: "):
        h(n)


@pytest.mark.parametrize(
    ("kappa", "error"),
    [
        (0.0, ValueError),
        (-1.0, ValueError),
        (np.array([1.0, 0.0]), ValueError),
        (math.nan, ValueError),
        (math.inf, ValueError),
        (np.array([1.0, np.nan]), ValueError),
        (True, TypeError),
        ("1", TypeError),
        (1j, TypeError),
    ],
)
def test_h_bad_kappa_is_rejected_by_name(kappa, error):
    with pytest.raises(error, match="^kappa: "):
        h(10, kappa)


# ============================================================================== min_dimension


@pytest.mark.parametrize(
    ("N", "expected"), [(1e4, 76.25), (1e5, 95.39), (5e6, 127.91), (512, 51.54)]
)
def test_min_dimension_known_values(N, expected):
    assert min_dimension(N) == pytest.approx(expected, abs=0.01)


def test_min_dimension_types_and_shapes():
    assert type(min_dimension(1e4)) is float
    assert type(min_dimension(np.array(10000))) is float
    assert type(min_dimension(10000, np.array(1.0))) is float
    N = np.array([1e4, 1e5, 5e6, 512])
    out = min_dimension(N)
    assert isinstance(out, np.ndarray)
    assert out.shape == (4,)
    np.testing.assert_allclose(out, [76.25, 95.39, 127.91, 51.54], rtol=0, atol=0.01)
    np.testing.assert_array_equal(out, [min_dimension(v) for v in N])
    assert min_dimension(N.reshape(2, 2)).shape == (2, 2)
    np.testing.assert_array_equal(min_dimension(N.reshape(2, 2)), out.reshape(2, 2))
    assert min_dimension([512]).shape == (1,)


@pytest.mark.parametrize("kappa", [0.5, 1.0, 2.0])
def test_min_dimension_solves_the_entropy_equation(kappa):
    N = np.array([2, 3, 10, 512, 1e4, 1e5, 5e6, 1e10, 1e30, 1e100, 1e300])
    n = min_dimension(N, kappa)
    residual = 2 * np.log(N) + h(n, kappa)
    assert np.all(np.abs(residual) <= 1e-9)  # measured <= 1.2e-12
    assert np.all(n > 2)


def test_min_dimension_increases_with_N_and_falls_with_kappa():
    N = np.array([2, 2.5, 3, 10, 100, 512, 1e4, 1e5, 5e6, 1e10, 1e20, 1e50, 1e300])
    n = min_dimension(N)
    assert np.all(np.diff(n) > 0)
    assert np.all(min_dimension(N, 0.5) > n)
    assert np.all(min_dimension(N, 2.0) < n)


def test_min_dimension_grows_like_four_over_log_phi_log_N():
    coefficient = 4 / LN_PHI  # 8.3123
    assert coefficient == pytest.approx(8.3123, abs=1e-4)
    N = np.array([1e10, 1e30, 1e100, 1e300])
    n = min_dimension(N)
    ratio_error = np.abs(n / np.log(N) / coefficient - 1)
    assert ratio_error[1] <= 1e-2  # N = 1e30: measured 5.4e-4
    assert np.all(np.diff(ratio_error) < 0)
    # more precisely 2 ln N - n/2 ln(phi) + C + O(1/n) = 0: n = (4 ln N + 2 C)/ln(phi) + O(1/n)
    offset = n - (4 * np.log(N) + 2 * C_LIMIT) / LN_PHI
    assert np.all(np.abs(offset) <= 0.25 / n)  # measured n * offset = -0.18


@pytest.mark.parametrize(
    ("N", "error"),
    [
        (1.999, ValueError),
        (1, ValueError),
        (0, ValueError),
        (-10, ValueError),
        (np.array([100, 1]), ValueError),
        (math.nan, ValueError),
        (math.inf, ValueError),
        (True, TypeError),
        ("100", TypeError),
        (100j, TypeError),
    ],
)
def test_min_dimension_bad_N_is_rejected_by_name(N, error):
    with pytest.raises(error, match="^N: "):
        min_dimension(N)


@pytest.mark.parametrize(
    ("kappa", "error"),
    [
        (0.0, ValueError),
        (-1.0, ValueError),
        ([1.0], ValueError),
        (np.array([0.5, 1.0]), ValueError),
        (math.nan, ValueError),
        (math.inf, ValueError),
        (True, TypeError),
        ("1", TypeError),
    ],
)
def test_min_dimension_bad_kappa_is_rejected_by_name(kappa, error):
    with pytest.raises(error, match="^kappa: "):
        min_dimension(1e4, kappa)


# =============================================================================== pair_entropy

SHAPES = [(1, 1, 2), (5, 5, 3), (13, 9, 4), (1, 7, 3), (7, 1, 3), (30, 30, 8), (40, 17, 5)]


def random_pair(N: int, M: int, n: int, seed: int = 0, scale: float = 1.0):
    rng = np.random.default_rng(seed)
    return scale * rng.standard_normal((N, n)), scale * rng.standard_normal((M, n))


@pytest.mark.parametrize(("N", "M", "n"), SHAPES)
def test_pair_entropy_matches_dense_softmax(N, M, n):
    U, V = random_pair(N, M, n, seed=N * 100 + M)
    expected = dense_entropy(U, V)
    for chunk in (1, 7, N, N + 5):
        # measured <= 1.4e-15 relative
        got = pair_entropy(U, V, chunk=chunk)
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-15), chunk
    assert pair_entropy(U, V) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert type(pair_entropy(U, V)) is float


def test_pair_entropy_running_maximum_rises_and_falls_between_chunks():
    # row norms 1..20: each chunk of rows has a larger maximum score than the last
    rng = np.random.default_rng(3)
    U = rng.standard_normal((20, 3)) * np.arange(1, 21)[:, None] / 4
    V = rng.standard_normal((11, 3))
    for rows in (U, U[::-1]):
        expected = dense_entropy(rows, V)
        for chunk in (1, 3, 7, 20):
            assert pair_entropy(rows, V, chunk=chunk) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("N", "M"), [(1, 1), (3, 3), (10, 4), (4, 10), (1000, 3)])
def test_pair_entropy_of_equal_scores_is_log_NM(N, M):
    target = math.log(N * M)
    for chunk in (1, 7, N, 1024):
        assert pair_entropy(np.zeros((N, 5)), np.zeros((M, 5)), chunk=chunk) == pytest.approx(
            target, rel=4 * EPS, abs=4 * EPS
        )
        # identical rows: every score is the same nonzero number
        U = np.tile([0.3, -1.2, 2.0], (N, 1))
        V = np.tile([1.5, 0.25, -0.75], (M, 1))
        # the sum of 3000 equal scores is rounded: measured 3e-15 relative
        assert pair_entropy(U, V, chunk=chunk) == pytest.approx(target, rel=1e-14, abs=0)


def test_pair_entropy_single_pair_is_zero():
    assert pair_entropy([[1.0, 2.0]], [[3.0, -4.0]]) == 0.0


def test_pair_entropy_accepts_lists_and_integers():
    U, V = [[1, 0], [0, 1], [1, 1]], [[2, 1], [0, 0]]
    expected = dense_entropy(np.array(U, float), np.array(V, float))
    assert pair_entropy(U, V) == pytest.approx(expected, rel=1e-13)
    assert pair_entropy(np.array(U, np.int64), np.array(V, np.int32)) == pytest.approx(
        expected, rel=1e-13
    )


def test_pair_entropy_symmetries():
    U, V = random_pair(17, 11, 4, seed=7)
    base = pair_entropy(U, V)
    rng = np.random.default_rng(8)
    q, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    # transposing the score matrix, permuting rows, rotating both sets together
    assert pair_entropy(V, U) == pytest.approx(base, rel=1e-12)
    assert pair_entropy(U[rng.permutation(17)], V[rng.permutation(11)]) == pytest.approx(
        base, rel=1e-12
    )
    assert pair_entropy(U @ q, V @ q, chunk=5) == pytest.approx(base, rel=1e-12)
    # zero columns in U leave the scores alone, whatever V holds there
    padded_U = np.hstack([U, np.zeros((17, 2))])
    padded_V = np.hstack([V, np.full((11, 2), 3.0)])
    assert pair_entropy(padded_U, padded_V) == pytest.approx(base, rel=1e-12)


def test_pair_entropy_large_scores_do_not_overflow():
    # U, V scaled by 100: scores ~ 1e4 (np.exp would overflow); the mass sits on one pair
    U, V = random_pair(20, 15, 6, seed=11, scale=100.0)
    for chunk in (1, 7, 20, 64):
        got = pair_entropy(U, V, chunk=chunk)
        assert math.isfinite(got)
        assert got == pytest.approx(dense_pair_entropy(U, V), abs=1e-12)


@pytest.mark.parametrize("offset", [10.0, 100.0])
def test_pair_entropy_is_invariant_to_a_common_large_score(offset):
    # a shared column adds offset^2 to every score: the entropy does not change
    u, v = random_pair(25, 19, 4, seed=1)
    base = pair_entropy(u, v)
    U = np.hstack([np.full((25, 1), offset), u])
    V = np.hstack([np.full((19, 1), offset), v])
    for chunk in (1, 7, 25, 100):
        # measured <= 1.5e-12 absolute at offset^2 = 1e4 (scores are rounded at 1e4 * eps)
        assert pair_entropy(U, V, chunk=chunk) == pytest.approx(base, abs=1e-10)
        assert pair_entropy(U, V, chunk=chunk) == pytest.approx(dense_pair_entropy(U, V), abs=1e-10)


def test_pair_entropy_torch_matches_numpy():
    U, V = random_pair(12, 9, 4, seed=5)
    expected = pair_entropy(U, V)
    tU, tV = torch.tensor(U), torch.tensor(V)
    for args in ((tU, tV), (tU, V), (U, tV)):
        for chunk in (1, 5, 1024):
            got = pair_entropy(*args, chunk=chunk)
            assert type(got) is float
            assert got == pytest.approx(expected, rel=1e-13)
    # float32 tensors are widened exactly, like float32 arrays
    U32 = U.astype(np.float32)
    assert pair_entropy(torch.tensor(U32), V) == pytest.approx(pair_entropy(U32, V), rel=1e-13)


@st.composite
def score_pairs(draw):
    N, M, n = draw(st.integers(1, 12)), draw(st.integers(1, 12)), draw(st.integers(1, 5))
    elements = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
    U = draw(hnp.arrays(np.float64, (N, n), elements=elements))
    V = draw(hnp.arrays(np.float64, (M, n), elements=elements))
    return U, V, draw(st.integers(1, 14))


@given(pair=score_pairs())
def test_pair_entropy_is_between_zero_and_log_NM(pair):
    U, V, chunk = pair
    value = pair_entropy(U, V, chunk=chunk)
    assert 0 <= value <= math.log(U.shape[0] * V.shape[0]) + 1e-12


# -------------------------------------------------------------------- pair_entropy: bad input


@pytest.mark.parametrize(
    ("U", "V"),
    [
        (np.ones((3, 2)), np.ones((4, 3))),  # inner dimensions differ
        (np.ones(3), np.ones((2, 3))),  # 1-D U
        (np.ones((2, 3)), np.ones(3)),  # 1-D V
        (np.ones((2, 3, 1)), np.ones((2, 3))),  # 3-D
        (np.ones((0, 3)), np.ones((2, 3))),  # no rows
        (np.ones((2, 3)), np.ones((0, 3))),
        (torch.ones(3, 2, dtype=torch.float64), torch.ones(4, 3, dtype=torch.float64)),
        (torch.ones(3, dtype=torch.float64), torch.ones(2, 3, dtype=torch.float64)),
    ],
)
def test_pair_entropy_bad_shapes_are_rejected_by_name(U, V):
    with pytest.raises(ValueError, match="^U, V: "):
        pair_entropy(U, V)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_pair_entropy_non_finite_values_are_rejected_by_name(bad):
    good = np.ones((3, 2))
    poisoned = good.copy()
    poisoned[1, 0] = bad
    with pytest.raises(ValueError, match="^U: "):
        pair_entropy(poisoned, good)
    with pytest.raises(ValueError, match="^V: "):
        pair_entropy(good, poisoned)
    for args in (
        (torch.tensor(poisoned), torch.tensor(good)),
        (torch.tensor(good), torch.tensor(poisoned)),
        (torch.tensor(poisoned), good),
        (good, torch.tensor(poisoned)),
    ):
        with pytest.raises(ValueError, match="^(U|V): .*finite"):
            pair_entropy(*args)


@pytest.mark.parametrize(
    ("U", "V", "name"),
    [
        (np.ones((2, 2), dtype=bool), np.ones((2, 2)), "U"),
        (np.ones((2, 2)), np.ones((2, 2), dtype=complex), "V"),
        ([["a", "b"]], np.ones((2, 2)), "U"),
    ],
)
def test_pair_entropy_non_real_numpy_input_is_rejected_by_name(U, V, name):
    with pytest.raises(TypeError, match=f"^{name}: "):
        pair_entropy(U, V)


@pytest.mark.parametrize("chunk", [0, -1, 2.0, 2.5, "2", None])
def test_pair_entropy_bad_chunk_is_rejected_by_name(chunk):
    with pytest.raises((ValueError, TypeError), match="^chunk: "):
        pair_entropy(np.ones((3, 2)), np.ones((3, 2)), chunk=chunk)


# ----------------------------------------------- pair_entropy: edge cases found by review


def test_pair_entropy_accepts_numpy_integer_chunk():
    # the house rule (pgf: k_max, nodes) accepts np.integer; here np.int64(7) is refused with
    # "chunk: must be a whole number >= 1, got np.int64(7)"
    U, V = random_pair(13, 9, 4)
    assert pair_entropy(U, V, chunk=np.int64(7)) == pytest.approx(pair_entropy(U, V, chunk=7))


def test_pair_entropy_refuses_boolean_chunk():
    # the house rule refuses bool; chunk=True is silently taken as 1
    with pytest.raises((ValueError, TypeError), match="^chunk: "):
        pair_entropy(np.ones((3, 2)), np.ones((3, 2)), chunk=True)


def test_pair_entropy_tensors_that_require_grad_give_no_warning():
    # float(s.max()) on a tensor that requires grad raises torch's UserWarning "Converting a
    # tensor with requires_grad=True to a scalar may lead to unexpected behavior" (an error
    # under filterwarnings = error); the value itself is right
    U, V = random_pair(12, 9, 4, seed=5)
    grad = torch.tensor(U, requires_grad=True)
    assert pair_entropy(grad, V) == pytest.approx(pair_entropy(U, V), rel=1e-13)


@pytest.mark.parametrize("dtype", [torch.complex128, torch.bool])
def test_pair_entropy_non_real_tensors_are_rejected_by_name(dtype):
    # NumPy complex/bool input is a TypeError naming U; complex tensors are cast to real
    # (discarding the imaginary part, with a UserWarning) and bool tensors are accepted as 0/1
    with pytest.raises(TypeError, match="^U: "):
        pair_entropy(torch.ones(2, 2, dtype=dtype), torch.ones(2, 2, dtype=torch.float64))


@pytest.mark.parametrize("as_tensor", [False, True])
def test_pair_entropy_overflowing_scores_are_not_turned_into_nan(as_tensor):
    # finite entries of 1e160 give scores 2e320 = inf: the result is NaN (with RuntimeWarnings).
    # All scores are equal, so the entropy is log 4; refusing by name would also do.
    U = np.full((2, 2), 1e160)
    args = (torch.tensor(U), torch.tensor(U)) if as_tensor else (U, U)
    try:
        value = pair_entropy(*args)
    except ValueError as exc:
        assert str(exc).startswith("U, V: ")
    else:
        assert value == pytest.approx(math.log(4), rel=1e-12)


@pytest.mark.parametrize("size", [1.0, 1e8, 1e100, 1e154])
def test_pair_entropy_equal_scores_of_any_size_give_log_NM(size):
    # the form log Z - sum p s cancelled catastrophically: U = V = 1e8 gave 2.0 instead of log 9
    U = np.full((3, 1), size)
    for V in (U, -U):
        assert pair_entropy(U, V) == pytest.approx(math.log(9), rel=4 * EPS)


def test_pair_entropy_scores_spread_over_the_whole_float_range():
    # scores 1e308 and -1e308: their difference overflows, the second pair has mass exactly 0
    U = np.array([[1e154], [-1e154]])
    V = np.array([[1e154]])
    assert pair_entropy(U, V) == 0.0
    assert pair_entropy(U[::-1], V, chunk=1) == 0.0


@given(pair=st.integers(0, 10**6))
@settings(max_examples=40)
def test_pair_entropy_is_never_negative_for_large_scores(pair):
    U, V = random_pair(6, 5, 3, seed=pair, scale=30.0)
    assert pair_entropy(U, V, chunk=2) >= 0.0


def test_pair_entropy_read_only_arrays_with_a_tensor():
    U, V = random_pair(8, 6, 3, seed=4)
    U.setflags(write=False)
    assert pair_entropy(U, torch.tensor(V)) == pytest.approx(pair_entropy(U, V), rel=1e-13)
