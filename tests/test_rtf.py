"""Tests of scispaces.rtf: linear-RNN kernels as rational functions, and the Schur-Cohn test."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import signal

from scispaces.reference import (
    EPS,
    _exact_step_down,
    exact_is_stable,
    exact_reflection,
    lfilter_kernel,
    mp_companion_output,
    mp_modal_form,
    mp_rtf_kernel,
    power_kernel,
    rtf_systems,
    vandermonde_kernel,
)
from scispaces.rtf import (
    is_stable,
    poly_to_reflection,
    reflection_to_poly,
    rtf_kernel,
    rtf_scan,
    rtf_to_companion,
    ssm_to_rtf,
)

# =========================================================================== helpers


def condition(a: np.ndarray, L: int) -> np.ndarray:
    """kappa = ||(1, a)||_1 / min_l |A(omega_l)|: the condition of the denominator on the circle."""
    den = np.concatenate([np.ones((*np.shape(a)[:-1], 1)), a], axis=-1)
    return np.abs(den).sum(-1) / np.abs(np.fft.rfft(den, n=L)).min(-1)


def normwise(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """max |got - want| / max |want| along the last axis."""
    return np.abs(got - want).max(-1) / np.abs(want).max(-1)


def cyclic(x: np.ndarray, y: np.ndarray, L: int) -> np.ndarray:
    """The cyclic convolution of length L of two short or full sequences, directly."""
    out = np.zeros(L)
    for i, xi in enumerate(x):
        for j, yj in enumerate(y):
            out[(i + j) % L] += xi * yj
    return out


coefficient = st.floats(-0.9, 0.9, allow_nan=False)
reflections = st.lists(st.floats(-0.95, 0.95), min_size=1, max_size=8).map(np.array)


# =========================================================================== hand cases


def test_one_pole_is_a_folded_geometric_series():
    # 1/(1 - z/2) on L points: sum_m 2^-(k + mL) = 2^-k / (1 - 2^-L)
    L = 6
    want = 0.5 ** np.arange(L) / (1 - 0.5**L)
    np.testing.assert_allclose(rtf_kernel([-0.5], [1.0], L), want, rtol=0, atol=4 * EPS)


def test_zero_denominator_is_a_shift_register():
    b = np.array([3.0, -1.0, 2.0])
    np.testing.assert_allclose(
        rtf_kernel([0.0, 0.0, 0.0], b, 7), [3, -1, 2, 0, 0, 0, 0], atol=8 * EPS
    )
    # the recurrence keeps the last d inputs: output y_n = sum_i b_i u_(n+1-i)
    u = np.arange(1.0, 9.0)
    np.testing.assert_allclose(rtf_scan([0.0, 0.0, 0.0], b, u), np.convolve(u, b)[:8])


def test_diagonal_system():
    A = np.diag([0.5, -0.25, 0.9])
    B, C = np.array([1.0, 2.0, -1.0]), np.array([1.0, 0.5, 0.25])
    a, b = ssm_to_rtf(A, B, C, 16)
    np.testing.assert_allclose(a, np.poly([0.5, -0.25, 0.9])[1:], rtol=1e-14)
    want = sum(
        c * bb * lam ** np.arange(16) for lam, bb, c in zip([0.5, -0.25, 0.9], B, C, strict=True)
    )
    np.testing.assert_allclose(rtf_kernel(a, b, 16), want, rtol=0, atol=1e-14)


def test_reflection_hand_values():
    np.testing.assert_allclose(reflection_to_poly([0.5, 0.25]), [0.625, 0.25])
    np.testing.assert_allclose(poly_to_reflection([0.625, 0.25]), [0.5, 0.25])
    # d = 1: the pole of 1 + k z is -k
    assert is_stable([0.999]) and not is_stable([1.0]) and not is_stable([-1.5])


def test_stability_triangle_d2():
    # 1 + a1 z + a2 z^2 is stable iff |a2| < 1 and |a1| < 1 + a2 (grids offset from the edges)
    a1, a2 = np.meshgrid(np.arange(-25, 25) / 10 + 0.03, np.arange(-25, 25) / 10 + 0.06)
    a = np.stack([a1, a2], axis=-1)
    triangle = (np.abs(a2) < 1) & (np.abs(a1) < 1 + a2)
    assert 0 < triangle.sum() < triangle.size
    np.testing.assert_array_equal(is_stable(a), triangle)


# =========================================================================== against references


@pytest.mark.parametrize(
    ("d", "L", "radius"),
    [(1, 16, (0.5, 0.99)), (3, 64, (0.0, 0.999)), (8, 100, (0.9, 0.999)), (16, 257, (0.5, 0.999))],
)
def test_kernel_against_mpmath(d, L, radius):
    a, b = rtf_systems(3, d, radius, seed=d)
    want = mp_rtf_kernel(a, b, L)
    assert np.all(normwise(rtf_kernel(a, b, L), want) <= 4 * EPS * condition(a, L))


def test_kernel_unstable_and_repeated_poles():
    # a double pole at 1.5 and one at -0.3: the kernel exists (no pole on the circle)
    a = np.poly([1.5, 1.5, -0.3])[1:]
    b = np.array([1.0, -2.0, 0.5])
    want = mp_rtf_kernel(a, b, 32)
    assert normwise(rtf_kernel(a, b, 32), want) <= 4 * EPS * condition(a, 32)


def test_mpmath_references_agree():
    # the polynomial-algebra reference against the modal (diagonalised) form
    a, b = rtf_systems(1, 6, (0.5, 0.99), seed=11)
    poles, residues = mp_modal_form(a[0], b[0], 40)
    modal = vandermonde_kernel(poles, residues, 40)
    assert normwise(modal, mp_rtf_kernel(a[0], b[0], 40)) < 1e-14


def test_companion_realisation_reproduces_the_kernel():
    a, b = rtf_systems(4, 6, (0.3, 0.99), seed=5)
    L = 50
    A, B, C = rtf_to_companion(a, b, L)
    np.testing.assert_allclose(
        C, mp_companion_output(a, b, L), rtol=0, atol=1e-13 * np.abs(C).max()
    )
    kernel = rtf_kernel(a, b, L)
    assert np.all(normwise(power_kernel(A, B, C, L), kernel) < 1e-13)
    assert np.all(normwise(lfilter_kernel(a, C, L), kernel) < 1e-13)
    # the post's route: C (I - A^L) = b
    C_tilde = C - np.einsum("ci,cij->cj", C, np.linalg.matrix_power(A, L))
    np.testing.assert_allclose(C_tilde, b, atol=1e-12)


def test_ssm_to_rtf_against_matrix_powers():
    rng = np.random.default_rng(3)
    for d in (2, 5, 16):
        A = rng.standard_normal((d, d))
        A *= 0.97 / np.abs(np.linalg.eigvals(A)).max()
        B, C = rng.standard_normal(d), rng.standard_normal(d)
        a, b = ssm_to_rtf(A, B, C, 200)
        assert normwise(rtf_kernel(a, b, 200), power_kernel(A, B, C, 200)) < 1e-13
    # strongly unstable: A^L is huge, the kernel still comes out right
    A = np.array([[0.5, 0.1], [-0.2, 2.0**64]])
    a, b = ssm_to_rtf(A, [1.0, 0.5], [0.3, -1.0], 8)
    assert normwise(rtf_kernel(a, b, 8), power_kernel(A, [1.0, 0.5], [0.3, -1.0], 8)) < 1e-14


def test_scan_is_the_causal_convolution():
    a, b = rtf_systems(2, 5, (0.2, 0.95), seed=8)
    u = np.random.default_rng(0).standard_normal((2, 300))
    y = rtf_scan(a, b, u)
    for i in range(2):
        want = signal.lfilter(b[i], np.concatenate([[1.0], a[i]]), u[i])
        np.testing.assert_allclose(y[i], want, rtol=0, atol=1e-13 * np.abs(want).max())
    # with the companion C of length L, the first L outputs convolve u with rtf_kernel
    L = 300
    _, _, C = rtf_to_companion(a, b, L)
    K = rtf_kernel(a, b, L)
    for i in range(2):
        want = np.convolve(u[i], K[i])[:L]
        np.testing.assert_allclose(
            rtf_scan(a[i], C[i], u[i]), want, atol=1e-12 * np.abs(want).max()
        )


def test_scan_broadcasts_channels():
    a = np.array([[-0.5], [0.5]])
    y = rtf_scan(a, [1.0], [1.0, 0.0, 0.0])  # one input, two filters
    np.testing.assert_allclose(y, [[1, 0.5, 0.25], [1, -0.5, 0.25]])


def test_stability_against_exact_arithmetic():
    rng = np.random.default_rng(4)
    a = rng.uniform(-1, 1, (3000, 4)) * np.array([1.5, 1.5, 1.0, 1.0])
    exact = exact_is_stable(a)
    assert 100 < exact.sum() < 2900  # both outcomes are represented
    np.testing.assert_array_equal(is_stable(a), exact)


def test_stability_against_roots():
    rng = np.random.default_rng(5)
    a = rng.uniform(-1, 1, (4000, 6)) * np.array([2.0, 1.5, 1.2, 1.0, 0.8, 0.5])
    radius = np.array([np.abs(np.roots(np.concatenate([[1.0], row]))).max() for row in a])
    clear = np.abs(radius - 1) > 1e-6
    np.testing.assert_array_equal(is_stable(a)[clear], radius[clear] < 1)


def test_l1_ball_is_stable():
    rng = np.random.default_rng(6)
    a = rng.uniform(-1, 1, (5000, 5))
    a /= np.abs(a).sum(-1, keepdims=True) / rng.uniform(0, 0.999, (5000, 1))
    assert is_stable(a).all()


# =========================================================================== properties


@given(reflections)
def test_reflection_round_trip(k):
    np.testing.assert_allclose(poly_to_reflection(reflection_to_poly(k)), k, rtol=0, atol=1e-9)


@given(reflections)
def test_reflections_in_the_cube_are_stable(k):
    a = reflection_to_poly(k)
    assert is_stable(a)
    assert np.abs(np.roots(np.concatenate([[1.0], a]))).max() < 1


@given(st.lists(st.floats(-3, 3), min_size=1, max_size=6).map(np.array))
def test_stable_iff_every_reflection_inside(a):
    ks, stable = _exact_step_down(a)
    margin = min(abs(1 - abs(float(k))) for k in ks)
    assume(margin > 1e-9)  # the float step-down decides away from the boundary
    assert is_stable(a) == stable == exact_is_stable(a)
    if stable:
        np.testing.assert_allclose(poly_to_reflection(a), exact_reflection(a), atol=1e-6)


@given(st.lists(coefficient, min_size=1, max_size=5), st.data())
def test_kernel_identities(a, data):
    a = np.array(a)
    d = a.size
    assume(np.abs(a).sum() < 0.95)  # stable with margin: kappa < 40
    b = np.array(data.draw(st.lists(st.floats(-2, 2), min_size=d, max_size=d)))
    L = data.draw(st.integers(d + 1, 64))
    K = rtf_kernel(a, b, L)
    den = np.concatenate([[1.0], a])
    # the defining identity: (1, a) cyclically convolved with K is (b, 0, ...)
    np.testing.assert_allclose(cyclic(den, K, L), np.pad(b, (0, L - d)), atol=1e-13)
    # linear in b, and the companion recurrence continues it
    np.testing.assert_allclose(rtf_kernel(a, 2 * b, L), 2 * K, atol=1e-14)
    _, _, C = rtf_to_companion(a, b, L)
    np.testing.assert_allclose(rtf_scan(a, C, np.eye(1, L)[0]), K, atol=1e-13)


@settings(max_examples=30)
@given(st.integers(1, 6), st.integers(0, 2**16))
def test_shapes_broadcast(d, seed):
    rng = np.random.default_rng(seed)
    a = 0.1 * rng.standard_normal((3, 1, d))
    b = rng.standard_normal((4, d))
    K = rtf_kernel(a, b, d + 3)
    assert K.shape == (3, 4, d + 3)
    np.testing.assert_allclose(K[2, 1], rtf_kernel(a[2, 0], b[1], d + 3))
    A, B, C = rtf_to_companion(a, b, d + 3)
    assert A.shape == (3, 4, d, d) and B.shape == C.shape == (3, 4, d)


# =========================================================================== bad input


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: rtf_kernel([0.1, 0.2], [1.0, 2.0], 2), ValueError, "L:"),
        (lambda: rtf_kernel([0.1, np.nan], [1.0, 2.0], 5), ValueError, "a:"),
        (lambda: rtf_kernel([0.1, 0.2], [1.0, 2.0, 3.0], 5), ValueError, "a, b:"),
        (lambda: rtf_kernel(np.zeros((2, 1)), np.zeros((3, 1)), 5), ValueError, "a, b:"),
        (lambda: rtf_kernel([], [], 5), ValueError, "a:"),
        (lambda: rtf_kernel([0.1], [1j], 5), TypeError, "b:"),
        (lambda: rtf_kernel([0.1], [1.0], 5.0), TypeError, "L:"),
        (lambda: rtf_kernel([-1.0], [1.0], 5), ValueError, "a:"),  # pole 1 = 1^L
        (lambda: rtf_to_companion([0.0, 1.0], [1.0, 0.0], 8), ValueError, "a:"),  # poles +-i
        (lambda: ssm_to_rtf(np.eye(2, 3), [1, 1], [1, 1], 5), ValueError, "A:"),
        (lambda: ssm_to_rtf(np.eye(2), [1, 1, 1], [1, 1], 5), ValueError, "B:"),
        (lambda: ssm_to_rtf(4 * np.eye(2), [1, 1], [1, 1], 600), ValueError, "A:"),
        (lambda: rtf_scan([0.5], [1.0], []), ValueError, "u:"),
        (lambda: rtf_scan([-3.0], [1.0], np.ones(800)), ValueError, "a, b, u:"),
        (lambda: poly_to_reflection([0.5, 1.0]), ValueError, "a:"),  # k_2 = 1, then 1 - k^2 = 0
        (lambda: reflection_to_poly([1e200, 1e200]), ValueError, "k:"),
        (lambda: is_stable("0.5"), TypeError, "a:"),
    ],
)
def test_bad_input_is_refused_by_name(call, error, name):
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(name)


def test_near_root_of_unity_is_refused_but_near_miss_is_not():
    # the pole 1 - 1e-17 rounds to 1: refused; the pole 1 - 1e-6 is far from rounding
    with pytest.raises(ValueError, match="^a:"):
        rtf_kernel([-(1 - 1e-17)], [1.0], 4)
    K = rtf_kernel([-(1 - 1e-6)], [1.0], 4)
    np.testing.assert_allclose(K, mp_rtf_kernel([-(1 - 1e-6)], [1.0], 4), rtol=1e-9)
