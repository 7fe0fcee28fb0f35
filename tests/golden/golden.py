"""Record and check hashes of whole episodes, so a refactor provably keeps behaviour.

Each env plays 50 oracle and 50 random episodes (seeds 0-49, every action format in turn, both
reward modes). An episode's hash covers every action, observation, reward, end flag and the
info that describes the episode; it leaves out what depends on the clock or the machine (step
timings, sandbox CPU and wall times).

Re-record only for an intended change of behaviour, and say why in the commit:
``python -m tests.golden.golden --record``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

import agentgym  # noqa: F401  (registers the envs)
from agentgym.agents.oracle import OracleAgent
from agentgym.agents.random import RandomAgent

GOLDEN = Path(__file__).with_name("episodes.json")
ENV_IDS = ("AgentCode-v0", "AgentMath-v0", "AgentSearch-v0", "AgentGUI-v0")
EPISODES = 50
FORMATS = ("xml", "json", "openai")
# Info keys whose values come from the clock or the host, not from the episode.
_VOLATILE_KEYS = re.compile(r"(^|_)(ms|s|kb|seconds|time|elapsed|duration)$")
# Timings that sandboxes print inside observations ("in 12.3 ms").
_VOLATILE_TEXT = re.compile(r"\d+(\.\d+)?\s?ms\b")


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            str(k): _clean(v)
            for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
            if not _VOLATILE_KEYS.search(str(k))
        }
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, str):
        return _VOLATILE_TEXT.sub("<t>ms", value)
    if value is None or isinstance(value, bool | int):
        return value
    if hasattr(value, "tobytes"):  # PIL images
        return hashlib.sha256(value.tobytes()).hexdigest()
    return _VOLATILE_TEXT.sub("<t>ms", repr(value))


def episode_hash(env_id: str, agent: str, seed: int) -> str:
    """Play one episode and return the hash of everything it produced."""
    fmt = FORMATS[seed % len(FORMATS)]
    mode = ("sparse", "dense")[seed % 2]
    env = gym.make(env_id, action_format=fmt, reward_mode=mode)
    try:
        obs, info = env.reset(seed=seed)
        player = OracleAgent(env) if agent == "oracle" else RandomAgent(env, seed=seed)
        player.reset(obs, info)
        h = hashlib.sha256()
        h.update(json.dumps(_clean([obs, info]), sort_keys=True).encode())
        for _ in range(200):
            action = player.act(obs, info)
            obs, reward, terminated, truncated, info = env.step(action)
            record = [action, obs, float(reward), terminated, truncated, info]
            h.update(json.dumps(_clean(record), sort_keys=True).encode())
            if terminated or truncated:
                break
        return h.hexdigest()[:16]
    finally:
        env.close()


def record_all() -> dict[str, dict[str, list[str]]]:
    """Hashes of every episode, by env and agent."""
    return {
        env_id: {
            agent: [episode_hash(env_id, agent, seed) for seed in range(EPISODES)]
            for agent in ("oracle", "random")
        }
        for env_id in ENV_IDS
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--record", action="store_true", help="rewrite the golden file")
    args = parser.parse_args(argv)
    got = record_all()
    if args.record:
        GOLDEN.write_text(json.dumps(got, indent=1) + "\n")
        print(f"wrote {GOLDEN}")
        return 0
    want = json.loads(GOLDEN.read_text())
    bad = [
        (e, a, i)
        for e in want
        for a in want[e]
        for i, (x, y) in enumerate(zip(want[e][a], got[e][a], strict=True))
        if x != y
    ]
    print(f"{len(bad)} episodes differ: {bad[:20]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
