"""verl: an agent loop (verl >= 0.9) that runs agentgym episodes; an interaction for older verl.

verl 0.9 removed ``verl.interactions``; multi-turn environments plug in as *agent loops*
(``verl.experimental.agent_loop``): a class registered by name, instantiated per trajectory,
whose ``async run(sampling_params, **row)`` talks to verl's LLM server and returns an
``AgentLoopOutput`` (token ids, a response mask that is 0 on env tokens, the reward, extra
fields). :class:`AgentGymAgentLoop` is registered as ``agentgym`` when this module is
imported with verl installed; a dataset row selects it with ``agent_name: agentgym`` and
says which episode to play in ``extra_info["agentgym"]`` (or ``interaction_kwargs``):
``{"env_id": ..., "task_id"?: ..., "seed"?: ..., "env_kwargs"?: {...}, "max_turns"?: ...}``.

Env calls (reset, step, close) run on a thread pool, never on verl's event loop. Every
trajectory releases its env: to the pool for reuse after a normal end, closed after an error,
a step timeout (``AGENTGYM_VERL_STEP_TIMEOUT_S``, default 300 s) or a cancellation (once the
step in flight, if any, has returned). A failed or timed-out episode ends the trajectory
with its score so far and ``extra_fields["agentgym"]["error"]`` set, instead of failing the
batch; a cancellation propagates.

:class:`AgentGymInteraction` keeps the interaction interface of verl <= 0.8
(``start_interaction``, ``generate_response``, ``calculate_score``, ``finalize_interaction``),
now also off the event loop.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import functools
import json
import os
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from agentgym.integrations.episodes import EpisodePool, step_metadata

__all__ = ["AgentGymAgentLoop", "AgentGymInteraction", "shutdown"]

_MAX_WORKERS = int(os.environ.get("AGENTGYM_VERL_THREADS", "64"))
_executor: concurrent.futures.ThreadPoolExecutor | None = None
_pools: dict[str, EpisodePool] = {}
_lock = threading.Lock()


def _threads() -> concurrent.futures.ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = concurrent.futures.ThreadPoolExecutor(
                _MAX_WORKERS, thread_name_prefix="agentgym-verl"
            )
        return _executor


def _pool(env_id: str, env_kwargs: Mapping[str, Any]) -> EpisodePool:
    key = json.dumps([env_id, dict(env_kwargs)], sort_keys=True, default=repr)
    with _lock:
        pool = _pools.get(key)
        if pool is None:
            pool = _pools[key] = EpisodePool(env_id, **env_kwargs)
        return pool


def shutdown() -> None:
    """Close every pooled env and stop the thread pool (called at exit; safe to call early)."""
    global _executor
    with _lock:
        pools, executor = list(_pools.values()), _executor
        _pools.clear()
        _executor = None
    if executor is not None:
        executor.shutdown(wait=True)
    for pool in pools:
        pool.shutdown()


class _Episode:
    """One trajectory's env, stepped on the thread pool, released exactly once."""

    def __init__(self, pool: EpisodePool, step_timeout_s: float):
        self.pool = pool
        self.key = uuid.uuid4().hex
        self.timeout = step_timeout_s
        self.in_flight: concurrent.futures.Future | None = None
        self.failed = False
        self.released = False

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        future = _threads().submit(fn, *args)
        self.in_flight = future
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except BaseException:
            self.failed = True
            raise
        finally:
            if future.done():
                self.in_flight = None

    def release(self) -> None:
        """Return the env to the pool, or close it if the episode failed.

        Waits for the step in flight, if any, without blocking the event loop.
        """
        if self.released:
            return
        self.released = True
        if self.failed:
            action: Callable[[], None] = lambda: self.pool.discard(self.key)  # noqa: E731
        else:
            action = lambda: self.pool.close(self.key)  # noqa: E731
        pending = self.in_flight
        if pending is not None and not pending.done():
            pending.add_done_callback(lambda _: action())
        else:
            _threads().submit(action)


