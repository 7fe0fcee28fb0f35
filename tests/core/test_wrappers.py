import json

import gymnasium as gym
import pytest

from agentgym import ToolCall
from agentgym.wrappers import ChatWrapper, TextActions, TrajectoryRecorder, check_text_actions


def test_chat_wrapper_user_messages_for_xml():
    env = ChatWrapper(gym.make("Guess-v0"))
    obs, info = env.reset(seed=0)
    assert [m["role"] for m in info["messages"]] == ["system", "user"]
    env.step("<hint/>")
    obs, *_, info = env.step("not a call")
    roles = [m["role"] for m in info["messages"]]
    assert roles == ["system", "user", "assistant", "user", "assistant", "user"]
    assert info["messages"][-1]["content"] == obs and obs.startswith("Error:")
    assert env.messages == info["messages"] and env.messages is not info["messages"]


def test_chat_wrapper_tool_messages_for_openai():
    env = ChatWrapper(gym.make("Guess-v0", action_format="openai"))
    env.reset(seed=0)
    action = env.unwrapped.format_calls(
        [
            ToolCall("hint", {}),
            ToolCall("echo", {"text": "z"}),
        ]
    )
    *_, info = env.step(action)
    assistant, tool1, tool2 = info["messages"][2:]
    assert assistant["role"] == "assistant" and [
        c["function"]["name"] for c in assistant["tool_calls"]
    ] == ["hint", "echo"]
    assert tool1 == {
        "role": "tool",
        "tool_call_id": "call_1_0",
        "name": "hint",
        "content": tool1["content"],
    }
    assert tool2["tool_call_id"] == "call_1_1" and tool2["content"] == "z"


def test_trajectory_recorder_writes_one_line_per_episode(tmp_path):
    path = tmp_path / "sub" / "traj.jsonl"
    env = TrajectoryRecorder(gym.make("Guess-v0", max_turns=3), path)
    for seed in range(2):
        env.reset(seed=seed)
        env.step("<hint/>")
        env.step(env.unwrapped.oracle_action())
    env.reset(seed=5)
    env.step("<hint/>")  # unfinished episodes are not written
    env.close()
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(records) == 2 and env.episodes_written == 2
    rec = records[0]
    assert rec["env_id"] == "Guess-v0" and rec["seed"] == 0 and rec["success"] is True
    assert [s["action"] for s in rec["steps"]][0] == "<hint/>"
    assert rec["return"] == 1.0 and rec["terminated"] is True


def test_text_actions_guard():
    with pytest.raises(TypeError, match="single str"):
        check_text_actions("<hint/>", 2)
    with pytest.raises(ValueError, match="expected 2 actions"):
        check_text_actions(["a"], 2)
    envs = TextActions(gym.make_vec("Guess-v0", num_envs=2))
    envs.reset(seed=0)
    with pytest.raises(TypeError, match="single str"):
        envs.step("<hint/>")
    obs, *_ = envs.step(["<hint/>", "<hint/>"])
    assert len(obs) == 2
    envs.close()
