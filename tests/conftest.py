"""Test settings shared by every test file: one Hypothesis profile, registered once.

``deterministic`` (the default) derandomises the search and keeps no example database, so a
run is repeatable on any machine. Set ``SCISPACES_HYPOTHESIS=random`` for an occasional
randomised run with more examples (and report what it finds as a regression test).
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "deterministic",
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "random",
    max_examples=1000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("SCISPACES_HYPOTHESIS", "deterministic"))
