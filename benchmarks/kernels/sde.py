"""fokker_planck_1d against scipy.integrate.solve_ivp on the same semi-discrete system.

Two problems, each on grids of 101 to 1601 points and at several output times:

- the chapter's Ornstein-Uhlenbeck test (theta = 1, sigma = 0.8, start N(1.5, 0.05), x in [-4, 5],
  t = 0.25, 0.5, 0.75, 1); error = largest deviation from the closed-form density;
- the chapter's double well (f = x - x^3, g = 0.6, start N(0.2, 0.01), x in [-2.5, 2.5],
  t = 0.5, 1, ..., 4); no closed form, so error = largest deviation from the exact time
  integration of the same semi-discrete system.

Every method integrates the same matrix L of scispaces.sde.fokker_planck_generator: BDF and Radau
get it as the exact sparse Jacobian, LSODA in banded form, RK45 (the default) nothing. The exact
time integration exp(t L) p0 comes from scipy's expm_multiply
(scispaces.reference.semi_discrete_solution); its distance from the true density is the spatial
error floor of the grid (for the double well estimated by Richardson, 4/3 of the distance to
the library's solution on the grid of half the spacing). A run is "at the floor" when its time
error (distance from exp(t L) p0) is at most 10 % of the floor, the accuracy the library is
asked to reach without tuning. Each solve_ivp method is run at rtol = 1e-3, 1e-4, ... (atol =
1e-3 rtol; the densities are of order 1) until it is at the floor, and that setting is timed: the
fastest setting at equal accuracy. A total error below the floor is possible at a loose tolerance
when the time error happens to cancel part of the spatial one; that is luck, not accuracy, hence
the criterion on the time error. solve_ivp's densities dip below 0 by about its atol: that is its
tolerance, not a failure, but it is not a density. The previous explicit solver (Euler steps at
the positivity limit of the same generator) is timed as a baseline.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.integrate import solve_ivp

from benchmarks.timing import measure
from scispaces.reference import semi_discrete_solution
from scispaces.sde import fokker_planck_1d, fokker_planck_generator, ou_density

SIZES = (101, 201, 401, 801, 1601)
RTOLS = tuple(10.0**-k for k in range(3, 13))
AT_FLOOR = 0.1  # time error at most this fraction of the spatial error floor


def ou_problem():
    def drift(x, t):
        return -x

    def noise(x, t):
        return np.full_like(x, 0.8)

    times = np.linspace(0.0, 1.0, 5)

    def setup(n):
        x = np.linspace(-4.0, 5.0, n)
        truth = ou_density(x[None, :], times[:, None], 1.0, 0.8, 1.5, 0.05)
        L = fokker_planck_generator(drift, noise, x)
        exact = semi_discrete_solution(lambda t: L, truth[0], times, constant=True)
        return x, truth[0], exact, truth, float(np.abs(exact - truth)[1:].max())

    return "Ornstein-Uhlenbeck", drift, noise, times, setup, "closed-form density"


def double_well_problem():
    def drift(x, t):
        return x - x**3

    def noise(x, t):
        return np.full_like(x, 0.6)

    times = np.linspace(0.0, 4.0, 9)

    def start(x):
        return ou_density(x, 0.0, 0.0, 0.0, 0.2, 0.01)

    def setup(n):
        x, fine = np.linspace(-2.5, 2.5, n), np.linspace(-2.5, 2.5, 2 * n - 1)
        L = fokker_planck_generator(drift, noise, x)
        exact = semi_discrete_solution(lambda t: L, start(x), times, constant=True)
        halved = fokker_planck_1d(drift, noise, start(fine), fine, times)[:, ::2]
        return x, start(x), exact, exact, 4 / 3 * float(np.abs(exact - halved)[1:].max())

    return "double well", drift, noise, times, setup, "exact time integration of the same grid"


def method_of_lines(method, L, p0, times, rtol):
    options = {"BDF": {"jac": L}, "Radau": {"jac": L}}.get(method, {})
    if method == "LSODA":
        banded = np.zeros((3, L.shape[0]))
        banded[0, 1:], banded[1], banded[2, :-1] = L.diagonal(1), L.diagonal(), L.diagonal(-1)
        options = {"jac": lambda t, p: banded, "lband": 1, "uband": 1}
    sol = solve_ivp(
        lambda t, p: L @ p,
        (times[0], times[-1]),
        p0,
        method=method,
        t_eval=times,
        rtol=rtol,
        atol=1e-3 * rtol,
        **options,
    )
    return sol.y.T


def explicit(L, p0, times):
    """The previous solver: Euler steps p += dt L p with dt at 0.9 / (largest rate), p stays >= 0."""
    limit = 0.9 / np.max(-L.diagonal())
    out, p = [p0], p0
    for a, b in zip(times[:-1], times[1:], strict=True):
        steps = int(np.ceil((b - a) / limit))
        for _ in range(steps):
            p = p + (b - a) / steps * (L @ p)
        out.append(p)
    return np.array(out)


def row(name, n, run, exact, truth, repeats, extra=None):
    """Time ``run``: runs under 50 ms at least 15 times (their median resists a busy machine),
    runs over 1 s once."""
    start = time.perf_counter()
    result = run()
    once = time.perf_counter() - start
    repeats = max(repeats, 15) if once < 0.05 else repeats if once < 1 else 1
    return {
        "method": name,
        "size": n,
        "time": measure(run, repeats),
        "error": float(np.abs(result - truth)[1:].max()),
        "time_error": float(np.abs(result - exact)[1:].max()),
        "min_density": float(result[1:].min()),
        **(extra or {}),
    }


def solve_ivp_row(method, n, L, p0, times, exact, truth, floor, repeats, sweep):
    """Sweep rtol until the time error is at the floor; time that setting."""
    for rtol in RTOLS:
        start = time.perf_counter()
        result = method_of_lines(method, L, p0, times, rtol)
        seconds = time.perf_counter() - start
        time_error = float(np.abs(result - exact)[1:].max())
        sweep.append(
            {
                "method": f"solve_ivp {method}",
                "size": n,
                "rtol": rtol,
                "error": float(np.abs(result - truth)[1:].max()),
                "time_error": time_error,
                "time": seconds,
                "min_density": float(result[1:].min()),
            }
        )
        if time_error <= AT_FLOOR * floor or (method == "RK45" and rtol <= 1e-6):
            break  # RK45 is held by stability, not tolerance: beyond 1e-6 its cost barely moves
    return row(
        f"solve_ivp {method}",
        n,
        lambda: method_of_lines(method, L, p0, times, rtol),
        exact,
        truth,
        repeats,
        {"rtol": rtol, "at_floor": time_error <= AT_FLOOR * floor},
    )


def bench_problem(problem, repeats: int) -> dict:
    title, drift, noise, times, setup, against = problem
    rows, sweep, floors = [], [], {}
    for n in SIZES:
        x, p0, exact, truth, floor = setup(n)
        floors[n] = floor
        L = fokker_planck_generator(drift, noise, x).tocsc()
        ours = row(
            "fokker_planck_1d",
            n,
            lambda x=x, p0=p0: fokker_planck_1d(drift, noise, p0, x, times),
            exact,
            truth,
            repeats,
        )
        ours["at_floor"] = ours["time_error"] <= AT_FLOOR * floor
        rows.append(ours)
        for method in ("BDF", "Radau", "LSODA", "RK45"):
            rows.append(solve_ivp_row(method, n, L, p0, times, exact, truth, floor, repeats, sweep))
        rows.append(
            row(
                "explicit Euler (previous solver)",
                n,
                lambda L=L, p0=p0: explicit(L, p0, times),
                exact,
                truth,
                repeats,
            )
        )
        print(
            f"    {title} {n} (floor {floor:.1e}): "
            + ", ".join(
                f"{r['method']} {r['time']['median']:.4f} s {r['error']:.1e}/{r['time_error']:.0e}"
                for r in rows
                if r["size"] == n
            ),
            flush=True,
        )
    return {
        "targets": targets(title, rows),
        "title": f"Fokker-Planck solver vs method of lines ({title}, several output times)",
        "size": "grid points",
        "reference": "fokker_planck_1d",
        "plot": "error-vs-time",
        "error": f"largest deviation from the {against}, over the output times",
        "times": [float(t) for t in times],
        "floor": {str(n): f for n, f in floors.items()},
        "rows": rows,
        "sweep": sweep,
    }


def targets(title: str, rows: list[dict]) -> list[dict]:
    """Issue 16's targets, evaluated from the rows: as fast as the fastest solve_ivp method at
    equal accuracy on every grid, and at 801 points at least 3x faster than BDF."""
    out = []
    for n in SIZES:
        at = {r["method"]: r for r in rows if r["size"] == n}
        ours = at["fokker_planck_1d"]
        peers = [r for m, r in at.items() if m.startswith("solve_ivp") and r["at_floor"]]
        best = min(peers, key=lambda r: r["time"]["median"])
        ratio = best["time"]["median"] / ours["time"]["median"]
        out.append(
            {
                "target": f"{title}, {n} points: at least as fast as the fastest solve_ivp "
                "method at equal accuracy",
                "measured": f"{best['method']} / ours = {ratio:.1f}x",
                "met": bool(ours["at_floor"] and ratio >= 1),
            }
        )
    bdf = next(r for r in rows if r["size"] == 801 and r["method"] == "solve_ivp BDF")
    ours = next(r for r in rows if r["size"] == 801 and r["method"] == "fokker_planck_1d")
    ratio = bdf["time"]["median"] / ours["time"]["median"]
    out.append(
        {
            "target": f"{title}, 801 points: at least 3x faster than BDF",
            "measured": f"BDF / ours = {ratio:.1f}x",
            "met": bool(ratio >= 3),
        }
    )
    return out


def bench(repeats: int) -> list[dict]:
    return [bench_problem(p, repeats) for p in (ou_problem(), double_well_problem())]
