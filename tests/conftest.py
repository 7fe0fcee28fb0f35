"""Shared test setup: the toy env used by the core tests is importable and registered.

Every test marked ``docker`` skips with one stated reason where Docker cannot run (no engine,
or the sandbox image not built), and fails instead in CI.
"""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import gymnasium as gym

TESTS = Path(__file__).resolve().parent
for _folder in (TESTS, TESTS / "sandboxes"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

# Index caches and other per-user files go to a throwaway folder, never the user's cache.
if "AGENTGYM_CACHE_DIR" not in os.environ:
    _cache_dir = tempfile.mkdtemp(prefix="agentgym-test-cache-")
    os.environ["AGENTGYM_CACHE_DIR"] = _cache_dir
    atexit.register(shutil.rmtree, _cache_dir, ignore_errors=True)

if "Guess-v0" not in gym.registry:
    gym.register("Guess-v0", entry_point="toy_env:GuessEnv")


def pytest_runtest_setup(item):
    if item.get_closest_marker("docker") is not None:
        from sandbox_support import require_docker

        require_docker()
