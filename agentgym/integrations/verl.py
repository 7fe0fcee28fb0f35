"""verl: an interaction (multi-turn user/env side) backed by an agentgym env.

verl's multi-turn rollout calls an interaction object with ``start_interaction``,
``generate_response``, ``calculate_score`` and ``finalize_interaction`` (all ``async``). This
class implements that interface without importing verl; register it in verl's interaction
config by its import path ``agentgym.integrations.verl.AgentGymInteraction`` with
``config: {env_id: AgentMath-v0, env_kwargs: {...}}``.
"""

from __future__ import annotations

import uuid
from typing import Any

from agentgym.integrations.episodes import EpisodePool, step_metadata

__all__ = ["AgentGymInteraction"]


class AgentGymInteraction:
    """verl ``BaseInteraction``-compatible adapter.

    Args:
        config: ``{"env_id": ..., "env_kwargs": {...}, "name": ...}``.
    """

    def __init__(self, config: dict[str, Any]):
        self.config = config
        self.name = config.get("name", "agentgym")
        if "env_id" not in config:
            raise ValueError("AgentGymInteraction config needs 'env_id'")
        self.pool = EpisodePool(config["env_id"], **config.get("env_kwargs", {}))

    async def start_interaction(
        self,
        instance_id: str | None = None,
        *,
        task_id: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> str:
        """Start an episode (on ``task_id`` or a seeded draw); returns the instance id."""
        instance_id = instance_id or str(uuid.uuid4())
        self.pool.start(instance_id, seed=seed, task_id=task_id)
        return instance_id

    async def generate_response(
        self, instance_id: str, messages: list[dict[str, Any]], **kwargs: Any
    ) -> tuple[bool, str, float, dict[str, Any]]:
        """Step the env with the last assistant message.

        Returns:
            ``(should_terminate, observation, reward, metadata)`` as verl expects.
        """
        action = next(
            (
                str(m.get("content") or "")
                for m in reversed(messages)
                if m.get("role") == "assistant"
            ),
            "",
        )
        obs, reward, done, info = self.pool.step(instance_id, action)
        meta = step_metadata(info, done)
        return done, obs if isinstance(obs, str) else str(obs), reward, meta

    async def calculate_score(self, instance_id: str | None = None, **kwargs: Any) -> float:
        """Return the episode score if it ended, else the return so far."""
        if instance_id is None:
            return 0.0
        ep = self.pool.get(instance_id)
        return float(ep.info.get("score", ep.total_reward))

    async def finalize_interaction(self, instance_id: str | None = None, **kwargs: Any) -> None:
        """Release the episode's env for reuse."""
        if instance_id is not None:
            self.pool.close(instance_id)
