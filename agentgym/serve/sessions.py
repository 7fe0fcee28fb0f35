"""Env sessions of the env server: creation under a policy, a cap, idle expiry and clean close.

The server trusts no client-set constructor argument. :class:`ServerPolicy` accepts only the
arguments listed in ``ACCEPTED_KWARGS``, clamps the costly ones to the server's maxima, and
lets ``task_source``/``corpus`` name a built-in source or a file under one folder the operator
chose; its errors never say whether a path exists. :class:`SessionStore` holds the live envs:
ids are unguessable, the cap is checked and reserved under one lock, idle sessions are closed
by a reaper thread and remembered so their clients hear "expired", and closing a session waits
for a step in flight instead of closing the env under it.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import math
import os
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gymnasium as gym

from agentgym.tasks import TaskFileError

__all__ = [
    "ACCEPTED_KWARGS",
    "ServerLimits",
    "ServerPolicy",
    "Session",
    "SessionError",
    "SessionStore",
]

log = logging.getLogger("agentgym.serve")

# Constructor arguments a client may set. Anything else (a cache folder, a callable, a future
# argument nobody has reviewed) is refused: the server decides those.
ACCEPTED_KWARGS = frozenset(
    {
        "reward_mode",
        "max_turns",
        "action_format",
        "task_source",
        "difficulty",
        "render_mode",
        "time_limit_s",
        "timeout_s",
        "memory_mb",
        "python_timeout_s",
        "sandbox",
        "partial_credit",
        "num_pages",
        "world_seed",
        "corpus",
        "page_chars",
        "obs_mode",
        "screen_size",
        "set_of_marks",
    }
)

_PATH_KWARGS = ("task_source", "corpus")
_BUILTIN_NAME = re.compile(r"[A-Za-z0-9_-]+(:[A-Za-z0-9_,-]+)?")


class SessionError(Exception):
    """A request the sessions refuse; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclasses.dataclass(frozen=True)
class ServerLimits:
    """Maxima the server clamps client-set constructor arguments to.

    Attributes:
        timeout_s: Longest sandbox call (``timeout_s``, ``python_timeout_s``), in seconds.
        memory_mb: Largest sandbox memory budget, in MiB.
        max_turns: Most turns an episode may have.
        time_limit_s: Longest episode time budget, in seconds.
        num_pages: Largest generated web for AgentSearch.
        page_chars: Largest page part for AgentSearch.
        screen_width: Widest GUI screenshot, in pixels (the height follows the 16:10 shape).
    """

    timeout_s: float = 30.0
    memory_mb: int = 1024
    max_turns: int = 100
    time_limit_s: float = 600.0
    num_pages: int = 20_000
    page_chars: int = 20_000
    screen_width: int = 1280