def _spec(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    extra = kwargs.get("extra_info") or {}
    spec = dict(extra.get("agentgym") or kwargs.get("interaction_kwargs") or {})
    if "env_id" not in spec:
        raise ValueError(
            "an agentgym row needs extra_info['agentgym'] (or interaction_kwargs) with env_id"
        )
    return spec


try:  # verl >= 0.9: the agent-loop extension point
    from verl.experimental.agent_loop.agent_loop import (
        AgentLoopBase,
        AgentLoopMetrics,
        AgentLoopOutput,
        register,
    )
except ImportError:  # verl absent (or too old): the agent loop is unavailable
    AgentLoopBase = None  # type: ignore[assignment, misc]

if AgentLoopBase is not None:

    @register("agentgym")
    class AgentGymAgentLoop(AgentLoopBase):  # type: ignore[valid-type, misc]
        """Plays one agentgym episode per trajectory with verl's LLM server.

        The prompt is the env's own chat prompt (system + task); each turn the model's
        completion (decoded) steps the env and the observation comes back as a user message.
        The trajectory ends when the episode does, after ``max_turns`` (the row's, else
        ``rollout.multi_turn.max_assistant_turns``, else the env's), or when the response
        reaches ``rollout.response_length`` tokens. ``reward_score`` is the episode's score
        if it ended, else its return so far; ``extra_fields["agentgym"]`` has the metrics.
        """

        def __init__(self, *args: Any, **kwargs: Any):
            super().__init__(*args, **kwargs)
            self.response_length = self.rollout_config.response_length
            multi_turn = self.rollout_config.get("multi_turn", {}) or {}
            self.max_assistant_turns = multi_turn.get("max_assistant_turns")
            self.step_timeout_s = float(os.environ.get("AGENTGYM_VERL_STEP_TIMEOUT_S", "300"))

        async def run(self, sampling_params: dict[str, Any], **kwargs: Any) -> Any:
            """Play the row's episode; returns verl's ``AgentLoopOutput``."""
            spec = _spec(kwargs)
            env_kwargs = dict(spec.get("env_kwargs") or {})
            if spec.get("max_turns") is not None:
                env_kwargs["max_turns"] = int(spec["max_turns"])
            episode = _Episode(_pool(spec["env_id"], env_kwargs), self.step_timeout_s)
            try:
                return await self._play(episode, spec, sampling_params)
            finally:
                episode.release()

        async def _play(
            self, episode: _Episode, spec: dict[str, Any], sampling_params: dict[str, Any]
        ) -> Any:
            import time

            pool, key = episode.pool, episode.key
            ep = await episode.call(
                functools.partial(
                    pool.start, key, seed=spec.get("seed"), task_id=spec.get("task_id")
                )
            )
            messages = [dict(m) for m in ep.info["messages"]]
            max_turns = self.max_assistant_turns or ep.env.unwrapped.max_turns
            prompt_ids = await self.ct_build_initial_tokens(messages)
            runtime_ids = list(prompt_ids)
            response_mask: list[int] = []
            rewards: list[float] = []
            info: dict[str, Any] = ep.info
            done, error, turns = False, None, 0
            timing = {"generate_sequences": 0.0, "tool_calls": 0.0}
            request_id = uuid.uuid4().hex
            while not done and turns < max_turns and len(response_mask) < self.response_length:
                start = time.monotonic()
                out = await self.server_manager.generate(
                    request_id=request_id, prompt_ids=runtime_ids, sampling_params=sampling_params
                )
                timing["generate_sequences"] += time.monotonic() - start
                merged, response_mask, _ = await self.ct_merge_assistant_token(
                    runtime_ids, out.token_ids, response_mask
                )
                runtime_ids = merged.token_ids
                text = self.tokenizer.decode(out.token_ids, skip_special_tokens=True)
                turns += 1
                start = time.monotonic()
                try:
                    obs, reward, done, info = await episode.call(pool.step, key, text)
                except (asyncio.CancelledError, KeyboardInterrupt):
                    raise
                except TimeoutError:
                    error = f"the env step took longer than {self.step_timeout_s:g} s"
                    break
                except Exception as e:  # the env broke: end this trajectory, not the batch
                    error = f"the env raised {type(e).__name__}: {e}"
                    break
                finally:
                    timing["tool_calls"] += time.monotonic() - start
                rewards.append(reward)
                messages.append({"role": "assistant", "content": text})
                if done or turns >= max_turns:
                    break
                previous = list(messages)
                messages.append({"role": "user", "content": str(obs)})
                merged, response_mask, _ = await self.ct_merge_context_msg(
                    previous, messages, runtime_ids, response_mask
                )
                runtime_ids = merged.token_ids
            response_ids = runtime_ids[len(runtime_ids) - len(response_mask) :]
            prompt_ids = runtime_ids[: len(runtime_ids) - len(response_mask)]
            score = float(info["score"]) if done and "score" in info else float(sum(rewards))
            metrics = {
                "env_id": spec["env_id"],
                "task_id": ep.info.get("task_id"),
                "success": bool(info.get("success", False)) if done else False,
                "score": score,
                "turns": turns,
                "return": float(sum(rewards)),
                "finished": done,
                "error": error,
                **({"last": step_metadata(info, done)} if rewards else {}),
            }
            return AgentLoopOutput(
                prompt_ids=prompt_ids,
                response_ids=response_ids[: self.response_length],
                response_mask=response_mask[: self.response_length],
                reward_score=score,
                num_turns=2 * turns + 1,
                metrics=AgentLoopMetrics(**timing),
                extra_fields={"turn_scores": rewards, "tool_rewards": [], "agentgym": metrics},
            )

else:
    AgentGymAgentLoop = None  # type: ignore[assignment, misc]


class AgentGymInteraction:
    """The interaction interface of verl <= 0.8 (``verl.interactions``), backed by an env.

    Args:
        config: ``{"env_id": ..., "env_kwargs": {...}, "name": ...}``.
    """

    def __init__(self, config: dict[str, Any]):
        self.config = config
        self.name = config.get("name", "agentgym")
        if "env_id" not in config:
            raise ValueError("AgentGymInteraction config needs 'env_id'")
        self.pool = EpisodePool(config["env_id"], **config.get("env_kwargs", {}))

    async def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.wrap_future(_threads().submit(fn, *args))

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
        await self._run(functools.partial(self.pool.start, instance_id, seed=seed, task_id=task_id))
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
        obs, reward, done, info = await self._run(self.pool.step, instance_id, action)
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
            await self._run(self.pool.close, instance_id)

    def close(self) -> None:
        """Close every env of this interaction."""
        self.pool.shutdown()


atexit.register(shutdown)
