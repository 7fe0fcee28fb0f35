"""The contract tests, parametrised over every registered agentgym env: a new env is tested here
for free (check_env, spaces, info keys, rewards, malformed actions, the oracle, the random
floor, determinism across processes, sync and async vectors with autoreset)."""

import hashlib
import json
import subprocess
import sys
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import agentgym
from agentgym.agents.random import RandomAgent

ENV_IDS = [spec.id for spec in agentgym.ENVS]
BASE_INFO_KEYS = {
    "task_id",
    "turn",
    "tools",
    "tool_calls",
    "tool_results",
    "reward_components",
    "parse_error",
}
# Resource use of sandboxed calls is measured, not replayed.
NONDETERMINISTIC_KEYS = {"wall_ms", "cpu_ms", "max_rss_kb"}
MALFORMED = [
    "",
    "x" * 1_000_000,
    "\x00\x01\xfe binary \udcff",
    "<python>unclosed",
    "<nuke>x</nuke>",
    "{bad json",
]


def fingerprint(value):
    """A JSON-friendly, process-independent digest of observations and infos."""
    if isinstance(value, np.ndarray):
        return {
            "shape": list(value.shape),
            "sha1": hashlib.sha1(np.ascontiguousarray(value).tobytes()).hexdigest(),
        }
    if isinstance(value, dict):
        return {
            str(k): fingerprint(v)
            for k, v in sorted(value.items())
            if k not in NONDETERMINISTIC_KEYS
        }
    if isinstance(value, list | tuple):
        return [fingerprint(v) for v in value]
    if isinstance(value, float | np.floating):
        return round(float(value), 9)
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    return value


def text_of(obs):
    return obs["text"] if isinstance(obs, dict) else obs


def trace(env_id, seed=123, steps=6):
    """One scripted episode: random calls, a malformed action, then the oracle."""
    env = gym.make(env_id, reward_mode="dense")
    out = []
    try:
        obs, info = env.reset(seed=seed)
        out.append(fingerprint([obs, info]))
        agent = RandomAgent(env, seed=seed, garbage_p=0.0, allow_terminal=False)
        actions = [agent.act(obs, info), agent.act(obs, info), "<<not an action"]
        for i in range(steps):
            action = actions[i] if i < len(actions) else env.unwrapped.oracle_action()
            obs, r, term, trunc, info = env.step(action)
            out.append(fingerprint([obs, r, term, trunc, info]))
            if term or trunc:
                break
    finally:
        env.close()
    return out


@pytest.fixture(params=ENV_IDS)
def env_id(request):
    return request.param


def test_check_env_without_warnings(env_id):
    for mode in [None, *_render_modes(env_id)]:
        env = gym.make(env_id, render_mode=mode)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                check_env(env.unwrapped, skip_render_check=mode is None)
        finally:
            env.close()


def test_spaces_info_and_sparse_rewards(env_id):
    env = gym.make(env_id, reward_mode="sparse", max_turns=3)
    try:
        assert "render_fps" in env.metadata
        obs, info = env.reset(seed=0)
        assert env.observation_space.contains(obs)
        assert BASE_INFO_KEYS | {"system_prompt", "messages"} <= set(info)
        assert info["tools"] and all(t["type"] == "function" for t in info["tools"])
        names = set(info["reward_components"])
        assert {"outcome", "progress", "format", "repeat"} <= names
        rewards = []
        for _ in range(3):
            obs, r, term, trunc, info = env.step("<<not an action")
            assert BASE_INFO_KEYS <= set(info) and set(info["reward_components"]) == names
            assert type(term) is bool and type(trunc) is bool
            rewards.append(r)
            if term or trunc:
                break
        assert trunc and not term and rewards == [0.0, 0.0, info["score"]]
        assert 0.0 <= info["score"] <= 1.0 and info["success"] is False
    finally:
        env.close()


@pytest.mark.parametrize("fmt", ["xml", "json", "openai"])
def test_malformed_actions_are_observations(env_id, fmt):
    env = gym.make(env_id, action_format=fmt, max_turns=len(MALFORMED) + 1)
    try:
        env.reset(seed=0)
        for turn, action in enumerate(MALFORMED, start=1):
            obs, r, term, trunc, info = env.step(action)
            assert info["parse_error"], action[:20]
            assert info["parse_error"] in text_of(obs) and info["turn"] == turn
            assert not term and not trunc and env.observation_space.contains(obs)
    finally:
        env.close()


def test_oracle_solves_in_every_format(env_id):
    for fmt in ["xml", "json", "openai"]:
        env = gym.make(env_id, action_format=fmt)
        try:
            for seed in range(3):
                env.reset(seed=seed)
                for _ in range(env.unwrapped.max_turns):
                    *_, term, trunc, info = env.step(env.unwrapped.oracle_action())
                    if term or trunc:
                        break
                assert info["success"] is True and info["score"] == 1.0, (
                    fmt,
                    seed,
                    info["task_id"],
                )
        finally:
            env.close()


def test_random_agent_stays_near_zero(env_id):
    from agentgym.runner import run_episodes, summarise

    env = gym.make(env_id)
    try:
        summary = summarise(env_id, "random", list(run_episodes(env, RandomAgent(env, seed=0), 10)))
    finally:
        env.close()
    assert summary.success_rate <= 0.1


def test_same_seed_same_episode_across_processes(env_id):
    here = trace(env_id)
    code = (
        "import json, sys; sys.path.insert(0, 'tests'); import conftest; "
        f"from test_envs import trace; print(json.dumps(trace({env_id!r})))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    there = json.loads(proc.stdout.strip().splitlines()[-1])
    assert json.loads(json.dumps(here)) == there
    assert len(here) >= 4


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_vector_envs(env_id, mode):
    envs = gym.make_vec(env_id, num_envs=4, vectorization_mode=mode, max_turns=2)
    try:
        obs, info = envs.reset(seed=0)
        first = [fingerprint(text_of(o)) for o in _unbatch(obs, 4)]
        obs1, r, term, trunc, info = envs.step(["<<bad"] * 4)
        step1 = [fingerprint(text_of(o)) for o in _unbatch(obs1, 4)]
        assert step1 != first and all("Error" in s for s in step1)
        obs2, r, term, trunc, info = envs.step(["<<also bad"] * 4)
        assert trunc.all() and not term.any()
        obs3, r, term, trunc, info = envs.step(["<<ignored"] * 4)  # next-step autoreset
        assert [fingerprint(text_of(o)) for o in _unbatch(obs3, 4)] != [
            fingerprint(text_of(o)) for o in _unbatch(obs2, 4)
        ]
        assert (r == 0).all()
    finally:
        envs.close()


def _unbatch(obs, n):
    if isinstance(obs, dict):
        return [{k: v[i] for k, v in obs.items()} for i in range(n)]
    return [obs[i] for i in range(n)]


def _render_modes(env_id):
    env = gym.make(env_id)
    try:
        return list(env.unwrapped.metadata["render_modes"])
    finally:
        env.close()