class ServerPolicy:
    """What a client may ask of the server when it creates a session.

    Args:
        limits: Maxima for costly arguments.
        task_dir: A folder whose files clients may name as ``task_source`` or ``corpus``
            (relative to it); None allows built-in sources only.
    """

    def __init__(self, limits: ServerLimits | None = None, task_dir: str | Path | None = None):
        self.limits = limits or ServerLimits()
        self.task_dir = Path(task_dir).resolve() if task_dir is not None else None

    def check_kwargs(self, kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Return ``(kwargs to pass to gym.make, {name: (asked, granted)} for clamped ones)``.

        Raises:
            SessionError: 400 for an argument the server does not accept.
        """
        unknown = sorted(set(kwargs) - ACCEPTED_KWARGS)
        if unknown:
            raise SessionError(
                400, f"this server does not accept the argument(s) {', '.join(map(repr, unknown))}"
            )
        out = dict(kwargs)
        clamped: dict[str, Any] = {}
        lim = self.limits
        for name, cap in (
            ("timeout_s", lim.timeout_s),
            ("python_timeout_s", lim.timeout_s),
            ("memory_mb", lim.memory_mb),
            ("max_turns", lim.max_turns),
            ("time_limit_s", lim.time_limit_s),
            ("num_pages", lim.num_pages),
            ("page_chars", lim.page_chars),
        ):
            value = out.get(name)
            # Non-numbers are left to the env, which names the argument in its error.
            if isinstance(value, int | float) and not isinstance(value, bool) and value > cap:
                out[name] = type(value)(cap)
                clamped[name] = [value, out[name]]
        size = out.get("screen_size")
        if (
            isinstance(size, list | tuple)
            and len(size) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in size)
            and size[0] > lim.screen_width
        ):
            out["screen_size"] = (lim.screen_width, lim.screen_width * size[1] // size[0])
            clamped["screen_size"] = [list(size), list(out["screen_size"])]
        elif isinstance(size, list):
            out["screen_size"] = tuple(size)  # JSON has no tuples; the env wants one
        for name in _PATH_KWARGS:
            if out.get(name) is not None:
                out[name] = self._source(out[name])
        return out, clamped

    def refusal(self) -> SessionError:
        """The one answer for every task source or corpus the server will not or cannot read.

        One message for all of them (outside the folder, missing, unreadable, unknown) so that
        no answer tells a client whether a path exists on the server.
        """
        where = " or a file under the server's task folder" if self.task_dir else ""
        return SessionError(400, f"task_source and corpus must name a built-in source{where}")

    def _source(self, value: Any) -> str:
        if not isinstance(value, str) or "\x00" in value:
            raise self.refusal()
        # A bare name ("generated", "gsm8k-sample", "generated:arith") is a built-in source,
        # unless a file of that name sits in the server's working folder, where the env would
        # read it; then it is a path like any other.
        prefix, colon, rest = value.partition(":")
        if _BUILTIN_NAME.fullmatch(value) and not any(
            os.path.lexists(v) for v in (value, rest) if v
        ):
            return value
        # "PREFIX:PATH" forms keep their prefix; the path must lie under the task folder.
        if colon and _BUILTIN_NAME.fullmatch(prefix) and rest:
            return f"{prefix}:{self._path(rest)}"
        return self._path(value)

    def _path(self, value: str) -> str:
        if self.task_dir is None or not value:
            raise self.refusal()
        # Resolve links and ".." first, then check containment, so the answer is the same
        # whether or not the named file exists.
        path = Path(os.path.realpath(self.task_dir / value))
        if self.task_dir not in path.parents:
            raise self.refusal()
        return str(path)


@dataclasses.dataclass(eq=False)
class Session:
    """One live env and its bookkeeping."""

    id: str
    env: gym.Env
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    last_used: float = dataclasses.field(default_factory=time.monotonic)
    closing: bool = False


class SessionStore:
    """The live sessions of one server.

    Args:
        max_sessions: Refuse new sessions beyond this many live (or being created) ones.
        idle_ttl_s: Close a session no request has touched for this long (seconds);
            None keeps sessions until closed.
        policy: What clients may set when creating one.
    """

    def __init__(
        self,
        max_sessions: int = 64,
        idle_ttl_s: float | None = 600.0,
        policy: ServerPolicy | None = None,
    ):
        if isinstance(max_sessions, bool) or not isinstance(max_sessions, int) or max_sessions < 1:
            raise ValueError(f"max_sessions must be a positive int, got {max_sessions!r}")
        if idle_ttl_s is not None and not (
            isinstance(idle_ttl_s, int | float) and math.isfinite(idle_ttl_s) and idle_ttl_s > 0
        ):
            raise ValueError(f"idle_ttl_s must be a positive number or None, got {idle_ttl_s!r}")
        self.max_sessions = max_sessions
        self.idle_ttl_s = idle_ttl_s
        self.policy = policy or ServerPolicy()
        self.sessions: dict[str, Session] = {}
        self.expired_total = 0
        self._expired: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._reserved = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._reaper: threading.Thread | None = None
        if idle_ttl_s is not None:
            self._reaper = threading.Thread(
                target=self._reap_loop, name="agentgym-reaper", daemon=True
            )
            self._reaper.start()

    def create(self, env_id: Any, kwargs: Any) -> tuple[Session, dict[str, Any]]:
        """Make an env and return its session and the clamped arguments.

        Raises:
            SessionError: 400 for a bad env id or argument, 429 at the cap.
        """
        if not isinstance(env_id, str) or env_id not in gym.registry:
            raise SessionError(400, f"unknown env_id {env_id!r}")
        if not isinstance(kwargs, dict):
            raise SessionError(400, "kwargs must be an object")
        kwargs, clamped = self.policy.check_kwargs(kwargs)
        with self._lock:
            if len(self.sessions) + self._reserved >= self.max_sessions:
                raise SessionError(429, f"session limit ({self.max_sessions}) reached")
            self._reserved += 1
        try:
            env = self._make(env_id, kwargs)
            session = Session(secrets.token_urlsafe(24), env)
            with self._lock:
                self.sessions[session.id] = session
        finally:
            with self._lock:
                self._reserved -= 1
        return session, clamped

    def _make(self, env_id: str, kwargs: dict[str, Any]) -> gym.Env:
        try:
            return gym.make(env_id, **kwargs)
        except OSError:
            # The message would name the path and say how it failed (missing, a folder, no
            # permission), which tells a client about the server's files.
            raise self.policy.refusal() from None
        except (ValueError, TypeError, KeyError, gym.error.Error) as e:
            # Only errors about files inside the task folder may be told as they are.
            folder = self.policy.task_dir
            in_folder = folder is not None and any(
                str(folder) in str(kwargs.get(k)) for k in _PATH_KWARGS
            )
            about_files = isinstance(e, TaskFileError) or any(k in str(e) for k in _PATH_KWARGS)
            if about_files and not in_folder:
                raise self.policy.refusal() from None
            # Name files by their path in the folder, not where the folder is on the server.
            message = str(e).replace(f"{folder}{os.sep}", "") if folder else str(e)
            raise SessionError(400, f"{type(e).__name__}: {message}") from None

    @contextmanager
    def use(self, sid: str) -> Iterator[Session]:
        """Hold session ``sid`` for one reset/step; a second concurrent use is refused (409).

        Raises:
            SessionError: 404 unknown, 410 expired, 409 busy or closing.
        """
        session = self._get(sid)
        if session.closing or not session.lock.acquire(blocking=False):
            raise SessionError(409, "session is busy with another request or closing")
        try:
            if session.closing:
                raise SessionError(409, "session is closing")
            yield session
        finally:
            session.last_used = time.monotonic()
            session.lock.release()

    def close(self, sid: str, wait_s: float | None = None) -> None:
        """Close session ``sid`` after any step in flight finishes (or after ``wait_s``).

        Raises:
            SessionError: 404 unknown, 410 expired.
        """
        session = self._get(sid)
        session.closing = True
        got = session.lock.acquire(timeout=-1 if wait_s is None else wait_s)
        with self._lock:
            self.sessions.pop(sid, None)
        try:
            session.env.close()
        finally:
            if got:
                session.lock.release()

    def close_all(self) -> None:
        """Stop the reaper and close every session."""
        self._stop.set()
        if self._reaper is not None:
            self._reaper.join()
        with self._lock:
            sessions = list(self.sessions.values())
            self.sessions.clear()
        for session in sessions:
            session.closing = True
            with session.lock:
                session.env.close()

    def stats(self) -> dict[str, Any]:
        """Return counts for monitoring: live, being created, expired so far, the cap."""
        with self._lock:
            return {
                "sessions": len(self.sessions),
                "creating": self._reserved,
                "expired": self.expired_total,
                "max_sessions": self.max_sessions,
                "idle_ttl_s": self.idle_ttl_s,
            }

    def _get(self, sid: str) -> Session:
        with self._lock:
            session = self.sessions.get(sid)
            if session is None:
                if sid in self._expired:
                    raise SessionError(
                        410, f"session expired after {self.idle_ttl_s:g} s without a request"
                    )
                raise SessionError(404, "unknown session")
            return session

    def _reap_loop(self) -> None:
        assert self.idle_ttl_s is not None
        period = min(max(self.idle_ttl_s / 4, 0.05), 5.0)
        while not self._stop.wait(period):
            self.reap()

    def reap(self) -> list[str]:
        """Close the sessions idle for longer than the TTL; returns their ids."""
        if self.idle_ttl_s is None:
            return []
        now = time.monotonic()
        expired: list[Session] = []
        with self._lock:
            for session in list(self.sessions.values()):
                if now - session.last_used <= self.idle_ttl_s or session.closing:
                    continue
                if not session.lock.acquire(blocking=False):
                    continue  # a request is using it: not idle
                session.closing = True
                del self.sessions[session.id]
                self._expired[session.id] = None
                while len(self._expired) > 4096:
                    self._expired.popitem(last=False)
                self.expired_total += 1
                expired.append(session)
        for session in expired:
            try:
                session.env.close()
            finally:
                session.lock.release()
            log.info("session %s… expired after %g s idle; closed", session.id[:8], self.idle_ttl_s)
        return [s.id for s in expired]
