"""The numerical profiles every notebook is checked in.

A stored output must show what the mathematics determines, not the rounding of one machine.
Exact pins fix the software but not the hardware: NumPy sends float64 ``exp``/``log``/``sin``
to different SIMD code on different CPUs, PyTorch and OpenBLAS choose kernels by CPU, and the
number of threads changes the order of summation. So CI executes every notebook twice and
compares both runs with the stored outputs:

``native``
    as the machine runs it (what a reader gets);
``baseline``
    every CPU-specific path that can be turned off from the environment turned off: NumPy's
    dispatch targets above its compiled baseline that this CPU supports
    (``NPY_DISABLE_CPU_FEATURES``), PyTorch's vector kernels (``ATEN_CPU_CAPABILITY=default``),
    and one BLAS/OpenMP thread. ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` are left as the
    machine sets them: on some CPUs they are set because other OpenBLAS kernels compute wrong
    results there.

An output that differs between the two is fragile: it depends on the last bits of one machine's
arithmetic, and would fail on some reader's laptop.
"""

from __future__ import annotations

PROFILES = ("native", "baseline")


def numpy_dispatch_targets() -> list[str]:
    """NumPy's dispatch targets above the compiled baseline that this CPU supports."""
    from numpy._core import _multiarray_umath as umath

    return [name for name in umath.__cpu_dispatch__ if umath.__cpu_features__.get(name)]


def environment(profile: str) -> dict[str, str]:
    """The environment variables that select ``profile`` for processes started afterwards."""
    if profile not in PROFILES:
        raise ValueError(f"profile: must be one of {', '.join(PROFILES)}, got {profile!r}")
    if profile == "native":
        return {}
    return {
        "NPY_DISABLE_CPU_FEATURES": " ".join(numpy_dispatch_targets()),
        "ATEN_CPU_CAPABILITY": "default",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
