"""Serve agentgym envs over HTTP (``agentgym serve``) and use them remotely (:class:`RemoteEnv`).

For trainers whose rollout workers live elsewhere (another process, container or host), a
small JSON API on top of ``http.server``:

=========================================  =============================================
``GET /envs``                              registered env ids
``POST /sessions`` ``{env_id, kwargs}``    create an env; returns ``session`` and spaces
``POST /sessions/ID/reset`` ``{seed, options}``  ``{observation, info}``
``POST /sessions/ID/step`` ``{action}``    ``{observation, reward, terminated, truncated, info}``
``POST /sessions/ID/oracle``               ``{action}`` (the env's ``oracle_action()``)
``DELETE /sessions/ID``                    close the env
=========================================  =============================================

Arrays (GUI screenshots) travel as ``{"__ndarray__": base64, "dtype", "shape"}``. Errors are
JSON ``{"error": message}`` with status 400 (bad request), 404 (unknown session or path) or
409 (step before reset / after the end).
"""

from __future__ import annotations

import argparse
import base64
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import gymnasium as gym
import numpy as np

from agentgym.spaces import UnicodeText

__all__ = ["EnvServer", "RemoteEnv", "add_parser", "run"]

_MAX_BODY = 8 * 1024 * 1024


def encode(value: Any) -> Any:
    """Make ``value`` JSON-safe: arrays to base64 records, numpy scalars to Python."""
    if isinstance(value, np.ndarray):
        return {
            "__ndarray__": base64.b64encode(np.ascontiguousarray(value).tobytes()).decode(),
            "dtype": str(value.dtype),
            "shape": list(value.shape),
        }
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def decode(value: Any) -> Any:
    """Invert :func:`encode`."""
    if isinstance(value, dict):
        if "__ndarray__" in value:
            raw = base64.b64decode(value["__ndarray__"])
            return np.frombuffer(raw, dtype=value["dtype"]).reshape(value["shape"]).copy()
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def describe_space(space: gym.Space) -> dict[str, Any]:
    """Return a JSON description of a text, box or dict space."""
    if isinstance(space, UnicodeText):
        return {"type": "text", "max_length": space.max_length, "min_length": space.min_length}
    if isinstance(space, gym.spaces.Box):
        return {
            "type": "box",
            "shape": list(space.shape),
            "dtype": str(space.dtype),
            "low": float(np.min(space.low)),
            "high": float(np.max(space.high)),
        }
    if isinstance(space, gym.spaces.Dict):
        return {"type": "dict", "spaces": {k: describe_space(s) for k, s in space.spaces.items()}}
    raise TypeError(f"cannot describe space {space!r}")


def build_space(desc: dict[str, Any]) -> gym.Space:
    """Invert :func:`describe_space`."""
    if desc["type"] == "text":
        return UnicodeText(desc["max_length"], min_length=desc["min_length"])
    if desc["type"] == "box":
        return gym.spaces.Box(
            desc["low"], desc["high"], tuple(desc["shape"]), np.dtype(desc["dtype"])
        )
    return gym.spaces.Dict({k: build_space(v) for k, v in desc["spaces"].items()})


