r"""Linear-RNN kernels as rational functions: the rational transfer function (RTF) of an SSM.

Derived in the chapter *Linear-RNN kernels as rational functions*, after Su Jianlin,
kexue.fm/archives/10180 (2024), on Parnichkun et al., arXiv 2405.06147. A real linear RNN
:math:`x_{k+1} = \bar A x_k + \bar B u_k`, :math:`y_{k+1} = \bar C^{\top} x_{k+1}` with state size
:math:`d` has the kernel :math:`\bar K_k = \bar C^{\top}\bar A^k \bar B`, and on the :math:`L`-th
roots of unity its truncated generating function is the rational function

.. math::

    \sum_{k<L} \bar K_k z^k = \frac{b_1 + b_2 z + \dots + b_d z^{d-1}}{1 + a_1 z + \dots + a_d z^d},
    \qquad z^L = 1,

with :math:`a` the coefficients of :math:`\det(\lambda I - \bar A)` and :math:`b` those of
:math:`\det(\lambda I - \bar A + \bar B\tilde C^{\top}) - \det(\lambda I - \bar A)`,
:math:`\tilde C^{\top} = \bar C^{\top}(I - \bar A^L)`. Every function takes ``a`` and ``b`` with the
state size on the last axis and broadcasts the leading axes (channels).

- :func:`rtf_kernel`: the first :math:`L` kernel values from :math:`(a, b)`, one real FFT ratio;
- :func:`ssm_to_rtf`: :math:`(a, b)` of a state-space system :math:`(\bar A, \bar B, \bar C)`;
- :func:`rtf_to_companion`: a companion realisation :math:`(\bar A, \bar B, \bar C)` of :math:`(a, b)`;
- :func:`rtf_scan`: the :math:`O(Ld)` recurrence of a rational filter on an input sequence;
- :func:`reflection_to_poly`, :func:`poly_to_reflection`, :func:`is_stable`: the Schur--Cohn
  recursion between :math:`a` and its reflection coefficients :math:`k`; the poles lie in the open
  unit disk exactly when every :math:`|k_i| < 1`.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scispaces._checks import count, real_array

__all__ = [
    "is_stable",
    "poly_to_reflection",
    "reflection_to_poly",
    "rtf_kernel",
    "rtf_scan",
    "rtf_to_companion",
    "ssm_to_rtf",
]

_EPS = float(np.finfo(np.float64).eps)
_TWIDDLE_LIMIT = 1 << 21  # entries of a cached DFT matrix (32 MiB); beyond it, an FFT of length L
_GEMM_TAPS = 64  # up to this many taps the short DFTs are one matrix product, not FFTs of length L


# ------------------------------------------------------------------------------ input checks


def _vectors(x: ArrayLike, name: str) -> NDArray[np.float64]:
    """``x`` as a float array with the state size on its last axis (at least one entry)."""
    arr = real_array(x, name)
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise ValueError(f"{name}: must hold at least one coefficient on its last axis")
    return arr


def _pair(a: ArrayLike, b: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``a`` and ``b`` with equal state sizes and leading axes broadcast together."""
    a, b = _vectors(a, "a"), _vectors(b, "b")
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"a, b: must have the same state size d on the last axis, got {a.shape[-1]} and "
            f"{b.shape[-1]}"
        )
    lead = _lead_shape(a="a", b="b", shapes=(a.shape[:-1], b.shape[:-1]))
    return np.broadcast_to(a, (*lead, a.shape[-1])), np.broadcast_to(b, (*lead, b.shape[-1]))


