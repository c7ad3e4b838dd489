"""Tests of scispaces.simplex: softmax, sparsemax, entmax, the sparsemax loss and perturb-max."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from scispaces.reference import (
    EPS,
    exact_entmax15,
    exact_sparsemax,
    exact_sparsemax_loss,
    mp_entmax,
    mp_perturbmax,
    post_entmax15,
    post_quantile_perturbmax,
    post_sparsemax,
    ulp_errors,
)
from scispaces.simplex import (
    NOISES,
    entmax,
    entmax15,
    log_softmax,
    perturbmax,
    softmax,
    sparsemax,
    sparsemax_loss,
    taylor_softmax,
)

MAPS = {"softmax": softmax, "sparsemax": sparsemax, "entmax15": entmax15}


def random_vectors(count: int, seed: int) -> list[np.ndarray]:
    """Vectors of 1 to 12 scores: normal at several scales, every third rounded to 0.1 (ties),
    every fifth shifted by 1e3, -1e6 or 1e10 (the shift rounds the scores, which the exact
    references then take as they are)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        x = rng.standard_normal(int(rng.integers(1, 13))) * rng.choice([0.1, 1.0, 3.0, 30.0])
        if i % 3 == 0:
            x = np.round(x, 1)
        if i % 5 == 0:
            x = x + rng.choice([1e3, -1e6, 1e10])
        out.append(x)
    return out


# =========================================================================== hand cases


def test_softmax_hand_cases():
    assert softmax([0.0, math.log(3.0)]).tolist() == [0.25, 0.75]
    assert softmax([[1e308, -1e308]]).tolist() == [[1.0, 0.0]]
    assert softmax([5.0]).tolist() == [1.0]
    np.testing.assert_allclose(log_softmax([0.0, 0.0]), [-math.log(2)] * 2, rtol=EPS)
    assert log_softmax([2.0, 2.0 - 1e6])[1] == pytest.approx(-1e6, rel=EPS)


@pytest.mark.parametrize(
    ("x", "p"),
    [
        ([0.0, 0.5, 1.0], [0.0, 0.25, 0.75]),
        ([3.0, 1.0], [1.0, 0.0]),
        ([1.0, 1.0, 1.0, 1.0], [0.25] * 4),
        ([0.0, 1.0], [0.0, 1.0]),  # tau = 0: the boundary entry is exactly 0
        ([0.2, 0.1, 0.0], [0.4333333333333333, 0.3333333333333333, 0.2333333333333333]),
        ([1e20, 1e20 - 1e5], [1.0, 0.0]),
        ([7.0], [1.0]),
    ],
)
def test_sparsemax_hand_cases(x, p):
    np.testing.assert_allclose(sparsemax(x), p, rtol=EPS, atol=0)


@pytest.mark.parametrize(
    ("x", "p"),
    [
        ([0.0, 2.0], [0.0, 1.0]),  # the tie the post's code fails on: tau = z_2 = 0
        ([1.0, 1.0, 1.0, 1.0], [0.25] * 4),
        ([0.0, 0.0], [0.5, 0.5]),
        ([2.0, 0.0, -5.0], [1.0, 0.0, 0.0]),
        # z = (1/2, 0): (1/2 - tau)^2 + tau^2 = 1 gives tau = (1 - sqrt 7) / 4
        ([1.0, 0.0], [((1 + math.sqrt(7)) / 4) ** 2, ((math.sqrt(7) - 1) / 4) ** 2]),
    ],
)
def test_entmax15_hand_cases(x, p):
    np.testing.assert_allclose(entmax15(x), p, rtol=2 * EPS, atol=0)


def test_the_axis_and_batch_shape_are_kept():
    x = np.random.default_rng(3).standard_normal((3, 4, 5))
    for f in (*MAPS.values(), taylor_softmax, perturbmax):
        for axis in (0, 1, -1):
            p = f(x, axis=axis)
            assert p.shape == x.shape
            np.testing.assert_allclose(p.sum(axis=axis), 1, atol=4 * EPS)
            moved = f(np.moveaxis(x, axis, -1))
            np.testing.assert_array_equal(np.moveaxis(p, axis, -1), moved)


def test_entmax_at_alpha_1_2_and_15_is_the_closed_form():
    x = np.random.default_rng(4).standard_normal((20, 7))
    np.testing.assert_array_equal(entmax(x, 1.0), softmax(x))
    np.testing.assert_array_equal(entmax(x, 2.0), sparsemax(x))
    np.testing.assert_array_equal(entmax(x, 1.5), entmax15(x))


