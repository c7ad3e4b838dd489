"""Tests of scispaces.entropy: softmax and attention entropies, the mean field, the power transform."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scispaces.embedding import h
from scispaces.entropy import (
    LAMBDA_RANGE,
    TOL,
    attention_entropy,
    entropy_normalize,
    invariant_scale,
    mean_field_entropy,
    power_entropy,
    softmax_entropy,
)
from scispaces.reference import (
    EPS,
    brentq_normalize,
    dense_attention_entropy,
    mp_h_quad,
    mp_power_entropy,
    mp_softmax_entropy,
    post_entropy_newton,
)

finite_rows = hnp.arrays(
    np.float64,
    st.integers(1, 40),
    elements=st.floats(-50, 50, allow_nan=False, allow_infinity=False),
)


def distributions(min_size: int = 2):
    """Strictly positive weights, not all equal (so the transform's range is an open interval)."""
    return hnp.arrays(np.float64, st.integers(min_size, 30), elements=st.floats(1e-6, 1.0)).filter(
        lambda p: p.max() > p.min() * (1 + 1e-9)
    )


# =========================================================================== softmax_entropy


@pytest.mark.parametrize("n", [1, 2, 3, 10, 1000])
def test_softmax_entropy_of_equal_scores_is_log_n(n):
    assert softmax_entropy(np.full(n, 3.7)) == pytest.approx(math.log(n), abs=4 * EPS * max(1, n))


def test_softmax_entropy_hand_cases():
    assert softmax_entropy([0.0, 800.0]) == 0.0  # one weight underflows: one-hot
    two = softmax_entropy([0.0, math.log(3.0)])  # p = (1/4, 3/4)
    assert two == pytest.approx(-(0.25 * math.log(0.25) + 0.75 * math.log(0.75)), rel=1e-15)
    assert softmax_entropy([1e300, 1e300]) == pytest.approx(math.log(2), rel=1e-15)
    assert softmax_entropy([-1e308, 1e308]) == 0.0  # the difference overflows: no NaN


@pytest.mark.parametrize("size", [1, 2, 7, 64, 4096])
@pytest.mark.parametrize("spread", [1e-8, 1.0, 30.0, 1e4])
def test_softmax_entropy_matches_mpmath(size, spread):
    s = np.random.default_rng(size).standard_normal(size) * spread
    want = mp_softmax_entropy(s)
    assert softmax_entropy(s) == pytest.approx(
        want, rel=8 * EPS * max(1.0, math.log(size)), abs=1e-15
    )


def test_softmax_entropy_masks_are_left_out():
    s = np.array([0.3, -1.2, 2.0])
    masked = np.array([0.3, -np.inf, -1.2, -np.inf, 2.0])
    assert softmax_entropy(masked) == pytest.approx(softmax_entropy(s), rel=1e-15)
    assert softmax_entropy([5.0, -np.inf]) == 0.0
    assert mp_softmax_entropy(masked) == pytest.approx(softmax_entropy(s), rel=1e-14)


def test_softmax_entropy_axis_and_shapes():
    s = np.random.default_rng(0).standard_normal((3, 4, 5))
    for axis in (0, 1, 2, -1, -3):
        got = softmax_entropy(s, axis=axis)
        want = np.apply_along_axis(mp_softmax_entropy, axis, s)
        np.testing.assert_allclose(got, want, rtol=1e-14)
    assert isinstance(softmax_entropy([1.0, 2.0]), float)
    assert softmax_entropy(s).shape == (3, 4)


@given(finite_rows, st.floats(-1e3, 1e3))
def test_softmax_entropy_bounds_and_shift_invariance(s, shift):
    H = softmax_entropy(s)
    assert 0.0 <= H <= math.log(s.size)
    assert softmax_entropy(s + shift) == pytest.approx(H, abs=1e-12 * (1 + abs(shift)))


@given(finite_rows, st.randoms(use_true_random=False))
def test_softmax_entropy_is_symmetric(s, random):
    perm = list(range(s.size))
    random.shuffle(perm)
    assert softmax_entropy(s[perm]) == pytest.approx(softmax_entropy(s), abs=1e-13)


@given(finite_rows, st.lists(st.integers(0, 40), max_size=5))
def test_softmax_entropy_ignores_masked_entries(s, where):
    masked = np.insert(s, [min(w, s.size) for w in where], -np.inf)
    assert softmax_entropy(masked) == pytest.approx(softmax_entropy(s), abs=1e-13)


@pytest.mark.parametrize(
    ("s", "error", "message"),
    [
        ([np.nan, 1.0], ValueError, "s: must be finite or -inf"),
        ([np.inf, 1.0], ValueError, "s: must be finite or -inf"),
        ([-np.inf, -np.inf], ValueError, "s: a row is entirely -inf"),
        ([[0.0, 1.0], [-np.inf, -np.inf]], ValueError, "s: a row is entirely -inf"),
        (2.0, ValueError, "s: must be an array"),
        (np.zeros((2, 0)), ValueError, "s: needs at least one entry"),
        ([1 + 2j], TypeError, "s: expected real"),
        ("abc", TypeError, "s: expected real"),
        ([True, False], TypeError, "s: expected real"),
    ],
)
def test_softmax_entropy_refuses_bad_scores(s, error, message):
    with pytest.raises(error, match=message):
        softmax_entropy(s)


@pytest.mark.parametrize(
    ("axis", "error"), [(1, ValueError), (-2, ValueError), (0.0, TypeError), (True, TypeError)]
)
def test_softmax_entropy_refuses_bad_axis(axis, error):
    with pytest.raises(error, match="axis: "):
        softmax_entropy([1.0, 2.0], axis=axis)


# =========================================================================== attention_entropy


@pytest.mark.parametrize("n", [1, 3, 64, 1000])
@pytest.mark.parametrize("chunk", [1, 7, 256])
def test_attention_entropy_matches_dense(n, chunk):
    rng = np.random.default_rng(n)
    q, k = rng.standard_normal((20, 16)) * 2, rng.standard_normal((n, 16)) * 2
    got = attention_entropy(q, k, scale=0.7, chunk=chunk)
    np.testing.assert_allclose(got, dense_attention_entropy(q, k, 0.7), rtol=0, atol=1e-13)


def test_attention_entropy_in_pytorch_matches_numpy():
    rng = np.random.default_rng(1)
    q, k = rng.standard_normal((2, 3, 50, 8)), rng.standard_normal((2, 3, 300, 8))
    want = attention_entropy(q, k)
    got = attention_entropy(torch.from_numpy(q), torch.from_numpy(k).float(), chunk=16)
    assert isinstance(got, torch.Tensor) and got.dtype == torch.float64
    np.testing.assert_allclose(got.numpy(), want, rtol=0, atol=1e-6)  # k was rounded to float32
    got64 = attention_entropy(torch.from_numpy(q), torch.from_numpy(k))
    np.testing.assert_allclose(got64.numpy(), want, rtol=0, atol=1e-13)


def test_attention_entropy_default_scale_and_broadcasting():
    rng = np.random.default_rng(2)
    q, k = rng.standard_normal((4, 10, 9)), rng.standard_normal((25, 9))
    got = attention_entropy(q, k)  # k shared by the 4 heads; scale 1/sqrt(9)
    assert got.shape == (4, 10)
    for head in range(4):
        np.testing.assert_allclose(
            got[head], dense_attention_entropy(q[head], k, 1 / 3), atol=1e-13
        )
    per_query = np.linspace(0.1, 2.0, 10)
    got = attention_entropy(q[0], k, scale=per_query)
    for i, lam in enumerate(per_query):
        assert got[i] == pytest.approx(
            dense_attention_entropy(q[0, i : i + 1], k, lam)[0], abs=1e-13
        )


def test_attention_entropy_limits():
    q = np.random.default_rng(3).standard_normal((5, 4))
    k = np.random.default_rng(4).standard_normal((30, 4))
    np.testing.assert_allclose(attention_entropy(q, k, scale=0.0), math.log(30), rtol=1e-15)
    assert np.all(attention_entropy(q, k, scale=1e6) < 1e-6)


@pytest.mark.parametrize(
    ("q", "k", "scale", "chunk", "error", "message"),
    [
        (np.ones((2, 3)), np.ones((4, 5)), None, 8, ValueError, "q, k: must have the same d"),
        (np.ones((2, 2, 3)), np.ones((3, 4, 3)), None, 8, ValueError, "q, k: batch axes"),
        (np.ones(3), np.ones((4, 3)), None, 8, ValueError, "q: must have shape"),
        (np.ones((2, 3)), np.ones((0, 3)), None, 8, ValueError, "k: must have shape"),
        (np.ones((2, 3)), np.ones((4, 3)), np.ones(3), 8, ValueError, "scale: shape"),
        (np.ones((2, 3)), np.ones((4, 3)), np.nan, 8, ValueError, "scale: must be finite"),
        (np.ones((2, 3)), np.ones((4, 3)), 1e308, 8, ValueError, "q, k, scale: a score"),
        (np.full((2, 3), np.inf), np.ones((4, 3)), None, 8, ValueError, "q: must be finite"),
        (np.ones((2, 3)), np.ones((4, 3)), None, 0, ValueError, "chunk: must be"),
        (np.ones((2, 3)), np.ones((4, 3)), None, 2.0, TypeError, "chunk: expected"),
        (np.ones((2, 3)), "k", None, 8, TypeError, "k: expected"),
    ],
)
def test_attention_entropy_refuses_bad_input(q, k, scale, chunk, error, message):
    with pytest.raises(error, match=message):
        attention_entropy(q, k, scale=scale, chunk=chunk)


def test_attention_entropy_refuses_bad_tensors():
    with pytest.raises(TypeError, match="q: expected real"):
        attention_entropy(torch.ones(2, 3, dtype=torch.complex64), torch.ones(4, 3))
    with pytest.raises(ValueError, match="k: must be finite"):
        attention_entropy(torch.ones(2, 3), torch.full((4, 3), float("nan")))


# =========================================================================== the mean field


@pytest.mark.parametrize("lam", [0.01, 0.125, 0.5, 1.0, 4.0, 20.0])
@pytest.mark.parametrize("d", [2, 3, 16, 64])
def test_mean_field_entropy_matches_the_defining_integrals(d, lam):
    want = math.log(300) + mp_h_quad(d, lam)  # mpmath quadrature over the angle, no Bessel
    assert mean_field_entropy(300, d, lam) == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_mean_field_entropy_is_log_n_plus_h_and_broadcasts():
    n, d, lam = np.array([[64.0], [4096.0]]), np.array([16.0, 64.0, 128.0]), 0.2
    got = mean_field_entropy(n, d, lam)
    assert got.shape == (2, 3)
    np.testing.assert_allclose(got, np.log(n) + h(d, lam), rtol=1e-15)
    assert isinstance(mean_field_entropy(10, 8, 0.5), float)


@pytest.mark.parametrize("lam", [0.125, 0.5, 1.0, 2.0])
def test_mean_field_slope_is_the_laplace_term(lam):
    c = (math.sqrt(1 + 4 * lam * lam) - 1) / (2 * lam)
    slope = (mean_field_entropy(1, 1e6, lam)) / 1e6
    assert slope == pytest.approx(0.5 * math.log(1 - c * c), abs=3e-6)


def test_mean_field_is_gaussian_at_small_scale():
    for d in (1e3, 3e3, 1e4):  # lam sqrt(d) = 1: log n - 1/2 + O(1/d)
        assert mean_field_entropy(100, d, 1 / math.sqrt(d)) == pytest.approx(
            math.log(100) - 0.5, abs=2 / d
        )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0.5, 64, 0.1), "n: must lie in"),
        ((10, 1.0, 0.1), "d: must lie in"),
        ((10, 64, 0.001), "lam: must lie in"),
        ((10, 64, 50.0), "lam: must lie in"),
        ((10, 64, np.nan), "lam: must be finite"),
        (([10, 20], [2.0, 3.0, 4.0], 0.1), "n, d, lam: shapes do not broadcast"),
    ],
)
def test_mean_field_entropy_refuses_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        mean_field_entropy(*args)


