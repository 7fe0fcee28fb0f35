"""TextActions: guard a vector env against a bare ``str`` batch of actions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gymnasium.vector import VectorEnv, VectorWrapper

__all__ = ["TextActions", "check_text_actions"]


def check_text_actions(actions: Any, num_envs: int) -> list[str]:
    """Return ``actions`` as a list of ``num_envs`` strings, or raise a clear error.

    A vector env iterates its actions, so a bare string would silently be split into
    characters, one per env.

    Raises:
        TypeError: If ``actions`` is a ``str`` or not a sequence.
        ValueError: If the number of actions differs from ``num_envs``.
    """
    if isinstance(actions, str | bytes):
        raise TypeError(
            "a vector env takes one action per env (a list of str), got a single str; "
            "wrap it: [action] * num_envs"
        )
    if not isinstance(actions, Sequence) and not hasattr(actions, "__len__"):
        raise TypeError(f"actions must be a list of str, got {type(actions).__name__}")
    actions = list(actions)
    if len(actions) != num_envs:
        raise ValueError(f"expected {num_envs} actions (one per env), got {len(actions)}")
    return actions


class TextActions(VectorWrapper):
    """A vector wrapper that checks each ``step`` gets exactly one action per env.

    Example:
        >>> import gymnasium as gym, agentgym
        >>> from agentgym.wrappers import TextActions
        >>> envs = TextActions(gym.make_vec("AgentCode-v0", num_envs=2))
    """

    def __init__(self, env: VectorEnv):
        super().__init__(env)

    def step(self, actions: Any) -> tuple[Any, Any, Any, Any, dict[str, Any]]:
        """Check ``actions`` then step the vector env."""
        return self.env.step(check_text_actions(actions, self.num_envs))
