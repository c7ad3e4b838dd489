r"""Closed-form linear classifiers (LDA) and maximum-entropy models fitted through their convex dual.

Derived in the chapter *Closed-form linear classifiers*, after Su Jianlin, kexue.fm/archives/8578
(2021: logistic regression's "analytic solution", which is Fisher's linear discriminant) and
kexue.fm/archives/3567 (2015: the maximum-entropy model). Public functions:

- :func:`lda_fit`, :func:`lda_predict_proba`: Gaussian classes with a shared covariance give
  linear log-odds in closed form, :math:`w_k = \Sigma^{-1}\mu_k`,
  :math:`b_k = \log p_k - \tfrac12\mu_k^\top\Sigma^{-1}\mu_k`;
- :func:`maxent_fit`, :func:`maxent_predict_proba`: the conditional maximum-entropy model
  :math:`p(k \mid x_i) \propto e^{\lambda\cdot f(x_i, k)}`, fitted by Newton or L-BFGS on its
  convex dual (the log-likelihood), to a stated residual of the feature expectations;
- :func:`joint_maxent_fit`: the post's joint version, without the marginal constraint, to
  compare;
- :func:`class_features`: the features :math:`e_k \otimes (x, 1)` that make :func:`maxent_fit` a
  multinomial logistic regression.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import scipy.linalg
from numpy.typing import ArrayLike, NDArray

from scispaces._checks import count, in_range, real_array, real_scalar, whole_array

__all__ = [
    "class_features",
    "joint_maxent_fit",
    "lda_fit",
    "lda_predict_proba",
    "maxent_fit",
    "maxent_predict_proba",
]

_RCOND = 1e-12  # a covariance with a smaller reciprocal condition number is refused as singular
_BLOCK = 2**23  # numbers per block of residuals (64 MB) when the scatter is accumulated
_ARMIJO = 1e-4  # sufficient-decrease constant of the line search
_MEMORY = 10  # L-BFGS pairs kept
_MAX_ITER = {"newton": 100, "lbfgs": 10_000}
_MAX_FEATURES = 10**8  # class_features refuses to build a larger array (0.8 GB)
_FLOOR = 64  # residuals below this many eps max|F| are rounding: such a tol is refused


# --------------------------------------------------------------------------- input checks


def _matrix(x: ArrayLike, name: str, ndim: int) -> NDArray[np.float64]:
    """``x`` as a finite float array with ``ndim`` dimensions, none of them empty."""
    arr = real_array(x, name)
    if arr.ndim != ndim or 0 in arr.shape:
        shape = {2: "(N, d)", 3: "(N, K, m)"}[ndim]
        raise ValueError(f"{name}: must be a non-empty array of shape {shape}, got {arr.shape}")
    return arr


def _labels(y: ArrayLike, n: int, n_classes: int | None = None) -> NDArray[np.int64]:
    """``y`` as integer labels, one per row; in 0..n_classes-1 when that is given."""
    arr = whole_array(y, "y", minimum=0, what="each label")
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"y: must be a 1-D array of {n} labels (one per row), got {arr.shape}")
    if n_classes is not None and arr.max() > n_classes - 1:
        raise ValueError(f"y: labels must be 0..K-1 with K = {n_classes}, got {arr.max():g}")
    if n_classes is None and arr.max() > n - 1:  # then some class below it has no sample
        raise ValueError(
            f"y: labels must be 0..K-1 with every class present, got {arr.max():g} > N - 1"
        )
    return arr.astype(np.int64)


def _choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected one of {choices}, got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"{name}: must be one of {choices}, got {value!r}")
    return value


# --------------------------------------------------------------------------- LDA


def _shrinkage(shrinkage: Any) -> float | None:
    """The shrinkage intensity in [0, 1], or None for Ledoit-Wolf's estimate."""
    if shrinkage is None:
        return 0.0
    if isinstance(shrinkage, str):
        _choice(shrinkage, "shrinkage", ("ledoit-wolf",))
        return None
    return float(in_range(np.asarray(real_scalar(shrinkage, "shrinkage")), "shrinkage", 0, 1))


