"""OpenEnv: serve any agentgym env as an OpenEnv environment, and a typed OpenEnv client.

Needs ``openenv-core`` (the ``[openenv]`` extra). :func:`create_app` returns OpenEnv's FastAPI
app (``/ws`` sessions, ``/reset``, ``/step``, ``/state``, ``/schema``, ``/health``) over an
agentgym env; each WebSocket session owns one episode at a time, on an env taken from a pool
that the app closes when it shuts down. OpenEnv's clients (``GenericEnvClient``, or
:class:`AgentGymEnvClient` for typed results) then drive it, and TRL drives it through
``agentgym.integrations.trl.tool_environment(env_id, base_url=...)``.

Actions are either a completion in the env's text action format (``message``) or one tool
call (``tool`` and ``arguments``); observations carry the env's text, its chat prompt and tool
schemas after a reset, and the step's info (``task_id``, ``turn``, ``reward_components``,
``parse_error``; ``score`` and ``success`` once done).
"""

from __future__ import annotations

import itertools
import threading
import uuid
from typing import Any

from pydantic import Field

try:
    from openenv.core import EnvClient
    from openenv.core.client_types import StepResult
    from openenv.core.env_server.http_server import create_app as _openenv_app
    from openenv.core.env_server.interfaces import Environment
    from openenv.core.env_server.types import Action, Observation, State
except ModuleNotFoundError as e:  # pragma: no cover - the extra is not installed
    raise ModuleNotFoundError(
        "OpenEnv serving needs openenv-core: pip install 'agentgym[openenv]'", name=e.name
    ) from None

from agentgym.integrations.episodes import EpisodePool, step_metadata
from agentgym.tools import ToolCall

__all__ = [
    "AgentGymAction",
    "AgentGymEnvClient",
    "AgentGymEnvironment",
    "AgentGymObservation",
    "AgentGymState",
    "create_app",
    "serve",
]


class AgentGymAction(Action):
    """One agent turn: a completion (``message``) or a single tool call (``tool``)."""

    message: str | None = Field(
        default=None, description="A completion in the env's action format (xml, json, openai)"
    )
    tool: str | None = Field(default=None, description="A tool's name, instead of a message")
    arguments: dict[str, Any] = Field(default_factory=dict, description="The tool's arguments")


class AgentGymObservation(Observation):
    """What the env answered."""

    text: str = Field(default="", description="The env's observation text")
    messages: list[dict[str, Any]] = Field(
        default_factory=list, description="After a reset: the chat prompt (system + task)"
    )
    tools: list[dict[str, Any]] = Field(
        default_factory=list, description="After a reset: the tools' OpenAI schemas"
    )
    description: str = Field(default="", description="After a reset: what the env is about")
    info: dict[str, Any] = Field(default_factory=dict, description="The step's info")


class AgentGymState(State):
    """The session's episode."""

    env_id: str = ""
    task_id: str | None = None
    total_reward: float = 0.0
    done: bool = False


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


