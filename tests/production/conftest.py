"""Tests of the production path: they need real services (a second PostgreSQL role, Redis, the whole stack).

Each service comes from an environment variable. Without it the test is skipped, except where
HAVEN_TEST_REQUIRE lists it (CI sets that): there a missing service fails, so CI cannot pass by skipping.
"""

import os

import pytest


def service(env_name: str) -> str:
    """The service's address from the environment, or a skip (a failure when HAVEN_TEST_REQUIRE names it)."""
    value = os.environ.get(env_name, "")
    if value:
        return value
    required = {name.strip() for name in os.environ.get("HAVEN_TEST_REQUIRE", "").split(",")}
    if env_name in required:
        pytest.fail(f"{env_name} is required here (HAVEN_TEST_REQUIRE) but not set")
    pytest.skip(f"{env_name} is not set")
