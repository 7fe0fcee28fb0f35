"""Build the named agents that ``agentgym run`` and ``agentgym bench`` play."""

from __future__ import annotations

from typing import Any

import gymnasium as gym

__all__ = ["make_agent"]


def make_agent(name: str, env: gym.Env, seed: int | None = None, **kwargs: Any) -> Any:
    """Build a named agent (``oracle``, ``random`` or ``openai``) for ``env``.

    Raises:
        ValueError: For an unknown name or missing client settings.
    """
    if name == "oracle":
        from agentgym.agents.oracle import OracleAgent

        return OracleAgent(env)
    if name == "random":
        from agentgym.agents.random import RandomAgent

        return RandomAgent(env, seed=seed)
    if name == "openai":
        from agentgym.agents.openai_client import ChatCompletionsAgent

        if not kwargs.get("base_url") or not kwargs.get("model"):
            raise ValueError("the openai agent needs --base-url and --model")
        return ChatCompletionsAgent(
            kwargs["base_url"],
            kwargs["model"],
            action_format=env.unwrapped.action_format,
            api_key=kwargs.get("api_key"),
        )
    raise ValueError(f"unknown agent {name!r}; choose oracle, random or openai")
