"""Build the named agents that ``agentgym run`` and ``agentgym bench`` play."""

from __future__ import annotations

from typing import Any

import gymnasium as gym

__all__ = ["AGENTS", "make_agent"]

AGENTS: tuple[str, ...] = ("oracle", "random", "openai")

_OPENAI_OPTIONS = frozenset(
    {
        "api_key",
        "temperature",
        "max_tokens",
        "timeout_s",
        "max_retries",
        "backoff_s",
        "retry_budget",
    }
)


def make_agent(name: str, env: gym.Env, seed: int | None = None, **kwargs: Any) -> Any:
    """Build a named agent (``oracle``, ``random`` or ``openai``) for ``env``.

    Args:
        name: The agent's name.
        env: The env it plays (its action format is the agent's).
        seed: Seeds the random agent (and the openai agent's retry jitter).
        **kwargs: For ``openai``: ``base_url`` and ``model`` (required), and optionally
            ``api_key``, ``temperature``, ``max_tokens``, ``timeout_s``, ``max_retries``,
            ``backoff_s`` and a shared ``retry_budget``. Unset (None) values are ignored.

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
        options = {k: v for k, v in kwargs.items() if k in _OPENAI_OPTIONS and v is not None}
        return ChatCompletionsAgent(
            kwargs["base_url"],
            kwargs["model"],
            action_format=env.unwrapped.action_format,
            seed=seed,
            **options,
        )
    raise ValueError(f"unknown agent {name!r}; choose {', '.join(AGENTS)}")
