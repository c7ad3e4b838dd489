"""Settings every test process and every notebook kernel it starts must share.

SymPy's results (which transformation proves an identity, the order of some terms) depend on
set iteration order, hence on Python's per-process hash seed. Kernels inherit this
environment, so fixing the seed here makes re-executed notebooks reproduce their stored
outputs; tools/refresh_outputs.py uses the same value.

``--numerical-profile=baseline`` runs the notebooks with the CPU-specific code paths turned off
(see :mod:`booktools.profiles`); CI runs the notebooks in both profiles, and both must match the
stored outputs.
"""

import os

os.environ["PYTHONHASHSEED"] = "0"


def pytest_addoption(parser):
    parser.addoption(
        "--numerical-profile",
        choices=("native", "baseline"),
        default="native",
        help="native: as this CPU runs; baseline: CPU-specific SIMD paths off, one BLAS thread",
    )


def pytest_configure(config):
    from booktools.profiles import environment

    # Set before any kernel starts; xdist workers run this hook too, so their kernels inherit it.
    os.environ.update(environment(config.getoption("--numerical-profile")))
