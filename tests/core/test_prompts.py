"""System prompts an agent can follow: arguments with types, examples valid as written, limits."""

import gymnasium as gym
import pytest

import agentgym  # noqa: F401
from agentgym.parsing import ACTION_FORMATS
from agentgym.prompts import parse_examples

ENV_IDS = [i for i in gym.registry if i.startswith("Agent") and i.endswith("-v0")]


@pytest.mark.parametrize("action_format", ACTION_FORMATS)
@pytest.mark.parametrize("env_id", ENV_IDS)
def test_every_example_in_the_prompt_steps_without_a_format_penalty(env_id, action_format):
    env = gym.make(env_id, action_format=action_format)
    try:
        _, info = env.reset(seed=0)
        prompt = info["system_prompt"]
        examples = parse_examples(prompt)
        tools = env.unwrapped.tools
        assert len(examples) == len(tools), prompt
        for name, tool in tools.items():
            assert f"- {name}: " in prompt
            for arg in tool.parameters.get("properties", {}):
                kind = tool.parameters["properties"][arg].get("type", "any")
                kind = " or ".join(kind) if isinstance(kind, list) else kind
                assert f"    {arg} ({kind}, " in prompt, (name, arg)
        for example in examples:
            env.reset(seed=0)
            _, _, _, _, step_info = env.step(example)
            assert step_info["parse_error"] is None, (example, step_info["parse_error"])
            assert step_info["reward_components"]["format"] == 0, (example, step_info)
            assert len(step_info["tool_calls"]) == 1
    finally:
        env.close()


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_the_prompt_states_the_turn_budget(env_id):
    env = gym.make(env_id, max_turns=7)
    try:
        _, info = env.reset(seed=0)
        assert "You have 7 turns; each message you send is one turn." in info["system_prompt"]
    finally:
        env.close()


def test_gui_xml_examples_name_their_arguments():
    env = gym.make("AgentGUI-v0")
    try:
        _, info = env.reset(seed=0)
        examples = parse_examples(info["system_prompt"])
        assert '<type id="1">text</type>' in examples
        assert '<click_xy x="1.0" y="1.0"/>' in examples or '<click_xy x="1" y="1"/>' in examples
        assert any(e.startswith("<scroll id=") for e in examples)
        assert any(e.startswith("<select id=") for e in examples)
    finally:
        env.close()


def test_sandbox_limits_are_stated_where_code_runs():
    env = gym.make("AgentCode-v0", timeout_s=3.5, memory_mb=300)
    try:
        _, info = env.reset(seed=0)
        assert "may take 3.5 seconds and use 300 MiB of memory" in info["system_prompt"]
    finally:
        env.close()
    env = gym.make("AgentMath-v0", python_timeout_s=4)
    try:
        _, info = env.reset(seed=0)
        assert (
            "A python call may run 4 seconds and use 512 MiB of memory." in (info["system_prompt"])
        )
    finally:
        env.close()