class EnvServer:
    """An HTTP server holding env sessions.

    Args:
        host: Interface to bind (keep the default loopback unless the network is trusted).
        port: Port; 0 picks a free one.
        max_sessions: Refuse new sessions beyond this many live ones.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, max_sessions: int = 64):

        self.sessions: dict[str, gym.Env] = {}
        self.locks: dict[str, threading.Lock] = {}
        self.max_sessions = max_sessions
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server._handle(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                server._handle(self, "POST")

            def do_DELETE(self) -> None:  # noqa: N802
                server._handle(self, "DELETE")

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        self._thread: threading.Thread | None = None

    def start(self) -> EnvServer:
        """Serve in a background thread; returns self."""
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and close every session's env."""
        self.httpd.shutdown()
        self.httpd.server_close()
        with self._lock:
            envs = list(self.sessions.values())
            self.sessions.clear()
        for env in envs:
            env.close()

    def __enter__(self) -> EnvServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- request handling ------------------------------------------------------------------

    def _handle(self, req: BaseHTTPRequestHandler, method: str) -> None:
        try:
            status, payload = self._route(method, req.path.rstrip("/"), self._body(req))
        except _HTTPError as e:
            status, payload = e.status, {"error": e.message}
        except (ValueError, TypeError, KeyError) as e:
            status, payload = 400, {"error": f"{type(e).__name__}: {e}"}
        except gym.error.ResetNeeded as e:
            status, payload = 409, {"error": str(e)}
        data = json.dumps(encode(payload), ensure_ascii=False).encode()
        req.send_response(status)
        req.send_header("Content-Type", "application/json")
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    def _body(self, req: BaseHTTPRequestHandler) -> dict[str, Any]:
        length = int(req.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            raise _HTTPError(413, f"request body over {_MAX_BODY} bytes")
        if length == 0:
            return {}
        try:
            body = json.loads(req.rfile.read(length))
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise _HTTPError(400, f"invalid JSON body: {e}") from None
        if not isinstance(body, dict):
            raise _HTTPError(400, "the JSON body must be an object")
        return body

    def _route(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        parts = [p for p in path.split("/") if p]
        if method == "GET" and parts == ["envs"]:
            from agentgym.registration import ENVS

            return 200, {"envs": [spec.id for spec in ENVS]}
        if method == "POST" and parts == ["sessions"]:
            return 201, self._create(body)
        if len(parts) >= 2 and parts[0] == "sessions":
            sid = parts[1]
            if sid not in self.sessions:
                raise _HTTPError(404, f"unknown session {sid!r}")
            if method == "DELETE" and len(parts) == 2:
                with self._lock:
                    env = self.sessions.pop(sid)
                    self.locks.pop(sid)
                env.close()
                return 200, {"closed": sid}
            if method == "POST" and len(parts) == 3:
                with self.locks[sid]:
                    return 200, self._act(self.sessions[sid], parts[2], body)
        raise _HTTPError(404, f"no route {method} {path}")

    def _create(self, body: dict[str, Any]) -> dict[str, Any]:
        env_id, kwargs = body.get("env_id"), body.get("kwargs", {})
        if not isinstance(env_id, str) or env_id not in gym.registry:
            raise _HTTPError(400, f"unknown env_id {env_id!r}")
        if not isinstance(kwargs, dict):
            raise _HTTPError(400, "kwargs must be an object")
        with self._lock:
            if len(self.sessions) >= self.max_sessions:
                raise _HTTPError(429, f"session limit ({self.max_sessions}) reached")
        env = gym.make(env_id, **kwargs)
        sid = uuid.uuid4().hex
        with self._lock:
            self.sessions[sid] = env
            self.locks[sid] = threading.Lock()
        return {
            "session": sid,
            "observation_space": describe_space(env.observation_space),
            "action_space": describe_space(env.action_space),
            "metadata": {
                k: v for k, v in env.metadata.items() if k in ("render_modes", "render_fps")
            },
        }

    def _act(self, env: gym.Env, verb: str, body: dict[str, Any]) -> dict[str, Any]:
        if verb == "reset":
            obs, info = env.reset(seed=body.get("seed"), options=body.get("options"))
            return {"observation": obs, "info": info}
        if verb == "step":
            if "action" not in body:
                raise _HTTPError(400, "step needs an 'action'")
            obs, reward, terminated, truncated, info = env.step(body["action"])
            return {
                "observation": obs,
                "reward": float(reward),
                "terminated": bool(terminated),
                "truncated": bool(truncated),
                "info": info,
            }
        if verb == "oracle":
            return {"action": env.unwrapped.oracle_action()}
        raise _HTTPError(404, f"unknown verb {verb!r}")


class _HTTPError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class RemoteEnvError(RuntimeError):
    """The env server refused a request; the message is the server's."""


class RemoteEnv(gym.Env):
    """A Gymnasium env whose episodes run on an :class:`EnvServer`.

    Args:
        url: The server's base URL.
        env_id: A registered env id on the server.
        timeout_s: Per-request timeout in seconds.
        **kwargs: Passed to ``gym.make`` on the server.
    """

    def __init__(self, url: str, env_id: str, timeout_s: float = 300.0, **kwargs: Any):
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        import requests  # here, not at module level: the CLI imports this module at start-up

        self.http = requests.Session()
        try:
            created = self._call("POST", "/sessions", {"env_id": env_id, "kwargs": kwargs})
        except BaseException:
            self.http.close()
            raise
        self.session = created["session"]
        self.observation_space = build_space(created["observation_space"])
        self.action_space = build_space(created["action_space"])
        self.metadata = created["metadata"]

    def step(self, action: str) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """Step the remote env."""
        r = self._call("POST", f"/sessions/{self.session}/step", {"action": action})
        return r["observation"], r["reward"], r["terminated"], r["truncated"], r["info"]

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        """Reset the remote env."""
        super().reset(seed=seed)
        r = self._call(
            "POST", f"/sessions/{self.session}/reset", {"seed": seed, "options": options}
        )
        return r["observation"], r["info"]

    def oracle_action(self) -> str:
        """Return the remote env's oracle action."""
        return self._call("POST", f"/sessions/{self.session}/oracle", {})["action"]

    def close(self) -> None:
        """Close the remote session."""
        if getattr(self, "session", None):
            try:
                self._call("DELETE", f"/sessions/{self.session}", None)
            except RemoteEnvError:
                pass
            self.session = None
        self.http.close()

    def _call(self, method: str, path: str, body: dict[str, Any] | None) -> Any:
        import requests

        try:
            resp = self.http.request(method, self.url + path, json=body, timeout=self.timeout_s)
        except requests.RequestException as e:
            raise RemoteEnvError(f"cannot reach {self.url}: {e}") from None
        try:
            payload = decode(resp.json())
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise RemoteEnvError(
                f"{resp.status_code}: {self.url} did not answer with a JSON object (is it an "
                "agentgym env server?)"
            )
        if resp.status_code >= 400:
            raise RemoteEnvError(f"{resp.status_code}: {payload.get('error')}")
        return payload


def add_parser(subparsers: Any) -> None:
    """Add the ``serve`` subcommand."""
    p = subparsers.add_parser("serve", help="serve envs over HTTP (JSON API)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--max-sessions", type=int, default=64)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    server = EnvServer(args.host, args.port, args.max_sessions)
    print(f"agentgym env server on {server.url}", flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0
