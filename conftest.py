"""Settings every test process and every notebook kernel it starts must share.

SymPy's results (which transformation proves an identity, the order of some terms) depend on
set iteration order, hence on Python's per-process hash seed. Kernels inherit this
environment, so fixing the seed here makes re-executed notebooks reproduce their stored
outputs; tools/refresh_outputs.py uses the same value.
"""

import os

os.environ["PYTHONHASHSEED"] = "0"
