r"""Binary classification losses and their gradients in log-sigmoid form; EXACT's toy optimum.

Derived in the chapter *What a loss's gradient must say* (``book/losses_and_accuracy.ipynb``),
after Su Jianlin, kexue.fm/archives/9098 (2022), 4733 (2017) and 4293 (2017).

Every loss is a function of the signed margin :math:`z = l x` (logit :math:`x`, label sign
:math:`l = \pm 1`). Cross-entropy, focal and softened losses are one family, cross-entropy
times a weight :math:`w = \sigma(-cz)^g` written as :math:`e^{-g\,\mathrm{softplus}(cz)}`:
nothing is computed as :math:`1 - \sigma`, no power of a number that can round to 0 is
differentiated, and the product :math:`g c \max(z, 0)` in the exponent is split so that it
carries no rounding error. Values and gradients are therefore finite for every finite logit
and every :math:`\gamma \ge 0`, and accurate to a few ulps.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scispaces._checks import broadcast, real_array, real_scalar, scalar_or_array
from scispaces.cubic import solve_cubic

__all__ = ["binary_loss", "binary_loss_grad", "exact_toy_optimum"]

KINDS = ("ce", "hinge", "focal", "softened", "hard_truncated")
REDUCTIONS = ("none", "mean", "sum")
_EXACT_PART, _GRID = 2.0**23, 2.0**10  # s < 2^23 on a grid of 2^-10: 33 bits, c_hi * n exact
_UNDERFLOW = 800.0  # exp(-a) for a above this is 0 in float64


def _choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected one of {', '.join(choices)}, got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"{name}: must be one of {', '.join(choices)}, got {value!r}")
    return value


def _options(kind, gamma, K, margin, alpha, reduction) -> tuple:
    """The checked options: (kind, gamma, K, threshold t in the logit, alpha or None, reduction)."""
    kind = _choice(kind, "kind", KINDS)
    reduction = _choice(reduction, "reduction", REDUCTIONS)
    gamma, K, margin = (
        real_scalar(v, n) for v, n in ((gamma, "gamma"), (K, "K"), (margin, "margin"))
    )
    if gamma < 0:
        raise ValueError(f"gamma: must be >= 0, got {gamma!r}")
    if K < 0:
        raise ValueError(f"K: must be >= 0, got {K!r}")
    if not 0.5 <= margin < 1:
        raise ValueError(f"margin: must lie in [0.5, 1), got {margin!r}")
    if alpha is not None:
        alpha = real_scalar(alpha, "alpha")
        if not 0 <= alpha <= 1:
            raise ValueError(f"alpha: must lie in [0, 1] or be None, got {alpha!r}")
    threshold = math.log(margin) - math.log1p(-margin)  # sigma(z) > m  <=>  z > t
    return kind, gamma, K, threshold, alpha, reduction


def _signs(y: ArrayLike) -> NDArray[np.float64]:
    """The label signs l = +-1 from labels all in {0, 1} or all in {-1, 1}."""
    y = real_array(y, "y")
    if np.all((y == 0) | (y == 1)):
        return 2 * y - 1
    if np.all((y == -1) | (y == 1)):
        return y
    raise ValueError("y: labels must all lie in {0, 1} or all in {-1, 1}")


def _exp_neg_scaled(c: float, s: NDArray[np.float64]) -> NDArray[np.float64]:
    r"""``exp(-c s)`` for a scalar ``c >= 0`` and ``s >= 0``, with no rounding in the product ``c s``.

    With ``c_hi`` = ``c`` to 20 significant bits (``c_lo = c - c_hi`` exact) and ``n`` = ``s``
    rounded down to a multiple of 2^-10 (``s - n`` exact), ``c_hi n`` is exact (20 + 33 bits)
    while ``s < 2^23``; the rest, ``c_hi (s - n) + c_lo s``, is below ``c 2^-10`` plus a relative
    2^-20 of ``c s``, so its rounding is negligible wherever the result is a normal float. Where
    ``c_hi n`` exceeds 800 the result is below the float range: 0.
    """
    mantissa, exponent = math.frexp(c)
    c_hi = math.ldexp(round(math.ldexp(mantissa, 20)), exponent - 20)
    c_lo = c - c_hi
    n = np.floor(np.minimum(s, _EXACT_PART) * _GRID) / _GRID
    with np.errstate(over="ignore", invalid="ignore"):  # c s beyond the float range: 0
        a = c_hi * n
        rest = c_hi * (s - n) + c_lo * s
        return np.where(a > _UNDERFLOW, 0.0, np.exp(-np.minimum(a, _UNDERFLOW)) * np.exp(-rest))


def _weighted_ce(z: NDArray[np.float64], c: float, g: float) -> tuple[NDArray, NDArray]:
    r"""``L = sigma(-cz)^g softplus(-z)`` and ``dL/dz``, for ``c, g >= 0`` with ``c = 1`` or ``g = 1``.

    With :math:`e = e^{-|z|}`: :math:`\mathrm{softplus}(-z) = \max(-z, 0) + \log(1 + e)` and
    :math:`\sigma(-z) = e/(1 + e)` for :math:`z \ge 0`, :math:`1/(1 + e)` otherwise;
    :math:`\sigma(-cz)^g = e^{-gc\max(z, 0)}\,e^{-g\log(1 + e^{-c|z|})}` and

    .. math:: \frac{dL}{dz} = -\sigma(-cz)^g\,\bigl[g c\,\sigma(cz)\,\mathrm{softplus}(-z)
              + \sigma(-z)\bigr],

    two terms of one sign: nothing cancels.
    """
    e = np.exp(-np.abs(z))
    log1pe = np.log1p(e)
    ce = np.maximum(-z, 0.0) + log1pe
    positive = z >= 0
    q = np.where(positive, e, 1.0) / (1.0 + e)  # sigma(-z)
    if g == 0:
        return ce, -q
    ec = e if c == 1 else np.exp(-c * np.abs(z))
    log1pec = log1pe if c == 1 else np.log1p(ec)
    w = _exp_neg_scaled(g * c, np.maximum(z, 0.0)) * np.exp(-g * log1pec)
    sigma_cz = np.where(positive, 1.0, ec) / (1.0 + ec)
    return w * ce, -((w * (g * c)) * sigma_cz * ce + w * q)  # w first: w g c stays finite


def _value_and_slope(z: NDArray[np.float64], kind: str, gamma: float, K: float, t: float):
    """The loss at margin z and its derivative in z, elementwise."""
    if kind == "ce":
        return _weighted_ce(z, 1.0, 0.0)
    if kind == "focal":
        return _weighted_ce(z, 1.0, gamma)
    if kind == "softened":
        return _weighted_ce(z, K, 1.0)
    if kind == "hinge":
        return np.maximum(1.0 - z, 0.0), np.where(z < 1, -1.0, 0.0)
    keep = np.where(z < t, 1.0, np.where(z > t, 0.0, 0.5))  # hard_truncated: theta(t - z)
    ce, slope = _weighted_ce(z, 1.0, 0.0)
    return keep * ce, keep * slope


def _evaluate(logits, y, kind, gamma, K, margin, alpha, reduction):
    """Checked inputs -> (value, dvalue/dlogit, reduction, inputs): the reduced value and the
    gradient of the reduced value, as NumPy arrays of the broadcast shape."""
    kind, gamma, K, t, alpha, reduction = _options(kind, gamma, K, margin, alpha, reduction)
    x, sign = broadcast(logits=real_array(logits, "logits"), y=_signs(y))
    if reduction == "mean" and x.size == 0:
        raise ValueError("logits: the mean of no losses is undefined (use reduction='sum')")
    value, slope = _value_and_slope(sign * x, kind, gamma, K, t)
    grad = sign * slope
    if alpha is not None:
        weight = np.where(sign > 0, alpha, 1 - alpha)
        value, grad = weight * value, weight * grad
    if reduction == "sum":
        return float(value.sum()), grad, reduction
    if reduction == "mean":
        return float(value.mean()), grad / x.size, reduction
    return value, grad, reduction


def _is_tensor(x: Any) -> bool:
    return type(x).__module__.startswith("torch")


def _from_tensor(x: Any, name: str) -> NDArray:
    """A CPU tensor's values as NumPy (detached); other devices are refused by name."""
    if x.device.type != "cpu":
        raise ValueError(f"{name}: only CPU tensors are supported, got device {x.device}")
    return x.detach().numpy()


