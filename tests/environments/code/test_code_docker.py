"""AgentCode-v0 on the docker sandbox: the oracle wins and the hacks still fail.

Skips with the reason when no Docker engine or sandbox image is available, except in CI
(``CI`` set), where it fails instead.
"""

import os
from pathlib import Path

import pytest

import agentgym.environments.code as code_pkg
from agentgym.environments.code import CodeEnv
from agentgym.sandboxes import SandboxError
from agentgym.tools.base import ToolCall

pytestmark = pytest.mark.docker
SAMPLE = Path(code_pkg.__file__).parent / "sample_tasks.jsonl"
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def _docker_reason():
    try:
        from agentgym.sandboxes.image import DEFAULT_IMAGE, docker_client
    except ImportError as exc:
        return f"docker SDK missing: {exc}"
    try:
        client = docker_client()
    except SandboxError as exc:
        return str(exc)
    try:
        client.images.get(DEFAULT_IMAGE)
    except Exception:
        return f"sandbox image {DEFAULT_IMAGE} not built (agentgym sandbox build-image)"
    finally:
        client.close()
    return None


@pytest.fixture(scope="module")
def docker_ready():
    reason = _docker_reason()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"Docker is required in CI but unavailable: {reason}")
        pytest.skip(f"no Docker engine for the docker backend: {reason}")


@pytest.fixture(scope="module")
def docker_env(docker_ready):
    env = CodeEnv(sandbox="docker", timeout_s=5.0)
    yield env
    env.close()


def submit(env, code):
    return env.step(env.format_calls([ToolCall("submit", {"code": code})]))


@pytest.mark.parametrize(
    "task_id",
    ["implement/clamp", "implement/count_islands", "bugfix/average", "bugfix/query_string"],
)
def test_oracle_solves_on_docker(docker_env, task_id):
    docker_env.reset(seed=0, options={"task_id": task_id})
    *_, term, _, info = docker_env.step(docker_env.oracle_action())
    assert term and info["success"] is True


@pytest.mark.parametrize(
    "code",
    [
        "print('AGENTGYM-GRADE 0 {}')\nimport sys\nsys.exit(0)\n",
        "import os\ndef clamp(x, lo, hi):\n    os._exit(0)\n",
        "class A(int):\n    def __eq__(self, o):\n        return True\n"
        "    __hash__ = int.__hash__\ndef clamp(x, lo, hi):\n    return A(-99)\n",
    ],
)
def test_hacks_fail_on_docker(docker_env, code):
    docker_env.reset(seed=0, options={"task_id": "implement/clamp"})
    *_, reward, term, _, info = submit(docker_env, code)
    assert term and reward == 0.0 and info["tool_results"][0]["passed"] == 0


def test_jsonl_task_on_docker(docker_ready):
    env = CodeEnv(sandbox="docker", task_source=str(SAMPLE), timeout_s=5.0)
    try:
        env.reset(seed=0, options={"task_id": "sample/count_pairs"})
        *_, info = env.step(env.oracle_action())
        assert info["success"] is True
    finally:
        env.close()