def test_entmax_is_continuous_in_alpha_at_the_closed_forms():
    x = np.random.default_rng(5).standard_normal((50, 6))
    for alpha, exact in ((1.0, softmax(x)), (1.5, entmax15(x)), (2.0, sparsemax(x))):
        for delta in (-1e-7, 1e-7):
            if alpha + delta >= 1:
                np.testing.assert_allclose(entmax(x, alpha + delta), exact, atol=1e-6)


def test_sparsemax_loss_hand_cases():
    assert sparsemax_loss([0.0, 0.5, 1.0], 2) == 0.0625  # p = (0, 1/4, 3/4)
    assert sparsemax_loss([5.0, 0.0], 0) == 0.0  # p is the target's one-hot vector
    assert sparsemax_loss([0.0, 3.0], 0) == 3.0  # 1/2 (0 + 1) + (tau - x_0) = 1/2 + 2 + 1/2
    loss = sparsemax_loss([[0.0, 3.0], [1.0, 1.0]], [0, 1])
    assert loss.tolist() == [3.0, 0.25]
    assert isinstance(sparsemax_loss([1.0, 2.0], 1), float)


def test_taylor_softmax_hand_cases():
    np.testing.assert_allclose(taylor_softmax([0.0, 2.0], k=2), [1 / 6, 5 / 6], rtol=2 * EPS)
    # f_4(-1) = 1 - 1 + 1/2 - 1/6 + 1/24 = 3/8, f_4(0) = 1
    np.testing.assert_allclose(taylor_softmax([-1.0, 0.0], k=4), [3 / 11, 8 / 11], rtol=2 * EPS)
    p = taylor_softmax([1e300, -1e300, 0.0], k=2)  # f_2 ~ x^2 / 2 at both ends: no overflow
    np.testing.assert_allclose(p, [0.5, 0.5, 0.0], atol=1e-300)


def test_perturbmax_two_entries_closed_forms():
    d = np.linspace(-6, 6, 25)
    mu = np.stack([d, np.zeros_like(d)], axis=1)
    cases = {
        "gumbel": special.expit(d),
        "normal": special.ndtr(d / math.sqrt(2)),
        # derived in the chapter: e^d (e^d - 1 - d) / (e^d - 1)^2, here without cancellation
        "logistic": np.where(
            np.abs(d) > 0,
            np.exp(d) * (np.expm1(d) - d) / np.where(d != 0, np.expm1(d), 1) ** 2,
            0.5,
        ),
        # uniform on [0, 1]: 1 - (1 - d)^2 / 2 for 0 <= d <= 1
        "uniform": np.where(
            d >= 0, 1 - np.maximum(1 - d, 0) ** 2 / 2, np.maximum(1 + d, 0) ** 2 / 2
        ),
    }
    for noise, want in cases.items():
        np.testing.assert_allclose(perturbmax(mu, noise)[:, 0], want, rtol=1e-13, atol=2e-16)


def test_perturbmax_one_entry_and_uniform_far_entries():
    for noise in NOISES:
        assert perturbmax([3.0], noise).tolist() == [1.0]
    assert perturbmax([0.0, -1.0, -7.0, 0.5], "uniform")[1:3].tolist() == [0.0, 0.0]


# =========================================================================== against exact values


def test_sparsemax_is_within_an_ulp_of_the_exact_rational_value():
    worst = max(ulp_errors(sparsemax(x), exact_sparsemax(x)).max() for x in random_vectors(600, 1))
    assert worst <= 1.0  # measured 0.5: correctly rounded on these


def test_entmax15_is_within_an_ulp_and_a_half_of_the_exact_value():
    worst = max(ulp_errors(entmax15(x), exact_entmax15(x)).max() for x in random_vectors(300, 2))
    assert worst <= 1.5  # measured 0.98


def test_rounded_scores_within_an_ulp_plus_1e_31():
    """Ties everywhere: components that come from rounding of the scores (1e-17, 1e-34) are
    within 1e-31 absolute, every other within one ulp."""
    rng = np.random.default_rng(14)
    for _ in range(1500):
        x = np.round(rng.standard_normal(int(rng.integers(2, 12))) * rng.choice([1, 3]), 1)
        for got, want in ((sparsemax(x), exact_sparsemax(x)), (entmax15(x), exact_entmax15(x))):
            exact = np.array(want, dtype=float)
            assert np.all(np.abs(got - exact) <= np.spacing(exact) + 1e-31), x
            assert np.array_equal(got == 0, np.array([w == 0 for w in want])), x


def test_zeros_are_exact_and_the_support_is_the_exact_one():
    for x in random_vectors(300, 3):
        for got, want in ((sparsemax(x), exact_sparsemax(x)), (entmax15(x), exact_entmax15(x))):
            assert np.array_equal(got > 0, np.array([w > 0 for w in want])), x