@pytest.mark.parametrize("d", [8, 64, 1024])
def test_invariant_scale_solves_the_mean_field_equation(d):
    target = mean_field_entropy(64, d, 1 / math.sqrt(d))
    ns = np.geomspace(64, 1e5, 25)
    lam = invariant_scale(ns, d, target)
    np.testing.assert_allclose(mean_field_entropy(ns, d, lam), target, rtol=0, atol=1e-12)
    assert lam[0] == pytest.approx(1 / math.sqrt(d), rel=1e-12)
    assert np.all(np.diff(lam) > 0)  # more keys need a larger scale


def test_invariant_scale_follows_its_two_branches():
    # small lam: lam^2 = 2 (log n - H*) / d; large lam: lam -> (n e^-H*)^(2/d) (1 + O(1/lam))
    d, target = 1e4, 1.0
    lam = invariant_scale(1e3, d, target)
    assert lam == pytest.approx(math.sqrt(2 * (math.log(1e3) - target) / d), rel=1e-3)
    d = 64.0
    big = [invariant_scale(n, d, target) for n in (1e30, 1e38)]
    assert big[1] / big[0] == pytest.approx(1e8 ** (2 / d), rel=0.05)


def test_invariant_scale_refuses_unreachable_targets():
    with pytest.raises(ValueError, match=r"n, d, target: 4\.1588.* is not reached for n = 64\.0"):
        invariant_scale(64, 64, math.log(64))
    with pytest.raises(ValueError, match="n, d, target: "):
        invariant_scale(64, 64, -1000.0)
    with pytest.raises(ValueError, match="n: must lie in"):
        invariant_scale(0.0, 64, 1.0)
    assert isinstance(invariant_scale(512, 64, 5.0), float)
    lo, hi = LAMBDA_RANGE
    assert lo <= invariant_scale(512, 64, 5.0) <= hi


