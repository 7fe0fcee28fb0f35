"""Helpers shared by the sandbox tests (a uniquely named module, importable from tests)."""

from __future__ import annotations

import functools
import os

import pytest

from agentgym.sandboxes import SandboxError

IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


@functools.cache
def docker_unavailable_reason() -> str | None:
    """Why Docker tests cannot run here, or None when they can (asked once per session)."""
    try:
        from agentgym.sandboxes.image import DEFAULT_IMAGE, docker_client
    except ImportError as exc:  # pragma: no cover - the SDK is an optional extra
        return f"docker SDK missing: {exc}"
    try:
        client = docker_client()
    except SandboxError as exc:
        return str(exc)
    try:
        client.images.get(DEFAULT_IMAGE)
    except Exception:  # noqa: BLE001
        return (
            f"a Docker engine is running but the sandbox image {DEFAULT_IMAGE} is not built "
            "(build it with: agentgym sandbox build-image)"
        )
    finally:
        client.close()
    return None


def require_docker() -> None:
    """Skip (or, in CI, fail) when Docker is unavailable."""
    reason = docker_unavailable_reason()
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"Docker is required in CI but unavailable: {reason}")
    pytest.skip(f"Docker tests skip here: {reason}")


@pytest.fixture(
    scope="module",
    params=["local", pytest.param("docker", marks=pytest.mark.docker)],
    name="backend",
)
def module_backend(request) -> str:
    """Each backend's name, once per test module that imports this (Docker as required above)."""
    if request.param == "docker":
        require_docker()
    return request.param
