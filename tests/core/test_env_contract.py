"""The family contract of AgentEnv: two-phase construction and rewards returned as data."""

from __future__ import annotations

import pytest

from agentgym.core import AgentEnv, EnvConfig
from agentgym.tasks import Task, TaskList
from agentgym.tools.base import Tool, ToolCall, ToolOutput

_TEXT = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}


class PenaltyEnv(AgentEnv):
    """Its tools read state set in __init__, and return their reward components."""

    extra_reward_components = ("style",)
    default_max_turns = 3

    def __init__(self, *, shout_penalty: float = -0.5, **config):
        super().__init__(**config)
        self.shout_penalty = shout_penalty
        self.built_with = None

    def _make_tools(self):
        # Runs after __init__ returned, so the subclass's own state is there.
        self.built_with = self.shout_penalty
        return [
            Tool("say", "Say something.", _TEXT, self._say, main_arg="text"),
            Tool("bad", "Returns an undeclared component.", _TEXT, self._bad, main_arg="text"),
            Tool("end", "Stop.", {"type": "object", "properties": {}}, self._end, terminal=True),
        ]

    def _make_task_source(self, task_source, difficulty):
        assert self.shout_penalty is not None
        return TaskList([Task("t", "Talk.")])

    def _begin(self, task):
        return task.prompt

    def _say(self, text):
        rewards = {"style": self.shout_penalty} if text.isupper() else {}
        return ToolOutput("said", rewards=rewards)

    def _bad(self, text):
        return ToolOutput("bad", rewards={"outcome": 1.0})

    def _end(self):
        return ToolOutput("bye")

    def _score(self):
        return 1.0

    def _oracle_calls(self):
        return [ToolCall("end", {})]


def test_hooks_run_after_the_subclass_init_returned():
    env = PenaltyEnv(shout_penalty=-0.25)
    assert env.built_with == -0.25
    assert set(env.tools) == {"say", "bad", "end"}
    assert env.config == EnvConfig()
    assert env.max_turns == 3


def test_tool_rewards_are_summed_into_the_step_components():
    env = PenaltyEnv(reward_mode="dense")
    env.reset(seed=0)
    _, reward, *_, info = env.step("<say>HELLO</say><say>HEY</say><say>quiet</say>")
    assert info["reward_components"]["style"] == pytest.approx(-1.0)
    assert reward == pytest.approx(-1.0)
    _, reward, *_, info = env.step("<say>fine</say>")
    assert info["reward_components"]["style"] == 0.0


def test_a_tool_may_not_pay_a_component_the_core_owns():
    env = PenaltyEnv()
    env.reset(seed=0)
    with pytest.raises(KeyError, match="outcome"):
        env.step("<bad>x</bad>")


def test_add_reward_is_gone():
    assert not hasattr(AgentEnv, "add_reward")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"reward_mode": "denser"}, "reward_mode"),
        ({"max_turns": 0}, "max_turns"),
        ({"max_turns": True}, "max_turns"),
        ({"action_format": "yaml"}, "action_format"),
        ({"difficulty": "brutal"}, "difficulty"),
        ({"time_limit_s": -1}, "time_limit_s"),
        ({"time_limit_s": True}, "time_limit_s"),
    ],
)
def test_common_arguments_are_checked_once(kwargs, message):
    with pytest.raises(ValueError, match=message):
        EnvConfig(**kwargs)
    with pytest.raises(ValueError, match=message):
        PenaltyEnv(**kwargs)


def test_an_unknown_argument_names_itself():
    with pytest.raises(TypeError, match="colour"):
        PenaltyEnv(colour="red")