# =========================================================================== the power transform


@pytest.mark.parametrize("gamma", [0.0, 1e-3, 0.5, 1.0, 3.0, 100.0])
def test_power_entropy_matches_mpmath(gamma):
    p = np.random.default_rng(5).dirichlet(np.full(50, 0.3))
    assert power_entropy(p, gamma) == pytest.approx(
        mp_power_entropy(p, gamma), rel=1e-13, abs=1e-15
    )


def test_power_entropy_hand_cases():
    p = np.array([0.5, 0.25, 0.25, 0.0])
    assert power_entropy(p, 1.0) == pytest.approx(1.5 * math.log(2), rel=1e-15)
    assert power_entropy(p, 0.0) == pytest.approx(math.log(3), rel=1e-15)  # zeros stay out
    assert power_entropy(p, 1e300) == 0.0
    assert power_entropy([0.3, 0.3, 0.1], 50.0) == pytest.approx(math.log(2), rel=1e-12)
    assert power_entropy(2 * p, 1.7) == pytest.approx(power_entropy(p, 1.7), rel=1e-15)


def test_power_entropy_broadcasts_gamma_against_rows():
    p = np.random.default_rng(6).dirichlet(np.ones(5), size=3)
    got = power_entropy(p, [[0.5], [2.0]])
    assert got.shape == (2, 3)
    assert got[1, 2] == pytest.approx(mp_power_entropy(p[2], 2.0), rel=1e-13)
    np.testing.assert_allclose(
        power_entropy(p.T, 1.0, axis=0), softmax_entropy(np.log(p)), rtol=1e-14
    )


