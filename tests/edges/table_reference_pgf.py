"""Edge table of scispaces.reference, pgf section: the mpmath oracles of the binomial-Poisson chapter.

Each result is checked independently of mpmath where that is cheap: the pmfs against SciPy
(binomial n <= 1e6, Poisson lam <= 1e4, where SciPy keeps 1e-11), the distance against the
Barbour-Hall bound and the library's float algorithm (no pmf subtraction, documented to 1.3e-14),
the limit constant against the same sum of SciPy pmfs, the aliased sum against the same sum of
SciPy pmfs in floats, tv_reference against a plain NumPy sum. The grid and the sample are
checked for the properties their docstrings state.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
from scipy import stats

from edges import Row, any_, case, count, function, real, real_array, seed, whole
from scispaces.pgf import binomial_poisson_tv

MODULE = "scispaces.reference"

RTOL, ATOL = 1e-9, 1e-300  # SciPy's accuracy with room; below 1e-300 it underflows


def _floats(*values):
    return (float(np.asarray(v, dtype=float)) for v in values)


def _probability(value) -> float:
    value = float(value)
    assert 0.0 <= value <= 1.0, value
    return value


def _near(got, want, rtol=RTOL):
    assert abs(got - want) <= ATOL + rtol * abs(want), (got, want)


def _binomial(result, k, n, p):
    got = _probability(result)
    k, n, p = _floats(k, n, p)
    if n <= 1e6:
        _near(got, stats.binom.pmf(k, n, p))


def _poisson(result, k, lam):
    got = _probability(result)
    k, lam = _floats(k, lam)
    if lam <= 1e4:
        _near(got, stats.poisson.pmf(k, lam))


def _tv(result, n, lam):
    n, lam = _floats(n, lam)
    bound = -math.expm1(-lam) * lam / n  # Barbour-Hall
    assert 0 <= result <= bound * (1 + 1e-12) + 1e-320, (result, bound)
    with np.errstate(all="ignore"):
        _near(result, binomial_poisson_tv(n, lam), rtol=1e-12)


def _constant(result, lam):
    (lam,) = _floats(lam)
    top = int(lam + 12 * lam**0.5 + 40)
    pi = np.concatenate([[0.0, 0.0], stats.poisson.pmf(np.arange(top), lam)])
    _near(result, lam**2 / 4 * np.abs(pi[2:] - 2 * pi[1:-1] + pi[:-2]).sum(), rtol=1e-9)


def _grid(result, mean, sd, top, reach):
    mean, top = _floats(mean, top)
    assert result.dtype == np.int64 and (np.diff(result) > 0).all()
    assert result.size == 0 or (result[0] >= 0 and result[-1] <= top)
    assert {k for k in (0, 1, 2, 3, round(mean)) if 0 <= k <= top} <= set(result.tolist())


def _sample(result, size, seed):
    assert set(result) == {"k", "n", "p", "kp", "lam"}
    assert all(v.shape == (int(size),) for v in result.values())
    k, n, p, kp, lam = (result[name] for name in ("k", "n", "p", "kp", "lam"))
    assert ((n >= 1) & (n < 1e6) & (k >= 0) & (k <= n) & (k == np.floor(k))).all()
    assert ((p >= 0.01) & (p <= 0.99) & (lam >= 0.1) & (lam <= 1e4)).all()
    assert ((kp >= 0) & (kp == np.floor(kp))).all()


def _binom_pmf(k, n, p):
    return stats.binom.pmf(k, n, p)


def _poisson_pmf(k, lam):
    return stats.poisson.pmf(k, lam)


def _accuracy(result, binomial, poisson, size, floor):
    """>= 0; SciPy's pmfs (the valid functions, unwrapped) measured below 1e-9 above 1e-300."""
    assert set(result) == {"binomial", "poisson"} and min(result.values()) >= 0, result
    if (binomial, poisson) == (_binom_pmf, _poisson_pmf) and float(floor) >= 1e-300:
        assert max(result.values()) < 1e-9, result


def _poisson_mp(k, lam):
    return mpmath.exp(k * mpmath.log(lam) - lam - mpmath.loggamma(k + 1))