def test_support_at_the_boundary_is_decided_exactly():
    # entries exactly at the threshold: (1, 0) has tau = 0 for sparsemax; ties there
    for x in ([1.0, 0.0, 0.0, 0.0], [0.5, 0.5, -0.5], [2.0, 0.0, 0.0]):
        np.testing.assert_array_equal(sparsemax(x), np.array(exact_sparsemax(x), dtype=float))
        np.testing.assert_array_equal(entmax15(x), np.array(exact_entmax15(x), dtype=float))
    # a value one ulp inside the support (exact p = 1/2 ulp-ish) is not lost
    x = [1.0, np.nextafter(0.0, 1.0) * 2**60]
    assert ulp_errors(sparsemax(x), exact_sparsemax(x)).max() <= 1.0


def test_sparsemax_long_rows_with_ties_and_full_support():
    rng = np.random.default_rng(6)
    rows = [
        np.round(rng.standard_normal(3000), 2),  # many ties
        rng.uniform(0, 1e-4, 2000),  # full support
        np.concatenate([[1.0], np.zeros(999)]),  # tau = 0 exactly, 999 entries at it
    ]
    for x in rows:
        assert ulp_errors(sparsemax(x), exact_sparsemax(x)).max() <= 1.0
        assert ulp_errors(entmax15(x), exact_entmax15(x)).max() <= 1.5


@pytest.mark.parametrize("alpha", [1.0001, 1.3, 1.75, 2.5, 4.0, 20.0])
def test_entmax_against_a_high_precision_bisection(alpha):
    for x in random_vectors(25, 7):
        want = np.array(mp_entmax(x, alpha, dps=30), dtype=float)
        np.testing.assert_allclose(entmax(x, alpha), want, rtol=0, atol=2e-15)


def test_entmax_resolves_a_threshold_within_1e_30_of_a_score():
    # alpha = 20: the second entry has p = 0.0118 though it lies 6e-36 above tau in z = 19 x
    x = [0.0409637826557117, 0.0829855307061324, -0.16430233714056772, -0.025673012636549405]
    want = np.array(mp_entmax(x, 20.0, dps=30), dtype=float)
    np.testing.assert_allclose(entmax(x, 20.0), want, rtol=0, atol=1e-15)
    assert want[0] == pytest.approx(0.011778973272082681, rel=1e-12)


def test_softmax_against_mpmath():
    for x in random_vectors(100, 8):
        with mpmath.workdps(40):
            w = [mpmath.exp(mpmath.mpf(v) - max(x)) for v in x]
            want = np.array([float(v / mpmath.fsum(w)) for v in w])
            want_log = np.array([float(mpmath.log(v / mpmath.fsum(w))) for v in w])
        err = np.abs(softmax(x) - want) / want
        assert err.max() <= 2 * EPS * (2 + math.log2(len(x)))
        np.testing.assert_allclose(
            log_softmax(x), want_log, rtol=0, atol=4 * EPS * max(1, np.abs(want_log).max())
        )


@pytest.mark.parametrize(("k", "bound"), [(2, 1e-15), (4, 2e-15), (10, 5e-14), (20, 1e-11)])
def test_taylor_softmax_against_mpmath_near_the_minimum_of_f_k(k, bound):
    worst = 0.0
    for x0 in np.linspace(-1.2 * k, 5, 120):
        with mpmath.workdps(60):
            f = [
                sum(mpmath.mpf(v) ** m / mpmath.factorial(m) for m in range(k + 1))
                for v in (x0, 0.0)
            ]
            want = [float(v / (f[0] + f[1])) for v in f]
        worst = max(worst, float(np.max(np.abs(taylor_softmax([x0, 0.0], k) - want) / want)))
    assert worst <= bound


@pytest.mark.parametrize("noise", NOISES)
def test_perturbmax_against_mpmath_quadrature(noise):
    rng = np.random.default_rng(9)
    for n, scale in ((3, 0.05), (4, 1.0), (5, 3.0), (6, 8.0)):
        mu = rng.standard_normal(n) * scale
        np.testing.assert_allclose(
            perturbmax(mu, noise), mp_perturbmax(mu, noise, dps=20), rtol=0, atol=1e-15
        )


