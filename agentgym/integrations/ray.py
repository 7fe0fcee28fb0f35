"""Rollouts on Ray: a Gymnasium vector env over Ray actors, and an async rollout pool.

Each actor hosts K envs and shares nothing: its envs make their own sandbox pool (or search
server) in the actor's process, on whichever node Ray places it. Two front ends:

- :class:`RayVectorEnv` is a ``gymnasium.vector.VectorEnv`` (spaces, the three autoreset
  modes, ``call``/``get_attr``/``set_attr``, ``close``) that gives the same observations,
  rewards and infos as ``SyncVectorEnv`` for the same seeds; every actor steps its envs at
  once, so a batch takes as long as the slowest actor.
- :class:`RolloutPool` is for LLM rollouts, where episodes advance at different times: submit
  actions for any subset of episodes, and collect transitions as they finish. An episode whose
  env raises, or whose step outlives ``step_timeout_s``, or whose actor dies, comes back as a
  :class:`Transition` with ``error`` set, already restarted on a fresh env; none is lost.

Needs the ``[ray]`` extra. See docs/scaling.md.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Sequence
from copy import deepcopy
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space, concatenate, create_empty_array

from agentgym.wrappers.vector import check_text_actions

__all__ = ["EnvHost", "RayVectorEnv", "RolloutPool", "Transition"]


def _ray() -> Any:
    try:
        import ray
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "Ray rollouts need ray: pip install 'agentgym[ray]'", name="ray"
        ) from None
    return ray


EnvFactory = Callable[[], gym.Env]


class EnvHost:
    """The envs of one actor (run as a Ray actor; usable in-process for debugging).

    Args:
        factories: One zero-argument callable per env, each returning a new env.
    """

    def __init__(self, factories: Sequence[EnvFactory]):
        import agentgym  # noqa: F401  (registers the envs in this worker process)

        self.factories = list(factories)
        self.envs = [f() for f in self.factories]

    def spaces(self) -> tuple[gym.Space, gym.Space, dict[str, Any]]:
        """Return the first env's observation space, action space and metadata."""
        env = self.envs[0]
        return env.observation_space, env.action_space, dict(env.metadata)

    def reset(
        self, seeds: Sequence[int | None], options: dict[str, Any] | None, mask: Sequence[bool]
    ) -> list[tuple[Any, dict[str, Any]] | None]:
        """Reset the envs where ``mask`` is true; None for the others."""
        return [
            env.reset(seed=seed, options=options) if m else None
            for env, seed, m in zip(self.envs, seeds, mask, strict=True)
        ]

    def step(self, actions: Sequence[Any], autoreset: Sequence[bool], mode: str) -> list[tuple]:
        """Step every env, autoresetting as ``SyncVectorEnv`` does in ``mode``.

        Returns:
            Per env ``(obs, reward, terminated, truncated, info, final)``, where ``final`` is
            ``{"final_obs", "final_info"}`` for a same-step autoreset, else None.
        """
        out = []
        for env, action, reset_first in zip(self.envs, actions, autoreset, strict=True):
            if mode == AutoresetMode.NEXT_STEP.value and reset_first:
                obs, info = env.reset()
                out.append((obs, 0.0, False, False, info, None))
                continue
            obs, reward, terminated, truncated, info = env.step(action)
            final = None
            if mode == AutoresetMode.SAME_STEP.value and (terminated or truncated):
                final = {"final_obs": obs, "final_info": info}
                obs, info = env.reset()
            out.append((obs, float(reward), bool(terminated), bool(truncated), info, final))
        return out

    def reset_one(self, index: int, seed: int | None, options: dict[str, Any] | None) -> tuple:
        """Reset env ``index``; returns ``(obs, info)``."""
        return self.envs[index].reset(seed=seed, options=options)

    def step_one(self, index: int, action: Any) -> tuple:
        """Step env ``index``; returns the five-tuple, reward and flags as Python values."""
        obs, reward, terminated, truncated, info = self.envs[index].step(action)
        return obs, float(reward), bool(terminated), bool(truncated), info

    def renew(self, index: int) -> None:
        """Replace env ``index`` with a new one (after it raised)."""
        try:
            self.envs[index].close()
        except Exception:  # a broken env may fail to close; the new one must still start
            pass
        self.envs[index] = self.factories[index]()

    def call(self, name: str, args: tuple, kwargs: dict[str, Any]) -> list[Any]:
        """Call (or read, if not callable) attribute ``name`` on every env."""
        results = []
        for env in self.envs:
            value = env.get_wrapper_attr(name)
            results.append(value(*args, **kwargs) if callable(value) else value)
        return results

    def get_attr(self, name: str) -> list[Any]:
        """Return attribute ``name`` of every env."""
        return [env.get_wrapper_attr(name) for env in self.envs]

    def set_attr(self, name: str, values: Sequence[Any]) -> None:
        """Set attribute ``name`` of each env to its value."""
        for env, value in zip(self.envs, values, strict=True):
            env.set_wrapper_attr(name, value)

    def close(self) -> None:
        """Close every env."""
        for env in self.envs:
            env.close()