@functools.cache
def _torch_loss():
    """The autograd link: forward returns the loss computed here, backward the analytic gradient."""
    import torch

    class BinaryLoss(torch.autograd.Function):
        @staticmethod
        def forward(ctx, logits, value, grad):
            ctx.grad = torch.from_numpy(np.asarray(grad)).to(logits.dtype)
            ctx.shape = logits.shape
            return torch.as_tensor(value, dtype=logits.dtype)

        @staticmethod
        @torch.autograd.function.once_differentiable
        def backward(ctx, grad_output):
            return (grad_output * ctx.grad).sum_to_size(ctx.shape), None, None

    return BinaryLoss


def binary_loss(
    logits: ArrayLike,
    y: ArrayLike,
    kind: str = "ce",
    *,
    gamma: float = 2.0,
    K: float = 1.0,
    margin: float = 0.6,
    alpha: float | None = None,
    reduction: str = "none",
) -> Any:
    r"""A binary classification loss of the logits, computed in log-sigmoid form.

    With margin :math:`z = l x` (:math:`l = +1` for the positive class, :math:`-1` for the
    negative) and :math:`\mathrm{CE} = -\log\sigma(z) = \log(1 + e^{-z})`:

    .. math::

        L = \begin{cases}
        \mathrm{CE} & \texttt{ce},\\
        \max(0, 1 - z) & \texttt{hinge},\\
        \sigma(-z)^\gamma\,\mathrm{CE} & \texttt{focal} \text{ (Lin et al.)},\\
        \sigma(-Kz)\,\mathrm{CE} & \texttt{softened} \text{ (Su, 4733)},\\
        \theta(t - z)\,\mathrm{CE},\ t = \log\frac{m}{1 - m} & \texttt{hard\_truncated}
            \text{ (Su, 4293)},
        \end{cases}

    with :math:`\theta(0) = 1/2` as in the post, times :math:`\alpha` for positive and
    :math:`1 - \alpha` for negative labels if ``alpha`` is given. ``softened`` with
    :math:`K = 1` is ``focal`` with :math:`\gamma = 1`; ``focal`` with :math:`\gamma = 0` is
    ``ce``.

    Parameters
    ----------
    logits : array_like or torch.Tensor
        Finite real logits :math:`x`. A CPU tensor gives a tensor of its dtype (float64 for
        integers) that backpropagates :func:`binary_loss_grad` exactly (first derivatives).
    y : array_like or torch.Tensor
        Labels, all in {0, 1} or all in {-1, 1}; broadcast with ``logits``.
    kind : {'ce', 'hinge', 'focal', 'softened', 'hard_truncated'}
    gamma : float, optional
        Focusing exponent of ``focal``, >= 0 (default 2).
    K : float, optional
        Steepness of ``softened``, >= 0 (default 1).
    margin : float, optional
        Threshold :math:`m \in [0.5, 1)` of ``hard_truncated`` on :math:`\sigma(z)` (default 0.6).
        The threshold in the logit is the float :math:`t = \log m - \log(1 - m)`.
    alpha : float or None, optional
        Class weight in [0, 1] for the positive class (``1 - alpha`` for the negative).
    reduction : {'none', 'mean', 'sum'}

    Returns
    -------
    numpy.ndarray, float or torch.Tensor
        The losses (broadcast shape) or their mean or sum; a Python float for scalar input or a
        reduction, a tensor for tensor logits.

    Raises
    ------
    TypeError
        If the logits or labels are not real numbers, an option has the wrong type.
    ValueError
        If a logit is NaN or infinite, a label is outside {0, 1} and {-1, 1}, the shapes do
        not broadcast, ``gamma < 0``, ``K < 0``, ``margin`` is outside [0.5, 1), ``alpha``
        outside [0, 1], the mean of an empty array is asked, or a tensor is not on the CPU.

    Notes
    -----
    Accuracy against 50-digit mpmath (``scispaces.reference.mp_binary_loss``), focal loss with
    :math:`\gamma \in \{0, 0.5, 1, 2, 5\}` at 2 002 logits in [-100, 100]
    (``benchmarks/kernels/losses.py``): largest relative error 4.9e-16, none NaN or inf (kornia
    0.9.0: 3.0e-14 at :math:`\gamma = 5`; the torchvision formula and PyTorch's BCE with logits
    lose every digit from :math:`z \approx 37`). In general about :math:`2 + \gamma/2` ulps
    (tested: within :math:`(4 + \gamma)\,\varepsilon` for :math:`\gamma, K \le 10`), and at most
    about 1e-13 for any :math:`\gamma`. Values below about 1e-300 have absolute accuracy 1e-308.

    References
    ----------
    .. [1] T.-Y. Lin, P. Goyal, R. Girshick, K. He and P. Dollar, "Focal loss for dense object
       detection", ICCV 2017, arXiv:1708.02002.
    .. [2] Su Jianlin, "From hard truncation and softening of a loss to focal loss" (in Chinese),
       https://kexue.fm/archives/4733, 2017; "Text sentiment classification (4): a better loss",
       https://kexue.fm/archives/4293, 2017.

    Examples
    --------
    >>> binary_loss(0.0, 1)  # log 2
    0.6931471805599453
    >>> float(binary_loss(100.0, 1, "focal", gamma=0.5))  # e^-150: no underflow to 0
    7.175095973164411e-66
    >>> binary_loss([2.0, -1.0], [1, 0], "softened", K=1.0) == binary_loss([2.0, -1.0], [1, 0], "focal", gamma=1.0)
    array([ True,  True])
    """
    if _is_tensor(logits):
        x = _from_tensor(logits, "logits")
        labels = _from_tensor(y, "y") if _is_tensor(y) else y
        value, grad, _ = _evaluate(x, labels, kind, gamma, K, margin, alpha, reduction)
        return _torch_loss().apply(
            logits if logits.is_floating_point() else logits.double(), value, grad
        )
    value, _, reduction = _evaluate(logits, y, kind, gamma, K, margin, alpha, reduction)
    return (
        value if reduction != "none" else scalar_or_array(value, np.asarray(logits), np.asarray(y))
    )


