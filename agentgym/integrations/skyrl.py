"""SkyRL-Gym: every agentgym env as a SkyRL ``BaseTextEnv``, registered as ``agentgym/<EnvId>``.

SkyRL's generator builds one env per trajectory with
``skyrl_gym.make(env_class, env_config=..., extras=row_extras)`` (it sets
``extras["max_turns"]`` to its ``generator.max_turns``), then calls ``init(prompt)``,
``step(completion)`` until ``done``, ``get_metrics()`` and ``close()``, and aggregates the
trajectories' metrics with the class's ``aggregate_metrics``. Importing this module with
``skyrl_gym`` installed registers ``agentgym/AgentCode-v0``, ``agentgym/AgentMath-v0``, ... in
SkyRL's registry; without it, :class:`AgentGymTextEnv` is a plain class of the same shape.

The task comes from the row's ``extras``: ``task_id``, else ``seed``, else a seed derived from
the prompt's text, so all samples of one prompt (a GRPO group) get the same task. Envs are
pooled per ``(env id, env kwargs)`` and reused across trajectories; ``close()`` returns the
env to its pool (or closes it, if the episode failed), and :func:`shutdown` closes them all
(also at interpreter exit).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import threading
import uuid
from collections.abc import Mapping
from typing import Any

import gymnasium as gym

from agentgym.integrations.episodes import EpisodePool, step_metadata

try:  # the real base class when SkyRL-Gym is installed
    from skyrl_gym.envs.base_text_env import BaseTextEnv as _Base
except ModuleNotFoundError:  # pragma: no cover - exercised where skyrl_gym is absent
    _Base = object

__all__ = ["AgentGymTextEnv", "SkyRLTextEnv", "register_envs", "shutdown", "ENV_PREFIX"]

ENV_PREFIX = "agentgym/"

_pools: dict[str, EpisodePool] = {}
_pools_lock = threading.Lock()


def _pool(env_id: str, env_kwargs: dict[str, Any]) -> EpisodePool:
    key = json.dumps([env_id, env_kwargs], sort_keys=True, default=repr)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            pool = _pools[key] = EpisodePool(env_id, **env_kwargs)
        return pool


def shutdown() -> None:
    """Close every pooled env (registered with ``atexit``; call it to free them sooner)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.shutdown()


atexit.register(shutdown)


def _plain(value: Any) -> Any:
    """An OmegaConf ``DictConfig`` (SkyRL's env_config) or mapping as a plain dict."""
    if value is None:
        return {}
    try:
        from omegaconf import DictConfig, OmegaConf

        if isinstance(value, DictConfig):
            return OmegaConf.to_container(value, resolve=True)
    except ModuleNotFoundError:  # pragma: no cover
        pass
    return dict(value) if isinstance(value, Mapping) else {}


def _prompt_seed(prompt: Any) -> int:
    text = json.dumps(prompt, sort_keys=True, default=str)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


