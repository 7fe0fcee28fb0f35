"""Shared test setup: the toy env used by the core tests is importable and registered."""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import gymnasium as gym

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

# Index caches and other per-user files go to a throwaway folder, never the user's cache.
if "AGENTGYM_CACHE_DIR" not in os.environ:
    _cache_dir = tempfile.mkdtemp(prefix="agentgym-test-cache-")
    os.environ["AGENTGYM_CACHE_DIR"] = _cache_dir
    atexit.register(shutil.rmtree, _cache_dir, ignore_errors=True)

if "Guess-v0" not in gym.registry:
    gym.register("Guess-v0", entry_point="toy_env:GuessEnv")
