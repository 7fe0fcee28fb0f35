"""The oracle agent: replays the env's privileged ``oracle_action``."""

from __future__ import annotations

from typing import Any

import gymnasium as gym

__all__ = ["OracleAgent"]


class OracleAgent:
    """An agent that plays the env's ``oracle_action()`` (an upper bound and SFT data source).

    Args:
        env: The env it plays (its ``unwrapped`` must be an :class:`agentgym.AgentEnv`).
    """

    def __init__(self, env: gym.Env):
        self.env = env

    def reset(self, observation: str, info: dict[str, Any]) -> None:
        """Nothing to reset: the oracle reads the env's state."""

    def act(self, observation: str, info: dict[str, Any]) -> str:
        """Return the env's oracle action."""
        return self.env.unwrapped.oracle_action()