def binary_loss_grad(
    logits: ArrayLike,
    y: ArrayLike,
    kind: str = "ce",
    *,
    gamma: float = 2.0,
    K: float = 1.0,
    margin: float = 0.6,
    alpha: float | None = None,
    reduction: str = "none",
) -> Any:
    r"""The derivative of :func:`binary_loss` in each logit, analytic and in log-sigmoid form.

    With :math:`z = l x` and :math:`\mathrm{CE} = \log(1 + e^{-z})`,
    :math:`\partial L/\partial x = l\,\partial L/\partial z` and

    .. math::

        \frac{\partial L}{\partial z} = \begin{cases}
        -\sigma(-z) & \texttt{ce},\\
        -[z < 1] & \texttt{hinge},\\
        -\sigma(-z)^\gamma\,[\gamma\,\sigma(z)\,\mathrm{CE} + \sigma(-z)] & \texttt{focal},\\
        -\sigma(-Kz)\,[K\sigma(Kz)\,\mathrm{CE} + \sigma(-z)] & \texttt{softened},\\
        -\theta(t - z)\,\sigma(-z) & \texttt{hard\_truncated}
        \end{cases}

    (the step's own derivative is 0 where it is defined), times the class weight. The focal
    form never raises :math:`\sigma(-z)` to the power :math:`\gamma - 1`, which is what makes
    the usual autograd of :math:`\mathrm{CE}\,(1 - p_t)^\gamma` NaN for :math:`\gamma < 1`
    once :math:`1 - p_t` rounds to 0 (from :math:`z \approx 37`).

    Parameters
    ----------
    logits, y, kind, gamma, K, margin, alpha, reduction
        As in :func:`binary_loss`. With ``reduction='mean'`` the gradient is that of the mean
        (each entry divided by the number of losses), with ``'sum'`` that of the sum.

    Returns
    -------
    numpy.ndarray, float or torch.Tensor
        :math:`\partial L/\partial x_i`, of the broadcast shape; a Python float for scalar
        input; a tensor (no graph) for tensor logits.

    Raises
    ------
    TypeError, ValueError
        As :func:`binary_loss`.

    Notes
    -----
    Accuracy against the derivative of the 50-digit mpmath loss (``mpmath.diff``), the same
    logits and :math:`\gamma`: largest relative error 5.1e-16, none NaN or inf (kornia's autograd
    3.0e-14; the torchvision formula's autograd is NaN for :math:`\gamma = 0.5` beyond
    :math:`z \approx 37`). At the kinks (hinge at :math:`z = 1`, the truncation at
    :math:`z = t`) the value given is the one stated above.

    Examples
    --------
    >>> binary_loss_grad(0.0, 1)  # -sigma(0)
    -0.5
    >>> binary_loss_grad(40.0, 1, "focal", gamma=0.5) < 0  # finite where (1 - p)^(-1/2) is not
    True
    >>> binary_loss_grad([1.0, 2.0], 1, reduction="mean").round(6)
    array([-0.134471, -0.059601])
    """
    if _is_tensor(logits):
        import torch

        x = _from_tensor(logits, "logits")
        labels = _from_tensor(y, "y") if _is_tensor(y) else y
        _, grad, _ = _evaluate(x, labels, kind, gamma, K, margin, alpha, reduction)
        dtype = logits.dtype if logits.is_floating_point() else torch.float64
        return torch.from_numpy(np.asarray(grad)).to(dtype)
    _, grad, _ = _evaluate(logits, y, kind, gamma, K, margin, alpha, reduction)
    return scalar_or_array(grad, np.asarray(logits), np.asarray(y))


