"""Fault injection reuses the small help desk of the core tests."""

from tests.core.conftest import desk  # noqa: F401  (the fixture, shared)
