"""The agent interface the CLI, the harness and the trainers drive."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = ["Agent"]


@runtime_checkable
class Agent(Protocol):
    """Something that maps the episode so far to the next completion.

    ``reset`` is called with the first observation and reset info, ``act`` with each later
    observation and step info (and once after reset); both receive the env's info dict, which
    holds the tools and, at reset, the system prompt and messages.
    """

    def reset(self, observation: str, info: dict[str, Any]) -> None:
        """Start a new episode."""

    def act(self, observation: str, info: dict[str, Any]) -> str:
        """Return the next completion (the env action)."""