def _factories(
    env: str | Sequence[EnvFactory], num_envs: int | None, kwargs: dict[str, Any]
) -> list[EnvFactory]:
    if isinstance(env, str):
        if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
            raise ValueError(f"num_envs must be a positive int, got {num_envs!r}")
        return [_Maker(env, kwargs) for _ in range(num_envs)]
    if kwargs or num_envs not in (None, len(env)):
        raise ValueError("with a list of env factories, give neither num_envs nor env kwargs")
    factories = list(env)
    if not factories or not all(callable(f) for f in factories):
        raise ValueError("env must be an env id or a non-empty list of callables")
    return factories


@dataclasses.dataclass(frozen=True)
class _Maker:
    """A picklable ``gym.make(env_id, **kwargs)``."""

    env_id: str
    kwargs: dict[str, Any]

    def __call__(self) -> gym.Env:
        return gym.make(self.env_id, **self.kwargs)


def _start_actors(
    factories: list[EnvFactory], envs_per_actor: int, actor_options: dict[str, Any] | None
) -> tuple[list[Any], list[tuple[int, int]], Any]:
    ray = _ray()
    if (
        isinstance(envs_per_actor, bool)
        or not isinstance(envs_per_actor, int)
        or envs_per_actor < 1
    ):
        raise ValueError(f"envs_per_actor must be a positive int, got {envs_per_actor!r}")
    if not ray.is_initialized():
        ray.init()
    options = {"num_cpus": 1, "max_concurrency": envs_per_actor, **(actor_options or {})}
    remote = ray.remote(EnvHost).options(**options)
    groups = [factories[i : i + envs_per_actor] for i in range(0, len(factories), envs_per_actor)]
    actors = [remote.remote(g) for g in groups]
    # Which actor and slot each env lives at.
    where = [(a, k) for a, g in enumerate(groups) for k in range(len(g))]
    return actors, where, remote