def exact_toy_optimum(k: ArrayLike = 1.0) -> NDArray[np.float64] | float:
    r"""The cross-entropy optimum :math:`b^*(k)` of EXACT's three-point example, model :math:`f = k(x - b)`.

    Data :math:`\{(-\tfrac14, -1), (0, -1), (\tfrac14, 1)\}`. Setting the derivative of the
    summed cross-entropy in :math:`b` to 0 and putting :math:`u = e^{kb}`, :math:`c = e^{k/4}`
    gives :math:`c u^3 - (c^2 + c + 1) u - 2c = 0`, whose only positive root is the optimum.
    Its discriminant :math:`4c[(c^2 + c + 1)^3 - 27c^3]` is positive for :math:`k > 0`: three
    real roots, the casus irreducibilis that the cosine form of
    :func:`scispaces.cubic.solve_cubic` solves. To stay in range for every :math:`k` the root
    is taken in units of :math:`\sqrt c`: with :math:`u = \sqrt c\,w` and
    :math:`\varepsilon = e^{-k/8}`,

    .. math:: w^3 - (1 + \varepsilon^2 + \varepsilon^4)\,w - 2\varepsilon^3 = 0, \qquad
              b^* = \frac18 + \frac{\log w}{k},

    so :math:`b^* \to 1/8`, the maximum-margin threshold, as :math:`k \to \infty`.

    Parameters
    ----------
    k : array_like
        Scale (inverse temperature), finite and > 0.

    Returns
    -------
    numpy.ndarray or float
        :math:`b^*(k)`, a float for scalar ``k``.

    Raises
    ------
    TypeError
        If ``k`` is not real.
    ValueError
        If ``k`` is not finite and > 0, or so small (below about 4e-309) that :math:`b^*`,
        about :math:`\log 2/k`, exceeds the float range.

    Notes
    -----
    Measured against bisection on the stationarity condition in mpmath
    (``scispaces.reference.mp_exact_toy_optimum``) at 200 values of :math:`k` from 1e-300 to
    1e3: largest relative error 4.0e-16; above :math:`k = 1000`, :math:`b^* = 1/8` in float64.

    References
    ----------
    .. [1] I. Karpukhin, S. Dereka and S. Kolesnikov, "EXACT: How to train your accuracy",
       arXiv:2205.09615, 2022 (the example).
    .. [2] Su Jianlin, "How to train your accuracy?" (in Chinese), https://kexue.fm/archives/9098,
       2022 (the scale k).

    Examples
    --------
    >>> round(exact_toy_optimum(1.0), 7)
    0.7000875
    >>> exact_toy_optimum([10.0, 100.0]).round(4)
    array([0.1312, 0.125 ])
    """
    k_arr = real_array(k, "k")
    if np.any(k_arr <= 0):
        raise ValueError("k: must be > 0")
    eps = np.exp(-k_arr / 8)
    eps2 = eps * eps
    roots = solve_cubic(1.0, 0.0, -(1 + eps2 + eps2 * eps2), -2 * eps2 * eps)
    w = roots.real.max(axis=-1)  # the one positive root (Descartes), real
    with np.errstate(over="ignore"):
        b = 0.125 + np.log(w) / k_arr
    if not np.isfinite(b).all():
        raise ValueError("k: too small; b* = 1/8 + log(w)/k exceeds the float range")
    return scalar_or_array(b, k_arr)
