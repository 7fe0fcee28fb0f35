"""The random agent: well-formed calls to random tools with random arguments."""

from __future__ import annotations

import string
from typing import Any

import gymnasium as gym
import numpy as np

from agentgym.tools.base import ToolCall

__all__ = ["RandomAgent"]

_ALPHABET = np.array(list(string.ascii_lowercase + string.digits + " "))


class RandomAgent:
    """Call a uniformly chosen tool with random arguments that fit its schema.

    It is the floor of every env: calls parse, so scores near zero measure the task, not the
    parser. With probability ``garbage_p`` it emits unparseable text instead.

    Args:
        env: The env it plays (used for its tools and action format).
        seed: Seed of the agent's own generator.
        garbage_p: Probability of a malformed completion.
        allow_terminal: Whether episode-ending tools (``submit``, ``answer``) may be chosen.
    """

    def __init__(
        self,
        env: gym.Env,
        seed: int | None = None,
        garbage_p: float = 0.1,
        allow_terminal: bool = True,
    ):
        self.env = env
        self.rng = np.random.default_rng(seed)
        self.garbage_p = garbage_p
        self.allow_terminal = allow_terminal

    def reset(self, observation: str, info: dict[str, Any]) -> None:
        """Nothing to reset."""

    def act(self, observation: str, info: dict[str, Any]) -> str:
        """Return a random call in the env's action format."""
        if self.rng.random() < self.garbage_p:
            return self._text(int(self.rng.integers(0, 40)))
        base = self.env.unwrapped
        tools = [t for t in base.tools.values() if self.allow_terminal or not t.terminal]
        tool = tools[int(self.rng.integers(len(tools)))]
        props = tool.parameters.get("properties", {})
        required = set(tool.parameters.get("required", ()))
        args = {
            name: self._value(spec)
            for name, spec in props.items()
            if name in required or self.rng.random() < 0.5
        }
        return base.format_calls([ToolCall(tool.name, args)])

    def _value(self, spec: dict[str, Any]) -> Any:
        if "enum" in spec:
            return spec["enum"][int(self.rng.integers(len(spec["enum"])))]
        kind = spec.get("type")
        if kind == "integer":
            lo, hi = spec.get("minimum", 0), spec.get("maximum", 20)
            return int(self.rng.integers(lo, hi + 1))
        if kind == "number":
            return float(np.round(self.rng.uniform(-10, 10), 2))
        if kind == "boolean":
            return bool(self.rng.random() < 0.5)
        return self._text(int(self.rng.integers(1, 12)))

    def _text(self, n: int) -> str:
        return "".join(self.rng.choice(_ALPHABET, size=n)).strip() or "x"
