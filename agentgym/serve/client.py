""":class:`RemoteEnv`: a Gymnasium env whose episodes run on an env server."""

from __future__ import annotations

import os
from typing import Any

import gymnasium as gym

from agentgym.serve.codec import build_space, decode

__all__ = ["RemoteEnv", "RemoteEnvError"]


class RemoteEnvError(RuntimeError):
    """The env server refused a request; the message is the server's."""


class RemoteEnv(gym.Env):
    """A Gymnasium env whose episodes run on an env server (``agentgym serve``).

    All calls go over one kept-alive connection (a ``requests.Session``).

    Args:
        url: The server's base URL.
        env_id: A registered env id on the server.
        timeout_s: Per-request timeout in seconds.
        token: The server's bearer token; None reads ``$AGENTGYM_SERVE_TOKEN`` (if set).
        **kwargs: Passed to ``gym.make`` on the server (which may refuse or clamp some; the
            clamped ones are in :attr:`clamped`).
    """

    def __init__(
        self,
        url: str,
        env_id: str,
        timeout_s: float = 300.0,
        *,
        token: str | None = None,
        **kwargs: Any,
    ):
        from agentgym.serve.app import TOKEN_ENV_VAR

        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self.session: str | None = None
        import requests  # here, not at module level: the CLI imports this package at start-up

        self.http = requests.Session()
        token = os.environ.get(TOKEN_ENV_VAR) if token is None else token
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"
        try:
            created = self._call("POST", "/sessions", {"env_id": env_id, "kwargs": kwargs})
        except BaseException:
            self.http.close()
            raise
        self.session = created["session"]
        self.clamped: dict[str, Any] = created.get("clamped", {})
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
        """Return the remote env's oracle action (the server must allow it)."""
        return self._call("POST", f"/sessions/{self.session}/oracle", {})["action"]

    def close(self) -> None:
        """Close the remote session and the connection."""
        if self.session:
            try:
                self._call("DELETE", f"/sessions/{self.session}", None)
            except RemoteEnvError:
                pass  # already expired or the server is gone: nothing left to close
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
