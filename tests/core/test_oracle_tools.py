"""oracle_action(style="tools") demonstrates the tools before answering."""

import gymnasium as gym
import pytest

import agentgym  # noqa: F401


def test_code_oracle_tests_then_submits():
    env = gym.make("AgentCode-v0", difficulty="easy")
    try:
        env.reset(seed=0)
        names = []
        terminated = truncated = False
        while not (terminated or truncated):
            *_, terminated, truncated, info = env.step(env.unwrapped.oracle_action(style="tools"))
            names += [c["name"] for c in info["tool_calls"]]
        assert names == ["run_tests", "submit"]
        assert info["success"] and info["score"] == 1.0
    finally:
        env.close()


@pytest.mark.parametrize("env_id", ["AgentMath-v0", "AgentSearch-v0", "AgentGUI-v0"])
def test_tools_style_oracle_succeeds_everywhere(env_id):
    env = gym.make(env_id)
    try:
        env.reset(seed=0)
        terminated = truncated = False
        while not (terminated or truncated):
            *_, terminated, truncated, info = env.step(env.unwrapped.oracle_action(style="tools"))
        assert info["success"]
        with pytest.raises(ValueError, match="style must be"):
            env.unwrapped.oracle_action(style="fast")
    finally:
        env.close()
