"""Edge table of scispaces.reference, simplex section: each oracle against what characterises
its answer exactly (the optimality conditions of the projection or of the Tsallis-regularised
argmax, the Gumbel integral's closed form), and the post's code against the library."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np

from edges import Row, any_, case, choice, count, real, real_array, whole

MODULE = "scispaces.reference"

X = np.array([[0.3, -1.2, 0.9], [2.0, 2.0, -0.5]])


def _rows(x):
    a = np.asarray(x, dtype=np.float64)
    return a.reshape(-1, a.shape[-1])


def _sparsemax_check(result, x):
    """Exactly on the simplex, and <x - p, e_j - p> <= 0 for every vertex e_j (projection)."""
    for row, p in zip(
        _rows(x), np.asarray(result, dtype=object).reshape(-1, _rows(x).shape[1]), strict=True
    ):
        z = [Fraction(v) for v in row.tolist()]
        assert sum(p) == 1 and all(q >= 0 for q in p)
        r = [a - b for a, b in zip(z, p, strict=True)]
        inner = sum(a * b for a, b in zip(r, p, strict=True))
        assert all(v <= inner for v in r), (row, p)


def _tsallis_check(result, x, alpha, dps):
    """sum p = 1 and, with z = (alpha - 1) x: z_i - p_i^(alpha - 1) is one constant tau on the
    support and z_i <= tau off it (KKT), to 10^(5 - dps)."""
    a = mpmath.mpf(float(np.asarray(alpha)))
    tol = mpmath.mpf(10) ** (5 - int(dps))
    with mpmath.workdps(int(dps) + 10):
        for row, p in zip(
            _rows(x), np.asarray(result, dtype=object).reshape(-1, _rows(x).shape[1]), strict=True
        ):
            top = max(row.tolist())
            z = [(a - 1) * (mpmath.mpf(v) - top) for v in row.tolist()]
            assert abs(mpmath.fsum(p) - 1) < tol
            if a == 1:  # softmax: log p_i - x_i is one constant
                s = [
                    mpmath.log(q) - (mpmath.mpf(v) - top)
                    for q, v in zip(p, row.tolist(), strict=True)
                ]
                assert max(s) - min(s) < tol
                continue
            on = [v - q ** (a - 1) for v, q in zip(z, p, strict=True) if q > 0]
            tau = on[0]
            assert all(abs(v - tau) < tol for v in on)
            assert all(v <= tau + tol for v, q in zip(z, p, strict=True) if q == 0)


def _loss_check(result, x, target):
    """The post's loss equals 1/2 |p - onehot|^2 + relu(tau - x_t), computed from exact p."""
    from scispaces.reference import exact_sparsemax

    rows = _rows(x)
    labels = np.broadcast_to(np.asarray(target, dtype=np.float64), np.shape(x)[:-1]).ravel()
    got = np.asarray(result, dtype=object).ravel()
    for row, t, loss, p in zip(rows, labels, got, exact_sparsemax(rows), strict=True):
        t = int(t)
        z = [Fraction(v) for v in row.tolist()]
        i = next(j for j, q in enumerate(p) if q > 0)
        tau = z[i] - p[i]
        want = sum((q - (j == t)) ** 2 for j, q in enumerate(p)) / 2 + max(tau - z[t], 0)
        assert loss == want, (row, t, loss, want)


def _perturb_check(result, mu, noise, dps):
    """On the simplex to 1e-12; Gumbel noise gives softmax (exp(mu_i) / sum exp(mu_j))."""
    rows, p = _rows(mu), np.asarray(result).reshape(_rows(mu).shape)
    assert np.all(p >= 0) and np.allclose(p.sum(axis=1), 1, atol=1e-12)
    if noise == "gumbel":
        w = np.exp(rows - rows.max(axis=1, keepdims=True))
        assert np.allclose(p, w / w.sum(axis=1, keepdims=True), rtol=1e-12, atol=1e-14)


def _ulp_check(result, got, exact):
    want = []
    for g, w in zip(
        np.ravel(np.asarray(got, dtype=np.float64)),
        np.ravel(np.asarray(exact, dtype=object)),
        strict=True,
    ):
        w = Fraction(w)
        want.append(
            0.0
            if g == w
            else float("inf")
            if w == 0
            else float(abs(Fraction(g) - w) / Fraction(np.spacing(abs(float(w)))))
        )
    assert np.allclose(np.ravel(result), want, rtol=1e-12), (result, want)


def _post_check(library):
    """The post's code agrees with the library to its own rounding, about 1e-16 times the
    largest score (it does not shift by the maximum)."""

    def check(result, x):
        tol = 16 * 2.0**-52 * max(1.0, float(np.abs(np.asarray(x, dtype=np.float64)).max()))
        assert np.allclose(result, library(x), rtol=0, atol=tol), (result, library(x))

    return check


def _quantile_check(result, mu, nodes):
    """Each entry a probability; the total falls short of 1 (the post's rule cuts the tails),
    by at most the mass outside its quantile range."""
    total = float(np.sum(result))
    assert np.all((np.asarray(result) >= 0) & (np.asarray(result) <= 1))
    assert total <= 1 + 1e-12


EXACT = Fraction(1, 3)

ROWS = [
    Row("exact_sparsemax", {"x": real_array(X)}, check=_sparsemax_check),
    Row(
        "exact_entmax15",
        {"x": real_array(X), "dps": count(50)},
        check=lambda result, x, dps: _tsallis_check(result, x, 1.5, dps),
    ),
    Row(
        "mp_entmax",
        {
            "x": real_array(X),
            "alpha": real(
                1.3, extra=(case("alpha = 1", 1.0, "result"), case("alpha = 20", 20.0, "result"))
            ),
            "dps": count(30),
        },
        check=_tsallis_check,
        examples=5,
    ),
    Row(
        "exact_sparsemax_loss",
        {"x": real_array(X), "target": whole(0.0)},
        check=_loss_check,
    ),
    Row(
        "mp_perturbmax",
        {
            "mu": real_array(X),
            "noise": choice("gumbel", ("gumbel", "normal", "logistic", "uniform")),
            "dps": count(20),
        },
        check=_perturb_check,
        examples=5,
    ),
    Row(
        "ulp_errors",
        {
            "got": real_array(np.array([0.5, 1 / 3, 0.0])),
            "exact": any_(
                [Fraction(1, 2), EXACT, Fraction(0)],
                extra=(
                    case("a string", ["0.5", "1", "0"], "refuse"),
                    case("wrong length", [Fraction(1, 2)], "refuse"),
                    case("NaN", [float("nan"), 1.0, 0.0], "refuse"),
                ),
            ),
        },
        check=_ulp_check,
        finite=False,  # inf: a nonzero value where the exact one is 0
    ),
    Row(
        "post_sparsemax",
        {"x": real_array(np.array([0.3, -1.2, 0.9, 0.85]))},
        check=_post_check(
            lambda x: __import__("scispaces.simplex").simplex.sparsemax(
                np.asarray(x, dtype=np.float64)
            )
        ),
    ),
    Row(
        "post_entmax15",
        {
            "x": real_array(
                np.array([0.3, -1.2, 0.9, 0.85]),
                extra=(case("the tie (0, 2)", [0.0, 2.0], "refuse"),),
            )
        },
        check=_post_check(
            lambda x: __import__("scispaces.simplex").simplex.entmax15(
                np.asarray(x, dtype=np.float64)
            )
        ),
    ),
    Row(
        "post_quantile_perturbmax",
        {"mu": real_array(np.array([0.3, -1.2, 0.9])), "nodes": count(100)},
        check=_quantile_check,
    ),
]
