"""fokker_planck_1d against a method-of-lines solution with scipy.integrate.solve_ivp.

The problem is the chapter's Ornstein-Uhlenbeck test (theta = 1, sigma = 0.8, start N(1.5, 0.05),
x in [-4, 5], t = 1), whose density is known in closed form; the error is the largest deviation
from it. The method of lines uses the same cells with the central flux
J = f (p_i + p_{i+1})/2 - D (p_{i+1} - p_i)/(2h) and zero-flux ends, a linear system
p' = A p handed to solve_ivp with tight tolerances (rtol 1e-8, atol 1e-12), so its error is the
spatial one: BDF and Radau get the exact sparse Jacobian A, LSODA its dense form, RK45 (the
default) nothing. Plotted as error against time: the faster method at equal accuracy lies left.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sps
from scipy.integrate import solve_ivp

from benchmarks.timing import measure
from scispaces.sde import fokker_planck_1d, ou_density

THETA, SIGMA, M0, S0, T = 1.0, 0.8, 1.5, 0.05, 1.0
CELLS = (50, 100, 200, 400, 800)


def drift(x, t):
    return -THETA * x


def noise(x, t):
    return np.full_like(x, SIGMA)


def central_matrix(x: np.ndarray) -> sps.csc_matrix:
    """A with p' = A p for the central-flux finite-volume discretisation."""
    h = x[1] - x[0]
    f = drift((x[:-1] + x[1:]) / 2, 0.0)
    D = SIGMA**2
    left, right = f / 2 + D / (2 * h), D / (2 * h) - f / 2  # J = left p_i - right p_{i+1}
    main = np.zeros(x.size)
    main[:-1] -= left
    main[1:] -= right
    return sps.diags([main, right, left], [0, 1, -1], format="csc") / h


def method_of_lines(method: str, A: sps.csc_matrix, p0: np.ndarray) -> np.ndarray:
    dense = A.toarray()
    jac = {"BDF": A, "Radau": A, "LSODA": lambda t, p: dense}.get(method)
    options = {} if jac is None else {"jac": jac}
    sol = solve_ivp(
        lambda t, p: A @ p, (0, T), p0, method=method, rtol=1e-8, atol=1e-12, t_eval=[T], **options
    )
    return sol.y[:, -1]


def bench(repeats: int) -> list[dict]:
    rows = []
    for cells in CELLS:
        x = np.linspace(-4, 5, cells + 1)
        p0, exact = ou_density(x, 0, THETA, SIGMA, M0, S0), ou_density(x, T, THETA, SIGMA, M0, S0)
        A = central_matrix(x)
        runs = {
            "fokker_planck_1d": lambda x=x, p0=p0: fokker_planck_1d(drift, noise, p0, x, [0, T])[-1]
        }
        for method in ("BDF", "Radau", "LSODA", "RK45"):
            runs[f"solve_ivp {method}"] = lambda m=method, A=A, p0=p0: method_of_lines(m, A, p0)
        for name, run in runs.items():
            final = run()
            rows.append(
                {
                    "method": name,
                    "size": cells + 1,
                    "time": measure(run, repeats),
                    "error": float(np.abs(final - exact).max()),
                    "min_density": float(final.min()),
                }
            )
    return [
        {
            "title": "Fokker-Planck solver vs method of lines (Ornstein-Uhlenbeck, t = 1)",
            "size": "grid points",
            "reference": "fokker_planck_1d",
            "plot": "error-vs-time",
            "error": "largest deviation from the closed-form density at t = 1",
            "rows": rows,
        }
    ]