@given(distributions(), st.floats(1e-3, 50), st.floats(1e-3, 50))
def test_power_entropy_decreases_in_gamma(p, g1, g2):
    lo, hi = sorted((g1, g2))
    H_lo, H_hi = power_entropy(p, lo), power_entropy(p, hi)
    assert H_hi <= H_lo + 1e-12
    assert math.log(np.count_nonzero(p == p.max())) - 1e-12 <= H_hi <= math.log(p.size) + 1e-12


@pytest.mark.parametrize(
    ("p", "gamma", "error", "message"),
    [
        ([0.5, -0.5], 1.0, ValueError, "p: weights must be >= 0"),
        ([0.0, 0.0], 1.0, ValueError, "p: every row needs a positive weight"),
        ([0.5, np.nan], 1.0, ValueError, "p: must be finite"),
        (0.5, 1.0, ValueError, "p: must be an array"),
        ([0.5, 0.5], -1.0, ValueError, "gamma: must lie in"),
        (np.full((3, 2), 0.5), [1.0, 2.0], ValueError, "gamma: shape"),
        ([0.5, 0.5], "1", TypeError, "gamma: expected real"),
    ],
)
def test_power_entropy_refuses_bad_input(p, gamma, error, message):
    with pytest.raises(error, match=message):
        power_entropy(p, gamma)


# =========================================================================== entropy_normalize


def test_entropy_normalize_reaches_the_target_on_the_posts_example():
    p = np.random.default_rng(0).random(100)
    p /= p.sum()
    q, gamma = entropy_normalize(p, math.log(30), return_gamma=True)
    assert mp_power_entropy(q, 1.0) == pytest.approx(math.log(30), abs=2 * TOL)
    assert gamma > 0
    np.testing.assert_allclose(q, p**gamma / np.sum(p**gamma), rtol=1e-12)


