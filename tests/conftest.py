"""The suite's tiers and shared fixtures.

tests/unit runs without services, tests/integration against a private redis-server and
nx-27017 (tests/support/services.py), tests/e2e with real processes (marked `e2e`).
`pytest -m "not e2e"` is the fast loop; `make test` runs everything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = (
    "tests.support.services",
    "tests.support.models",
    "tests.support.e2e",
    "tests.support.conversation",
    "tests.support.yandexfake.fixtures",
)

TIERS = ("unit", "integration", "e2e")
# Real processes start cold on a fresh machine (first imports of torch and friends take
# minutes on two cores): an end-to-end test gets far more than the default timeout.
E2E_TIMEOUT_S = 900


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test is marked with its tier, from the folder it lives in."""
    root = Path(__file__).parent
    for item in items:
        tier = item.path.relative_to(root).parts[0]
        if tier in TIERS:
            item.add_marker(getattr(pytest.mark, tier))
        if tier == "e2e":
            item.add_marker(pytest.mark.timeout(E2E_TIMEOUT_S))