def _elementwise(result, fn, arrays, dps):
    k, lam = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in arrays))
    assert result.shape == k.shape
    assert np.allclose(result, stats.poisson.pmf(k, lam), rtol=RTOL, atol=ATOL)


def _tv_reference(result, p, q):
    a, b = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (p, q))
    width = max(a.shape[-1], b.shape[-1])
    a = np.pad(a, [(0, 0)] * (a.ndim - 1) + [(0, width - a.shape[-1])])
    b = np.pad(b, [(0, 0)] * (b.ndim - 1) + [(0, width - b.shape[-1])])
    assert np.allclose(result, 0.5 * np.abs(a - b).sum(axis=-1), rtol=1e-15, atol=0)


def _aliased(result, lam, k_max, radius, nodes):
    """sum_m pi_(k + m N) r^(m N) from SciPy's pmfs in floats (terms past the top are < 1e-100)."""
    (lam, r), k_max, nodes = _floats(lam, radius), int(k_max), int(nodes)
    assert result.shape == (k_max + 1,)
    if lam <= 1e4:
        m = range(int(lam + 60 * lam**0.5 + 200) // nodes + 2)
        for k in range(k_max + 1):
            pmfs = stats.poisson.pmf(np.array([k + j * nodes for j in m], dtype=float), lam)
            _near(result[k], math.fsum(pmfs * np.array([r ** (j * nodes) for j in m])), rtol=1e-10)


ROWS = [
    Row("mp_binomial_pmf", {"k": whole(3.0), "n": whole(10.0), "p": real(0.3)}, check=_binomial),
    Row("mp_poisson_pmf", {"k": whole(3.0), "lam": real(2.5)}, check=_poisson),
    Row(
        "mp_binomial_poisson_tv",
        {"n": whole(100.0, extra=(case("n = 1.7e308", 1.7e308, "result"),)), "lam": real(2.5)},
        check=_tv,
    ),
    Row("poisson_limit_constant", {"lam": real(2.5)}, check=_constant),
    Row(
        "sd_grid",
        {
            "mean": real(50.0),
            "sd": real(5.0),
            "top": real(100.0, supports=("inf",)),  # no upper limit, as for the Poisson grids
            "reach": count(35),
        },
        check=_grid,
    ),
    Row("pmf_sample", {"size": count(20), "seed": seed(1)}, check=_sample),
    Row(
        "pmf_accuracy",
        {
            "binomial": function(_binom_pmf),
            "poisson": function(_poisson_pmf),
            "size": count(10),
            "floor": real(1e-300),
        },
        check=_accuracy,
        examples=3,
    ),
    Row(
        "mp_elementwise",
        {
            "fn": function(_poisson_mp),
            "arrays": any_(
                (np.arange(4.0), 2.5),
                extra=(
                    case("nothing", (), "refuse"),
                    case("NaN", (np.array([1.0, np.nan]), 2.5), "refuse"),
                    case("str", ("1", 2.5), "refuse"),
                    case("None", (None, 2.5), "refuse"),
                    case("(3,) against (2,)", (np.arange(3.0), np.ones(2)), "refuse"),
                    case("empty", (np.array([]), 2.5), "result"),
                    case(
                        "2-d", (np.arange(6.0).reshape(2, 3), np.array([1.0, 2.5, 40.0])), "result"
                    ),
                ),
            ),
            "dps": count(40),
        },
        check=_elementwise,
        examples=0,  # the arrays are a tuple: the battery covers them
    ),
    Row(
        "tv_reference",
        {
            "p": real_array(np.array([[0.5, 0.5], [1.0, 0.0]])),
            "q": real_array(
                np.array([0.25, 0.25, 0.5]),
                extra=(
                    case("leading axes (3,) against p's (2,)", np.full((3, 3), 0.25), "refuse"),
                ),
            ),
        },
        check=_tv_reference,
    ),
    Row(
        "mp_aliased_poisson",
        {
            "lam": real(2.5, extra=(case("lam = 20", 20.0, "result"),)),
            "k_max": count(6),
            "radius": real(0.5, extra=(case("r = 1", 1.0, "result"),)),
            "nodes": count(16, extra=(case("nodes = 7", 7, "result"),)),
        },
        check=_aliased,
        examples=5,
    ),
]