class AgentGymTextEnv(_Base):  # type: ignore[misc, valid-type]
    """One trajectory of an agentgym env, as SkyRL-Gym's ``BaseTextEnv``.

    Args:
        env_config: SkyRL's per-env config (``skyrl_gym_config.<env_class>``); its ``env_kwargs``
            (or, without that key, all its keys) are passed to ``gym.make``.
        extras: The dataset row's extras: ``task_id`` or ``seed`` (the task), ``max_turns``
            (the turn limit; SkyRL's generator always sets it), ``env_kwargs`` (more
            ``gym.make`` arguments), and ``env_id`` when the class is used unregistered.
        env_id: The agentgym env id (set by the registration ``agentgym/<EnvId>``).
    """

    def __init__(
        self,
        env_config: Any = None,
        extras: Mapping[str, Any] | None = None,
        *,
        env_id: str | None = None,
    ):
        if _Base is not object:
            super().__init__()
            self.init_tool_groups([])  # tools run inside the agentgym env
        extras = dict(extras or {})
        env_id = env_id or extras.get("env_id")
        if not env_id:
            raise ValueError("AgentGymTextEnv needs env_id (registration kwarg or extras)")
        config = _plain(env_config)
        kwargs = dict(config.get("env_kwargs", config))
        kwargs.update(_plain(extras.get("env_kwargs")))
        if extras.get("max_turns") is not None:
            kwargs["max_turns"] = int(extras["max_turns"])
        self.env_id = env_id
        self.env_kwargs = kwargs
        self.task_id = extras.get("task_id")
        self.seed = extras.get("seed")
        self._pool = _pool(env_id, kwargs)
        self._key = uuid.uuid4().hex
        self._failed = False
        self.turns = 0
        self.max_turns = kwargs.get("max_turns")
        self._return = 0.0
        self._components: dict[str, float] = {}
        self._parse_errors = 0
        self._last: dict[str, Any] = {}
        self._done = False

    def init(
        self, prompt: list[dict[str, Any]] | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Reset the env on the row's task; returns the env's prompt (system + task), metadata.

        The dataset's prompt is used only to pick a task when the row gives no ``task_id``
        or ``seed``.
        """
        seed = self.seed
        if self.task_id is None and seed is None:
            seed = _prompt_seed(prompt)
        try:
            ep = self._pool.start(self._key, seed=seed, task_id=self.task_id)
        except BaseException:
            self._failed = True
            raise
        self.max_turns = ep.env.unwrapped.max_turns
        self.turns, self._return, self._done = 0, 0.0, False
        self._components, self._parse_errors, self._last = {}, 0, {}
        info = ep.info
        return [dict(m) for m in info["messages"]], {
            "task_id": info["task_id"],
            "tools": info["tools"],
        }

    def step(self, action: str) -> dict[str, Any]:
        """Step with the model's completion; returns SkyRL's ``BaseTextEnvStepOutput``."""
        try:
            obs, reward, done, info = self._pool.step(self._key, action)
        except BaseException:
            self._failed = True
            raise
        self.turns += 1
        self._return += reward
        self._done = done
        self._last = info
        if info.get("parse_error"):
            self._parse_errors += 1
        for name, value in (info.get("reward_components") or {}).items():
            self._components[name] = self._components.get(name, 0.0) + float(value)
        return {
            "observations": [] if done else [{"role": "user", "content": str(obs)}],
            "reward": float(reward),
            "done": done,
            "metadata": step_metadata(info, done),
            "postprocessed_action": None,
        }

    @property
    def gym_env(self) -> gym.Env:
        """The Gymnasium env of the live trajectory (e.g. for ``unwrapped.oracle_action()``)."""
        return self._pool.get(self._key).env

    def get_metrics(self) -> dict[str, Any]:
        """This trajectory's metrics: success, score, turns, return, parse errors, components."""
        last = self._last
        metrics: dict[str, Any] = {
            "success": float(bool(last.get("success", False))),
            "score": float(last.get("score") or 0.0),
            "turns": self.turns,
            "return": self._return,
            "finished": float(self._done),
            "parse_errors": self._parse_errors,
        }
        for name, value in self._components.items():
            metrics[f"reward/{name}"] = value
        return metrics

    @staticmethod
    def aggregate_metrics(metrics: list[dict[str, Any]]) -> dict[str, Any]:
        """Means over trajectories (``success`` is the success rate), plus their count."""
        if not metrics:
            return {}
        sums: dict[str, list[float]] = {}
        for m in metrics:
            for k, v in m.items():
                if isinstance(v, bool | int | float):
                    sums.setdefault(k, []).append(float(v))
        out = {
            f"{k}_mean" if k != "success" else "success_rate": sum(v) / len(v)
            for k, v in sums.items()
        }
        out["trajectories"] = len(metrics)
        return out

    def close(self) -> None:
        """End the trajectory: its env goes back to the pool (closed instead if it failed)."""
        if self._failed:
            self._pool.discard(self._key)
        else:
            self._pool.close(self._key)


# The old name of the adapter.
SkyRLTextEnv = AgentGymTextEnv


def register_envs(env_ids: list[str] | None = None) -> list[str]:
    """Register env ids in SkyRL-Gym as ``agentgym/<EnvId>``; returns the SkyRL names.

    ``env_ids`` defaults to every env agentgym registers. Idempotent. Needs ``skyrl_gym``.
    """
    try:
        import skyrl_gym
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "SkyRL-Gym registration needs skyrl-gym: pip install 'agentgym[skyrl]'",
            name="skyrl_gym",
        ) from None

    import agentgym  # noqa: F401  (registers the envs with Gymnasium)

    if env_ids is None:
        env_ids = [
            k for k, spec in gym.registry.items() if str(spec.entry_point).startswith("agentgym.")
        ]
    names = []
    for env_id in sorted(env_ids):
        name = ENV_PREFIX + env_id
        if name not in skyrl_gym.registry:
            skyrl_gym.register(
                id=name,
                entry_point=f"{__name__}:AgentGymTextEnv",
                kwargs={"env_id": env_id},
            )
        names.append(name)
    return names


if _Base is not object:
    register_envs()