class RayVectorEnv(VectorEnv):
    """A Gymnasium vector env whose envs live in Ray actors, K per actor.

    Args:
        env: A registered env id, or a list of picklable zero-argument env factories.
        num_envs: Number of envs (with an env id).
        envs_per_actor: Envs hosted by each actor (K); actors = ceil(num_envs / K).
        autoreset_mode: As in Gymnasium's vector envs (default ``NEXT_STEP``).
        actor_options: Options for ``ray.remote`` (e.g. ``{"num_cpus": 2}`` or resources);
            default one CPU per actor.
        copy: Return copies of the batched observations, as ``SyncVectorEnv`` does.
        **kwargs: Passed to ``gym.make`` for each env.

    Starts Ray with ``ray.init()`` if it is not running; to join a cluster, call
    ``ray.init(address=...)`` first.

    Example:
        >>> envs = RayVectorEnv("AgentMath-v0", num_envs=4, envs_per_actor=2)  # doctest: +SKIP
        >>> obs, infos = envs.reset(seed=0)  # doctest: +SKIP
    """

    def __init__(
        self,
        env: str | Sequence[EnvFactory],
        num_envs: int | None = None,
        *,
        envs_per_actor: int = 1,
        autoreset_mode: str | AutoresetMode = AutoresetMode.NEXT_STEP,
        actor_options: dict[str, Any] | None = None,
        copy: bool = True,
        **kwargs: Any,
    ):
        self.autoreset_mode = AutoresetMode(autoreset_mode)
        factories = _factories(env, num_envs, kwargs)
        self.num_envs = len(factories)
        self.copy = copy
        self._ray = _ray()
        self.actors, self._where, _ = _start_actors(factories, envs_per_actor, actor_options)
        self._sizes = [sum(1 for a, _ in self._where if a == i) for i in range(len(self.actors))]
        obs_space, act_space, metadata = self._ray.get(self.actors[0].spaces.remote())
        self.single_observation_space, self.single_action_space = obs_space, act_space
        self.observation_space = batch_space(obs_space, self.num_envs)
        self.action_space = batch_space(act_space, self.num_envs)
        self.metadata = {**metadata, "autoreset_mode": self.autoreset_mode}
        self._observations = create_empty_array(obs_space, n=self.num_envs, fn=np.zeros)
        self._autoreset_envs = np.zeros(self.num_envs, dtype=np.bool_)
        self._closed = False

    def step(self, actions: Any) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Step every env; the results are batched as ``SyncVectorEnv`` batches them."""
        actions = check_text_actions(actions, self.num_envs)
        if self.autoreset_mode == AutoresetMode.DISABLED and self._autoreset_envs.any():
            raise RuntimeError(
                "autoreset is disabled and some envs ended; reset them with "
                "options={'reset_mask': ...} before stepping"
            )
        mode = self.autoreset_mode.value
        refs = [
            actor.step.remote(part, list(flags), mode)
            for actor, part, flags in zip(
                self.actors,
                self._split(actions),
                self._split(self._autoreset_envs.tolist()),
                strict=True,
            )
        ]
        results = [r for chunk in self._ray.get(refs) for r in chunk]
        infos: dict[str, Any] = {}
        obs_list = []
        rewards = np.zeros(self.num_envs, dtype=np.float64)
        terminations = np.zeros(self.num_envs, dtype=np.bool_)
        truncations = np.zeros(self.num_envs, dtype=np.bool_)
        for i, (obs, reward, terminated, truncated, info, final) in enumerate(results):
            if final is not None:
                infos = self._add_info(infos, final, i)
            infos = self._add_info(infos, info, i)
            obs_list.append(obs)
            rewards[i], terminations[i], truncations[i] = reward, terminated, truncated
        self._observations = concatenate(
            self.single_observation_space, obs_list, self._observations
        )
        self._autoreset_envs = np.logical_or(terminations, truncations)
        obs = deepcopy(self._observations) if self.copy else self._observations
        return obs, rewards, terminations, truncations, infos

    def reset(
        self,
        *,
        seed: int | Sequence[int | None] | None = None,
        options: dict[str, Any] | None = None,
    ) -> tuple[Any, dict[str, Any]]:
        """Reset the envs (``seed`` int -> ``seed + i`` for env i, as ``SyncVectorEnv``).

        ``options["reset_mask"]`` (a bool array) resets only the envs it selects.
        """
        if seed is None:
            seeds: list[int | None] = [None] * self.num_envs
        elif isinstance(seed, int) and not isinstance(seed, bool):
            seeds = [seed + i for i in range(self.num_envs)]
        else:
            seeds = list(seed)
            if len(seeds) != self.num_envs:
                raise ValueError(
                    f"If seeds are passed as a list the length must match num_envs="
                    f"{self.num_envs} but got length={len(seeds)}."
                )
        options = dict(options) if options is not None else None
        mask = np.ones(self.num_envs, dtype=np.bool_)
        if options is not None and "reset_mask" in options:
            mask = options.pop("reset_mask")
            if (
                not isinstance(mask, np.ndarray)
                or mask.shape != (self.num_envs,)
                or mask.dtype != np.bool_
                or not mask.any()
            ):
                raise ValueError(
                    f"options['reset_mask'] must be a bool array of shape ({self.num_envs},) "
                    "with at least one True"
                )
        refs = [
            actor.reset.remote(s, options, list(m))
            for actor, s, m in zip(
                self.actors, self._split(seeds), self._split(mask.tolist()), strict=True
            )
        ]
        results = [r for chunk in self._ray.get(refs) for r in chunk]
        infos: dict[str, Any] = {}
        obs_list = list(gym.vector.utils.iterate(self.observation_space, self._observations))
        for i, result in enumerate(results):
            if result is None:
                continue
            obs_list[i], info = result
            infos = self._add_info(infos, info, i)
        self._autoreset_envs[mask] = False
        self._observations = concatenate(
            self.single_observation_space, obs_list, self._observations
        )
        return (deepcopy(self._observations) if self.copy else self._observations), infos

    def call(self, name: str, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
        """Call method (or read attribute) ``name`` of every env; one result per env."""
        refs = [actor.call.remote(name, args, kwargs) for actor in self.actors]
        return tuple(r for chunk in self._ray.get(refs) for r in chunk)

    def get_attr(self, name: str) -> tuple[Any, ...]:
        """Return attribute ``name`` of every env."""
        refs = [actor.get_attr.remote(name) for actor in self.actors]
        return tuple(r for chunk in self._ray.get(refs) for r in chunk)

    def set_attr(self, name: str, values: Any) -> None:
        """Set attribute ``name`` of every env (one value for all, or a list of one per env)."""
        if not isinstance(values, list | tuple):
            values = [values] * self.num_envs
        if len(values) != self.num_envs:
            raise ValueError(f"expected {self.num_envs} values, got {len(values)}")
        self._ray.get(
            [
                a.set_attr.remote(name, v)
                for a, v in zip(self.actors, self._split(values), strict=True)
            ]
        )

    def close_extras(self, **kwargs: Any) -> None:
        """Close the envs and end the actors."""
        if self._closed:
            return
        self._closed = True
        try:
            self._ray.get([a.close.remote() for a in self.actors], timeout=60)
        except Exception:  # a dead actor has nothing left to close
            pass
        for actor in self.actors:
            self._ray.kill(actor)

    def _split(self, values: Sequence[Any]) -> list[list[Any]]:
        out, start = [], 0
        for size in self._sizes:
            out.append(list(values[start : start + size]))
            start += size
        return out


@dataclasses.dataclass
class Transition:
    """What one episode's submitted reset or step gave.

    Attributes:
        episode: The episode's index in the pool.
        observation: The observation (after a failure: the first one of the restarted episode).
        reward: The step's reward (0 for a reset or a failure).
        terminated: Whether the episode ended.
        truncated: Whether it was cut short (always true for a failure).
        info: The env's info (after a failure: the restarted episode's reset info).
        is_reset: Whether this answers a reset (or a restart after a failure).
        error: None, or why the episode failed: the env raised, the step hung, the actor died.
    """

    episode: int
    observation: Any
    reward: float
    terminated: bool
    truncated: bool
    info: dict[str, Any]
    is_reset: bool = False
    error: str | None = None


class RolloutPool:
    """Episodes on Ray actors that advance independently, for LLM rollouts.

    Submit a reset or an action for any subset of episodes (:meth:`reset`, :meth:`submit`)
    and take the transitions as they finish (:meth:`collect`), so a trainer can generate the
    next actions of finished episodes while others are still stepping. An episode whose env
    raises is restarted on a new env; one whose step takes longer than ``step_timeout_s``, or
    whose actor dies, has its actor replaced, and every episode of that actor restarts. Each
    such episode comes back once as a :class:`Transition` with ``error`` set and the
    restarted episode's first observation.

    Args:
        env: A registered env id, or a list of picklable zero-argument env factories.
        num_episodes: Number of episodes (envs) with an env id.
        envs_per_actor: Envs per actor; they step concurrently inside it (threads).
        step_timeout_s: Longest a reset or step may take before its actor is replaced.
        actor_options: Options for ``ray.remote``.
        **kwargs: Passed to ``gym.make``.
    """

    def __init__(
        self,
        env: str | Sequence[EnvFactory],
        num_episodes: int | None = None,
        *,
        envs_per_actor: int = 1,
        step_timeout_s: float = 300.0,
        actor_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ):
        factories = _factories(env, num_episodes, kwargs)
        if not (isinstance(step_timeout_s, int | float) and step_timeout_s > 0):
            raise ValueError(f"step_timeout_s must be a positive number, got {step_timeout_s!r}")
        self.num_episodes = len(factories)
        self.step_timeout_s = float(step_timeout_s)
        self._ray = _ray()
        self._factories = factories
        self._envs_per_actor = envs_per_actor
        self.actors, self._where, self._remote = _start_actors(
            factories, envs_per_actor, actor_options
        )
        # In-flight calls: ref -> (episode, is_reset, submitted at).
        self._pending: dict[Any, tuple[int, bool, float]] = {}
        self._busy: set[int] = set()
        self._ready: list[Transition] = []
        self.restarts = 0

    @property
    def in_flight(self) -> int:
        """Episodes with a reset or step submitted and not yet collected."""
        return len(self._busy)

    def reset(
        self,
        episodes: Iterable[int] | None = None,
        seeds: Sequence[int | None] | int | None = None,
        options: dict[str, Any] | None = None,
    ) -> None:
        """Submit resets for ``episodes`` (default all); ``seeds`` int -> ``seed + episode``."""
        episodes = list(range(self.num_episodes) if episodes is None else episodes)
        if seeds is None or isinstance(seeds, int):
            seeds = [None if seeds is None else seeds + e for e in episodes]
        if len(seeds) != len(episodes):
            raise ValueError(f"expected {len(episodes)} seeds, got {len(seeds)}")
        for episode, seed in zip(episodes, seeds, strict=True):
            self._claim(episode)
            actor, slot = self._locate(episode)
            ref = actor.reset_one.remote(slot, seed, options)
            self._pending[ref] = (episode, True, time.monotonic())

    def submit(self, actions: dict[int, Any]) -> None:
        """Submit one action each for the episodes in ``actions`` (episode -> action)."""
        for episode in actions:
            self._claim(episode)
        for episode, action in actions.items():
            actor, slot = self._locate(episode)
            ref = actor.step_one.remote(slot, action)
            self._pending[ref] = (episode, False, time.monotonic())

    def collect(self, min_results: int = 1, timeout_s: float | None = None) -> list[Transition]:
        """Return finished transitions.

        Waits for at least ``min_results`` (or for all in flight, if fewer), or until
        ``timeout_s`` runs out, then returns whatever is ready.
        """
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        want = min(min_results, len(self._busy) + len(self._ready))
        while len(self._ready) < want:
            wait = 0.5
            if deadline is not None:
                wait = min(wait, max(0.0, deadline - time.monotonic()))
            done, _ = self._ray.wait(list(self._pending), num_returns=1, timeout=wait)
            for ref in done:
                self._finish(ref)
            self._check_hung()
            if deadline is not None and time.monotonic() >= deadline:
                break
            want = min(min_results, len(self._busy) + len(self._ready))
        ready, self._ready = self._ready, []
        return ready

    def close(self) -> None:
        """Close the envs and end the actors."""
        try:
            self._ray.get([a.close.remote() for a in self.actors], timeout=30)
        except Exception:  # a dead or hung actor has nothing we can close
            pass
        for actor in self.actors:
            self._ray.kill(actor)
        self._pending.clear()
        self._busy.clear()

    def __enter__(self) -> RolloutPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- bookkeeping --------------------------------------------------------------------------

    def _claim(self, episode: int) -> None:
        if isinstance(episode, bool) or not isinstance(episode, int):
            raise TypeError(f"episodes are ints, got {episode!r}")
        if not 0 <= episode < self.num_episodes:
            raise ValueError(f"no episode {episode}; the pool has {self.num_episodes}")
        if episode in self._busy:
            raise RuntimeError(f"episode {episode} already has a call in flight; collect it first")
        self._busy.add(episode)

    def _locate(self, episode: int) -> tuple[Any, int]:
        a, slot = self._where[episode]
        return self.actors[a], slot

    def _finish(self, ref: Any) -> None:
        ray = self._ray
        episode, is_reset, _ = self._pending.pop(ref)
        try:
            result = ray.get(ref)
        except ray.exceptions.RayActorError as e:
            self._replace(self._where[episode][0], f"its actor died ({type(e).__name__})")
            return
        except ray.exceptions.RayTaskError as e:
            self._restart_one(episode, f"the env raised {_cause(e)}")
            return
        self._busy.discard(episode)
        if is_reset:
            obs, info = result
            self._ready.append(Transition(episode, obs, 0.0, False, False, info, is_reset=True))
        else:
            self._ready.append(Transition(episode, *result))

    def _check_hung(self) -> None:
        now = time.monotonic()
        for episode, _, started in list(self._pending.values()):
            if started and now - started > self.step_timeout_s:
                self._replace(
                    self._where[episode][0],
                    f"episode {episode} got no result within {self.step_timeout_s:g} s",
                )
                return

    def _restart_one(self, episode: int, why: str) -> None:
        actor, slot = self._locate(episode)
        ray = self._ray
        try:
            ray.get(actor.renew.remote(slot), timeout=self.step_timeout_s)
            obs, info = ray.get(
                actor.reset_one.remote(slot, None, None), timeout=self.step_timeout_s
            )
        except (ray.exceptions.RayError, TimeoutError) as e:
            self._replace(self._where[episode][0], f"{why}; restarting it failed ({_cause(e)})")
            return
        self.restarts += 1
        self._busy.discard(episode)
        self._ready.append(
            Transition(episode, obs, 0.0, False, True, info, is_reset=True, error=why)
        )

    def _replace(self, index: int, why: str) -> None:
        """Kill actor ``index``, start a new one, and restart every episode it held."""
        ray = self._ray
        ray.kill(self.actors[index], no_restart=True)
        episodes = [e for e, (a, _) in enumerate(self._where) if a == index]
        for ref, (episode, _, _) in list(self._pending.items()):
            if episode in episodes:
                del self._pending[ref]
        actor = self._remote.remote([self._factories[e] for e in episodes])
        self.actors[index] = actor
        resets = ray.get(
            [actor.reset_one.remote(slot, None, None) for slot in range(len(episodes))],
            timeout=self.step_timeout_s,
        )
        for episode, (obs, info) in zip(episodes, resets, strict=True):
            self.restarts += 1
            self._busy.discard(episode)
            self._ready.append(
                Transition(
                    episode,
                    obs,
                    0.0,
                    False,
                    True,
                    info,
                    is_reset=True,
                    error=f"episode {episode} failed: {why}; the actor was replaced and the "
                    "episode restarted",
                )
            )


def _cause(e: BaseException) -> str:
    cause = getattr(e, "cause", None)
    if cause is not None:
        return f"{type(cause).__name__}: {cause}"
    return f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