def test_perturbmax_three_normal_entries_against_mpmath():
    """Three normal entries take the bivariate-normal route (Genz's rule in arcsin rho): the
    docstring's 3e-16 against mpmath at every spread, ties and entries far below included."""
    rng = np.random.default_rng(13)
    rows = [
        rng.standard_normal(3) * scale for scale in (0.05, 0.5, 2.0, 8.0, 40.0) for _ in range(8)
    ]
    rows += [np.zeros(3), np.array([1.0, 1.0, -1.0]), np.array([0.0, -30.0, -60.0])]
    for mu in rows:
        got = perturbmax(mu, "normal")
        np.testing.assert_allclose(got, mp_perturbmax(mu, "normal"), rtol=0, atol=3e-16)
    np.testing.assert_allclose(perturbmax(np.zeros(3), "normal"), [1 / 3] * 3, rtol=0, atol=1e-16)


def test_gumbel_max_frequencies_are_softmax():
    rng = np.random.default_rng(10)
    mu = np.array([0.3, -0.8, 1.1, 0.0])
    draws = 200_000
    wins = np.bincount(np.argmax(mu + rng.gumbel(size=(draws, 4)), axis=1), minlength=4) / draws
    p = softmax(mu)
    z = (wins - p) / np.sqrt(p * (1 - p) / draws)
    assert np.abs(z).max() < 4.5


def test_sparsemax_loss_against_the_posts_formula_in_rationals():
    for i, x in enumerate(random_vectors(200, 11)):
        t = i % len(x)
        want = exact_sparsemax_loss(x, t)
        got = sparsemax_loss(x, t)
        assert abs(Fraction(got) - want) <= 4 * EPS * want, (x, t)


def test_sparsemax_loss_gradient_is_p_minus_onehot():
    rng = np.random.default_rng(12)
    for _ in range(50):
        x = rng.standard_normal(5)
        t = int(rng.integers(5))
        h = 1e-6
        grad = [
            (sparsemax_loss(x + h * e, t) - sparsemax_loss(x - h * e, t)) / (2 * h)
            for e in np.eye(5)
        ]
        np.testing.assert_allclose(grad, sparsemax(x) - np.eye(5)[t], atol=1e-8)


# =========================================================================== properties

scores = st.lists(
    st.floats(-50, 50, allow_nan=False, allow_subnormal=False), min_size=1, max_size=9
)


@given(scores)
def test_every_map_lands_on_the_simplex(x):
    for f in (*MAPS.values(), lambda v: entmax(v, 1.3), lambda v: entmax(v, 3.0)):
        p = f(x)
        assert np.all(p >= 0)
        assert abs(p.sum() - 1) <= 4 * len(x) * EPS


@given(scores)
def test_every_map_preserves_order_and_ties(x):
    x = np.array(x)
    for f in (*MAPS.values(), lambda v: entmax(v, 1.3), lambda v: entmax(v, 3.0)):
        p = f(x)
        order = np.argsort(x, kind="stable")
        assert np.all(np.diff(p[order]) >= 0)
        for v in np.unique(x):
            assert len(set(p[x == v].tolist())) == 1


@given(
    st.lists(st.integers(-(2**20), 2**20), min_size=1, max_size=9),
    st.integers(-(2**30), 2**30),
)
def test_shift_invariance_on_exact_shifts(ints, shift):
    x = np.array(ints) / 1024.0  # x + shift is exact
    for f in (*MAPS.values(), perturbmax):
        np.testing.assert_allclose(f(x + shift), f(x), rtol=0, atol=2 * EPS)


@given(scores, st.floats(1.01, 6.0))
def test_entmax_satisfies_its_optimality_conditions(x, alpha):
    """On the support (alpha - 1) x_i - p_i^(alpha - 1) is one constant tau', and off it
    (alpha - 1) x_i <= tau' (KKT for the Tsallis-regularised argmax)."""
    x = np.array(x)
    p = entmax(x, alpha)
    s = (alpha - 1) * x - p ** (alpha - 1)
    on = p > 0
    tau = s[on].mean()
    assert np.all(np.abs(s[on] - tau) <= 1e-9 * max(1, (alpha - 1) * np.abs(x).max()))
    assert np.all((alpha - 1) * x[~on] <= tau + 1e-9 * max(1, (alpha - 1) * np.abs(x).max()))


@given(scores, st.integers(0, 2**32 - 1))
def test_sparsemax_is_the_projection_onto_the_simplex(x, seed):
    x = np.array(x)
    p = sparsemax(x)
    # variational inequality <x - p, q - p> <= 0 for every q in the simplex: at the vertices
    r = x - p
    assert np.all(r <= r @ p + 1e-12 * max(1, np.abs(x).max()))
    q = np.random.default_rng(seed).dirichlet(np.ones(len(x)))
    assert np.sum((p - x) ** 2) <= np.sum((q - x) ** 2) + 1e-12 * max(1, np.abs(x).max() ** 2)


