"""The registry of agentgym envs: ids, entry points and one-line descriptions.

Registration happens on ``import agentgym`` (gymnasium 1.x loads no plugins), and
``gym.make("agentgym:AgentCode-v0")`` imports this package itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym

__all__ = ["ENVS", "EnvSpec", "register_envs"]


@dataclass(frozen=True)
class EnvSpec:
    """A registered env: its gymnasium id, entry point and a one-line description."""

    id: str
    entry_point: str
    summary: str


ENVS: tuple[EnvSpec, ...] = (
    EnvSpec(
        "AgentCode-v0",
        "agentgym.environments.code:CodeEnv",
        "write and debug Python in a sandbox; graded by hidden tests",
    ),
    EnvSpec(
        "AgentMath-v0",
        "agentgym.environments.math:MathEnv",
        "solve math problems with Python and a symbolic answer verifier; dense step rewards",
    ),
    EnvSpec(
        "AgentGUI-v0",
        "agentgym.environments.gui:GUIEnv",
        "operate mock desktop apps (mail, calendar, files, settings, shop, tasks) via a11y tree/pixels",
    ),
    EnvSpec(
        "AgentSearch-v0",
        "agentgym.environments.search:SearchEnv",
        "answer multi-hop questions by searching and browsing a simulated web over local HTTP",
    ),
)


def register_envs() -> None:
    """Register every env in :data:`ENVS` with gymnasium (idempotent)."""
    for spec in ENVS:
        if spec.id not in gym.registry:
            # Gymnasium's passive checker keeps state from the first reset: if that reset
            # raised (bad options), every later step fails inside the checker. The full
            # check_env runs in the tests instead.
            gym.register(id=spec.id, entry_point=spec.entry_point, disable_env_checker=True)
