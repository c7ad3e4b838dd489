r"""Optimisers as discretised dynamical systems: heavy ball, Nesterov, and their temperature.

Derived in the chapter *Optimisers as dynamical systems* (``book/optimiser_dynamics.ipynb``),
after Su Jianlin, kexue.fm/archives/5655 (2018-06-27). The heavy-ball method

.. math::

    b_{n+1} = \beta b_n + g_n, \qquad \theta_{n+1} = \theta_n - \alpha\, b_{n+1},
    \qquad g_n = \nabla L(\theta_n) + \sigma \xi_n,

(``torch.optim.SGD`` with ``momentum=beta``; the post's :math:`v_n = -\alpha b_n`) is the leapfrog
scheme of :math:`\ddot\theta + \lambda\dot\theta = -\nabla L` with time step :math:`\gamma`, where
:math:`\beta = (1 - \lambda\gamma/2)/(1 + \lambda\gamma/2)` and :math:`\alpha = \gamma^2/(1 + \lambda\gamma/2)`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scispaces._checks import (
    broadcast,
    count,
    function,
    generator,
    in_range,
    real_array,
    scalar_or_array,
)

__all__ = [
    "continuous_params",
    "heavy_ball_params",
    "momentum_sgd",
    "rescale_momentum",
    "stationary_variance",
]

_MAX_STEPS = 1_000_000  # momentum_sgd: each step is a Python-level step (a few us at least)
_MAX_NUMBERS = 2**28  # momentum_sgd: the largest recorded result (2 GiB)
_CHECK_EVERY = 32  # momentum_sgd: steps between checks that the iterates are finite
_NOISE_BLOCK = 2**20  # momentum_sgd: normal numbers drawn at once (8 MiB)
_SMALLEST_GAMMA = 1.5e-154  # heavy_ball_params: gamma^2 stays a normal float
_LARGEST_GAMMA = 1.3e154  # heavy_ball_params: gamma^2 stays finite


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name}: expected a bool, got {type(value).__name__}")
    return bool(value)


def _momentum(beta: ArrayLike, name: str = "beta", one: bool = True) -> NDArray[np.float64]:
    """``beta`` checked to lie in [0, 1] (or [0, 1) when ``one`` is False)."""
    return in_range(real_array(beta, name), name, 0.0, 1.0, high_open=not one)


def heavy_ball_params(gamma: ArrayLike, lam: ArrayLike) -> tuple:
    r"""The heavy-ball learning rate and momentum of a time step and a friction coefficient.

    Solving the post's staggered (leapfrog) discretisation of
    :math:`\ddot\theta + \lambda\dot\theta = -\nabla L` with time step :math:`\gamma` for the new
    velocity gives :math:`v_{n+1} = \beta v_n - \alpha\nabla L(\theta_n)` with

    .. math::

        \beta = \frac{1 - \lambda\gamma/2}{1 + \lambda\gamma/2}, \qquad
        \alpha = \frac{\gamma^2}{1 + \lambda\gamma/2}.

    Parameters
    ----------
    gamma : float or array_like, in [1.5e-154, 1.3e154]
        The time step :math:`\gamma > 0` (the bounds keep :math:`\gamma^2` a normal float).
    lam : float or array_like, >= 0
        The friction :math:`\lambda`, with :math:`\lambda\gamma \le 2` (so that
        :math:`\beta \ge 0`); :math:`\lambda = 0` gives :math:`\beta = 1`, no friction.

    Returns
    -------
    (lr, beta) : tuple of floats or arrays
        :math:`\alpha` and :math:`\beta`, broadcast together; floats for scalar input.

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If ``gamma`` is outside its range, ``lam`` < 0, :math:`\lambda\gamma > 2`, or the
        shapes do not broadcast.

    Notes
    -----
    Measured accuracy: ``lr`` within 4 and ``beta`` within 4 units of rounding (absolute, beta
    <= 1) of the exact values for the float inputs (``tests/edges/table_dynamics.py`` checks in
    rational arithmetic). The round trip through :func:`continuous_params` returns ``gamma``
    within 1 unit of rounding and ``lam`` within about :math:`2\epsilon/(1 - \beta)`, since
    :math:`\lambda` is recomputed from the rounded :math:`1 - \beta` (the chapter, 500 pairs).

    References
    ----------
    .. [1] B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
       USSR Computational Mathematics and Mathematical Physics 4 (5), 1964, pp. 1-17.

    Examples
    --------
    >>> heavy_ball_params(0.1, 2.0)  # lam gamma / 2 = 0.1
    (0.00909090909090909, 0.8181818181818181)
    """
    gamma, lam = broadcast(gamma=real_array(gamma, "gamma"), lam=real_array(lam, "lam"))
    in_range(gamma, "gamma", _SMALLEST_GAMMA, _LARGEST_GAMMA)
    in_range(lam, "lam", 0.0)
    with np.errstate(over="ignore"):
        half = lam * gamma / 2  # inf for a huge lam: refused below
    if np.any(half > 1):
        raise ValueError("lam, gamma: lam * gamma must be <= 2 (beta >= 0)")
    lr = gamma * gamma / (1 + half)
    beta = (1 - half) / (1 + half)
    return scalar_or_array(lr, gamma, lam), scalar_or_array(beta, gamma, lam)


def continuous_params(lr: ArrayLike, beta: ArrayLike) -> tuple:
    r"""The time step and friction of which heavy ball with ``lr``, ``beta`` is the leapfrog scheme.

    The inverse of :func:`heavy_ball_params`: with :math:`\lambda\gamma/2 = (1 - \beta)/(1 + \beta)`,

    .. math::

        \gamma = \sqrt{\frac{2\alpha}{1 + \beta}}, \qquad
        \lambda = \frac{2(1 - \beta)}{(1 + \beta)\,\gamma}.

    For small steps :math:`\gamma \approx \sqrt\alpha` and :math:`\lambda \approx (1 - \beta)/\sqrt\alpha`.

    Parameters
    ----------
    lr : float or array_like, > 0
        The learning rate :math:`\alpha`.
    beta : float or array_like, in [0, 1]
        The momentum :math:`\beta`; 1 means no friction (:math:`\lambda = 0`).

    Returns
    -------
    (gamma, lam) : tuple of floats or arrays
        Broadcast together; floats for scalar input.

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If ``lr`` <= 0, ``beta`` is outside [0, 1], or the shapes do not broadcast.

    Notes
    -----
    Measured accuracy: ``gamma`` within 4 and ``lam`` within 8 units of rounding of the exact
    values for the float inputs, for every positive float ``lr`` (no intermediate overflows:
    :math:`\gamma = \sqrt\alpha\sqrt{2/(1+\beta)}`; ``tests/edges/table_dynamics.py``).

    Examples
    --------
    >>> continuous_params(0.00909090909090909, 0.8181818181818181)
    (0.1, 2.0000000000000004)
    """
    lr, beta = broadcast(lr=real_array(lr, "lr"), beta=_momentum(beta))
    in_range(lr, "lr", 0.0, low_open=True)
    gamma = np.sqrt(lr) * np.sqrt(2 / (1 + beta))
    lam = 2 * (1 - beta) / ((1 + beta) * gamma)
    return scalar_or_array(gamma, lr, beta), scalar_or_array(lam, lr, beta)


def rescale_momentum(beta: ArrayLike, r: ArrayLike) -> NDArray[np.float64] | float:
    r"""The post's rule for the momentum when the learning rate is multiplied by ``r``.

    At a fixed friction :math:`\lambda`, :math:`1 - \beta \approx \lambda\sqrt\alpha`, so
    :math:`\alpha \to r\alpha` asks for

    .. math::

        \beta \to 1 - (1 - \beta)\sqrt r .

    Parameters
    ----------
    beta : float or array_like, in [0, 1]
        The momentum at the old learning rate.
    r : float or array_like, > 0
        The factor of the learning rate, with :math:`(1 - \beta)\sqrt r \le 1` so that the new
        momentum is >= 0.

    Returns
    -------
    float or ndarray
        The new momentum, in [0, 1].

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If ``beta`` is outside [0, 1], ``r`` <= 0, the new momentum would be negative, or the
        shapes do not broadcast.

    Notes
    -----
    The rule is the first-order form of keeping :math:`\lambda` fixed: against the exact
    :math:`\beta'` it errs by :math:`\lambda^2\alpha(r - \sqrt r)/4 + O(\alpha^{3/2})` (derived in the
    chapter, checked to 2 % at :math:`\alpha = 10^{-6}` in ``tests/test_dynamics.py``). The
    formula itself is evaluated to within 4 units of rounding.

    Examples
    --------
    >>> rescale_momentum(0.9, 0.25)  # a quarter of the learning rate: half the friction per step
    0.95
    """
    beta, r = broadcast(beta=_momentum(beta), r=real_array(r, "r"))
    in_range(r, "r", 0.0, low_open=True)
    with np.errstate(over="ignore"):
        step = (1 - beta) * np.sqrt(r)
    if np.any(step > 1):
        raise ValueError("r: (1 - beta) sqrt(r) must be <= 1, else the new momentum is negative")
    return scalar_or_array(1 - step, beta, r)


def stationary_variance(
    h: ArrayLike, lr: ArrayLike, beta: ArrayLike, sigma: ArrayLike, limit: bool = False
) -> NDArray[np.float64] | float:
    r"""Stationary variance of heavy ball with gradient noise on the quadratic :math:`L = h\theta^2/2`.

    With :math:`g_n = h\theta_n + \sigma\xi_n`, :math:`\xi_n \sim N(0, 1)` independent, the iterates
    form the AR(2) process :math:`\theta_{n+1} = (1 + \beta - \alpha h)\theta_n - \beta\theta_{n-1}
    - \alpha\sigma\xi_n`, stationary exactly when :math:`0 < \alpha h < 2(1 + \beta)`, with variance

    .. math::

        \operatorname{Var}\theta = \frac{\alpha\sigma^2}{2h(1 - \beta)}
        \cdot \frac{1}{1 - f}, \qquad f = \frac{\alpha h}{2(1 + \beta)} ,

    where :math:`f` is the step as a fraction of the stability edge. ``limit=True`` gives the
    small-step limit :math:`\alpha\sigma^2 / (2h(1 - \beta))`: SGD's Langevin temperature
    :math:`\alpha\sigma^2/2` divided by :math:`1 - \beta`. For a quadratic with Hessian
    eigenvalues ``h`` and isotropic noise, these are the variances along the eigenvectors.

    Parameters
    ----------
    h : float or array_like, > 0
        Curvature (a Hessian eigenvalue).
    lr : float or array_like, > 0
        Learning rate :math:`\alpha`, below the stability edge :math:`2(1 + \beta)/h`.
    beta : float or array_like, in [0, 1)
        Momentum (:math:`\beta = 1` has no stationary law).
    sigma : float or array_like, >= 0
        Standard deviation of the gradient noise.
    limit : bool
        Return the small-step limit instead of the exact variance.

    Returns
    -------
    float or ndarray
        The variances, broadcast over the arguments; a float for scalar input.

    Raises
    ------
    TypeError
        If an argument is not real, or ``limit`` not a bool.
    ValueError
        If ``h`` <= 0, ``lr`` <= 0 or at or beyond the stability edge, ``beta`` is outside
        [0, 1), ``sigma`` < 0, the variance exceeds the float range, or the shapes do not
        broadcast.

    Notes
    -----
    The closed form is the stationary solution of the discrete Lyapunov equation of the
    companion system (derived in the chapter). Measured accuracy against an exact rational
    solution of the Yule-Walker equations: within :math:`30\epsilon/(1 - f)`, the condition
    number near the edge (``tests/test_dynamics.py``); at most 6.2e-14 relative over 2 000
    random settings with :math:`h, \sigma \in [10^{-3}, 10^3]`, :math:`\beta \le 0.999`,
    :math:`f \le 0.999` (``benchmarks/kernels/dynamics.py``), where
    ``scipy.linalg.solve_discrete_lyapunov`` errs by up to 1e-11 (1.9e-13 for
    :math:`f \le 0.9`, :math:`\beta \le 0.99`).

    References
    ----------
    .. [1] G. E. P. Box, G. M. Jenkins and G. C. Reinsel, *Time Series Analysis*, 4th ed.,
       Wiley, 2008, section 3.2 (the AR(2) process).

    Examples
    --------
    >>> stationary_variance(1.0, 0.1, 0.0, 1.0)  # SGD: lr sigma^2 / (h (2 - lr h))
    0.05263157894736842
    >>> stationary_variance(1.0, 0.01, 0.9, 1.0, limit=True)
    0.05
    """
    h, lr, beta, sigma = broadcast(
        h=real_array(h, "h"),
        lr=real_array(lr, "lr"),
        beta=_momentum(beta, one=False),
        sigma=real_array(sigma, "sigma"),
    )
    in_range(h, "h", 0.0, low_open=True)
    in_range(lr, "lr", 0.0, low_open=True)
    in_range(sigma, "sigma", 0.0)
    limit = _flag(limit, "limit")
    with np.errstate(over="ignore", under="ignore"):
        if np.any(~(lr * h < 2 * (1 + beta))):
            raise ValueError("lr, h: lr * h must be < 2 (1 + beta), the stability edge")
        var = _variance(h, lr, beta, sigma, limit)
    if not np.all(np.isfinite(var)):
        raise ValueError("sigma, lr, h: the variance exceeds the float range")
    return scalar_or_array(var, h, lr, beta, sigma)


def _variance(h, lr, beta, sigma, limit):
    """T / h with T = lr sigma^2 / (2 (1 - beta)), times 1 / (1 - f), f = lr h / (2 (1 + beta))."""
    temperature_over_h = lr / (2 * h) * sigma / (1 - beta) * sigma
    if limit:
        return temperature_over_h
    return temperature_over_h * (2 * (1 + beta) / (2 * (1 + beta) - lr * h))


def momentum_sgd(
    grad: Callable[[NDArray[np.float64]], ArrayLike],
    theta0: ArrayLike,
    lr: ArrayLike,
    beta: ArrayLike,
    steps: int,
    noise: ArrayLike = 0.0,
    nesterov: bool = False,
    seed: int | np.random.Generator | None = 0,
    record: int | None = None,
    buffer: bool = False,
):
    r"""Run SGD with momentum (heavy ball or Nesterov) on many independent paths at once.

    Each step, with :math:`b_0 = 0`,

    .. math::

        g_n = \nabla L(\theta_n) + \sigma\xi_n, \quad b_{n+1} = \beta b_n + g_n, \quad
        \theta_{n+1} = \theta_n - \alpha \begin{cases} b_{n+1} & \text{heavy ball} \\
        g_n + \beta b_{n+1} & \text{Nesterov} \end{cases}

    exactly the update of ``torch.optim.SGD(lr=alpha, momentum=beta, nesterov=...)``. With
    Nesterov the iterate is the post's look-ahead point :math:`\Theta_n = \theta_n + \beta v_n`.

    Parameters
    ----------
    grad : callable ``theta -> array``
        :math:`\nabla L`, vectorised: it gets the array of all iterates (the shape of
        ``theta0``, e.g. paths x parameters) and returns the gradients in that shape.
    theta0 : array_like
        The start, of any shape; every entry is updated independently by the formula above
        (the paths interact only through ``grad``).
    lr : float or array_like, > 0
        Learning rate :math:`\alpha`, broadcastable to the shape of ``theta0`` (one per
        parameter or per path, say).
    beta : float or array_like, in [0, 1]
        Momentum :math:`\beta`, broadcastable likewise; 0 is plain SGD, 1 has no friction.
    steps : int >= 0
        Number of steps, at most 1e6.
    noise : float or array_like, >= 0
        Standard deviation :math:`\sigma` of Gaussian noise added to each gradient,
        broadcastable to the shape of ``theta0``.
    nesterov : bool
        Nesterov momentum instead of heavy ball.
    seed : int >= 0, numpy.random.Generator or None
        The noise: step n uses the n-th block of ``theta0.size`` numbers of
        ``numpy.random.default_rng(seed).standard_normal``, in C order, so that the same seed
        gives the same run, and other code can replay it.
    record : int >= 1, optional
        Return the iterates every ``record`` steps (``record`` must divide ``steps``) instead
        of only the last one.
    buffer : bool
        Also return the momentum buffer :math:`b` (torch's ``momentum_buffer``; the post's
        velocity is :math:`v = -\alpha b`), recorded like the iterates.

    Returns
    -------
    float or ndarray, or a pair of them
        The iterate after ``steps`` steps, of the shape of ``theta0`` (a float for a scalar
        start), or with ``record`` the iterates at steps 0, record, 2 record, ..., steps,
        stacked along a new first axis; with ``buffer``, the pair (iterates, buffers).

    Raises
    ------
    TypeError
        If ``grad`` is not callable, ``steps`` or ``record`` is not an integer, ``nesterov``
        or ``buffer`` not a bool, or a number is not real.
    ValueError
        If ``lr`` <= 0, ``beta`` is outside [0, 1], ``noise`` < 0, an argument does not
        broadcast to the shape of ``theta0``, ``steps`` exceeds 1e6, ``record`` does not divide
        it or the record exceeds 2^28 numbers, ``grad`` returns the wrong shape or a non-finite
        value, or the iterates overflow (a step beyond the stability edge).

    Notes
    -----
    The update is the scheme itself, with no approximation. Measured: after 100 noisy steps on
    a 10-parameter quadratic it is within 8e-16 of the largest iterate of an 80-bit replay
    (``benchmarks/kernels/dynamics.py``), and a loop of ``torch.optim.SGD`` steps fed the same
    noise agrees to 1e-13 of the start's scale (``tests/test_dynamics.py``). Unlike torch,
    ``nesterov=True`` is accepted with :math:`\beta = 0` (it is then plain SGD). As a
    discretisation of :math:`\ddot\theta + \lambda\dot\theta = -\nabla L` its order is 2 for heavy
    ball (started from rest, read at :math:`t_n + \gamma/2`) and 1 for Nesterov (the chapter).

    References
    ----------
    .. [1] B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
       USSR Computational Mathematics and Mathematical Physics 4 (5), 1964, pp. 1-17.
    .. [2] I. Sutskever, J. Martens, G. Dahl and G. Hinton, "On the importance of
       initialization and momentum in deep learning", ICML 2013.

    Examples
    --------
    >>> momentum_sgd(lambda t: 2 * t, 1.0, 0.1, 0.5, 2)  # 1 - 0.2 = 0.8, then 0.8 - 0.1 (1.6 + 1)
    0.54
    >>> momentum_sgd(lambda t: t, np.ones((1000, 10)), 0.1, 0.9, 100, noise=1.0).shape
    (1000, 10)
    """
    function(grad, "grad")
    start = real_array(theta0, "theta0")
    shape = start.shape
    steps = count(steps, "steps", minimum=0)
    if steps > _MAX_STEPS:
        raise ValueError(f"steps: at most {_MAX_STEPS:.0e} steps are supported, got {steps}")
    nesterov = _flag(nesterov, "nesterov")
    keep_buffer = _flag(buffer, "buffer")
    rng = generator(seed, "seed")
    params = {}
    for name, value in (("lr", lr), ("beta", beta), ("noise", noise)):
        arr = _momentum(value) if name == "beta" else real_array(value, name)
        try:
            params[name] = np.broadcast_to(arr, shape)
        except ValueError:
            raise ValueError(
                f"{name}: shape {arr.shape} does not broadcast to the shape of theta0 {shape}"
            ) from None
    in_range(params["lr"], "lr", 0.0, low_open=True)
    in_range(params["noise"], "noise", 0.0)
    if record is not None:
        record = count(record, "record")
        if steps % record:
            raise ValueError(f"record: must divide steps ({steps}), got {record}")
        if (steps // record + 1) * start.size > _MAX_NUMBERS:
            raise ValueError("record: the recorded iterates would exceed 2^28 numbers (2 GiB)")
    alpha, b_coef, sigma = (params[n] if params[n].ndim else float(params[n]) for n in params)
    noisy = bool(np.any(params["noise"] > 0))
    theta, b = start.copy(), np.zeros(shape)
    rows = None if record is None else steps // record + 1
    out = None if rows is None else (np.empty((rows, *shape)), np.empty((rows, *shape)))
    if out is not None:
        out[0][0], out[1][0] = theta, b
    block, first = np.empty((0, *shape)), 0
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for n in range(steps):
            g = _gradient(grad, theta, n == 0)
            if noisy:
                if n - first == len(block):  # draw the noise of the next block of steps
                    size = max(1, min(steps - n, _NOISE_BLOCK // max(1, start.size)))
                    block, first = rng.standard_normal((size, *shape)), n
                g = g + sigma * block[n - first]
            _step(theta, b, g, alpha, b_coef, nesterov)
            if ((n + 1) % _CHECK_EVERY == 0 or n + 1 == steps) and not np.isfinite(theta).all():
                raise ValueError(
                    f"lr, noise, grad: the iterates became NaN or inf by step {n + 1}: the step "
                    "is beyond the stability edge, or the noise or grad's values overflow"
                )
            if out is not None and (n + 1) % record == 0:
                out[0][(n + 1) // record], out[1][(n + 1) // record] = theta, b
    if out is None:
        out = (scalar_or_array(theta, start), scalar_or_array(b, start))
    return out if keep_buffer else out[0]


def _step(theta, b, g, lr, beta, nesterov):
    """One step in place: b <- beta b + g, then theta <- theta - lr (b or g + beta b)."""
    b *= beta
    b += g
    theta -= lr * (g + beta * b if nesterov else b)


def _gradient(grad: Callable, theta: NDArray[np.float64], first: bool) -> NDArray[np.float64]:
    """``grad(theta)`` as a float array of theta's shape (fully checked on the first call)."""
    g = grad(theta)
    if not first and type(g) is np.ndarray and g.dtype == np.float64 and g.shape == theta.shape:
        return g
    g = real_array(g, "grad")
    if g.shape != theta.shape:
        raise ValueError(f"grad: must return the shape of theta {theta.shape}, got {g.shape}")
    return g
