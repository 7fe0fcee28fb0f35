"""TRL: agentgym envs in ``GRPOTrainer``, single-turn and multi-turn.

- Single-turn: ``GRPOTrainer`` samples one completion per prompt and scores it with
  ``reward_funcs``, each called as ``fn(prompts, completions, **dataset_columns)``.
  :class:`EnvReward` replays the row's task and steps the env once with the completion.
- Multi-turn (TRL's agent API): :func:`tool_environment` generates a class for
  ``GRPOTrainer(environment_factory=...)`` from the env's tool schemas: one typed method per
  tool with a Google-style docstring (TRL turns them into the tools the model calls),
  ``reset(**row)`` and ``get_reward()`` (the env's score at the end of the rollout).

:func:`make_prompt_dataset` builds the rows for both (``tools=True`` for the multi-turn one).
"""

from __future__ import annotations

import atexit
import keyword
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import gymnasium as gym

from agentgym.integrations.episodes import EpisodePool
from agentgym.tools import ToolCall

__all__ = ["EnvReward", "close_envs", "make_prompt_dataset", "tool_environment"]


def make_prompt_dataset(
    env_id: str, num_prompts: int, *, seed: int = 0, tools: bool = False, **env_kwargs: Any
) -> list[dict[str, Any]]:
    """Return ``num_prompts`` rows ``{"prompt": messages, "task_id": ..., "seed": ...}``.

    Pass the list to ``datasets.Dataset.from_list`` for TRL. Row ``i`` uses seed ``seed + i``.
    With ``tools=False`` the prompt is the env's own (its system prompt teaches its text
    action format, for :class:`EnvReward`); with ``tools=True`` it is the env's description
    and the task, for :func:`tool_environment`, where TRL's chat template presents the tools.
    """
    pool = EpisodePool(env_id, **env_kwargs)
    rows = []
    try:
        for i in range(num_prompts):
            ep = pool.start("row", seed=seed + i)
            if tools:
                prompt = [
                    {"role": "system", "content": ep.env.unwrapped.description},
                    {"role": "user", "content": str(ep.observation)},
                ]
            else:
                prompt = ep.info["messages"]
            rows.append({"prompt": prompt, "task_id": ep.info["task_id"], "seed": seed + i})
    finally:
        pool.shutdown()
    return rows


class EnvReward:
    """A TRL reward function: the env's reward for a completion on the row's task.

    Args:
        env_id: The registered env id.
        **env_kwargs: Passed to ``gym.make`` (e.g. ``reward_mode``, ``action_format``).

    Example:
        >>> from agentgym.integrations.trl import EnvReward
        >>> reward = EnvReward("AgentMath-v0")
        >>> reward.__name__
        'AgentMath-v0'
    """

    def __init__(self, env_id: str, **env_kwargs: Any):
        self.pool = EpisodePool(env_id, **env_kwargs)
        self.__name__ = env_id  # TRL logs each reward function under its __name__

    def __call__(
        self,
        prompts: Sequence[Any],
        completions: Sequence[Any],
        *,
        task_id: Sequence[str],
        **_: Any,
    ) -> list[float]:
        """Score each completion on its row's task; returns one float per completion."""
        scores = []
        for completion, tid in zip(completions, task_id, strict=True):
            self.pool.start("grade", task_id=tid)
            _, reward, done, info = self.pool.step("grade", _completion_text(completion))
            # A single-turn grader: an unfinished episode scores its shaped reward so far.
            scores.append(float(info["score"]) if done and "score" in info else reward)
            self.pool.close("grade")
        return scores

    def close(self) -> None:
        """Close the grading envs."""
        self.pool.shutdown()


