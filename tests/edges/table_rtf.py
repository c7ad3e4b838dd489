"""Edge table of scispaces.rtf: the kernel against the exact mpmath kernel (or, for long kernels,
its defining cyclic identity), the realisations and the recurrence against independent
computations, the Schur-Cohn recursion against exact rational arithmetic."""

from __future__ import annotations

import numpy as np
from scipy import signal

from edges import Row, case, count, real_array
from scispaces.reference import (
    EPS,
    exact_is_stable,
    exact_reflection,
    mp_companion_output,
    mp_rtf_kernel,
    power_kernel,
)

MODULE = "scispaces.rtf"

A = np.array([0.5, 0.06, -0.1])  # poles inside the unit disk
B = np.array([1.0, -0.5, 0.25])
L = 8
EXACT = 4096  # the mpmath kernel up to this length; beyond it, the cyclic identity


def _scaled(x):
    """x scaled by a power of two to a largest entry in [1/2, 1) (exact), and the exponent."""
    e = int(np.frexp(np.max(np.abs(x)))[1]) if np.any(x) else 0
    return np.ldexp(x, -e), e


def _kappa(a, L):
    """||(1, a)||_1 / min |A(omega)|: the condition the docstring's accuracy is stated in."""
    den, _ = _scaled(np.concatenate([[1.0], np.asarray(a, dtype=float)]))
    return np.abs(den).sum() / np.abs(np.fft.rfft(den, n=int(L))).min()


def _per_row(*names):
    """Apply a check of one system to every row of a batched call: the arguments ``names`` carry
    the state (or time) on their last axis and broadcast their leading axes, as in the library."""

    def wrap(check):
        def batched(result, **args):
            vec = [np.asarray(args[n], dtype=float) for n in names]
            lead = np.broadcast_shapes(*(v.shape[:-1] for v in vec))
            rows = [np.broadcast_to(v, (*lead, v.shape[-1])).reshape(-1, v.shape[-1]) for v in vec]
            outs = result if isinstance(result, tuple) else (result,)
            outs = [np.asarray(o).reshape(-1, *np.shape(o)[len(lead) :]) for o in outs]
            for i in range(rows[0].shape[0]):
                one = {**args, **{n: r[i] for n, r in zip(names, rows, strict=True)}}
                got = tuple(o[i] for o in outs)
                check(got if len(got) > 1 else got[0], **one)

        return batched

    return wrap


@_per_row("a", "b")
def _kernel_check(result, a, b, L):
    """The exact kernel within 4 eps kappa log2(L) of its largest value; beyond the reference's
    length, the defining identity (1, a) * K = (b, 0, ...) (cyclic, length L) by FFT, scaled."""
    a, b, L = np.asarray(a, dtype=float), np.asarray(b, dtype=float), int(L)
    result = np.asarray(result)
    tol = 4 * EPS * _kappa(a, L) * max(1.0, float(np.log2(L)))
    if L <= EXACT:
        want = mp_rtf_kernel(a, b, L)
        assert np.abs(result - want).max() <= tol * np.abs(want).max(), (result, want)
        return
    den, ea = _scaled(np.concatenate([[1.0], a]))
    k, ek = _scaled(result)
    residual = np.fft.irfft(np.fft.rfft(den, n=L) * np.fft.rfft(k, n=L), n=L)
    want = np.ldexp(np.pad(b, (0, L - b.size)), -ea - ek)
    assert np.abs(residual - want).max() <= 8 * EPS * float(np.log2(L)) * np.abs(den).sum()


@_per_row("a", "b")
def _companion_check(result, a, b, L):
    """C against the correctly rounded mpmath value, within the error of the first d kernel
    values (4 eps kappa of the largest) convolved with (1, a); A and B the exact pattern."""
    A_, B_, C_ = result
    d = np.size(a)
    den = np.concatenate([[1.0], np.asarray(a, dtype=float)])
    size = np.abs(mp_rtf_kernel(a, b, L)).max() * np.abs(den).sum()
    assert np.abs(C_ - mp_companion_output(a, b, L)).max() <= 8 * EPS * _kappa(a, L) * size
    assert np.array_equal(A_[0], -np.asarray(a, dtype=float))
    assert np.array_equal(A_[1:], np.eye(d)[:-1]) and np.array_equal(B_, np.eye(d)[0])


def _ssm_check(result, A, B, C, L):
    """The kernel of (a, b) is C^T A^k B by the matrix-power loop (an independent computation)."""
    from scispaces.rtf import rtf_kernel

    want = power_kernel(A, B, C, L)
    got = rtf_kernel(*result, L)
    size = np.abs(want).max(axis=-1, keepdims=True)
    assert np.all(np.abs(got - want) <= 1e-12 * size + 1e-300)


@_per_row("a", "b", "u")
def _scan_check(result, a, b, u):
    """scipy.signal.lfilter on the same filter, inputs scaled by powers of two (exact)."""
    us, eu = _scaled(np.asarray(u, dtype=float))
    bs, eb = _scaled(np.asarray(b, dtype=float))
    den = np.concatenate([[1.0], np.asarray(a, dtype=float)])
    want = signal.lfilter(bs, den, us)
    got = np.ldexp(np.asarray(result), -(eu + eb))
    assert np.abs(got - want).max() <= 1e-12 * np.abs(want).max() + 1e-300


def _poly_check(result, k):
    """The exact step-down of the float result recovers k (its rounding, amplified by 1/(1-k^2)),
    and the result is exactly stable where every |k| < 1."""
    k = np.asarray(k, dtype=float)
    inside = np.all(np.abs(k) < 1, axis=-1)
    np.testing.assert_array_equal(exact_is_stable(result), inside)
    if np.all(np.abs(k) < 0.999):
        np.testing.assert_allclose(exact_reflection(result), k, rtol=0, atol=1e-12)


def _reflection_check(result, a):
    np.testing.assert_allclose(result, exact_reflection(a), rtol=1e-10, atol=1e-12)


def _stable_check(result, a):
    np.testing.assert_array_equal(result, exact_is_stable(a))


ROWS = [
    Row(
        "rtf_kernel",
        {
            "a": real_array(A),
            "b": real_array(B),
            "L": count(L, extra=(case("L = 1000", 1000, "result"),)),
        },
        check=_kernel_check,
    ),
    Row(
        "ssm_to_rtf",
        {
            "A": real_array(np.array([[0.5, 0.1], [-0.2, 0.3]])),
            "B": real_array(np.array([1.0, 0.5])),
            "C": real_array(np.array([0.3, -1.0])),
            "L": count(L),
        },
        check=_ssm_check,
    ),
    Row(
        "rtf_to_companion",
        {"a": real_array(A), "b": real_array(B), "L": count(L)},
        check=_companion_check,
    ),
    Row(
        "rtf_scan",
        {
            "a": real_array(A),
            "b": real_array(B),
            "u": real_array(np.array([1.0, -2.0, 0.5, 3.0, 0.0])),
        },
        check=_scan_check,
    ),
    Row("reflection_to_poly", {"k": real_array(np.array([0.5, -0.3, 0.2]))}, check=_poly_check),
    Row("poly_to_reflection", {"a": real_array(A)}, check=_reflection_check),
    Row("is_stable", {"a": real_array(A)}, check=_stable_check),
]
