"""A keyed pool of live episodes, the state every trainer adapter needs."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym

__all__ = ["Episode", "EpisodePool", "step_metadata"]


_STEP_KEYS = ("task_id", "turn", "parse_error", "reward_components")


def step_metadata(info: dict[str, Any], done: bool) -> dict[str, Any]:
    """The per-step metadata the trainer adapters report (score and success once done)."""
    meta = {k: info[k] for k in _STEP_KEYS if k in info}
    if done:
        meta.update(score=info.get("score"), success=info.get("success"))
    return meta


@dataclass
class Episode:
    """One live episode: its env, the last observation/info and the running return."""

    env: gym.Env
    observation: Any
    info: dict[str, Any]
    total_reward: float = 0.0
    done: bool = False
    rewards: list[float] = field(default_factory=list)


class EpisodePool:
    """Create, step and close episodes by key (a trainer's instance or request id).

    Envs are reused per ``(env_id, kwargs)`` once their episode is closed, so a long training
    run does not pay env construction (sandbox start, index load) per episode.

    Args:
        env_id: The registered env id.
        **env_kwargs: Passed to ``gym.make``.
    """

    def __init__(self, env_id: str, **env_kwargs: Any):

        if env_id not in gym.registry:
            raise ValueError(f"unknown env id {env_id!r}")
        self.env_id = env_id
        self.env_kwargs = env_kwargs
        self._live: dict[str, Episode] = {}
        self._idle: list[gym.Env] = []
        self._lock = threading.Lock()

    def start(self, key: str, *, seed: int | None = None, task_id: str | None = None) -> Episode:
        """Reset an env for ``key`` (replacing a live episode of the same key)."""
        self.close(key)
        with self._lock:
            env = self._idle.pop() if self._idle else gym.make(self.env_id, **self.env_kwargs)
        options = {"task_id": task_id} if task_id is not None else None
        try:
            obs, info = env.reset(seed=seed, options=options)
        except BaseException:
            env.close()  # a reset that failed leaves the env in an unknown state
            raise
        episode = Episode(env, obs, info)
        with self._lock:
            self._live[key] = episode
        return episode

    def get(self, key: str) -> Episode:
        """Return the live episode of ``key``."""
        try:
            return self._live[key]
        except KeyError:
            raise KeyError(f"no live episode {key!r}; start it first") from None

    def step(self, key: str, action: str) -> tuple[Any, float, bool, dict[str, Any]]:
        """Step the episode of ``key``; returns (observation, reward, done, info)."""
        ep = self.get(key)
        if ep.done:
            raise RuntimeError(f"episode {key!r} has ended")
        obs, reward, terminated, truncated, info = ep.env.step(action)
        ep.observation, ep.info, ep.done = obs, info, bool(terminated or truncated)
        ep.total_reward += float(reward)
        ep.rewards.append(float(reward))
        return obs, float(reward), ep.done, info

    def close(self, key: str) -> None:
        """End the episode of ``key`` (if any) and keep its env for reuse."""
        with self._lock:
            ep = self._live.pop(key, None)
            if ep is not None:
                self._idle.append(ep.env)

    def discard(self, key: str) -> None:
        """End the episode of ``key`` (if any) and close its env (after an error or a cancel)."""
        with self._lock:
            ep = self._live.pop(key, None)
        if ep is not None:
            ep.env.close()

    @property
    def live(self) -> int:
        """Episodes started and not yet closed."""
        return len(self._live)

    @property
    def idle(self) -> int:
        """Envs kept for reuse."""
        return len(self._idle)

    def shutdown(self) -> None:
        """Close every env."""
        with self._lock:
            envs = [ep.env for ep in self._live.values()] + self._idle
            self._live.clear()
            self._idle.clear()
        for env in envs:
            env.close()