def _lead_shape(shapes: tuple[tuple[int, ...], ...], **names: str) -> tuple[int, ...]:
    """The broadcast of the leading shapes; a mismatch names every argument and its shape."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError as exc:
        listed = ", ".join(f"{n} {s}" for n, s in zip(names.values(), shapes, strict=True))
        raise ValueError(
            f"{', '.join(names.values())}: leading axes do not broadcast ({listed})"
        ) from exc


MAX_VALUES = 1 << 24  # values of a kernel batch (128 MiB): a larger result is refused up front


def _length(L: int, d: int, channels: int = 1) -> int:
    L = count(L, "L")
    if L <= d:
        raise ValueError(f"L: must exceed the state size d = {d}, got {L}")
    if L * channels > MAX_VALUES:
        raise ValueError(
            f"L: {channels} channels of length {L} exceed {MAX_VALUES} values (2**24) in one call"
        )
    return L


def _finite(x: NDArray, names: str, what: str) -> NDArray:
    if x.size and not (np.isfinite(np.min(x)) and np.isfinite(np.max(x))):  # no NaN, no inf
        raise ValueError(f"{names}: {what} exceeds the float64 range (about 1.8e308)")
    return x


# ------------------------------------------------------------------------------ the kernel


@functools.lru_cache(maxsize=8)
def _twiddles(taps: int, L: int) -> NDArray[np.float64]:
    """The real DFT matrix of ``taps`` leading samples at the L/2 + 1 frequencies of ``rfft``,
    real and imaginary parts interleaved (``rfft(eye(taps), n=L)`` viewed as floats), so that a
    matrix product with it, viewed as complex, is the zero-padded rfft."""
    out = np.fft.rfft(np.eye(taps), n=L).view(np.float64)
    out.flags.writeable = False
    return out


def _short_dft(x: NDArray[np.float64], L: int) -> NDArray[np.complex128]:
    """``rfft(x, n=L)`` along the last axis of a short ``x`` (its length at most L).

    For few taps one real matrix product with the cached DFT matrix (O(L d) multiply-adds that
    run at BLAS speed, written straight into the complex result) is several times faster than
    FFTs of the zero-padded length L.
    """
    taps = x.shape[-1]
    if taps > _GEMM_TAPS or taps * (L // 2 + 1) > _TWIDDLE_LIMIT:
        return np.fft.rfft(x, n=L)
    return np.ascontiguousarray(x @ _twiddles(taps, L)).view(np.complex128)


def _binary_scale(x: NDArray[np.float64]) -> NDArray[np.int64]:
    """The binary exponent of the largest ``|x|`` of each row (0 for a zero row)."""
    return np.frexp(np.max(np.abs(x), axis=-1, keepdims=True))[1]


def rtf_kernel(a: ArrayLike, b: ArrayLike, L: int) -> NDArray[np.float64]:
    r"""The first ``L`` kernel values of the rational transfer function :math:`(a, b)`, by one real FFT ratio.

    .. math::

        \bar K_{<L} = \operatorname{IDFT}_L\!\left(
            \frac{\operatorname{DFT}_L(b_1, \dots, b_d, 0, \dots, 0)}
                 {\operatorname{DFT}_L(1, a_1, \dots, a_d, 0, \dots, 0)}\right),

    the :math:`L` values whose generating function equals
    :math:`(b_1 + \dots + b_d z^{d-1}) / (1 + a_1 z + \dots + a_d z^d)` at every :math:`z` with
    :math:`z^L = 1`. They are :math:`\bar K_k = \bar C^{\top}\bar A^k\bar B` of every realisation with
    :math:`\tilde C^{\top} = \bar C^{\top}(I - \bar A^L)` (:func:`rtf_to_companion` gives one), and
    the impulse response :math:`h` of the rational function folded onto :math:`L` points,
    :math:`\bar K_k = \sum_{m \ge 0} h_{k + mL}` for a stable denominator.

    Parameters
    ----------
    a : array_like, shape ``(..., d)``
        Denominator coefficients :math:`a_1, \dots, a_d`; finite reals.
    b : array_like, shape ``(..., d)``
        Numerator coefficients :math:`b_1, \dots, b_d`; leading axes broadcast with ``a``'s.
    L : int
        The kernel length, :math:`L > d`.

    Returns
    -------
    numpy.ndarray, shape ``(..., L)``
        The kernel of every channel.

    Raises
    ------
    TypeError
        If ``a`` or ``b`` is not real or ``L`` not an integer.
    ValueError
        If a value is not finite, the state sizes differ, leading axes do not broadcast,
        :math:`L \le d`, the denominator vanishes at an :math:`L`-th root of unity to working
        precision (a pole :math:`\lambda` with :math:`\lambda^L = 1`: then
        :math:`I - \bar A^L` is singular and no such kernel exists), or the kernel overflows.

    Notes
    -----
    The coefficients are scaled by powers of two (exact), their DFTs taken by a matrix product
    with the cached DFT matrix (up to 64 taps; an FFT beyond), divided, and transformed back by
    ``numpy.fft.irfft``: :math:`O(L \log L + Ld)` per channel, the :math:`O(Ld)` part at BLAS speed.

    Accuracy: the error relative to the largest kernel value is a few units of
    :math:`\varepsilon\,\kappa` with :math:`\kappa = \max_l \|(1, a)\|_1 / |A(\omega_l)|`, the
    condition of the denominator on the unit circle (about :math:`1/(1-r)` times the coefficient
    growth for poles of radius :math:`r`). Measured against the 40-digit reference of
    ``scispaces.reference.mp_rtf_kernel`` on random stable systems with pole radii up to 0.999
    (the chapter, ``tests/test_rtf.py``, ``benchmarks/kernels/rtf.py``): below
    :math:`\varepsilon\kappa` for :math:`d \le 64`, :math:`L \le 8192` (about
    :math:`0.05\,\varepsilon\kappa` typically). At :math:`d = 64` random systems can have
    :math:`\kappa` beyond :math:`10^{13}`: no float computation from :math:`(a, b)` is then
    accurate. A denominator with :math:`|A(\omega_l)|` below
    :math:`4(d+1)\varepsilon\|(1, a)\|_1` at some root of unity is refused.

    References
    ----------
    .. [1] Su Jianlin, "Revisiting SSMs (4): a new view through rational generating functions"
       (in Chinese), https://kexue.fm/archives/10180, 2024.
    .. [2] R. N. Parnichkun et al., "State-Free Inference of State-Space Models: The Transfer
       Function Approach", arXiv:2405.06147, 2024.

    Examples
    --------
    >>> rtf_kernel([-0.5], [1.0], 4)  # 1 / (1 - z/2) folded onto 4 points: 2^-k / (1 - 2^-4)
    array([1.06666667, 0.53333333, 0.26666667, 0.13333333])
    >>> np.round(rtf_kernel([0.0, 0.0], [1.0, 2.0], 5), 12) + 0.0  # a = 0: the kernel is b
    array([1., 2., 0., 0., 0.])
    >>> rtf_kernel([[-0.5], [0.5]], [1.0], 8).shape  # two channels
    (2, 8)
    """
    a, b = _pair(a, b)
    L = _length(L, a.shape[-1], int(np.prod(a.shape[:-1])))
    return _finite(_dft_ratio(a, b, L), "a, b", "the kernel")


def _dft_ratio(a: NDArray[np.float64], b: NDArray[np.float64], L: int) -> NDArray[np.float64]:
    """IDFT(DFT(b, 0, ...) / DFT(1, a, 0, ...)) of checked inputs, each row scaled by a power of
    two; refuses a denominator that is 0 at a root of unity to working precision."""
    den = np.concatenate([np.ones((*a.shape[:-1], 1)), a], axis=-1)
    ea, eb = _binary_scale(den), _binary_scale(b)
    den, num = np.ldexp(den, -ea), np.ldexp(b, -eb)
    A = _short_dft(den, L)
    floor = 4 * den.shape[-1] * _EPS * np.sum(np.abs(den), axis=-1, keepdims=True)
    if np.any(np.abs(A) <= floor):
        raise ValueError(
            f"a: the denominator 1 + a_1 z + ... + a_d z^d vanishes at an L-th root of unity "
            f"(L = {L}) to working precision: a pole whose L-th power is 1, so I - A^L is "
            "singular and no kernel of this length has this transfer function"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        ratio = np.divide(_short_dft(num, L), A, out=np.empty_like(A))
        kernel = np.fft.irfft(ratio, n=L)
        shift = eb - ea
        if np.all(np.abs(shift) < 1000):  # one exact multiplication by a power of two
            return np.multiply(kernel, np.exp2(shift.astype(np.float64)), out=kernel)
        return np.ldexp(kernel, shift)


# ------------------------------------------------------------------------------ realisations


def _charpoly(M: NDArray[np.float64]) -> NDArray[np.float64]:
    r"""Coefficients :math:`c_1..c_d` of :math:`\det(\lambda I - M) = \lambda^d + c_1\lambda^{d-1} + \dots`
    for a stack of real matrices, from their eigenvalues (as ``numpy.poly``)."""
    roots = np.linalg.eigvals(M)
    c = np.zeros((*M.shape[:-2], M.shape[-1] + 1), dtype=np.complex128)
    c[..., 0] = 1
    for i in range(M.shape[-1]):
        c[..., 1 : i + 2] -= roots[..., i, None] * c[..., : i + 1]
    return c[..., 1:].real


def ssm_to_rtf(
    A: ArrayLike, B: ArrayLike, C: ArrayLike, L: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""The rational transfer function :math:`(a, b)` of the length-``L`` kernel of a state-space system.

    .. math::

        \lambda^d + a_1\lambda^{d-1} + \dots + a_d = \det(\lambda I - \bar A), \qquad
        b_1\lambda^{d-1} + \dots + b_d
            = \det(\lambda I - \bar A + \bar B\tilde C^{\top}) - \det(\lambda I - \bar A),

    with :math:`\tilde C^{\top} = \bar C^{\top}(I - \bar A^L)`, so that
    ``rtf_kernel(a, b, L)`` is :math:`\bar K_k = \bar C^{\top}\bar A^k\bar B`, :math:`k < L`.
    The numerator is computed without :math:`\tilde C` or the second determinant (whose
    subtraction cancels): on :math:`z^L = 1` the defining identity
    :math:`a(z)\sum_{k<L}\bar K_k z^k = b(z)` is a cyclic convolution, so
    :math:`b_{j+1} = \sum_{i=0}^{d} a_i \bar K_{(j-i) \bmod L}` (:math:`a_0 = 1`, :math:`j < d`),
    which needs only :math:`\bar K_0, \dots, \bar K_{d-1}` and
    :math:`\bar K_{L-d}, \dots, \bar K_{L-1}`: :math:`O(d^3 \log L)` work.

    Parameters
    ----------
    A : array_like, shape ``(..., d, d)``
        The state matrix :math:`\bar A`; finite reals.
    B, C : array_like, shape ``(..., d)``
        The input and output vectors; leading axes broadcast with ``A``'s.
    L : int
        The kernel length, :math:`L > d`.

    Returns
    -------
    a, b : numpy.ndarray, shape ``(..., d)``

    Raises
    ------
    TypeError
        If an argument is not real, or ``L`` not an integer.
    ValueError
        If a value is not finite, ``A`` is not square, the state sizes differ, leading axes do
        not broadcast, :math:`L \le d`, or :math:`\bar A^L` or a coefficient overflows.

    Notes
    -----
    :math:`a` comes from the eigenvalues (``numpy.linalg.eigvals``) as in ``numpy.poly``, so it
    is as accurate as they are; :math:`\bar A^{L-d}` from repeated squaring. The kernel values
    that form :math:`b` are no larger than the kernel itself, so its error stays a few
    :math:`\varepsilon` of the kernel's size even when :math:`\bar A^L` is huge. Measured
    (``tests/test_rtf.py``): the kernel from :math:`(a, b)` matches
    :math:`\bar C^{\top}\bar A^k\bar B` by matrix powers within :math:`10^{-13}` of its largest
    value for random stable :math:`\bar A` with :math:`d \le 16`, and for one with an
    eigenvalue :math:`2^{64}`.

    Examples
    --------
    >>> A = np.array([[0.5, 0.0], [0.0, -0.25]])
    >>> a, b = ssm_to_rtf(A, [1.0, 1.0], [1.0, 1.0], 8)
    >>> np.round(a, 12)  # (lambda - 1/2)(lambda + 1/4)
    array([-0.25 , -0.125])
    >>> np.allclose(rtf_kernel(a, b, 8), 0.5 ** np.arange(8) + (-0.25) ** np.arange(8))
    True
    """
    A = real_array(A, "A")
    if A.ndim < 2 or A.shape[-1] != A.shape[-2] or A.shape[-1] == 0:
        raise ValueError(f"A: must be a square matrix (or a stack of them), got shape {A.shape}")
    B, C = _vectors(B, "B"), _vectors(C, "C")
    d = A.shape[-1]
    for name, v in (("B", B), ("C", C)):
        if v.shape[-1] != d:
            raise ValueError(
                f"{name}: must have d = {d} entries on its last axis, got {v.shape[-1]}"
            )
    lead = _lead_shape((A.shape[:-2], B.shape[:-1], C.shape[:-1]), A="A", B="B", C="C")
    A = np.broadcast_to(A, (*lead, d, d))
    B, C = np.broadcast_to(B, (*lead, d)), np.broadcast_to(C, (*lead, d))
    L = _length(L, d)
    a = _finite(_charpoly(A), "A", "a coefficient")
    with np.errstate(over="ignore", invalid="ignore"):
        late = np.einsum("...ij,...j->...i", np.linalg.matrix_power(A, L - d), B)  # A^(L-d) B
        _finite(late, "A", f"A^(L-d) B (L = {L})")
        kernel = []  # K_k = C^T A^k B for k < d, then for L - d <= k < L
        for x in (B, late):
            for _ in range(d):
                kernel.append(np.einsum("...i,...i->...", C, x))
                x = np.einsum("...ij,...j->...i", A, x)
        kernel = np.stack(kernel, axis=-1)  # index L - d + i is stored at d + i
        den = np.concatenate([np.ones((*lead, 1)), a], axis=-1)
        # b_(j+1) = sum_i den_i K_((j - i) mod L), j < d: the cyclic convolution (1, a) * K
        wrapped = np.concatenate(
            [kernel[..., d:], kernel[..., :d]], axis=-1
        )  # K_(L-d..L-1, 0..d-1)
        b = np.stack(
            [np.sum(den * wrapped[..., j + d :: -1][..., : d + 1], axis=-1) for j in range(d)],
            axis=-1,
        )
    return a, _finite(b, "A, B, C", "a coefficient")


