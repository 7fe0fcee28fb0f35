"""The openai format takes the assistant message as the OpenAI SDK gives it, not only its JSON."""

import json

import gymnasium as gym
import pytest
from openai.types.chat import ChatCompletionMessage

import agentgym  # noqa: F401
from agentgym.wrappers import ChatWrapper

CALL = {
    "id": "call_abc",
    "type": "function",
    "function": {"name": "python", "arguments": json.dumps({"code": "print(6 * 7)"})},
}
MESSAGE = {"role": "assistant", "content": "Let me compute.", "tool_calls": [CALL]}


@pytest.fixture
def env():
    env = ChatWrapper(gym.make("AgentMath-v0", action_format="openai"))
    env.reset(seed=0)
    yield env
    env.close()


@pytest.mark.parametrize(
    "action",
    [
        json.dumps(MESSAGE),
        MESSAGE,
        ChatCompletionMessage.model_validate(MESSAGE),
    ],
    ids=["json", "dict", "sdk-object"],
)
def test_every_form_of_the_message_steps_alike(env, action):
    obs, reward, terminated, truncated, info = env.step(action)
    assert info["parse_error"] is None
    assert info["reward_components"]["format"] == 0
    assert obs == '<tool_result name="python">\n42\n</tool_result>'
    assistant, tool = info["messages"][-2:]
    assert assistant == {
        "role": "assistant",
        "content": "Let me compute.",
        "tool_calls": [
            {
                "id": info["tool_calls"][0]["id"],
                "type": "function",
                "function": CALL["function"],
            }
        ],
    }
    assert tool["role"] == "tool" and tool["content"] == "42"


def test_a_message_without_tool_calls_is_stored_as_its_text(env):
    obs, *_, info = env.step(ChatCompletionMessage(role="assistant", content="thinking"))
    assert "no tool_calls" in info["parse_error"]
    assert info["messages"][-2] == {"role": "assistant", "content": "thinking"}


def test_other_objects_are_still_a_clear_parse_error(env):
    obs, *_, info = env.step(12)
    assert info["parse_error"] == "action must be a str, got int"
    obs, *_, info = env.step({"content": object(), "tool_calls": []})
    assert "action must be a str, got dict" in info["parse_error"]