class AgentGymEnvironment(Environment):
    """An OpenEnv ``Environment`` running agentgym episodes from an :class:`EpisodePool`.

    Envs are made lazily at the first reset (OpenEnv also builds throwaway instances to read
    metadata) and go back to the pool on ``close``.
    """

    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(self, pool: EpisodePool):
        super().__init__()
        self.pool = pool
        self._key = uuid.uuid4().hex
        self._state = AgentGymState(env_id=pool.env_id)
        self._failed = False

    def reset(
        self,
        seed: int | None = None,
        episode_id: str | None = None,
        task_id: str | None = None,
        **kwargs: Any,
    ) -> AgentGymObservation:
        """Start an episode (``task_id`` or ``seed`` picks the task)."""
        try:
            ep = self.pool.start(self._key, seed=seed, task_id=task_id)
        except BaseException:
            self._failed = True
            raise
        info = ep.info
        self._state = AgentGymState(
            episode_id=episode_id or uuid.uuid4().hex,
            step_count=0,
            env_id=self.pool.env_id,
            task_id=info.get("task_id"),
        )
        return AgentGymObservation(
            text=str(ep.observation),
            messages=_json_safe(info.get("messages", [])),
            tools=_json_safe(info.get("tools", [])),
            description=str(getattr(ep.env.unwrapped, "description", "")),
            info=_json_safe(step_metadata(info, False)),
            done=False,
            reward=0.0,
        )

    def step(
        self, action: AgentGymAction, timeout_s: float | None = None, **kwargs: Any
    ) -> AgentGymObservation:
        """Step the episode with the action's completion or tool call."""
        try:
            ep = self.pool.get(self._key)
        except KeyError:
            return AgentGymObservation(text="Call reset() before step().", done=True, reward=0.0)
        if ep.done:
            return AgentGymObservation(
                text="The episode has ended; call reset() for a new one.", done=True, reward=0.0
            )
        if action.tool is not None:
            text = ep.env.unwrapped.format_calls([ToolCall(action.tool, dict(action.arguments))])
        else:
            text = action.message or ""
        try:
            obs, reward, done, info = self.pool.step(self._key, text)
        except BaseException:
            self._failed = True
            raise
        self._state.step_count += 1
        self._state.total_reward += reward
        self._state.done = done
        return AgentGymObservation(
            text=str(obs), info=_json_safe(step_metadata(info, done)), done=done, reward=reward
        )

    @property
    def state(self) -> AgentGymState:
        """The session's episode id, step count, task and return."""
        return self._state

    def close(self) -> None:
        """End the session's episode; its env goes back to the pool (closed if it failed)."""
        if self._failed:
            self.pool.discard(self._key)
        else:
            self.pool.close(self._key)


def create_app(env_id: str, *, max_concurrent_envs: int = 64, **env_kwargs: Any) -> Any:
    """OpenEnv's FastAPI app serving ``env_id`` (``env_kwargs`` go to ``gym.make``).

    The app's pool of envs is closed when the app shuts down (``app.state.agentgym_pool``).
    """
    pool = EpisodePool(env_id, **env_kwargs)

    def factory() -> AgentGymEnvironment:
        return AgentGymEnvironment(pool)

    factory.SUPPORTS_CONCURRENT_SESSIONS = True  # type: ignore[attr-defined]
    factory.__name__ = f"AgentGym[{env_id}]"
    app = _openenv_app(
        factory,
        AgentGymAction,
        AgentGymObservation,
        env_name=env_id,
        max_concurrent_envs=max_concurrent_envs,
    )
    app.state.agentgym_pool = pool
    app.router.on_shutdown.append(pool.shutdown)
    return app


class _Server:
    """A uvicorn server on a thread; ``stop()`` (or the ``with`` block's end) ends both."""

    _ids = itertools.count()

    def __init__(self, app: Any, host: str, port: int):
        import uvicorn

        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, name=f"agentgym-openenv-{next(self._ids)}", daemon=True
        )
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the OpenEnv server did not start")
            self.thread.join(0.05)
        sock = self.server.servers[0].sockets[0]
        self.host, self.port = sock.getsockname()[:2]
        self.url = f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)

    def __enter__(self) -> _Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(env_id: str, *, host: str = "127.0.0.1", port: int = 0, **kwargs: Any) -> _Server:
    """Serve ``env_id`` on a background thread; returns a handle with ``url`` and ``stop()``.

    ``port=0`` picks a free port. For a standalone server, run OpenEnv's app with uvicorn:
    ``uvicorn.run(create_app("AgentCode-v0"), port=8000)``.
    """
    return _Server(create_app(env_id, **kwargs), host, port)


class AgentGymEnvClient(EnvClient[AgentGymAction, AgentGymObservation, AgentGymState]):
    """OpenEnv's WebSocket client, typed for agentgym envs (``.sync()`` for blocking calls)."""

    def _step_payload(self, action: AgentGymAction) -> dict[str, Any]:
        return action.model_dump(exclude={"metadata"}, exclude_none=True)

    def _parse_result(self, payload: dict[str, Any]) -> StepResult[AgentGymObservation]:
        obs = dict(payload.get("observation") or {})
        observation = AgentGymObservation(
            **obs, done=payload.get("done", False), reward=payload.get("reward")
        )
        return StepResult(
            observation=observation, reward=payload.get("reward"), done=payload.get("done", False)
        )

    def _parse_state(self, payload: dict[str, Any]) -> AgentGymState:
        return AgentGymState(**payload)
