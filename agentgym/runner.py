"""Run agents on envs for whole episodes and summarise the results."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import gymnasium as gym

__all__ = ["EpisodeResult", "RunSummary", "run_episodes", "summarise"]


@dataclass(frozen=True)
class EpisodeResult:
    """One finished episode."""

    task_id: str
    seed: int | None
    success: bool
    score: float
    turns: int
    episode_return: float
    step_ms: float
    truncated: bool


@dataclass(frozen=True)
class RunSummary:
    """Aggregates over episodes (latency in milliseconds per env step, agent time excluded)."""

    env_id: str
    agent: str
    episodes: int
    success_rate: float
    mean_score: float
    mean_turns: float
    mean_return: float
    mean_step_ms: float

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as a dict."""
        return asdict(self)


def run_episodes(
    env: gym.Env, agent: Any, episodes: int, seed: int | None = 0
) -> Iterator[EpisodeResult]:
    """Play ``episodes`` episodes, yielding each result as it finishes.

    Episode ``i`` is reset with ``seed + i`` (or no seed when ``seed`` is None), so runs replay.
    """
    for i in range(episodes):
        ep_seed = None if seed is None else seed + i
        obs, info = env.reset(seed=ep_seed)
        agent.reset(obs, info)
        total, step_s, turns = 0.0, 0.0, 0
        while True:
            action = agent.act(obs, info)
            t0 = time.perf_counter()
            obs, reward, terminated, truncated, info = env.step(action)
            step_s += time.perf_counter() - t0
            total += float(reward)
            turns += 1
            if terminated or truncated:
                break
        yield EpisodeResult(
            task_id=str(info.get("task_id")),
            seed=ep_seed,
            success=bool(info.get("success", False)),
            score=float(info.get("score", 0.0)),
            turns=turns,
            episode_return=total,
            step_ms=1000.0 * step_s / turns,
            truncated=bool(truncated),
        )


def summarise(env_id: str, agent: str, results: list[EpisodeResult]) -> RunSummary:
    """Aggregate episode results."""
    n = max(len(results), 1)

    def mean(fn: Callable[[EpisodeResult], float]) -> float:
        return sum(fn(r) for r in results) / n

    return RunSummary(
        env_id=env_id,
        agent=agent,
        episodes=len(results),
        success_rate=mean(lambda r: float(r.success)),
        mean_score=mean(lambda r: r.score),
        mean_turns=mean(lambda r: float(r.turns)),
        mean_return=mean(lambda r: r.episode_return),
        mean_step_ms=mean(lambda r: r.step_ms),
    )
