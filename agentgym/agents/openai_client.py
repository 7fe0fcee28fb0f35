"""An agent backed by any OpenAI-compatible chat completions server (vLLM, SGLang, ...).

Transient failures (HTTP 429 and 5xx, dropped or refused connections, timeouts) are retried
with exponential backoff and full jitter, honouring ``Retry-After``; a :class:`RetryBudget`
shared by every agent of a run caps the retries in total, so a dead server stops a run in
minutes, not hours. A request that still fails raises :class:`ChatServerError`; the harness
records that episode as errored and goes on.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests

__all__ = ["ChatCompletionsAgent", "ChatServerError", "RetryBudget", "SamplingSettings"]

RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


class ChatServerError(RuntimeError):
    """The chat server could not be reached or answered with an error."""


class RetryBudget:
    """Retries left for a whole run, shared (thread-safely) by all its agents.

    Args:
        total: Retries allowed in total; ``None`` for no limit.
    """

    def __init__(self, total: int | None = 200):
        self.total = total
        self.used = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Spend one retry; returns False when the budget is exhausted."""
        with self._lock:
            if self.total is not None and self.used >= self.total:
                return False
            self.used += 1
            return True


@dataclass(frozen=True)
class SamplingSettings:
    """How completions are requested (recorded with every episode).

    Attributes:
        temperature: Sampling temperature.
        max_tokens: Completion length limit in tokens.
        timeout_s: Per-request timeout in seconds.
        max_retries: Retries of one request on 429, 5xx and connection errors.
        backoff_s: First backoff in seconds; doubles per retry (with jitter), capped at 30 s.
    """

    temperature: float = 0.7
    max_tokens: int = 1024
    timeout_s: float = 120.0
    max_retries: int = 5
    backoff_s: float = 0.5

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as a plain dict."""
        return dict(self.__dict__)


@dataclass
class _Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0
    retries: int = 0
    latency_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


class ChatCompletionsAgent:
    """Ask a chat completions endpoint for each action.

    The agent keeps the conversation: the system prompt and task from reset info, its own
    completions, and the env's observations (as ``tool`` messages when the env uses the
    ``openai`` action format, else as ``user`` messages). For the ``openai`` format the env's
    tool schemas are sent as ``tools`` and the returned assistant message (JSON) is the action;
    otherwise the message content is (a server that answers with ``tool_calls`` anyway has
    them rendered in the env's own format).

    Args:
        base_url: The server's base URL, e.g. ``http://127.0.0.1:8000/v1``.
        model: The model name the server expects.
        action_format: The env's action format (``"xml"``, ``"json"`` or ``"openai"``).
        api_key: Sent as a bearer token when given.
        temperature: Sampling temperature.
        max_tokens: Completion length limit.
        timeout_s: Per-request timeout in seconds.
        max_retries: Retries per request on 429, 5xx and connection errors.
        backoff_s: First backoff in seconds (doubling, full jitter, capped at 30 s).
        retry_budget: Retries shared by a whole run (default: a private budget of 200).
        seed: Seeds the backoff jitter (not the server's sampling).
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
        max_retries: int = 5,
        backoff_s: float = 0.5,
        retry_budget: RetryBudget | None = None,
        seed: int | None = None,
    ):
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.action_format = action_format
        self.sampling = SamplingSettings(temperature, max_tokens, timeout_s, max_retries, backoff_s)
        self.retry_budget = retry_budget if retry_budget is not None else RetryBudget()
        self.session = requests.Session()
        if api_key:
            self.session.headers["Authorization"] = f"Bearer {api_key}"
        self.messages: list[dict[str, Any]] = []
        self.tools: list[dict[str, Any]] = []
        self._usage = _Usage()
        self._rng = random.Random(seed)

    @property
    def usage(self) -> dict[str, Any]:
        """Token usage, requests, retries and model latency of the current episode."""
        u = self._usage
        return {
            "prompt_tokens": u.prompt_tokens,
            "completion_tokens": u.completion_tokens,
            "total_tokens": u.prompt_tokens + u.completion_tokens,
            "requests": u.requests,
            "retries": u.retries,
            "model_s": round(u.latency_s, 4),
        }

    def reset(self, observation: str, info: dict[str, Any]) -> None:
        """Start the conversation from the env's reset info."""
        self.messages = [dict(m) for m in info["messages"]]
        self.tools = list(info.get("tools", []))
        self._usage = _Usage()

    def act(self, observation: str, info: dict[str, Any]) -> str:
        """Add the env's last reply (if any) to the conversation and ask for the next action.

        Raises:
            ChatServerError: When the server cannot answer, after the retries allowed.
        """
        if info.get("turn", 0) > 0:
            self._add_env_reply(observation, info)
        body: dict[str, Any] = {
            "model": self.model,
            "messages": self.messages,
            "temperature": self.sampling.temperature,
            "max_tokens": self.sampling.max_tokens,
        }
        if self.action_format == "openai" and self.tools:
            body["tools"] = self.tools
        data = self._post(body)
        try:
            message = data["choices"][0]["message"]
            if not isinstance(message, dict):
                raise TypeError
        except (KeyError, IndexError, TypeError):
            raise ChatServerError(
                f"unexpected response from {self.url}: {json.dumps(data)[:200]}"
            ) from None
        usage = data.get("usage") or {}
        self._usage.prompt_tokens += int(usage.get("prompt_tokens") or 0)
        self._usage.completion_tokens += int(usage.get("completion_tokens") or 0)
        message = {k: v for k, v in message.items() if v is not None}
        message.setdefault("role", "assistant")
        self.messages.append(message)
        if self.action_format == "openai":
            return json.dumps(message, ensure_ascii=False)
        if not message.get("content") and message.get("tool_calls"):
            return _calls_as_text(message["tool_calls"], self.action_format)
        return message.get("content") or ""

    def transcript(self) -> list[dict[str, Any]]:
        """Return the conversation as sent to the server (system, user, assistant, tool)."""
        return [dict(m) for m in self.messages]

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        attempt = 0
        while True:
            t0 = time.perf_counter()
            retry_after: float | None = None
            try:
                resp = self.session.post(self.url, json=body, timeout=self.sampling.timeout_s)
            except requests.RequestException as e:
                problem = f"cannot reach {self.url}: {type(e).__name__}"
            else:
                if resp.status_code == 200:
                    self._usage.requests += 1
                    self._usage.latency_s += time.perf_counter() - t0
                    try:
                        return resp.json()
                    except ValueError:
                        raise ChatServerError(
                            f"unexpected response from {self.url}: {resp.text[:200]}"
                        ) from None
                problem = f"{self.url} answered {resp.status_code}: {resp.text[:200]}"
                if resp.status_code not in RETRYABLE_STATUS:
                    raise ChatServerError(problem)
                retry_after = _retry_after(resp.headers.get("Retry-After"))
            if attempt >= self.sampling.max_retries or not self.retry_budget.take():
                raise ChatServerError(f"{problem} (after {attempt} retries)")
            cap = min(30.0, self.sampling.backoff_s * 2**attempt)
            delay = self._rng.uniform(0, cap) if retry_after is None else min(retry_after, 60.0)
            attempt += 1
            self._usage.retries += 1
            time.sleep(delay)

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


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _calls_as_text(tool_calls: list[dict[str, Any]], action_format: str) -> str:
    """Render native tool calls in the env's text format (for servers that always use them)."""
    parts = []
    for call in tool_calls:
        fn = call.get("function") or {}
        name = str(fn.get("name", ""))
        try:
            args = json.loads(fn.get("arguments") or "{}")
        except ValueError:
            args = {}
        if action_format == "json":
            parts.append(json.dumps({"tool": name, "arguments": args}, ensure_ascii=False))
        else:
            attrs = " ".join(f'{k}="{v}"' for k, v in args.items() if not isinstance(v, dict))
            parts.append(f"<{name} {attrs}/>" if attrs else f"<{name}/>")
    return "\n".join(parts)