def rtf_to_companion(
    a: ArrayLike, b: ArrayLike, L: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    r"""A companion realisation :math:`(\bar A, \bar B, \bar C)` whose length-``L`` kernel is ``rtf_kernel(a, b, L)``.

    .. math::

        \bar A = \begin{pmatrix} -a_1 & \cdots & -a_{d-1} & -a_d \\ 1 & & & 0 \\
            & \ddots & & \vdots \\ & & 1 & 0 \end{pmatrix}, \qquad
        \bar B = e_1, \qquad \bar C^{\top} = \tilde C^{\top} (I - \bar A^L)^{-1},
        \quad \tilde C^{\top} = (b_1, \dots, b_d).

    :math:`\bar C` is computed without :math:`\bar A^L`: for this :math:`\bar A` and :math:`\bar B`,
    :math:`\bar C^{\top}(I - z\bar A)^{-1}\bar B = (c_1 + \dots + c_d z^{d-1}) / (1 + a_1 z + \dots)`,
    so :math:`c` is the first :math:`d` coefficients of :math:`(1 + a_1 z + \dots + a_d z^d)
    \sum_k \bar K_k z^k`, a short convolution of ``a`` with the first ``d`` kernel values.

    Parameters
    ----------
    a, b : array_like, shape ``(..., d)``
        As for :func:`rtf_kernel`.
    L : int
        The kernel length, :math:`L > d`.

    Returns
    -------
    A : numpy.ndarray, shape ``(..., d, d)``
    B, C : numpy.ndarray, shape ``(..., d)``

    Raises
    ------
    TypeError, ValueError
        As :func:`rtf_kernel`; in particular a ``ValueError`` naming ``a`` when
        :math:`I - \bar A^L` is singular (a pole whose :math:`L`-th power is 1).

    Notes
    -----
    Its accuracy is that of :func:`rtf_kernel` for the first :math:`d` kernel values. Running
    the recurrence with the returned matrices (or :func:`rtf_scan` with ``(a, C)``) reproduces
    the kernel; for a stable denominator it continues it beyond :math:`L` as the system would.

    Examples
    --------
    >>> A, B, C = rtf_to_companion([-0.5], [1.0], 4)
    >>> A, B, np.round(C, 12)  # C = 1 / (1 - 0.5^4)
    (array([[0.5]]), array([1.]), array([1.06666667]))
    """
    a, b = _pair(a, b)
    d = a.shape[-1]
    first = rtf_kernel(a, b, L)[..., :d]
    den = np.concatenate([np.ones((*a.shape[:-1], 1)), a], axis=-1)
    with np.errstate(over="ignore", invalid="ignore"):
        C = np.stack(
            [np.sum(den[..., : j + 1] * first[..., j::-1], axis=-1) for j in range(d)], axis=-1
        )
    _finite(C, "a, b", "C")
    A = np.zeros((*a.shape[:-1], d, d))
    A[..., 0, :] = -a
    A[..., np.arange(1, d), np.arange(d - 1)] = 1.0
    B = np.zeros((*a.shape[:-1], d))
    B[..., 0] = 1.0
    return A, B, C


# ------------------------------------------------------------------------------ the recurrence


def rtf_scan(a: ArrayLike, b: ArrayLike, u: ArrayLike) -> NDArray[np.float64]:
    r"""The rational filter :math:`b(z)/a(z)` of :func:`rtf_kernel` applied to ``u``, in :math:`O(Ld)`.

    The companion recurrence of the post, with the state kept as its history :math:`w`:

    .. math::

        w_n = u_n - \sum_{i=1}^{d} a_i w_{n-i}, \qquad
        y_n = \sum_{i=1}^{d} b_i w_{n+1-i} \qquad (w_{n} = 0 \text{ for } n < 0),

    so :math:`y_n = \sum_{k \le n} h_k u_{n-k}` with :math:`h` the impulse response of the
    rational function, the post's :math:`y_{n+1}` (state :math:`x_{n+1} = (w_n, \dots, w_{n-d+1})`).
    To run a trained :math:`(a, \tilde b)` whose kernel is ``rtf_kernel(a, b~, L)``, pass
    ``b = rtf_to_companion(a, b~, L)[2]``: the first :math:`L` outputs are then the causal
    convolution of ``u`` with that kernel.

    Parameters
    ----------
    a, b : array_like, shape ``(..., d)``
        Denominator and numerator coefficients.
    u : array_like, shape ``(..., n)``
        Input sequences, time on the last axis (:math:`n \ge 1`); leading axes broadcast with
        ``a``'s and ``b``'s.

    Returns
    -------
    numpy.ndarray, shape ``(..., n)``

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If a value is not finite, the state sizes differ, ``u`` is empty, leading axes do not
        broadcast, or the output overflows (an unstable denominator run for long enough: see
        :func:`is_stable`).

    Notes
    -----
    The feedback loop runs over time in NumPy with all channels at once, :math:`O(nd)` per
    channel; the output is then one vectorised FIR pass. Measured (``tests/test_rtf.py``): it
    agrees with ``scipy.signal.lfilter`` within :math:`10^{-13}` of the largest output for stable
    random filters with :math:`d = 5`, and its impulse response with ``rtf_kernel`` for
    :math:`d \le 5`; the chapter compares it with the exact kernel up to :math:`d = 64`.

    Examples
    --------
    >>> rtf_scan([-0.5], [1.0], [1.0, 0.0, 0.0, 0.0])  # the impulse response of 1/(1 - z/2)
    array([1.   , 0.5  , 0.25 , 0.125])
    >>> rtf_scan([0.0, 0.0], [0.0, 1.0], [1.0, 2.0, 3.0])  # a = 0: a delay line
    array([0., 1., 2.])
    """
    a, b = _pair(a, b)
    u = real_array(u, "u")
    if u.ndim == 0 or u.shape[-1] == 0:
        raise ValueError("u: must hold at least one time step on its last axis")
    lead = _lead_shape((a.shape[:-1], u.shape[:-1]), a="a, b", u="u")
    d, n = a.shape[-1], u.shape[-1]
    a = np.broadcast_to(a, (*lead, d)).reshape(-1, d)
    b = np.broadcast_to(b, (*lead, d)).reshape(-1, d)
    u = np.broadcast_to(u, (*lead, n)).reshape(-1, n)
    eu, eb = _binary_scale(u), _binary_scale(b)  # the filter is linear in u and b: scale both
    w = np.zeros((n + d, u.shape[0]))  # time-major history, w[d + t] = w_t
    w[d:] = np.ldexp(u, -eu).T
    reverse = np.ascontiguousarray(a[:, ::-1].T)  # row i multiplies w_(t-d+i)
    b = np.ldexp(b, -eb)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(d, n + d):
            w[t] -= np.einsum("ic,ic->c", reverse, w[t - d : t])
        y = np.zeros((n, u.shape[0]))
        for i in range(d):  # y_t = sum_i b_(i+1) w_(t-i)
            y += b[:, i] * w[d - i : n + d - i]
        y = np.ldexp(y.T, eu + eb)
    return _finite(y, "a, b, u", "the output").reshape(*lead, n)


# ------------------------------------------------------------------------------ stability


def reflection_to_poly(k: ArrayLike) -> NDArray[np.float64]:
    r"""Denominator coefficients :math:`a` from reflection coefficients :math:`k` (the Schur step-up).

    .. math::

        A_0(z) = 1, \qquad A_m(z) = A_{m-1}(z) + k_m z^m A_{m-1}(1/z),

    that is :math:`a^{(m)}_i = a^{(m-1)}_i + k_m a^{(m-1)}_{m-i}` for :math:`i < m` and
    :math:`a^{(m)}_m = k_m`; returns :math:`a = a^{(d)}`. The poles of
    :math:`1/A_d` (the roots of :math:`\lambda^d + a_1\lambda^{d-1} + \dots + a_d`) lie in the open
    unit disk exactly when every :math:`|k_m| < 1`: the map is a bijection from the open cube
    :math:`(-1, 1)^d` onto the stable region, so ``reflection_to_poly(tanh(theta))`` is stable for
    every real ``theta``.

    Parameters
    ----------
    k : array_like, shape ``(..., d)``
        Reflection coefficients, finite reals (any size; stable exactly when all lie in (-1, 1)).

    Returns
    -------
    numpy.ndarray, shape ``(..., d)``

    Raises
    ------
    TypeError
        If ``k`` is not real.
    ValueError
        If a value is not finite, ``k`` is empty, or a coefficient overflows.

    Notes
    -----
    :math:`O(d^2)` per polynomial. Exact in rational arithmetic; in floating point each step adds
    a rounding error of a few :math:`\varepsilon` times the size of the coefficients.

    Examples
    --------
    >>> reflection_to_poly([0.5, 0.25])  # a_1 = k_1 (1 + k_2), a_2 = k_2
    array([0.625, 0.25 ])
    """
    k = _vectors(k, "k")
    a = np.zeros_like(k)
    with np.errstate(over="ignore", invalid="ignore"):
        for m in range(k.shape[-1]):
            a[..., :m] = a[..., :m] + k[..., m, None] * a[..., m - 1 :: -1][..., :m]
            a[..., m] = k[..., m]
    return _finite(a, "k", "a coefficient")


def _step_down(a: NDArray[np.float64], stop: bool) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Reflection coefficients by the Schur step-down, and the rows where every |k| < 1.

    ``stop``: a row stops at its first |k_m| >= 1 (its remaining k are then meaningless).
    """
    a = a.copy()
    d = a.shape[-1]
    k = np.zeros_like(a)
    stable = np.ones(a.shape[:-1], dtype=bool)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for m in range(d - 1, -1, -1):
            km = a[..., m].copy()
            k[..., m] = km
            stable &= np.abs(km) < 1
            if m == 0:
                break
            if not stop and np.any(km * km == 1):
                raise ValueError(
                    "a: the Schur recursion meets a reflection coefficient k = +-1 (a root on the "
                    "unit circle, or roots at z and 1/z): the lower coefficients are undefined"
                )
            scale = (1 - km) * (1 + km)
            if stop:
                scale = np.where(stable, scale, 1.0)
            a[..., :m] = (a[..., :m] - km[..., None] * a[..., m - 1 :: -1][..., :m]) / scale[
                ..., None
            ]
    return k, stable


def poly_to_reflection(a: ArrayLike) -> NDArray[np.float64]:
    r"""Reflection coefficients :math:`k` of the denominator :math:`1 + a_1 z + \dots + a_d z^d` (the Schur step-down).

    The inverse of :func:`reflection_to_poly`: :math:`k_m = a^{(m)}_m` and

    .. math::

        a^{(m-1)}_i = \frac{a^{(m)}_i - k_m a^{(m)}_{m-i}}{1 - k_m^2}, \qquad i = 1, \dots, m-1,

    starting from :math:`a^{(d)} = a`. The roots of :math:`\lambda^d + a_1\lambda^{d-1} + \dots + a_d`
    lie in the open unit disk exactly when every :math:`|k_m| < 1` (Schur--Cohn).

    Parameters
    ----------
    a : array_like, shape ``(..., d)``
        Denominator coefficients, finite reals, stable or not.

    Returns
    -------
    numpy.ndarray, shape ``(..., d)``

    Raises
    ------
    TypeError
        If ``a`` is not real.
    ValueError
        If a value is not finite, ``a`` is empty, the recursion meets :math:`|k_m| = 1` before its
        last step (then the lower coefficients are undefined), or a value overflows.

    Notes
    -----
    :math:`O(d^2)` per polynomial; :math:`1 - k^2` is formed as :math:`(1 - k)(1 + k)`. For a
    stable polynomial the error grows with :math:`\prod_m 1/(1 - k_m^2)`: tested round trips
    (``tests/test_rtf.py``) recover :math:`k` within :math:`10^{-9}` for :math:`|k_m| \le 0.95`,
    :math:`d \le 8`.

    Examples
    --------
    >>> poly_to_reflection([0.625, 0.25])
    array([0.5 , 0.25])
    """
    k, _ = _step_down(_vectors(a, "a"), stop=False)
    return _finite(k, "a", "a reflection coefficient")


def is_stable(a: ArrayLike) -> bool | NDArray[np.bool_]:
    r"""Whether every pole of :math:`1/(1 + a_1 z + \dots + a_d z^d)` lies in the open unit disk.

    The poles are the roots of :math:`\lambda^d + a_1\lambda^{d-1} + \dots + a_d`; they all satisfy
    :math:`|\lambda| < 1` exactly when every reflection coefficient from the Schur step-down
    (:func:`poly_to_reflection`) satisfies :math:`|k_m| < 1`. This is the Schur--Cohn test: a
    necessary and sufficient condition. The post's :math:`\sum_i |a_i| < 1` is sufficient only.

    Parameters
    ----------
    a : array_like, shape ``(..., d)``
        Denominator coefficients, finite reals.

    Returns
    -------
    bool or numpy.ndarray of bool, shape ``a.shape[:-1]``
        A Python bool for one polynomial (``a`` 1-D).

    Raises
    ------
    TypeError
        If ``a`` is not real.
    ValueError
        If a value is not finite or ``a`` is empty.

    Notes
    -----
    The step-down runs in floating point and stops at the first :math:`|k_m| \ge 1`. The decision
    is exact except for polynomials within rounding of the boundary (a root within a few
    :math:`\varepsilon\,\prod_m 1/(1 - k_m^2)` of the unit circle). Tested
    (``tests/test_rtf.py``) against exact rational arithmetic and against root moduli.

    Examples
    --------
    >>> is_stable([0.9, 0.2])  # roots -0.4 +- 0.2i
    True
    >>> is_stable([-2.5, 1.0])  # roots 2 and 1/2
    False
    >>> is_stable([[0.0, 0.99], [0.0, 1.0]])  # a root on the circle is not stable
    array([ True, False])
    """
    a = _vectors(a, "a")
    _, stable = _step_down(a, stop=True)
    return bool(stable) if a.ndim == 1 else stable