def _completion_text(completion: Any) -> str:
    """TRL passes a str (standard format) or a list of messages (conversational format)."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list) and completion and isinstance(completion[-1], dict):
        return str(completion[-1].get("content") or "")
    return str(completion)


# --- multi-turn: TRL's agent API (GRPOTrainer(environment_factory=...)) ----------------------

_JSON_TYPES: dict[str, Any] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "array": list,
    "object": dict,
}
_RESERVED = {"reset", "get_reward"}
_live_envs: weakref.WeakSet[Any] = weakref.WeakSet()


def _annotation(schema: Mapping[str, Any]) -> Any:
    """The Python type of one JSON-schema property (``Literal`` for an enum)."""
    if schema.get("enum"):
        return Literal[tuple(schema["enum"])]
    kind = schema.get("type", "string")
    if isinstance(kind, list):  # e.g. ["string", "null"]
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "array":
        return list[_annotation(schema.get("items") or {})]
    return _JSON_TYPES.get(kind, str)


def _one_line(text: Any) -> str:
    return " ".join(str(text or "").split())


def _tool_method(schema: Mapping[str, Any]) -> Callable[..., str]:
    """A typed method with a Google-style docstring that calls tool ``schema["name"]``."""
    fn = schema.get("function", schema)
    name = fn["name"]
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        raise ValueError(f"tool name {name!r} is not a valid method name")
    if name in _RESERVED:
        raise ValueError(f"tool name {name!r} clashes with TRL's environment methods")
    params = fn.get("parameters") or {}
    props: Mapping[str, Any] = params.get("properties") or {}
    required = set(params.get("required") or [])
    for arg in props:
        if not arg.isidentifier() or keyword.iskeyword(arg) or arg == "self":
            raise ValueError(f"tool {name!r}: argument {arg!r} is not a valid Python name")
    # Required arguments first, as Python needs; optional ones default to None (not sent).
    order = [a for a in props if a in required] + [a for a in props if a not in required]
    signature = ", ".join(["self"] + [a if a in required else f"{a}=None" for a in order])
    source = (
        f"def {name}({signature}):\n"
        f"    return self._call({name!r}, {{{', '.join(f'{a!r}: {a}' for a in order)}}})\n"
    )
    namespace: dict[str, Any] = {}
    exec(source, namespace)  # noqa: S102  (names checked above; no data reaches the code)
    method = namespace[name]
    annotations: dict[str, Any] = {}
    for a in order:
        kind = _annotation(props[a])
        annotations[a] = kind if a in required else kind | None
    annotations["return"] = str
    method.__annotations__ = annotations
    args_doc = "\n".join(
        f"        {a}: {_one_line(props[a].get('description')) or f'The {a} argument.'}"
        for a in order
    )
    method.__doc__ = (
        f"{_one_line(fn.get('description')) or f'Call the {name} tool.'}\n\n"
        + (f"    Args:\n{args_doc}\n\n" if order else "")
        + "    Returns:\n        The env's answer: the tool's result and what changed.\n"
    )
    return method


class _LocalBackend:
    """Episodes on a local env (made on first use)."""

    def __init__(self, env_id: str, env_kwargs: dict[str, Any]):
        self.env = gym.make(env_id, **env_kwargs)

    def reset(self, task_id: Any, seed: Any) -> tuple[str, str, dict[str, Any]]:
        options = {"task_id": task_id} if task_id is not None else None
        obs, info = self.env.reset(seed=None if task_id is not None else seed, options=options)
        return str(obs), self.env.unwrapped.description, info

    def step(self, name: str, args: dict[str, Any]) -> tuple[str, float, bool, dict[str, Any]]:
        action = self.env.unwrapped.format_calls([ToolCall(name, args)])
        obs, reward, terminated, truncated, info = self.env.step(action)
        return str(obs), float(reward), bool(terminated or truncated), info

    def close(self) -> None:
        self.env.close()


class _OpenEnvBackend:
    """Episodes on an OpenEnv server (``agentgym.integrations.openenv``), one session each."""

    def __init__(self, base_url: str):
        from agentgym.integrations.openenv import AgentGymEnvClient

        self.client = AgentGymEnvClient(base_url=base_url).sync()
        self.client.connect()

    def reset(self, task_id: Any, seed: Any) -> tuple[str, str, dict[str, Any]]:
        kwargs = {"task_id": task_id} if task_id is not None else {"seed": seed}
        obs = self.client.reset(**kwargs).observation
        return obs.text, obs.description, {**obs.info, "tools": obs.tools}

    def step(self, name: str, args: dict[str, Any]) -> tuple[str, float, bool, dict[str, Any]]:
        from agentgym.integrations.openenv import AgentGymAction

        result = self.client.step(AgentGymAction(tool=name, arguments=args))
        return (
            result.observation.text,
            float(result.reward or 0.0),
            result.done,
            (result.observation.info),
        )

    def close(self) -> None:
        self.client.close()


class _ToolEnvBase:
    """What every generated TRL environment class shares.

    Only ``reset`` and ``get_reward`` are public: TRL exposes every other public method as a
    tool.
    """

    _env_id: str
    _env_kwargs: dict[str, Any]
    _base_url: str | None = None

    def __init__(self) -> None:
        self._backend: Any = None
        self._finalizer: weakref.finalize | None = None
        self._done = False
        self._info: dict[str, Any] = {}
        self._return = 0.0
        self._turns = 0
        _live_envs.add(self)

    def reset(self, **row: Any) -> str | None:
        """Start an episode on the row's ``task_id`` (or ``seed``).

        Returns None when the row carries the prompt (``make_prompt_dataset(..., tools=True)``
        puts the task there), else the task text, which TRL appends to the user message.
        """
        if self._backend is None:
            if self._base_url is not None:
                backend: Any = _OpenEnvBackend(self._base_url)
            else:
                backend = _LocalBackend(self._env_id, self._env_kwargs)
            self._backend = backend
            self._finalizer = weakref.finalize(self, backend.close)
        obs, description, info = self._backend.reset(row.get("task_id"), row.get("seed"))
        self._done, self._info, self._return, self._turns = False, info, 0.0, 0
        if row.get("prompt"):
            return None
        return f"{description}\n\n{obs}"

    def get_reward(self) -> float:
        """The episode's score once it ended, else the return so far (0 in sparse mode)."""
        if self._done and self._info.get("score") is not None:
            return float(self._info["score"])
        return self._return

    def _call(self, name: str, arguments: dict[str, Any]) -> str:
        if self._backend is None:
            raise RuntimeError("call reset() before the tools")
        if self._done:
            return "The episode has ended; no more tool calls are needed."
        args = {k: v for k, v in arguments.items() if v is not None}
        obs, reward, done, info = self._backend.step(name, args)
        self._turns += 1
        self._return += reward
        self._info = info
        self._done = done
        return obs

    def _close(self) -> None:
        """Close the env (TRL keeps instances for the whole run; see :func:`close_envs`)."""
        if self._finalizer is not None:
            self._finalizer()
        self._backend = None
        self._finalizer = None


