"""SkyRL-Gym: a ``BaseTextEnv``-shaped env backed by an agentgym env.

SkyRL builds one env per trajectory as ``cls(env_config, extras)`` and drives it with
``init(prompt)`` and ``step(action)``, where ``step`` returns a dict with ``observations``
(OpenAI messages), ``reward``, ``done`` and ``metadata``. Register this class with SkyRL under a
name of your choice; the dataset's ``extras`` carry ``env_id`` and optionally ``task_id``,
``seed`` and ``env_kwargs``.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym

from agentgym.integrations.episodes import step_metadata

__all__ = ["SkyRLTextEnv"]


class SkyRLTextEnv:
    """SkyRL ``BaseTextEnv``-compatible adapter.

    Args:
        env_config: SkyRL's env config (unused keys are ignored).
        extras: ``{"env_id": ..., "task_id"?: ..., "seed"?: ..., "env_kwargs"?: {...}}``.
    """

    def __init__(self, env_config: Any = None, extras: dict[str, Any] | None = None):

        extras = dict(extras or {})
        if "env_id" not in extras:
            raise ValueError("SkyRLTextEnv extras need 'env_id'")
        self.env = gym.make(extras["env_id"], **extras.get("env_kwargs", {}))
        self.task_id = extras.get("task_id")
        self.seed = extras.get("seed")
        self.max_turns = self.env.unwrapped.max_turns
        self.turns = 0

    def init(
        self, prompt: list[dict[str, Any]] | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Reset the env; returns the env's chat prompt (system + task) and metadata."""
        options = {"task_id": self.task_id} if self.task_id is not None else None
        _, info = self.env.reset(seed=self.seed, options=options)
        self.turns = 0
        return [dict(m) for m in info["messages"]], {
            "task_id": info["task_id"],
            "tools": info["tools"],
        }

    def step(self, action: str) -> dict[str, Any]:
        """Step with the model's completion; returns SkyRL's step output dict."""
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.turns += 1
        done = bool(terminated or truncated)
        return {
            "observations": [] if done else [{"role": "user", "content": obs}],
            "reward": float(reward),
            "done": done,
            "metadata": step_metadata(info, done),
            "postprocessed_action": None,
        }

    def close(self) -> None:
        """Close the env."""
        self.env.close()
