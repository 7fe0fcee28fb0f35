"""Fixtures for the sandbox tests: one warm pool per backend for the whole session.

Docker tests skip with a stated reason when no engine or image is available, except in CI
(the ``CI`` environment variable set), where they must run and so fail instead.
"""

from __future__ import annotations

import os
import secrets

import pytest

from agentgym.sandboxes import SandboxError

# Planted before any pool starts, so a leak of the test process's environment would show it.
ENV_SECRET = "envsecret-" + secrets.token_hex(8)
os.environ["AGENTGYM_TEST_SECRET"] = ENV_SECRET

from sandbox_support import IN_CI, require_docker  # noqa: E402


@pytest.fixture(scope="session")
def local_pool():
    from agentgym.sandboxes.local import LocalPool

    pool = LocalPool(workspace_mb=64)
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def docker_pool():
    require_docker()
    from agentgym.sandboxes.docker_backend import DockerPool

    pool = DockerPool(memory_mb=1536, workspace_mb=128)
    try:
        pool.start()
    except SandboxError as exc:
        if IN_CI:
            pytest.fail(f"Docker pool failed to start in CI: {exc}")
        pytest.skip(f"Docker pool failed to start: {exc}")
    yield pool
    pool.close()


@pytest.fixture(params=["local", pytest.param("docker", marks=pytest.mark.docker)])
def backend(request):
    """The name of each backend, with its session pool."""
    return request.param


@pytest.fixture
def pool(backend, request):
    return request.getfixturevalue(f"{backend}_pool")


@pytest.fixture
def make(pool, backend):
    """Make sandboxes on the session pool; all are closed after the test."""
    from agentgym.sandboxes import make_sandbox

    made = []

    def factory(**kwargs):
        kwargs.setdefault("timeout_s", 5)
        kwargs.setdefault("memory_mb", 256)
        sb = make_sandbox(backend, pool=pool, **kwargs)
        made.append(sb)
        return sb

    yield factory
    for sb in made:
        sb.close()
