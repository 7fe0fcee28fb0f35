"""Run agents on envs for whole episodes: play one and record it whole, or summarise many.

The loop knows agents only by the interface of :class:`agentgym.agents.base.Agent`
(``reset`` and ``act``); an agent may also offer ``usage`` (token counts) and
``transcript()`` (the messages it exchanged), which :func:`play_episode` records.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import gymnasium as gym

__all__ = ["EpisodeResult", "RunSummary", "play_episode", "run_episodes", "summarise"]


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


def play_episode(
    env: gym.Env,
    agent: Any,
    seed: int | None,
    *,
    screenshots: Callable[[int, Any], str | None] | None = None,
) -> dict[str, Any]:
    """Play one episode and return its full record (a JSON-ready dict).

    An exception raised by the agent (a chat server that stays down, say) does not propagate:
    the record is marked ``errored`` with the error, and holds the turns played so far.

    Args:
        env: The env (reset with ``seed``).
        agent: Anything with ``reset(obs, info)`` and ``act(obs, info) -> str``.
        seed: The reset seed.
        screenshots: Optional ``screenshots(turn, observation) -> ref``, called after reset
            (turn 0) and after each step, for envs that draw a screen; the returned reference
            (a file path, say) is stored on the record and on each step.

    Returns:
        ``task_id``, ``difficulty``, ``seed``, ``success``, ``score``, ``turns``, ``return``,
        ``truncated``, ``errored``, ``error``, ``system_prompt``, ``prompt``, ``steps`` (per
        turn: action, observation, reward, reward components, tool calls and results, parse
        error, env and agent milliseconds), ``messages`` and ``usage``, and ``timing``.
    """
    t_start = time.perf_counter()
    obs, info = env.reset(seed=seed)
    task = getattr(env.unwrapped, "task", None)
    record: dict[str, Any] = {
        "task_id": str(info.get("task_id")),
        "difficulty": getattr(task, "difficulty", None),
        "seed": seed,
        "success": False,
        "score": 0.0,
        "turns": 0,
        "return": 0.0,
        "truncated": False,
        "errored": False,
        "error": None,
        "system_prompt": info.get("system_prompt"),
        "prompt": _text(obs),
        "steps": [],
    }
    if screenshots is not None:
        record["screenshot"] = screenshots(0, obs)
    env_s = agent_s = 0.0
    first_messages = [dict(m) for m in info.get("messages", [])]
    try:
        agent.reset(obs, info)
        while True:
            t0 = time.perf_counter()
            action = agent.act(obs, info)
            t1 = time.perf_counter()
            agent_s += t1 - t0
            obs, reward, terminated, truncated, info = env.step(action)
            t2 = time.perf_counter()
            env_s += t2 - t1
            step = {
                "action": action,
                "observation": _text(obs),
                "reward": float(reward),
                "reward_components": dict(info.get("reward_components", {})),
                "tool_calls": info.get("tool_calls", []),
                "tool_results": info.get("tool_results", []),
                "parse_error": info.get("parse_error"),
                "env_ms": round(1000 * (t2 - t1), 3),
                "agent_ms": round(1000 * (t1 - t0), 3),
            }
            if screenshots is not None:
                step["screenshot"] = screenshots(len(record["steps"]) + 1, obs)
            record["steps"].append(step)
            record["return"] += float(reward)
            if terminated or truncated:
                record["success"] = bool(info.get("success", False))
                record["score"] = float(info.get("score", 0.0))
                record["truncated"] = bool(truncated)
                break
    except Exception as e:  # the episode is recorded as errored; the run goes on
        record["errored"] = True
        record["error"] = f"{type(e).__name__}: {e}"
        record["traceback"] = traceback.format_exc(limit=8)
    record["turns"] = len(record["steps"])
    if hasattr(agent, "transcript"):
        record["messages"] = agent.transcript()
    else:  # the conversation as a chat model would have seen it
        record["messages"] = first_messages + [
            m
            for s in record["steps"]
            for m in (
                {"role": "assistant", "content": s["action"]},
                {"role": "user", "content": s["observation"]},
            )
        ]
    if hasattr(agent, "usage"):
        record["usage"] = dict(agent.usage)
    record["timing"] = {
        "wall_s": round(time.perf_counter() - t_start, 4),
        "env_s": round(env_s, 4),
        "agent_s": round(agent_s, 4),
    }
    return record


def _text(observation: Any) -> str:
    if isinstance(observation, dict):
        return str(observation.get("text", ""))
    if isinstance(observation, str):
        return observation
    return f"[{type(observation).__name__} observation]"  # a screenshot array, say
