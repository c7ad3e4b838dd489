"""binary_loss and binary_loss_grad against kornia, the torchvision formula and PyTorch's BCE.

Accuracy: the focal loss (gamma in GAMMAS; gamma = 0 is cross-entropy) and its gradient in the
logit at 1 001 logits evenly spaced in [-100, 100], each with label 1 and with label 0, against
the 50-digit mpmath definitions (``scispaces.reference.mp_binary_loss`` and its ``mpmath.diff``);
the peers' gradients come from autograd. NaN and inf are counted separately; the error is the
largest relative error of the finite outputs. Speed: the mean focal loss (gamma = 2) and its
gradient, forward and backward, on the same standard-normal-times-30 logits, float64, CPU.

Peers: ``kornia.losses.binary_focal_loss_with_logits`` (kornia 0.9.0, benchmarks/requirements.txt),
the torchvision ``sigmoid_focal_loss`` formula CE (1 - p_t)^gamma written out, and
``torch.nn.functional.binary_cross_entropy_with_logits`` (cross-entropy only: its rows are
measured and timed at gamma = 0).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from kornia.losses import binary_focal_loss_with_logits

from benchmarks.timing import measure
from scispaces.losses import binary_loss, binary_loss_grad
from scispaces.reference import (
    mp_binary_loss,
    mp_binary_loss_grad,
    relative_errors,
    torchvision_focal_formula,
)

GAMMAS = (0.0, 0.5, 1.0, 2.0, 5.0)
SIZES = (10**5, 10**6, 10**7)
TIMED_GAMMA = 2.0


def _ours_torch(x, y, gamma):
    return binary_loss(x, y, "focal", gamma=gamma)


def _kornia(x, y, gamma):
    return binary_focal_loss_with_logits(
        x[:, None], y[:, None], alpha=None, gamma=gamma, reduction="none"
    )[:, 0]


def _torchvision(x, y, gamma):
    return torchvision_focal_formula(x, y, gamma)


def _bce(x, y, gamma):
    return F.binary_cross_entropy_with_logits(x, y, reduction="none")


PEERS = {  # name: (loss of tensors, the gammas it computes)
    "binary_loss (PyTorch)": (_ours_torch, GAMMAS),
    "kornia": (_kornia, GAMMAS),
    "torchvision formula": (_torchvision, GAMMAS),
    "BCE with logits (gamma = 0 only)": (_bce, (0.0,)),
}


def _autograd(loss, x, y, gamma):
    """Values and autograd gradient of ``loss`` at float64 logits ``x``, labels ``y``."""
    xt = torch.tensor(x, requires_grad=True)
    value = loss(xt, torch.tensor(y), gamma)
    (grad,) = torch.autograd.grad(value.sum(), xt)
    return value.detach().numpy(), grad.numpy()


def accuracy() -> tuple[list[list], dict[str, float], dict[str, int]]:
    """Per method and gamma: largest finite relative error of value and gradient, NaN/inf count."""
    grid = np.linspace(-100, 100, 1001)
    x, y = np.concatenate([grid, grid]), np.repeat([1.0, 0.0], grid.size)
    table, worst, bad = [], {}, {}
    for gamma in GAMMAS:
        want = mp_binary_loss(x, y, "focal", gamma=gamma)
        want_grad = mp_binary_loss_grad(x, y, "focal", gamma=gamma)
        results = {
            "binary_loss (NumPy)": (
                binary_loss(x, y, "focal", gamma=gamma),
                binary_loss_grad(x, y, "focal", gamma=gamma),
            )
        }
        for name, (loss, gammas) in PEERS.items():
            if gamma in gammas:
                results[name] = _autograd(loss, x, y, gamma)
        for name, (value, grad) in results.items():
            errors = [relative_errors(v, w) for v, w in ((value, want), (grad, want_grad))]
            finite = [e[np.isfinite(v)] for e, v in zip(errors, (value, grad), strict=True)]
            nonfinite = int((~np.isfinite(value)).sum() + (~np.isfinite(grad)).sum())
            table.append([name, gamma, *(f.max(initial=0.0) for f in finite), nonfinite])
            worst[name] = max(worst.get(name, 0.0), *(float(f.max(initial=0.0)) for f in finite))
            bad[name] = bad.get(name, 0) + nonfinite
    return table, worst, bad


def _timed(name: str, x: np.ndarray, y: np.ndarray):
    """A call computing the mean focal loss and its gradient by the method ``name``."""
    if name == "binary_loss (NumPy)":
        return lambda: (
            binary_loss(x, y, "focal", gamma=TIMED_GAMMA, reduction="mean"),
            binary_loss_grad(x, y, "focal", gamma=TIMED_GAMMA, reduction="mean"),
        )
    loss, gammas = PEERS[name]
    gamma = TIMED_GAMMA if TIMED_GAMMA in gammas else gammas[0]
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def run():
        leaf = xt.clone().requires_grad_()
        loss(leaf, yt, gamma).mean().backward()
        return leaf.grad

    return run


def bench(repeats: int) -> list[dict]:
    table, worst, bad = accuracy()
    print("focal loss and gradient vs 50-digit mpmath, 2 002 logits in [-100, 100]")
    print(
        f"  {'method':36s} {'gamma':>5s} {'value error':>12s} {'grad error':>12s} {'NaN/inf':>8s}"
    )
    for name, gamma, ev, eg, nonfinite in table:
        print(f"  {name:36s} {gamma:5.1f} {ev:12.1e} {eg:12.1e} {nonfinite:8d}")
    rng = np.random.default_rng(0)
    x = 30 * rng.standard_normal(max(SIZES))
    y = (rng.random(max(SIZES)) < 0.5).astype(float)
    rows = []
    for name in ["binary_loss (NumPy)", *PEERS]:
        _timed(name, x[:1000], y[:1000])()  # warm-up
        for n in SIZES:
            rows.append(
                {
                    "method": name,
                    "size": n,
                    "time": measure(_timed(name, x[:n], y[:n]), repeats),
                    "error": worst[name],
                }
            )
    at = {(r["method"], r["size"]): r["time"]["median"] for r in rows}
    top = max(SIZES)
    ratio = at["binary_loss (PyTorch)", top] / at["kornia", top]
    ratio_np = at["binary_loss (NumPy)", top] / at["kornia", top]
    print(f"  at {top:,} logits: PyTorch link {ratio:.2f}x kornia's time, NumPy {ratio_np:.2f}x")
    ours = max(worst["binary_loss (NumPy)"], worst["binary_loss (PyTorch)"])
    targets = [
        {
            "target": "binary_loss and its gradient: no NaN or inf for gamma in {0, 0.5, 1, 2, 5}",
            "measured": f"{bad['binary_loss (NumPy)'] + bad['binary_loss (PyTorch)']} NaN/inf; "
            f"torchvision formula {bad['torchvision formula']}, kornia {bad['kornia']}",
            "met": bad["binary_loss (NumPy)"] + bad["binary_loss (PyTorch)"] == 0,
        },
        {
            "target": "binary_loss relative error <= 1e-14 (value and gradient, vs mpmath)",
            "measured": f"{ours:.1e}; kornia {worst['kornia']:.1e}, "
            f"torchvision {worst['torchvision formula']:.1e} (finite outputs)",
            "met": bool(ours <= 1e-14),
        },
        {
            "target": f"binary_loss (PyTorch) within 1.5x of kornia's time at {top:,} logits",
            "measured": f"{ratio:.2f}x",
            "met": bool(ratio <= 1.5),
        },
    ]
    return [
        {
            "targets": targets,
            "title": "Focal loss (gamma = 2) and its gradient, forward and backward",
            "size": "logits",
            "reference": "binary_loss (PyTorch)",
            "plot": "time-vs-size",
            "error": "largest relative error of value or gradient vs mpmath, gamma in "
            "{0, 0.5, 1, 2, 5}, logits in [-100, 100] (finite outputs; NaN/inf counted in the targets)",
            "rows": rows,
        }
    ]
