"""A tiny AgentEnv used to test the core without a sandbox."""

from __future__ import annotations

from agentgym.core import AgentEnv
from agentgym.tasks import Task, TaskList
from agentgym.tools import Tool, ToolCall, ToolOutput

WORDS = ["apple", "river", "stone", "cloud", "ember", "maple"]


class GuessEnv(AgentEnv):
    """Guess a hidden word; `hint` reveals one more letter (dense progress), `guess` ends it."""

    description = "Guess the hidden word."
    extra_reward_components = ("hint",)

    def _make_tools(self):
        return [
            Tool(
                "hint", "Reveal the next letter.", {"type": "object", "properties": {}}, self._hint
            ),
            Tool(
                "guess",
                "Guess the word; ends the episode.",
                {
                    "type": "object",
                    "properties": {"word": {"type": "string"}},
                    "required": ["word"],
                },
                self._guess,
                main_arg="word",
                terminal=True,
            ),
            Tool(
                "echo",
                "Echo text n times.",
                {
                    "type": "object",
                    "properties": {"text": {"type": "string"}, "n": {"type": "integer"}},
                    "required": ["text"],
                },
                lambda text, n=1: ToolOutput(text * n),
                main_arg="text",
            ),
        ]

    def _make_task_source(self, task_source, difficulty):
        return TaskList(
            [Task(f"word-{i}", "Guess the word.", data={"word": w}) for i, w in enumerate(WORDS)]
        )

    def _begin(self, task):
        self.revealed = 0
        self.guessed = None
        return task.prompt + f" It has {len(task.data['word'])} letters."

    def _hint(self):
        self.revealed = min(self.revealed + 1, len(self.task.data["word"]))
        return self.task.data["word"][: self.revealed]

    def _guess(self, word):
        self.guessed = word
        return "correct" if word == self.task.data["word"] else "wrong"

    def _potential(self):
        return 0.5 * self.revealed / len(self.task.data["word"])

    def _score(self):
        return float(self.guessed == self.task.data["word"])

    def _oracle_calls(self):
        return [ToolCall("guess", {"word": self.task.data["word"]})]
