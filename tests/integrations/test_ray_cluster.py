"""RayVectorEnv on a Ray cluster started by ``ray start --head`` in its own process group."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from agentgym.integrations.ray import RayVectorEnv, RolloutPool  # noqa: E402


@pytest.fixture
def head_node(tmp_path, monkeypatch):
    if ray.is_initialized():
        ray.shutdown()
    # A private Ray temp folder: "auto" finds this cluster's address there and no other
    # (short, as Ray's socket paths under it must fit in a Unix socket address).
    ray_tmp = tempfile.mkdtemp(prefix="agr", dir="/tmp")
    monkeypatch.setenv("RAY_TMPDIR", ray_tmp)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    ray_cli = shutil.which("ray") or os.path.join(os.path.dirname(sys.executable), "ray")
    log = open(tmp_path / "ray-head.log", "w")  # noqa: SIM115
    head = subprocess.Popen(
        [
            ray_cli,
            "start",
            "--head",
            "--block",
            "--num-cpus=2",
            "--port=0",
            "--include-dashboard=false",
            "--disable-usage-stats",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=dict(os.environ),
    )
    try:
        deadline = time.monotonic() + 120
        address_file = Path(ray_tmp, "ray", "ray_current_cluster")
        while True:
            try:
                # "auto" takes any GCS process it finds on the machine until the head has
                # written its address, so wait for the address first.
                if not address_file.read_text().strip():
                    raise FileNotFoundError(address_file)
                ray.init(address="auto", log_to_driver=False)
                break
            except (ConnectionError, RuntimeError, ValueError, OSError):
                # Until the head has written its session files, "auto" finds nothing (or a
                # half-written address file: FileNotFoundError).
                if head.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "ray start --head failed: " + (tmp_path / "ray-head.log").read_text()
                    ) from None
                time.sleep(1)
        yield head
    finally:
        ray.shutdown()
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait()
        log.close()
        shutil.rmtree(ray_tmp, ignore_errors=True)


def test_vector_env_and_pool_on_a_separate_head_node(head_node):
    # Connected to the head that ray start wrote down, not to a local instance of its own.
    written = Path(os.environ["RAY_TMPDIR"], "ray", "ray_current_cluster").read_text().strip()
    assert ray.get_runtime_context().gcs_address == written
    envs = RayVectorEnv("AgentMath-v0", 2, envs_per_actor=1)
    try:
        obs, _ = envs.reset(seed=3)
        answers = list(envs.call("oracle_action"))
        _, rewards, terminated, _, infos = envs.step(answers)
        assert terminated.all() and rewards.tolist() == [1.0, 1.0] and infos["success"].all()
    finally:
        envs.close()
    with RolloutPool("AgentMath-v0", 2) as pool:
        pool.reset(seeds=0)
        assert len(pool.collect(min_results=2)) == 2
