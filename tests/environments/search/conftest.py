"""Fixtures for the AgentSearch tests: a private index cache and shared small worlds."""

from __future__ import annotations

import pytest

from agentgym.environments.search.index import CACHE_ENV_VAR
from agentgym.environments.search.pages import WorldPages
from agentgym.environments.search.world import generate_world


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    """Keep every index these tests build out of the user's cache directory."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(CACHE_ENV_VAR, str(tmp_path_factory.mktemp("agentgym-cache")))
        yield


@pytest.fixture(scope="session")
def pages() -> WorldPages:
    """The default world (seed 0, 2000 pages), rendered."""
    return WorldPages(generate_world(0, 2000))
