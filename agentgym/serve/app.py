"""The env server: an ASGI app (Starlette's requests and thread pool) on uvicorn.

uvicorn keeps connections alive (HTTP/1.1) and serves them from one event loop, so slow or
idle clients cost a socket, not a thread; env calls run in a bounded thread pool. On top of
uvicorn the server adds what it lacks: a deadline for request headers (slow-header clients are
disconnected) and JSON for the errors uvicorn answers itself. The app adds a deadline and a size
limit for the body (checked while reading, so a missing or false ``Content-Length`` changes
nothing), an optional bearer token, and a JSON body for every error status.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import math
import socket
import threading
from pathlib import Path
from typing import Any

import gymnasium as gym

from agentgym.serve.codec import describe_space, encode
from agentgym.serve.sessions import ServerLimits, ServerPolicy, SessionError, SessionStore

__all__ = ["EnvServer", "TOKEN_ENV_VAR"]

TOKEN_ENV_VAR = "AGENTGYM_SERVE_TOKEN"

_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_MAX_SEED = 2**63 - 1


def _uvicorn() -> Any:
    try:
        import starlette  # noqa: F401
        import uvicorn
    except ModuleNotFoundError as e:
        raise ModuleNotFoundError(
            f'the env server needs {e.name}: pip install -e ".[serve]"', name=e.name
        ) from None
    return uvicorn


class _HTTPError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _json_bytes(payload: Any) -> bytes:
    # ASCII escapes keep lone surrogates (valid in a Python str, not in UTF-8) transmissible.
    return json.dumps(encode(payload), ensure_ascii=True, allow_nan=False).encode()


class EnvServer:
    """An HTTP server holding env sessions.

    Args:
        host: Interface to bind (keep the loopback default unless the network is trusted).
        port: Port; 0 picks a free one.
        max_sessions: Refuse new sessions beyond this many live ones (429).
        token: Bearer token every request must carry; None reads ``$AGENTGYM_SERVE_TOKEN``,
            "" (or an unset variable) serves without one.
        allow_oracle: Serve ``/oracle`` (the env's privileged next action); off by default.
        task_dir: A folder whose files clients may name as ``task_source``/``corpus``.
        idle_ttl_s: Close sessions idle this long (seconds); None never.
        limits: Maxima for client-set constructor arguments.
        max_body_bytes: Largest request body.
        header_timeout_s: Time a client has to send a request's headers.
        body_timeout_s: Time a client has to send a request's body.
        keepalive_s: Idle time after which a kept-alive connection is closed.
        workers: Threads running env calls at once.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        max_sessions: int = 64,
        *,
        token: str | None = None,
        allow_oracle: bool = False,
        task_dir: str | Path | None = None,
        idle_ttl_s: float | None = 600.0,
        limits: ServerLimits | None = None,
        max_body_bytes: int = 8 * 1024 * 1024,
        header_timeout_s: float = 10.0,
        body_timeout_s: float = 30.0,
        keepalive_s: float = 30.0,
        workers: int = 64,
    ):
        uvicorn = _uvicorn()
        if task_dir is not None and not Path(task_dir).is_dir():
            raise ValueError(f"task_dir {task_dir!r} is not a folder")
        for name, value in (
            ("header_timeout_s", header_timeout_s),
            ("body_timeout_s", body_timeout_s),
            ("keepalive_s", keepalive_s),
        ):
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        import os

        self.token = os.environ.get(TOKEN_ENV_VAR, "") if token is None else token
        self.allow_oracle = allow_oracle
        self.max_body_bytes = max_body_bytes
        self.body_timeout_s = body_timeout_s
        self.workers = workers
        self.store = SessionStore(max_sessions, idle_ttl_s, ServerPolicy(limits, task_dir))
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.sock.bind((host, port))
        except OSError:
            self.sock.close()
            self.store.close_all()
            raise
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(
            _App(self),
            http=_timed_protocol(header_timeout_s),
            lifespan="off",
            timeout_keep_alive=keepalive_s,  # type: ignore[arg-type]
            log_level="warning",
            access_log=False,
            backlog=2048,
        )
        self.uvicorn = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def sessions(self) -> dict[str, Any]:
        """The live sessions by id."""
        return self.store.sessions

    def start(self) -> EnvServer:
        """Serve in a background thread until :meth:`close`; returns self once it accepts."""
        self._thread = threading.Thread(
            target=self.uvicorn.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self._thread.start()
        while not self.uvicorn.started:
            if not self._thread.is_alive():
                raise RuntimeError("the env server failed to start")
            self._thread.join(0.01)
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (SIGINT/SIGTERM), then close the sessions."""
        try:
            self.uvicorn.run(sockets=[self.sock])
        finally:
            self.close()

    def close(self) -> None:
        """Stop serving and close every session's env."""
        self.uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.sock.close()
        self.store.close_all()

    def __enter__(self) -> EnvServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- requests ---------------------------------------------------------------------------

    async def _dispatch(self, request: Any) -> Any:
        from starlette.concurrency import run_in_threadpool

        parts = [p for p in request.url.path.split("/") if p]
        method = request.method
        if method == "GET" and parts == ["envs"]:
            from agentgym.registration import ENVS

            return 200, {"envs": [spec.id for spec in ENVS]}
        if method == "GET" and parts == ["stats"]:
            return 200, self.store.stats()
        if parts == ["sessions"] and method == "POST":
            body = await self._body(request)
            return 201, await run_in_threadpool(self._create, body)
        if len(parts) == 2 and parts[0] == "sessions" and method == "DELETE":
            await run_in_threadpool(self.store.close, parts[1])
            return 200, {"closed": parts[1]}
        if len(parts) == 3 and parts[0] == "sessions" and method == "POST":
            if parts[2] not in ("reset", "step", "oracle"):
                raise _HTTPError(404, f"unknown verb {parts[2]!r}")
            body = await self._body(request)
            return 200, await run_in_threadpool(self._act, parts[1], parts[2], body)
        allowed = (
            {
                ("envs",): "GET",
                ("stats",): "GET",
                ("sessions",): "POST",
            }.get(tuple(parts))
            or ("DELETE" if len(parts) == 2 and parts[0] == "sessions" else None)
            or ("POST" if len(parts) == 3 and parts[0] == "sessions" else None)
        )
        if allowed:
            raise _HTTPError(405, f"{method} is not allowed here; use {allowed}")
        raise _HTTPError(404, f"no route {method} /{'/'.join(parts)}")

    async def _body(self, request: Any) -> dict[str, Any]:
        chunks, size = [], 0
        try:
            async with asyncio.timeout(self.body_timeout_s):
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > self.max_body_bytes:
                        raise _HTTPError(413, f"request body over {self.max_body_bytes} bytes")
                    chunks.append(chunk)
        except TimeoutError:
            raise _HTTPError(
                408, f"request body not received within {self.body_timeout_s:g} s"
            ) from None
        if not size:
            return {}
        try:
            body = json.loads(b"".join(chunks))
        except (ValueError, RecursionError) as e:
            raise _HTTPError(400, f"invalid JSON body: {type(e).__name__}") from None
        if not isinstance(body, dict):
            raise _HTTPError(400, "the JSON body must be an object")
        return body

    def _create(self, body: dict[str, Any]) -> dict[str, Any]:
        session, clamped = self.store.create(body.get("env_id"), body.get("kwargs", {}))
        env = session.env
        try:
            return {
                "session": session.id,
                "observation_space": describe_space(env.observation_space),
                "action_space": describe_space(env.action_space),
                "metadata": {
                    k: v for k, v in env.metadata.items() if k in ("render_modes", "render_fps")
                },
                "clamped": clamped,
            }
        except TypeError as e:
            self.store.close(session.id)
            raise _HTTPError(400, f"this env cannot be served: {e}") from None

    def _act(self, sid: str, verb: str, body: dict[str, Any]) -> dict[str, Any]:
        if verb == "oracle" and not self.allow_oracle:
            raise _HTTPError(
                403, "the oracle is disabled on this server (start it with --allow-oracle)"
            )
        if verb == "reset":
            seed, options = body.get("seed"), body.get("options")
            if seed is not None and (
                isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= _MAX_SEED
            ):
                raise _HTTPError(400, f"seed must be null or an int in [0, 2**63), got {seed!r}")
            if options is not None and not isinstance(options, dict):
                raise _HTTPError(400, "options must be null or an object")
        elif verb == "step" and "action" not in body:
            raise _HTTPError(400, "step needs an 'action'")
        with self.store.use(sid) as session:
            env = session.env
            try:
                if verb == "reset":
                    obs, info = env.reset(seed=seed, options=options)
                    return {"observation": obs, "info": info}
                if verb == "step":
                    obs, reward, terminated, truncated, info = env.step(body["action"])
                    return {
                        "observation": obs,
                        "reward": float(reward),
                        "terminated": bool(terminated),
                        "truncated": bool(truncated),
                        "info": info,
                    }
                return {"action": env.unwrapped.oracle_action()}
            except gym.error.ResetNeeded as e:
                raise _HTTPError(409, str(e)) from None
            except (ValueError, TypeError, KeyError, gym.error.Error) as e:
                raise _HTTPError(400, f"{type(e).__name__}: {e}") from None


class _App:
    """The ASGI app: methods, the bearer token, routing, and JSON for every answer and error."""

    def __init__(self, server: EnvServer):
        self.server = server
        self._pool_sized = False

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        import anyio.to_thread
        from starlette.requests import Request

        if not self._pool_sized:
            anyio.to_thread.current_default_thread_limiter().total_tokens = self.server.workers
            self._pool_sized = True

        try:
            if scope["method"] not in _KNOWN_METHODS:
                raise _HTTPError(501, f"method {scope['method']} is not implemented")
            if self.server.token:
                auth = dict(scope["headers"]).get(b"authorization", b"")
                expected = b"Bearer " + self.server.token.encode()
                if not hmac.compare_digest(auth, expected):
                    raise _HTTPError(401, "missing or wrong bearer token")
            status, payload = await self.server._dispatch(Request(scope, receive))
        except _HTTPError as e:
            status, payload = e.status, {"error": e.message}
        except SessionError as e:
            status, payload = e.status, {"error": e.message}
        except Exception as e:  # an env bug must still get an answer, not a dropped connection
            status, payload = 500, {"error": f"internal error: {type(e).__name__}"}
        try:
            data = _json_bytes(payload)
        except (ValueError, TypeError) as e:
            status, data = 500, _json_bytes({"error": f"unserialisable result: {type(e).__name__}"})
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(data)).encode()),
        ]
        if status == 401:
            headers.append((b"www-authenticate", b"Bearer"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})


def _timed_protocol(header_timeout_s: float) -> type:
    """Return uvicorn's h11 protocol with a deadline for request headers and JSON 400s."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class TimedH11Protocol(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            # A new request starts on this connection: it gets the deadline too.
            if self._header_timer is None and (self.cycle is None or self.cycle.response_complete):
                self._arm()
            super().data_received(data)

        def handle_events(self) -> None:
            before = self.cycle
            super().handle_events()
            if self.cycle is not before and self._header_timer is not None:
                self._header_timer.cancel()  # the headers are in
                self._header_timer = None

        def connection_lost(self, exc: Exception | None) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._header_timer = self.loop.call_later(header_timeout_s, self._expire)

        def _expire(self) -> None:
            self._header_timer = None
            if not self.transport.is_closing():
                self.transport.close()

        def send_400_response(self, msg: str) -> None:
            import h11

            data = _json_bytes({"error": msg})
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                (b"connection", b"close"),
            ]
            for event in (
                h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                h11.Data(data=data),
                h11.EndOfMessage(),
            ):
                self.transport.write(self.conn.send(event))
            self.transport.close()

    return TimedH11Protocol
