"""Tiny tasks for the trainer tests, registered with gymnasium under test-only ids.

``Digits-v0`` scores the share of digits in the completion (a dense signal a randomly
initialised policy can climb in a few GRPO steps); ``Lookup-v0`` maps a code word in the
prompt to a colour (copying a fixed association, learnable by a short SFT).
"""

import gymnasium as gym
import pytest
import torch

from agentgym.core import AgentEnv
from agentgym.tasks import Task, TaskList
from agentgym.tools import Tool, ToolCall

COLOURS = {"alpha": "red", "bravo": "blue", "charlie": "green", "delta": "gold"}


def _answer_tool(fn):
    return Tool(
        "answer",
        "Give the answer; ends the episode.",
        {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
        fn,
        main_arg="text",
        terminal=True,
    )


class DigitsEnv(AgentEnv):
    """Score = share of ASCII digits in the answer; plain text counts as the answer."""

    description = "Answer with digits only."
    default_max_turns = 1

    def _make_tools(self):
        return [_answer_tool(self._answer)]

    def _make_task_source(self, task_source, difficulty):
        return TaskList([Task(f"digits-{i}", f"Write digits ({i}).") for i in range(4)])

    def _begin(self, task):
        self.text = ""
        return task.prompt

    def _answer(self, text):
        self.text = text
        return "ok"

    def _fallback_calls(self, parsed, action):
        return [ToolCall("answer", {"text": parsed.text})]

    def _score(self):
        if not self.text:
            return 0.0
        return sum(c.isascii() and c.isdigit() for c in self.text) / len(self.text)

    def _oracle_calls(self):
        return [ToolCall("answer", {"text": "1234"})]


class LookupEnv(AgentEnv):
    """Answer the colour of the code word in the prompt."""

    description = "Name the colour."
    default_max_turns = 2

    def _make_tools(self):
        return [_answer_tool(self._answer)]

    def _make_task_source(self, task_source, difficulty):
        return TaskList([Task(w, f"{w}?", data={"colour": c}) for w, c in COLOURS.items()])

    def _begin(self, task):
        self.given = None
        return task.prompt

    def _answer(self, text):
        self.given = text
        return "ok"

    def _score(self):
        return float(self.given == self.task.data["colour"])

    def _oracle_calls(self):
        return [ToolCall("answer", {"text": self.task.data["colour"]})]


# the tests share two cores; one thread each avoids oversubscription
torch.set_num_threads(1)

for _id, _cls in (("Digits-v0", DigitsEnv), ("Lookup-v0", LookupEnv)):
    if _id not in gym.registry:
        gym.register(_id, entry_point=_cls)


@pytest.fixture
def tiny_policy_config():
    return {
        "kind": "tiny",
        "d_model": 32,
        "n_layers": 1,
        "n_heads": 2,
        "max_len": 96,
        "system_prompt": False,
    }
