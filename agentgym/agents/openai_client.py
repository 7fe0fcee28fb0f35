"""An agent backed by any OpenAI-compatible chat completions server (vLLM, SGLang, ...)."""

from __future__ import annotations

import json
from typing import Any

import requests

__all__ = ["ChatCompletionsAgent", "ChatServerError"]


class ChatServerError(RuntimeError):
    """The chat server could not be reached or answered with an error."""


class ChatCompletionsAgent:
    """Ask a chat completions endpoint for each action.

    The agent keeps the conversation: the system prompt and task from reset info, its own
    completions, and the env's observations (as ``tool`` messages when the env uses the
    ``openai`` action format, else as ``user`` messages). For the ``openai`` format the env's
    tool schemas are sent as ``tools`` and the returned assistant message (JSON) is the action;
    otherwise the message content is.

    Args:
        base_url: The server's base URL, e.g. ``http://127.0.0.1:8000/v1``.
        model: The model name the server expects.
        action_format: The env's action format (``"xml"``, ``"json"`` or ``"openai"``).
        api_key: Sent as a bearer token when given.
        temperature: Sampling temperature.
        max_tokens: Completion length limit.
        timeout_s: Per-request timeout in seconds.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        action_format: str = "xml",
        api_key: str | None = None,
        temperature: float = 0.7,
        max_tokens: int = 1024,
        timeout_s: float = 120.0,
    ):
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.action_format = action_format
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.timeout_s = timeout_s
        self.session = requests.Session()
        if api_key:
            self.session.headers["Authorization"] = f"Bearer {api_key}"
        self.messages: list[dict[str, Any]] = []
        self.tools: list[dict[str, Any]] = []

    def reset(self, observation: str, info: dict[str, Any]) -> None:
        """Start the conversation from the env's reset info."""
        self.messages = [dict(m) for m in info["messages"]]
        self.tools = list(info.get("tools", []))

    def act(self, observation: str, info: dict[str, Any]) -> str:
        """Add the env's last reply (if any) to the conversation and ask for the next action."""
        if info.get("turn", 0) > 0:
            self._add_env_reply(observation, info)
        body: dict[str, Any] = {
            "model": self.model,
            "messages": self.messages,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }
        if self.action_format == "openai" and self.tools:
            body["tools"] = self.tools
        try:
            resp = self.session.post(self.url, json=body, timeout=self.timeout_s)
        except requests.RequestException as e:
            raise ChatServerError(f"cannot reach {self.url}: {e}") from None
        if resp.status_code != 200:
            raise ChatServerError(f"{self.url} answered {resp.status_code}: {resp.text[:200]}")
        try:
            message = resp.json()["choices"][0]["message"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise ChatServerError(
                f"unexpected response from {self.url}: {resp.text[:200]}"
            ) from None
        self.messages.append({k: v for k, v in message.items() if v is not None})
        if self.action_format == "openai":
            return json.dumps(message, ensure_ascii=False)
        return message.get("content") or ""

    def _add_env_reply(self, observation: str, info: dict[str, Any]) -> None:
        calls = info.get("tool_calls") or []
        last = self.messages[-1] if self.messages else {}
        sent_ids = [c.get("id") for c in last.get("tool_calls", []) or []]
        if self.action_format == "openai" and calls and len(sent_ids) == len(calls):
            # Answer with the ids the server chose, so its chat template can pair them.
            for call_id, call, result in zip(
                sent_ids, calls, info.get("tool_results", []), strict=False
            ):
                self.messages.append(
                    {
                        "role": "tool",
                        "tool_call_id": call_id,
                        "name": call["name"],
                        "content": result["output"],
                    }
                )
        else:
            self.messages.append({"role": "user", "content": observation})