def test_entropy_normalize_where_the_posts_iteration_diverges():
    p = np.random.default_rng(0).dirichlet(np.full(100, 0.05))
    gammas, _ = post_entropy_newton(p[None], math.log(80))
    assert gammas[0, 0] < 0 and not np.all(np.isfinite(gammas))
    q, gamma = entropy_normalize(p, math.log(80), return_gamma=True)
    assert 0 < gamma < 1
    assert power_entropy(q, 1.0) == pytest.approx(math.log(80), abs=2 * TOL)
    assert np.all(np.argsort(q, kind="stable") == np.argsort(p, kind="stable"))  # order kept


def test_entropy_normalize_agrees_with_brentq_per_row():
    rng = np.random.default_rng(9)
    logits = rng.standard_normal((40, 200)) * np.exp(rng.uniform(-2, 2, (40, 1)))
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    t = rng.uniform(0.05, 0.95, 40) * math.log(200)
    q, gamma = entropy_normalize(p, t, return_gamma=True)
    q_ref, gamma_ref = brentq_normalize(p, t)
    np.testing.assert_allclose(gamma, gamma_ref, rtol=1e-9)
    np.testing.assert_allclose(q, q_ref, rtol=1e-8, atol=1e-300)


def test_entropy_normalize_zeros_ties_axis_and_flat_rows():
    p = np.array([[0.4, 0.4, 0.15, 0.05, 0.0], [0.25, 0.25, 0.25, 0.25, 0.0]]).T  # rows on axis 0
    t = np.array([1.0, math.log(4)])
    q, gamma = entropy_normalize(p, t, axis=0, return_gamma=True)
    assert q.shape == p.shape and np.all(q[-1] == 0)
    np.testing.assert_allclose(q.sum(axis=0), 1.0, rtol=1e-15)
    assert power_entropy(q[:, 0], 1.0) == pytest.approx(1.0, abs=2 * TOL)
    assert gamma[1] == 1.0  # uniform on its support: only log 4, with gamma = 1
    with pytest.raises(
        ValueError, match=r"p, target: 0\.6 is not reachable in row 0.*\(log 2, log 4\)"
    ):
        entropy_normalize(p, [0.6, math.log(4)], axis=0)  # two largest tied: H > log 2


@given(distributions(), st.floats(0.01, 0.99))
@settings(max_examples=60)
def test_entropy_normalize_hits_every_reachable_target(p, fraction):
    m = np.count_nonzero(p == p.max())
    lo, hi = math.log(m), math.log(p.size)
    target = lo + fraction * (hi - lo)
    q, gamma = entropy_normalize(p, target, return_gamma=True)
    assert gamma > 0 and np.isfinite(gamma)
    assert abs(power_entropy(q, 1.0) - target) <= 2 * TOL
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(q[order]) >= -1e-300)  # the order of the probabilities is kept


def test_entropy_normalize_near_the_ends_of_the_interval():
    p = np.array([0.5, 0.3, 0.2])
    for target in (np.nextafter(math.log(3), 0), 1e-12, 1e-300):
        q, gamma = entropy_normalize(p, target, return_gamma=True)
        assert 0 < gamma < np.inf
        assert abs(power_entropy(q, 1.0) - target) <= 2 * TOL


@pytest.mark.parametrize(
    ("p", "target", "kwargs", "error", "message"),
    [
        ([0.7, 0.2, 0.1], 1.2, {}, ValueError, r"p, target: 1\.2 is not reachable in row 0"),
        ([0.7, 0.2, 0.1], 0.0, {}, ValueError, "p, target: 0.0 is not reachable"),
        ([0.5, 0.5], 0.5, {}, ValueError, "reaches only log 2"),
        ([[0.5, 0.5], [0.9, 0.1]], [0.3, 0.3, 0.3], {}, ValueError, "target: shape"),
        ([0.5, 0.5], np.nan, {}, ValueError, "target: must be finite"),
        ([0.5, -0.1], 0.5, {}, ValueError, "p: weights must be >= 0"),
        ([0.7, 0.3], 0.5, {"return_gamma": 1}, TypeError, "return_gamma: expected a bool"),
        ([0.7, 0.3], 0.5, {"axis": 3}, ValueError, "axis: must be"),
    ],
)
def test_entropy_normalize_refuses_bad_input(p, target, kwargs, error, message):
    with pytest.raises(error, match=message):
        entropy_normalize(p, target, **kwargs)


def test_entropy_normalize_does_not_touch_its_input():
    p = np.array([0.6, 0.3, 0.1])
    p.flags.writeable = False
    entropy_normalize(p, 0.5)
    np.testing.assert_array_equal(p, [0.6, 0.3, 0.1])