def tool_environment(env_id: str, *, base_url: str | None = None, **env_kwargs: Any) -> type:
    """Return a TRL ``environment_factory`` class for ``env_id``.

    The class has one typed method per tool of the env (named like the tool, with its
    arguments, their types and descriptions as a Google-style docstring), ``reset(**row)``
    and ``get_reward()``. Pass the class itself as ``GRPOTrainer(environment_factory=...)``:
    TRL makes one instance per concurrent rollout, resets it with the dataset row (whose
    ``task_id`` or ``seed`` picks the task), calls the tool methods as the model calls the
    tools, and scores the rollout with ``get_reward()`` (the env's score, logged under the
    env id).

    Args:
        env_id: A registered env id (with ``base_url``: the id the server serves, a name).
        base_url: Run the episodes on this OpenEnv server
            (``agentgym.integrations.openenv``), one WebSocket session per instance,
            instead of in this process.
        **env_kwargs: Passed to ``gym.make`` (e.g. ``reward_mode``, ``max_turns``).
    """
    if base_url is not None:
        if env_kwargs:
            raise ValueError("with base_url, the server's env kwargs apply; give none here")
        probe: Any = _OpenEnvBackend(base_url)
    else:
        probe = _LocalBackend(env_id, env_kwargs)
    try:
        _, _, info = probe.reset(None, 0)
        schemas = info["tools"]
    finally:
        probe.close()
    methods = {}
    for schema in schemas:
        method = _tool_method(schema)
        methods[method.__name__] = method
    return type(
        env_id,
        (_ToolEnvBase,),
        {
            "__module__": __name__,
            "__doc__": f"TRL environment for {env_id}: one method per tool.",
            "_env_id": env_id,
            "_env_kwargs": dict(env_kwargs),
            "_base_url": base_url,
            **methods,
        },
    )


def close_envs() -> int:
    """Close the env of every live ``tool_environment`` instance; returns how many."""
    closed = 0
    for instance in list(_live_envs):
        if instance._backend is not None:
            instance._close()
            closed += 1
    return closed


atexit.register(close_envs)