@settings(max_examples=30)
@given(scores, st.sampled_from(["normal", "logistic", "uniform"]))
def test_perturbmax_lands_on_the_simplex_and_keeps_order(x, noise):
    x = np.array(x)
    p = perturbmax(x, noise)
    assert np.all(p >= 0) and abs(p.sum() - 1) <= 4 * len(x) * EPS
    order = np.argsort(x, kind="stable")
    assert np.all(np.diff(p[order]) >= -1e-15)


# =========================================================================== the post's code


def test_posts_sparsemax_is_correct_and_posts_entmax_fails_on_ties():
    for x in random_vectors(200, 13):
        exact = np.array(exact_sparsemax(x), dtype=float)
        # no shift by the maximum: the cumulative sum loses eps |x| (1e-6 at offsets of 1e10)
        np.testing.assert_allclose(post_sparsemax(x), exact, atol=8 * EPS * max(1, np.abs(x).max()))
    with pytest.raises(ValueError, match="^x: "):
        post_entmax15([0.0, 2.0])
    np.testing.assert_allclose(
        post_entmax15([0.3, 2.0, -1.0]), entmax15([0.3, 2.0, -1.0]), atol=1e-15
    )


def test_posts_quantile_rule_loses_mass():
    mu = np.array([0.5, -0.3, 1.2, 0.0, -1.0])
    totals = [post_quantile_perturbmax(mu, K).sum() for K in (10, 100, 1000)]
    assert totals[0] < totals[1] < totals[2] < 1
    assert 1 - totals[0] > 0.01


# =========================================================================== bad input


@pytest.mark.parametrize("f", [*MAPS.values(), log_softmax, taylor_softmax, perturbmax, entmax])
@pytest.mark.parametrize(
    ("x", "error"),
    [
        ([1.0, np.nan], ValueError),
        ([np.inf, 0.0], ValueError),
        (3.0, ValueError),
        (np.zeros((2, 0)), ValueError),
        ("abc", TypeError),
        ([1 + 2j, 0], TypeError),
        ([True, False], TypeError),
    ],
)
def test_bad_scores_are_refused_by_name(f, x, error):
    with pytest.raises(error, match="^(x|mu): "):
        f(x)


@pytest.mark.parametrize(
    ("axis", "error"), [(2, ValueError), (-3, ValueError), (1.0, TypeError), (True, TypeError)]
)
def test_bad_axis_is_refused_by_name(axis, error):
    with pytest.raises(error, match="^axis: "):
        sparsemax(np.zeros((2, 3)), axis=axis)


@pytest.mark.parametrize(
    ("alpha", "error"),
    [
        (0.5, ValueError),
        (np.nan, ValueError),
        (np.inf, ValueError),
        ("2", TypeError),
        (-1, ValueError),
    ],
)
def test_bad_alpha_is_refused_by_name(alpha, error):
    with pytest.raises(error, match="^alpha: "):
        entmax([0.0, 1.0], alpha)


@pytest.mark.parametrize(
    ("k", "error"),
    [(3, ValueError), (0, ValueError), (42, ValueError), (2.0, TypeError), (True, TypeError)],
)
def test_bad_taylor_order_is_refused_by_name(k, error):
    with pytest.raises(error, match="^k: "):
        taylor_softmax([0.0, 1.0], k)


@pytest.mark.parametrize(
    ("noise", "error"),
    [("cauchy", ValueError), ("Normal", ValueError), (None, TypeError), (1, TypeError)],
)
def test_bad_noise_is_refused_by_name(noise, error):
    with pytest.raises(error, match="^noise: "):
        perturbmax([0.0, 1.0], noise)


@pytest.mark.parametrize(
    ("target", "error"),
    [
        (2, ValueError),
        (-1, ValueError),
        (0.5, ValueError),
        ([0, 1, 0], ValueError),
        ("0", TypeError),
    ],
)
def test_bad_target_is_refused_by_name(target, error):
    with pytest.raises(error, match="^target: "):
        sparsemax_loss([[0.0, 1.0], [1.0, 0.0]], target)


def test_a_loss_beyond_the_float_range_is_refused():
    with pytest.raises(ValueError, match="^x: "):
        sparsemax_loss([1e308, -1e308], 1)


def test_inputs_are_not_mutated():
    x = np.array([[0.5, 0.1, 0.5], [3.0, -1.0, 2.0]])
    before = x.copy()
    for f in (*MAPS.values(), log_softmax, taylor_softmax, perturbmax, lambda v: entmax(v, 3.0)):
        f(x)
    sparsemax_loss(x, [0, 1])
    np.testing.assert_array_equal(x, before)
