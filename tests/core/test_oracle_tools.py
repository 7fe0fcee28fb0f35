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


def test_math_oracle_computes_with_python_then_answers():
    env = gym.make("AgentMath-v0", task_source="builtin:arithmetic,polynomials,fractions")
    try:
        used_python = 0
        for seed in range(12):
            env.reset(seed=seed)
            names = []
            terminated = truncated = False
            while not (terminated or truncated):
                action = env.unwrapped.oracle_action(style="tools")
                *_, terminated, truncated, info = env.step(action)
                names += [c["name"] for c in info["tool_calls"]]
            assert info["success"], (seed, names)
            assert names[-1] == "answer"
            used_python += names == ["python", "answer"]
        assert used_python >= 10  # every scalar answer is computed first
    finally:
        env.close()


def test_sft_demonstrations_use_the_tools_style():
    from agentgym.agents.sft import DEMONSTRATORS

    assert DEMONSTRATORS["oracle"] == "oracle-tools"
    assert DEMONSTRATORS["oracle-direct"] == "oracle"