def _scatter(X: NDArray[np.float64], centres: NDArray[np.float64], labels, within: bool):
    """One pass over X in blocks: the scatter of the residuals z_i = x_i - c_{y_i} about their
    mean (within each class, or overall), sum_i |z_i|^4, and the class means.

    The centres c_k are first-pass means, so the residuals' own means delta are at the level of
    rounding; they refine the means (mu_k = c_k + delta_k) and, since sum_i (z_i - delta)
    (z_i - delta)^T = sum_i z_i z_i^T - sum N delta delta^T, the scatter, with no second pass.
    """
    n, d = X.shape
    k = centres.shape[0]
    S, sums, fourth = np.zeros((d, d)), np.zeros((k, d)), 0.0
    rows = max(1, _BLOCK // d)
    for lo in range(0, n, rows):
        y = labels[lo : lo + rows]
        Z = X[lo : lo + rows] - centres[y]
        S += Z.T @ Z  # NumPy calls BLAS syrk for this product
        onehot = np.zeros((y.size, k))
        onehot[np.arange(y.size), y] = 1.0
        sums += onehot.T @ Z
        fourth += float(np.sum(np.einsum("ij,ij->i", Z, Z) ** 2))
    counts = np.bincount(labels, minlength=k)
    delta = sums / counts[:, None]
    if within:
        S -= (delta.T * counts) @ delta
    else:
        overall = sums.sum(axis=0) / n
        S -= n * np.outer(overall, overall)
    return S, fourth, centres + delta


def _ledoit_wolf(S: NDArray[np.float64], fourth: float, n: int) -> float:
    r"""Ledoit and Wolf's intensity for the target :math:`\mu I`, :math:`\mu = \operatorname{tr}S/d`,
    from :math:`S = \frac1n\sum_i z_i z_i^\top` and :math:`\sum_i |z_i|^4` (the :math:`\bar\beta^2`
    of their Lemma 3.3 needs only the row norms: :math:`\sum_i |z_i z_i^\top - S|_F^2 =
    \sum_i |z_i|^4 - n |S|_F^2`).
    """
    d = S.shape[0]
    mu = np.trace(S) / d
    delta = (np.sum(S * S) - 2 * mu * np.trace(S) + d * mu * mu) / d  # |S - mu I|^2 / d
    beta = max((fourth / n - np.sum(S * S)) / (d * n), 0.0)
    return 0.0 if delta <= 0 else float(min(beta, delta) / delta)


def _spd_solve(S: NDArray[np.float64], B: NDArray[np.float64], name: str, fix: str):
    """``S^{-1} B`` by Cholesky, refusing ``S`` if its reciprocal condition number is below _RCOND."""
    try:
        factor = scipy.linalg.cho_factor(S, lower=False, check_finite=False)
        rcond, info = scipy.linalg.lapack.dpocon(factor[0], np.abs(S).sum(axis=0).max())
    except np.linalg.LinAlgError:
        rcond, info = 0.0, 0
    if info != 0 or not rcond >= _RCOND:
        raise ValueError(
            f"{name}: the covariance is singular to working precision (reciprocal condition "
            f"number {rcond:.1e} < {_RCOND:g}): {fix}"
        )
    return scipy.linalg.cho_solve(factor, B, check_finite=False)


def lda_fit(
    X: ArrayLike,
    y: ArrayLike,
    shrinkage: float | str | None = None,
    covariance: str = "within",
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Linear discriminant analysis in closed form: the weights of a softmax classifier.

    With class frequencies :math:`p_k = N_k/N`, class means :math:`\mu_k` and a covariance
    :math:`\Sigma` shared by the classes, Bayes' rule for Gaussian classes gives

    .. math::

        \log p(k \mid x) = x^\top w_k + b_k - \log\sum_j e^{x^\top w_j + b_j},\qquad
        w_k = \Sigma^{-1}\mu_k,\quad b_k = \log p_k - \tfrac12\mu_k^\top\Sigma^{-1}\mu_k .

    ``covariance='within'`` estimates :math:`\Sigma` by the pooled within-class covariance
    :math:`\frac1N\sum_i (x_i - \mu_{y_i})(x_i - \mu_{y_i})^\top` (the maximum-likelihood
    estimate, and the post's :math:`\tilde\Sigma + \tilde\mu\tilde\mu^\top - \sum_k p_k\mu_k\mu_k^\top`);
    ``'total'`` by the covariance of all samples, :math:`\frac1N\sum_i (x_i - \bar x)(x_i - \bar x)^\top`
    (what the post's released code uses after whitening). Shrinkage replaces :math:`\Sigma` by
    :math:`(1 - \alpha)\Sigma + \alpha\,\tfrac{\operatorname{tr}\Sigma}{d} I`.

    Parameters
    ----------
    X : array_like, shape (N, d)
        Samples, finite reals.
    y : array_like of whole numbers, shape (N,)
        Class labels 0..K-1, every class present, K >= 2.
    shrinkage : None, float in [0, 1] or 'ledoit-wolf'
        The intensity :math:`\alpha`; None is 0; 'ledoit-wolf' is Ledoit and Wolf's estimate of
        the optimal :math:`\alpha` computed from the residuals of ``covariance`` (the within-class
        residuals :math:`x_i - \mu_{y_i}`, treated as N centred samples, or :math:`x_i - \bar x`).
    covariance : {'within', 'total'}
        Which covariance stands for :math:`\Sigma`.

    Returns
    -------
    W : numpy.ndarray, shape (d, K)
        Column k is :math:`w_k`.
    b : numpy.ndarray, shape (K,)
        The intercepts :math:`b_k`.

    Raises
    ------
    TypeError
        If X or y is not real, or ``shrinkage``/``covariance`` is of the wrong type.
    ValueError
        If X is not a finite, non-empty (N, d) array; if y is not one label 0..K-1 per row with
        every class present and K >= 2; if, without shrinkage, N - K < d (``'within'``) or
        N - 1 < d (``'total'``), so that the covariance is singular (the message says to pass
        shrinkage); if the covariance is singular to working precision (reciprocal condition
        number below 1e-12: a feature constant within the classes, or a linear combination of
        others); if ``shrinkage`` is outside [0, 1] or ``covariance`` unknown.

    Notes
    -----
    Agrees with scikit-learn's ``LinearDiscriminantAnalysis(solver='lsqr')`` (and ``'eigen'``)
    with default priors: ``coef_ = W.T`` and ``intercept_ = b`` for K > 2, and the differences
    ``W[:, 1] - W[:, 0]``, ``b[1] - b[0]`` for K = 2, when ``shrinkage`` is None or a number
    (scikit-learn shrinks each class's covariance towards :math:`\tfrac{\operatorname{tr}}{d}I`,
    which pooled with weights :math:`p_k` is the formula above). Its ``shrinkage='auto'`` is a
    different estimator: Ledoit-Wolf per class on standardised features, so a diagonal target
    and K intensities. Its ``solver='svd'`` gives the same probabilities with each :math:`w_k`
    shifted by the same vector.

    Accuracy, against a 40-digit mpmath evaluation of the same formulas
    (``scispaces.reference.mp_lda``): largest error 1.4e-15 of the largest weight and 1.7e-16 of
    the largest intercept on the chapter's data (d = 20, K = 5, N = 300, :math:`\kappa(\Sigma)`
    = 21), the same with shrinkage; 5e-16 with feature scales from 1 to 1e-5
    (:math:`\kappa(\Sigma) \approx 10^{10}`: Cholesky does not feel the scaling of the features).
    The tests ask for 1e-13. Cost: one pass over X for first means, one for the scatter matrix
    (:math:`N d^2/2` multiply-adds, BLAS syrk) and the refined means, in blocks of 64 MB, and a
    Cholesky factorisation (:math:`d^3/3`); X with entries beyond :math:`2^{\pm 400}` is scaled
    by a power of two first, so any finite input is handled.

    References
    ----------
    .. [1] Su Jianlin, "Linear models from a probabilistic view: does logistic regression have
       an analytic solution?" (in Chinese), https://kexue.fm/archives/8578, 2021.
    .. [2] R. A. Fisher, "The use of multiple measurements in taxonomic problems", Annals of
       Eugenics 7 (1936) 179-188.
    .. [3] O. Ledoit and M. Wolf, "A well-conditioned estimator for large-dimensional covariance
       matrices", J. Multivariate Anal. 88 (2004) 365-411.

    Examples
    --------
    >>> X = [[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [4.0, 2.0], [6.0, 2.0], [4.0, 4.0]]
    >>> W, b = lda_fit(X, [0, 0, 0, 1, 1, 1])
    >>> W.round(12)
    array([[1.5, 9. ],
           [1.5, 7.5]])
    >>> b.round(6)
    array([ -1.693147, -31.693147])
    >>> lda_predict_proba([[8 / 3, 5 / 3]], W, b).round(6)  # midway between the class means
    array([[0.5, 0.5]])
    """
    X = _matrix(X, "X", 2)
    n, d = X.shape
    labels = _labels(y, n)
    counts = np.bincount(labels)
    if counts.size < 2 or np.any(counts == 0):
        raise ValueError(
            "y: labels must be 0..K-1 with every class present and K >= 2, got counts "
            + ", ".join(str(c) for c in counts.tolist())
        )
    k = counts.size
    alpha = _shrinkage(shrinkage)
    covariance = _choice(covariance, "covariance", ("within", "total"))
    dof = n - k if covariance == "within" else n - 1
    if alpha == 0 and dof < d:
        what = f"N - K = {n} - {k}" if covariance == "within" else f"N - 1 = {n} - 1"
        raise ValueError(
            f"X: {what} < d = {d}, so the {covariance} covariance is singular; "
            "pass shrinkage='ledoit-wolf' or a number in (0, 1]"
        )
    top = np.abs(X).max()  # scale by a power of two only where squares would over/underflow
    scale = 1.0 if 2.0**-400 < top < 2.0**400 else np.ldexp(1.0, -int(np.frexp(top)[1]))
    Xs = X if scale == 1.0 else X * scale
    onehot = np.zeros((n, k))
    onehot[np.arange(n), labels] = 1.0
    means = onehot.T @ Xs / counts[:, None]
    centres = means if covariance == "within" else np.tile(counts @ means / n, (k, 1))
    S, fourth, means = _scatter(Xs, centres, labels, covariance == "within")
    S /= n
    if alpha is None:
        alpha = _ledoit_wolf(S, fourth, n)
    if alpha:
        mu = np.trace(S) / d
        S *= 1 - alpha
        S[np.diag_indices(d)] += alpha * mu
    fix = "remove features that are constant within the classes or combinations of others"
    Ws = _spd_solve(S, means.T, "X", fix + ("" if alpha else ", or pass shrinkage"))
    b = np.log(counts / n) - 0.5 * np.einsum("kj,jk->k", means, Ws)
    with np.errstate(over="ignore"):
        W = Ws * scale
    if not np.isfinite(W).all():
        raise ValueError("X: the weights exceed the float64 range; rescale X")
    return W, b


def lda_predict_proba(X: ArrayLike, W: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    r"""Class probabilities :math:`p(k \mid x) = \operatorname{softmax}_k(x^\top w_k + b_k)`.

    Parameters
    ----------
    X : array_like, shape (N, d) or (d,)
        Points, finite reals.
    W : array_like, shape (d, K)
        Weights, as returned by :func:`lda_fit`.
    b : array_like, shape (K,)
        Intercepts.

    Returns
    -------
    numpy.ndarray, shape (N, K) or (K,)
        Rows sum to 1; computed with the largest logit subtracted, so no overflow.

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If an argument holds NaN or inf, or the shapes do not fit together.

    Examples
    --------
    >>> lda_predict_proba([0.0, 1.0], [[1.0, -1.0], [0.0, 0.0]], [0.0, np.log(3)]).round(6)
    array([0.25, 0.75])
    """
    X, W, b = real_array(X, "X"), real_array(W, "W"), real_array(b, "b")
    if W.ndim != 2 or 0 in W.shape:
        raise ValueError(f"W: must be a non-empty array of shape (d, K), got {W.shape}")
    if b.shape != (W.shape[1],):
        raise ValueError(f"W, b: b must have shape ({W.shape[1]},), one entry per column of W")
    if X.ndim not in (1, 2) or 0 in X.shape:
        raise ValueError(f"X: must be a non-empty array of shape (N, d) or (d,), got {X.shape}")
    if X.shape[-1] != W.shape[0]:
        raise ValueError(f"X, W: X has d = {X.shape[-1]} columns, W has {W.shape[0]} rows")
    with np.errstate(over="ignore", invalid="ignore"):
        logits = X @ W + b
    if not np.isfinite(logits).all():
        raise ValueError("X, W, b: the logits x.w + b exceed the float64 range")
    return _softmax(logits)


def _softmax(logits: NDArray[np.float64]) -> NDArray[np.float64]:
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# --------------------------------------------------------------------------- maximum entropy


class MaxentFit(NamedTuple):
    """The result of :func:`maxent_fit` and :func:`joint_maxent_fit`."""

    weights: NDArray[np.float64]
    """The multipliers :math:`\\lambda`, shape (m,)."""
    iterations: int
    """Newton or L-BFGS steps taken."""
    residual: float
    """:math:`\\max_j |E_\\lambda f_j - \\tilde E f_j + \\ell_2 \\lambda_j|`, the gradient of the dual."""
    gap: float
    """The primal-dual gap at the returned multipliers (see :func:`maxent_fit`)."""


class _Dual:
    r"""The dual :math:`D(\lambda) = \frac1N\sum_i \log\sum_k e^{F_{ik}\cdot\lambda} - \tau\cdot\lambda
    + \frac{\ell_2}2|\lambda|^2` of a maximum-entropy problem, with its gradient, Hessian, and
    the change :math:`D(\lambda + t\delta) - D(\lambda)` computed accurately however small it is.
    """

    def __init__(self, F: NDArray[np.float64], tau: NDArray[np.float64], l2: float) -> None:
        self.F, self.tau, self.l2 = F, tau, l2
        self.flat = F.reshape(-1, F.shape[2])

    def at(self, w: NDArray[np.float64]) -> None:
        """Set the point: probabilities, model expectations and gradient at ``w``."""
        self.w = w
        logits = (self.flat @ w).reshape(self.F.shape[:2])
        self.p = _softmax(logits)
        self.expect = np.einsum("ik,ikj->ij", self.p, self.F)  # E_p[f | x_i]
        self.grad = self.expect.mean(axis=0) - self.tau + self.l2 * w

    def hessian(self) -> NDArray[np.float64]:
        """:math:`\\frac1N\\sum_i \\operatorname{Cov}_{p(\\cdot|x_i)}[f] + \\ell_2 I`."""
        G = (np.sqrt(self.p)[:, :, None] * (self.F - self.expect[:, None, :])).reshape(
            -1, self.F.shape[2]
        )
        H = G.T @ G / self.F.shape[0]
        H[np.diag_indices_from(H)] += self.l2
        return H

    def change(self, delta: NDArray[np.float64]):
        """The function ``t -> D(w + t delta) - D(w)``, accurate to rounding of its own size:
        each row's log-sum-exp change is ``log sum_k p_k e^{t e_k}``, by log1p/expm1 when small."""
        e = (self.flat @ delta).reshape(self.F.shape[:2])
        linear = self.tau @ delta
        wd, dd = self.w @ delta, delta @ delta

        def at(t: float) -> float:
            u = t * e
            top = u.max(axis=1, keepdims=True)
            small = np.abs(u).max(axis=1) < 0.5
            with np.errstate(over="ignore"):
                near = np.log1p(np.sum(self.p * np.expm1(np.where(small[:, None], u, 0)), axis=1))
                far = top[:, 0] + np.log(np.sum(self.p * np.exp(u - top), axis=1))
            rows = np.where(small, near, far)
            return float(rows.mean() - t * linear + self.l2 * (t * wd + t * t * dd / 2))

        return at


def _line_search(dual: _Dual, delta: NDArray[np.float64]) -> float:
    """Backtracking to Armijo's condition; 0.0 if no step of at least 2^-60 decreases D."""
    slope = float(dual.grad @ delta)
    if not slope < 0:
        return 0.0
    change = dual.change(delta)
    t = 1.0
    for _ in range(61):
        with np.errstate(invalid="ignore"):
            if change(t) <= _ARMIJO * t * slope:
                return t
        t /= 2
    return 0.0


def _newton_direction(dual: _Dual) -> NDArray[np.float64]:
    """:math:`-H^{-1} g` by Cholesky when l2 > 0 (H >= l2 I); otherwise, or if that fails,
    :math:`-H^+ g`, the pseudo-inverse on the eigenvalues above m eps times the largest: the
    Hessian is singular when features are redundant, and the gradient has no part there."""
    H = dual.hessian()
    if dual.l2 > 0:
        try:
            return -scipy.linalg.cho_solve(scipy.linalg.cho_factor(H), dual.grad)
        except np.linalg.LinAlgError:
            pass
    values, vectors = np.linalg.eigh(H)
    keep = values > values[-1] * (values.size * np.finfo(float).eps)
    v = vectors[:, keep]
    return -(v @ ((v.T @ dual.grad) / values[keep]))


def _lbfgs_direction(dual: _Dual, pairs: list) -> NDArray[np.float64]:
    """The two-loop recursion of Liu and Nocedal: :math:`-H_k g` from the stored (s, y) pairs."""
    q = dual.grad.copy()
    alphas = []
    for s, y, rho in reversed(pairs):
        a = rho * (s @ q)
        q -= a * y
        alphas.append(a)
    if pairs:
        s, y, _ = pairs[-1]
        q *= (s @ y) / (y @ y)
    else:
        q /= max(1.0, float(np.abs(q).max()))
    for (s, y, rho), a in zip(pairs, reversed(alphas), strict=True):
        q += (a - rho * (y @ q)) * s
    return -q


def _solve_dual(dual: _Dual, w: NDArray[np.float64], method: str, tol: float, max_iter: int):
    """Minimise the dual from ``w`` until the largest gradient entry is at most ``tol``."""
    dual.at(w)
    pairs: list = []
    steps = 0
    while np.abs(dual.grad).max() > tol:
        if steps == max_iter:
            raise ValueError(
                f"max_iter: {method} stopped after {max_iter} steps with residual "
                f"{np.abs(dual.grad).max():.1e} > tol = {tol:g}; raise max_iter or l2"
            )
        delta = _newton_direction(dual) if method == "newton" else _lbfgs_direction(dual, pairs)
        t = _line_search(dual, delta)
        if t == 0.0 and pairs:  # a stale L-BFGS model: restart from the gradient
            pairs.clear()
            delta = _lbfgs_direction(dual, pairs)
            t = _line_search(dual, delta)
        if t == 0.0:
            raise ValueError(
                f"tol: no step decreases the dual below residual {np.abs(dual.grad).max():.1e};"
                f" rounding limits this problem: raise tol above {tol:g}"
            )
        old_grad = dual.grad
        w = w + t * delta
        dual.at(w)
        steps += 1
        s, y = t * delta, dual.grad - old_grad
        if method == "lbfgs" and s @ y > np.finfo(float).eps * np.sqrt((s @ s) * (y @ y)):
            pairs = [*pairs[-(_MEMORY - 1) :], (s, y, 1.0 / (s @ y))]
    g = dual.grad
    gap = float(g @ g / (2 * dual.l2)) if dual.l2 > 0 else abs(float(w @ g))
    return MaxentFit(w, steps, float(np.abs(g).max()), gap)


def _maxent_args(F, y, l2, method, tol, max_iter, start):
    F = _matrix(F, "F", 3)
    labels = _labels(y, F.shape[0], F.shape[1])
    l2 = float(in_range(np.asarray(real_scalar(l2, "l2")), "l2", 0.0))
    method = _choice(method, "method", ("newton", "lbfgs"))
    tol = float(in_range(np.asarray(real_scalar(tol, "tol")), "tol", 0.0, low_open=True))
    max_iter = _MAX_ITER[method] if max_iter is None else count(max_iter, "max_iter", 1)
    top = float(np.abs(F).max())
    if tol < _FLOOR * np.finfo(float).eps * top:
        raise ValueError(
            f"F, tol: tol = {tol:g} is below the rounding floor of the feature expectations, "
            f"{_FLOOR} eps max|F| = {_FLOOR * np.finfo(float).eps * top:.1e}; raise tol or rescale F"
        )
    if start is None:
        start = np.zeros(F.shape[2])
    else:
        start = real_array(start, "start")
        if start.shape != (F.shape[2],):
            raise ValueError(f"start: must have shape ({F.shape[2]},), one per feature")
        with np.errstate(over="ignore", invalid="ignore"):
            logits = F.reshape(-1, F.shape[2]) @ start
        if not np.all(np.abs(logits) <= 700):  # NaN fails too
            raise ValueError(
                "start: the logits F . start must lie in [-700, 700] (beyond, probabilities "
                "round to 0 or 1 and the dual cannot be followed)"
            )
    return F, labels, l2, method, tol, max_iter, start


def _fit(F, labels, l2, method, tol, max_iter, start, joint) -> MaxentFit:
    """Solve in units where max|F| <= 1 (F / s, lambda s, l2 / s^2, tol / s; s a power of two
    >= 1, so nothing overflows) and convert back: D, and so the gap, is the same in both."""
    s = np.ldexp(1.0, max(0, int(np.frexp(np.abs(F).max())[1])))
    Fs = F / s
    tau = Fs[np.arange(F.shape[0]), labels].mean(axis=0)
    if joint:
        Fs = Fs.reshape(1, -1, F.shape[2])
    fit = _solve_dual(_Dual(Fs, tau, l2 / (s * s)), start * s, method, tol / s, max_iter)
    return MaxentFit(fit.weights / s, fit.iterations, float(fit.residual * s), fit.gap)


def maxent_fit(
    F: ArrayLike,
    y: ArrayLike,
    l2: float = 0.0,
    method: str = "newton",
    tol: float = 1e-10,
    max_iter: int | None = None,
    start: ArrayLike | None = None,
) -> MaxentFit:
    r"""The conditional maximum-entropy model, fitted by Newton or L-BFGS on its convex dual.

    Maximise the conditional entropy :math:`-\frac1N\sum_i\sum_k p(k|x_i)\log p(k|x_i)` subject to
    matching the feature expectations, :math:`\frac1N\sum_i\sum_k p(k|x_i) f(x_i, k) =
    \frac1N\sum_i f(x_i, y_i) = \tau`. The solution is
    :math:`p(k \mid x_i) = e^{\lambda\cdot f(x_i, k)}/Z(x_i)`, with :math:`\lambda` minimising the
    convex dual, the negative mean log-likelihood

    .. math::

        D(\lambda) = \frac1N\sum_i \log Z(x_i) - \lambda\cdot\tau + \frac{\ell_2}2|\lambda|^2,
        \qquad \nabla D = E_\lambda f - \tau + \ell_2\lambda .

    With :math:`\ell_2 > 0` the constraints are relaxed to the penalty
    :math:`\frac1{2\ell_2}|E_\lambda f - \tau|^2` (Gaussian prior on :math:`\lambda`).

    Parameters
    ----------
    F : array_like, shape (N, K, m)
        ``F[i, k]`` is the feature vector :math:`f(x_i, k)` of sample i with class k.
    y : array_like of whole numbers, shape (N,)
        The observed classes, 0..K-1.
    l2 : float >= 0
        The penalty :math:`\ell_2` (0: the constraints hold exactly).
    method : {'newton', 'lbfgs'}
        Newton's method with the Hessian's pseudo-inverse (quadratic convergence; :math:`N K m^2`
        per step), or L-BFGS with 10 pairs (:math:`N K m` per step). Both backtrack to Armijo's
        condition on :math:`D`, whose change is computed without cancellation, so they reach
        residuals far below the rounding of :math:`D` itself.
    tol : float > 0
        Stop when the residual :math:`\max_j|\nabla D_j|` is at most ``tol``.
    max_iter : int >= 1, optional
        At most this many steps (default 100 for Newton, 10 000 for L-BFGS).
    start : array_like, shape (m,), optional
        The multipliers to start from (default 0): a warm start, say along a path of ``l2``;
        the logits :math:`F\cdot` ``start`` must lie in [-700, 700].

    Returns
    -------
    MaxentFit
        ``weights`` (:math:`\lambda`, shape (m,)), ``iterations``, ``residual`` (at most
        ``tol``) and ``gap``, the primal-dual gap :math:`D(\lambda) - P(p_\lambda)`: for
        :math:`\ell_2 > 0` with the penalised primal, :math:`|\nabla D|^2/(2\ell_2)`, an upper
        bound on :math:`D(\lambda) - \min D`; for :math:`\ell_2 = 0`,
        :math:`|\lambda\cdot\nabla D|`, the distance between :math:`D(\lambda)` and the
        conditional entropy of the fitted model, whose constraints hold to ``residual``.

    Raises
    ------
    TypeError
        If F or y is not real, or an option is of the wrong type.
    ValueError
        If F is not a finite, non-empty (N, K, m) array; if y is not one label in 0..K-1 per
        row; if ``l2 < 0`` or ``tol <= 0``; if ``tol`` is below the rounding floor
        :math:`64\varepsilon\max|F|` of the feature expectations; if ``start`` has the wrong
        shape or makes the logits overflow; if the residual is still above ``tol`` after
        ``max_iter`` steps, or no step decreases :math:`D` any more (rounding: raise ``tol``).

    Notes
    -----
    The optimum need not be finite: when the features separate the data (the empirical
    expectations lie on the boundary of those the model can reach), the conditional entropy
    is maximised by a limit of the exponential family. With ``l2 = 0`` the fit then returns
    multipliers whose constraints hold to ``tol``, with :math:`|\lambda|` of order
    :math:`\log(1/\mathrm{tol})`; pass ``l2 > 0`` for a finite optimum.

    Multinomial logistic regression is the special case :math:`f(x, k) = e_k \otimes (x, 1)`
    (:func:`class_features`); with ``l2`` = :math:`1/(CN)` it is scikit-learn's
    ``LogisticRegression(C=C, fit_intercept=False)`` on the columns ``[X, 1]``.

    Measured on the chapter's problem (400 samples of 30 binary features, two classes, 62
    features :math:`e_k\otimes(x, 1)`), to ``tol = 1e-10``: Newton 6 steps, L-BFGS 34,
    generalised iterative scaling about 5 800; on separable data (the parity example) Newton
    converges linearly towards the limit, 22 steps. Timings: benchmarks/kernels/linear_models.py.

    References
    ----------
    .. [1] Su Jianlin, "Can't afford entropy (3): the maximum-entropy model" (in Chinese),
       https://kexue.fm/archives/3567, 2015.
    .. [2] A. L. Berger, S. A. Della Pietra and V. J. Della Pietra, "A maximum entropy approach
       to natural language processing", Computational Linguistics 22 (1996) 39-71.
    .. [3] D. C. Liu and J. Nocedal, "On the limited memory BFGS method for large scale
       optimization", Math. Programming 45 (1989) 503-528.
    .. [4] R. Malouf, "A comparison of algorithms for maximum entropy parameter estimation",
       CoNLL 2002.

    Examples
    --------
    One feature, "the class is 1", on data with three 1s in four: the fitted model puts
    probability 3/4 on class 1, so :math:`\lambda = \log 3`.

    >>> F = np.zeros((4, 2, 1)); F[:, 1, 0] = 1.0
    >>> fit = maxent_fit(F, [1, 1, 1, 0])
    >>> round(float(fit.weights[0]), 12), fit.residual <= 1e-10
    (1.098612288668, True)
    >>> maxent_predict_proba(F[0], fit.weights).round(12)
    array([0.25, 0.75])
    """
    return _fit(*_maxent_args(F, y, l2, method, tol, max_iter, start), joint=False)


def joint_maxent_fit(
    F: ArrayLike,
    y: ArrayLike,
    l2: float = 0.0,
    method: str = "newton",
    tol: float = 1e-10,
    max_iter: int | None = None,
    start: ArrayLike | None = None,
) -> MaxentFit:
    r"""The post's joint maximum-entropy model: :math:`p(x_i, k) \propto e^{\lambda\cdot f(x_i, k)}`
    over all N K cells, with no constraint on the marginal of x.

    Maximise the joint entropy :math:`-\sum_{i,k} p(i, k)\log p(i, k)` subject to
    :math:`\sum_{i,k} p(i, k) f(x_i, k) = \tau = \frac1N\sum_i f(x_i, y_i)`; the dual is
    :math:`\log\sum_{i,k} e^{\lambda\cdot f(x_i,k)} - \lambda\cdot\tau + \frac{\ell_2}2|\lambda|^2`.
    Its conditionals :math:`p(k \mid x_i)` have the form of :func:`maxent_fit`'s, but other
    multipliers, because the model's marginal of x need not be the data's :math:`1/N`.

    Parameters
    ----------
    F, y, l2, method, tol, max_iter, start
        As for :func:`maxent_fit`; the rows of F are the points of the domain of x.

    Returns
    -------
    MaxentFit
        As for :func:`maxent_fit`, for the joint dual; :func:`maxent_predict_proba` gives the
        conditionals.

    Raises
    ------
    TypeError, ValueError
        As for :func:`maxent_fit`.

    Examples
    --------
    The post's parity data: x = 1..100, y = 1 exactly when x is odd, one feature
    "x is odd and y = 1". The joint model gives :math:`e^\lambda = 3` and
    :math:`p(y = 1 \mid x \text{ odd}) = 3/4`; the data say 1.

    >>> F = np.zeros((100, 2, 1)); F[::2, 1, 0] = 1.0  # rows 0, 2, ... are x = 1, 3, ...
    >>> fit = joint_maxent_fit(F, 1 - np.arange(100) % 2)
    >>> round(float(np.exp(fit.weights[0])), 10), maxent_predict_proba(F[0], fit.weights).round(10)
    (3.0, array([0.25, 0.75]))
    """
    return _fit(*_maxent_args(F, y, l2, method, tol, max_iter, start), joint=True)


def maxent_predict_proba(F: ArrayLike, weights: ArrayLike) -> NDArray[np.float64]:
    r""":math:`p(k \mid x) = e^{\lambda\cdot f(x, k)} / \sum_j e^{\lambda\cdot f(x, j)}`.

    Parameters
    ----------
    F : array_like, shape (N, K, m) or (K, m)
        Feature vectors :math:`f(x, k)`.
    weights : array_like, shape (m,)
        The multipliers :math:`\lambda`.

    Returns
    -------
    numpy.ndarray, shape (N, K) or (K,)
        Rows sum to 1.

    Raises
    ------
    TypeError
        If an argument is not real.
    ValueError
        If an argument holds NaN or inf, or the shapes do not fit together.

    Examples
    --------
    >>> maxent_predict_proba([[0.0], [1.0]], [np.log(3)]).round(12)
    array([0.25, 0.75])
    """
    F, w = real_array(F, "F"), real_array(weights, "weights")
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"weights: must be a non-empty 1-D array, got shape {w.shape}")
    if F.ndim not in (2, 3) or 0 in F.shape:
        raise ValueError(
            f"F: must be a non-empty array of shape (N, K, m) or (K, m), got {F.shape}"
        )
    if F.shape[-1] != w.size:
        raise ValueError(f"F, weights: F has m = {F.shape[-1]} features, weights {w.size}")
    with np.errstate(over="ignore", invalid="ignore"):
        logits = F @ w
    if not np.isfinite(logits).all():
        raise ValueError("F, weights: the logits f . lambda exceed the float64 range")
    return _softmax(logits)


def class_features(X: ArrayLike, n_classes: int) -> NDArray[np.float64]:
    r"""The features :math:`f(x, k) = e_k \otimes (x, 1)`: with them the maximum-entropy model is
    the multinomial logistic regression :math:`p(k \mid x) \propto e^{x^\top w_k + b_k}`.

    Parameters
    ----------
    X : array_like, shape (N, d)
        Samples, finite reals.
    n_classes : int >= 1
        K.

    Returns
    -------
    numpy.ndarray, shape (N, K, K (d + 1))
        ``F[i, k, k (d + 1) : (k + 1)(d + 1)] = (x_i, 1)``, zero elsewhere; weights of
        :func:`maxent_fit` reshaped to (K, d + 1) hold :math:`(w_k, b_k)` row by row.

    Raises
    ------
    TypeError
        If X is not real or ``n_classes`` is not an integer.
    ValueError
        If X is not a finite, non-empty (N, d) array, or ``n_classes < 1``.

    Examples
    --------
    >>> class_features([[2.0]], 2)
    array([[[2., 1., 0., 0.],
            [0., 0., 2., 1.]]])
    """
    X = _matrix(X, "X", 2)
    k = count(n_classes, "n_classes", 1)
    n, d = X.shape
    if n * k * k * (d + 1) > _MAX_FEATURES:
        raise ValueError(
            f"n_classes: the features would hold N K^2 (d + 1) = {n * k * k * (d + 1):.2e} "
            f"numbers, more than {_MAX_FEATURES:.0e}"
        )
    F = np.zeros((n, k, k, d + 1))
    rows = np.arange(k)
    F[:, rows, rows, :d] = X[:, None, :]
    F[:, rows, rows, d] = 1.0
    return F.reshape(n, k, k * (d + 1))
