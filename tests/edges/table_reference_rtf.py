"""Edge table of scispaces.reference, rtf section: the mpmath kernel against the library's, the
peers against the closed form of a two-pole system, the exact Schur-Cohn against root moduli."""

from __future__ import annotations

import numpy as np

from edges import Row, any_, case, count, real_array, seed
from scispaces.reference import EPS

MODULE = "scispaces.reference"

A = np.array([0.5, 0.06])  # poles -0.2 and -0.3
B = np.array([1.0, -0.5])
L = 8
POLES = np.array([0.9 * np.exp(0.3j), -0.5 + 0j])
RESIDUES = np.array([1.0 - 0.5j, 2.0 + 0j])


def _closed(poles, residues, L):
    """Re sum_i r_i lambda_i^k by direct powers (no logarithms)."""
    lam, res = np.asarray(poles, dtype=complex), np.asarray(residues, dtype=complex)
    return (res[..., None] * lam[..., None] ** np.arange(int(L))).sum(-2).real


def _rows(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    lead = np.broadcast_shapes(a.shape[:-1], b.shape[:-1])
    return np.broadcast_to(a, (*lead, a.shape[-1])), np.broadcast_to(b, (*lead, b.shape[-1]))


def _against_library(result, a, b, L, dps):
    """The library's FFT kernel within 8 eps kappa of the largest value (its documented bound)."""
    from scispaces.rtf import rtf_kernel

    a, b = _rows(a, b)
    got = rtf_kernel(a, b, L)
    den = np.concatenate([np.ones((*a.shape[:-1], 1)), a], axis=-1)
    den = den / np.abs(den).max(axis=-1, keepdims=True)
    kappa = np.abs(den).sum(-1) / np.abs(np.fft.rfft(den, n=int(L))).min(-1)
    size = np.abs(result).max(axis=-1)
    assert np.all(np.abs(got - result).max(axis=-1) <= 8 * EPS * kappa * size + 1e-300)


def _output_check(result, a, b, L, dps):
    """C of the companion realisation reproduces the mpmath kernel's first values."""
    from scispaces.reference import mp_rtf_kernel

    a, b = _rows(a, b)
    K = mp_rtf_kernel(a, b, L, dps)
    d = a.shape[-1]
    den = np.concatenate([np.ones((*a.shape[:-1], 1)), a], axis=-1)
    want = np.stack([np.sum(den[..., : j + 1] * K[..., j::-1], -1) for j in range(d)], -1)
    assert np.all(
        np.abs(result - want) <= 1e-14 * np.abs(den).sum(-1, keepdims=True) * np.abs(K).max()
    )


def _modal_check(result, a, b, L, dps):
    """The modal form's kernel is the mpmath kernel."""
    from scispaces.reference import mp_rtf_kernel

    want = mp_rtf_kernel(a, b, L, dps)
    got = _closed(*result, L)
    assert np.abs(got - want).max() <= 1e-12 * np.abs(want).max()


def _systems_check(result, channels, d, radius, seed):
    from scispaces.rtf import is_stable

    a, b = result
    assert a.shape == b.shape == (int(channels), int(d)) and np.all(is_stable(a))


def _power_check(result, A, B, C, L):
    """Each power A^k by numpy.linalg.matrix_power, independently of the loop."""
    A, B, C = (np.asarray(x, dtype=float) for x in (A, B, C))
    powers = [np.linalg.matrix_power(A, k) for k in range(int(L))]
    want = np.stack([np.einsum("...i,...ij,...j->...", C, P, B) for P in powers], axis=-1)
    assert np.all(np.abs(result - want) <= 1e-12 * np.abs(want).max() + 1e-300)


def _lfilter_check(result, a, b, L):
    from scispaces.rtf import rtf_scan

    want = rtf_scan(a, b, np.eye(1, int(L))[0])
    assert np.all(np.abs(result - want) <= 1e-12 * np.abs(want).max() + 1e-300)


def _vandermonde_check(result, poles, residues, L, chunk):
    want = _closed(poles, residues, L)
    assert np.all(np.abs(result - want) <= 1e-12 * np.abs(want).max() * max(1, int(L)) + 1e-300)


def _stable_check(result, a):
    a = np.asarray(a, dtype=float)
    rows = a.reshape(-1, a.shape[-1])
    radius = np.array([np.abs(np.roots(np.concatenate([[1.0], r]))).max(initial=0) for r in rows])
    clear = np.abs(radius - 1) > 1e-6
    assert np.array_equal(np.ravel(result)[clear], (radius < 1)[clear])


def _reflection_check(result, a):
    from scispaces.rtf import reflection_to_poly

    back = reflection_to_poly(result)
    a = np.broadcast_to(np.asarray(a, dtype=float), back.shape)
    assert np.all(np.abs(back - a) <= 1e-10 * np.maximum(1, np.abs(a)))


DPS = count(40, extra=(case("dps = 19", 19, "refuse"),))

ROWS = [
    Row(
        "mp_rtf_kernel",
        {"a": real_array(A), "b": real_array(B), "L": count(L), "dps": DPS},
        check=_against_library,
        examples=5,
    ),
    Row(
        "mp_companion_output",
        {"a": real_array(A), "b": real_array(B), "L": count(L), "dps": DPS},
        check=_output_check,
        examples=5,
    ),
    Row(
        "mp_modal_form",
        {"a": real_array(A), "b": real_array(B), "L": count(L), "dps": DPS},
        check=_modal_check,
        examples=5,
    ),
    Row(
        "rtf_systems",
        {
            "channels": count(3),
            "d": count(5),
            "radius": any_(
                (0.5, 0.99),
                extra=(
                    case("radius 1", (0.5, 1.0), "refuse"),
                    case("reversed", (0.9, 0.5), "refuse"),
                    case("three values", (0.1, 0.2, 0.3), "refuse"),
                    case("str", "0.5", "refuse"),
                ),
            ),
            "seed": seed(0),
        },
        check=_systems_check,
        examples=5,
    ),
    Row(
        "power_kernel",
        {
            "A": real_array(np.array([[0.5, 0.1], [-0.2, 0.3]])),
            "B": real_array(np.array([1.0, 0.5])),
            "C": real_array(np.array([0.3, -1.0])),
            "L": count(L),
        },
        check=_power_check,
    ),
    Row(
        "lfilter_kernel",
        {"a": real_array(A), "b": real_array(B), "L": count(L)},
        check=_lfilter_check,
    ),
    Row(
        "vandermonde_kernel",
        {
            "poles": any_(
                POLES,
                extra=(
                    case("zero pole", np.array([0.5, 0.0]), "refuse"),
                    case("nan", np.array([0.5, np.nan]), "refuse"),
                    case("str", "0.5", "refuse"),
                    case("None", None, "refuse"),
                    case("empty", np.array([]), "refuse"),
                    case("one pole", np.array([0.5]), "refuse"),
                    case("real", np.array([0.5, -0.9]), "result"),
                    case("pole of modulus 1e200", np.array([1e200, 0.5]), "refuse"),
                ),
            ),
            "residues": any_(
                RESIDUES,
                extra=(
                    case("inf", np.array([np.inf, 1.0]), "refuse"),
                    case("bool", np.array([True, False]), "refuse"),
                    case("list", [1.0, 2.0], "result"),
                ),
            ),
            "L": count(L),
            "chunk": count(1 << 22),
        },
        check=_vandermonde_check,
    ),
    Row("exact_is_stable", {"a": real_array(A)}, check=_stable_check),
    Row("exact_reflection", {"a": real_array(A)}, check=_reflection_check),
]
