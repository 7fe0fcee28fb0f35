"""ChatWrapper: keep the episode as an OpenAI-style message list for chat-template trainers."""

from __future__ import annotations

import json
from typing import Any

import gymnasium as gym

from agentgym.parsing import message_json
from agentgym.tools.base import ToolCall

__all__ = ["ChatWrapper"]


class ChatWrapper(gym.Wrapper[str, str, str, str]):
    """Maintain the OpenAI-style messages of the episode (system, user, assistant, tool).

    After each ``reset``/``step`` the full list is in ``env.messages`` and a copy in
    ``info["messages"]``. With ``tool_messages=True`` (the default for the ``openai`` action
    format) each tool result becomes a ``{"role": "tool", "tool_call_id": ...}`` message and the
    assistant message carries ``tool_calls``; otherwise the observation comes back as one
    ``user`` message, which suits models prompted with the XML or JSON formats.

    Args:
        env: An agentgym env (or a wrapper of one).
        tool_messages: Emit ``tool`` messages (None: only for ``action_format="openai"``).

    Example:
        >>> import gymnasium as gym, agentgym
        >>> from agentgym.wrappers import ChatWrapper
        >>> env = ChatWrapper(gym.make("AgentCode-v0"))
        >>> obs, info = env.reset(seed=0)
        >>> [m["role"] for m in info["messages"]]
        ['system', 'user']
    """

    def __init__(self, env: gym.Env, tool_messages: bool | None = None):
        super().__init__(env)
        fmt = getattr(env.unwrapped, "action_format", "xml")
        self.tool_messages = fmt == "openai" if tool_messages is None else bool(tool_messages)
        self.messages: list[dict[str, Any]] = []

    def step(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        """Step the env and append the assistant message and the env's reply."""
        obs, reward, terminated, truncated, info = self.env.step(action)
        calls = info.get("tool_calls", [])
        if getattr(self.env.unwrapped, "action_format", "xml") == "openai":
            action = message_json(action)  # a dict or SDK message is stored as a message
        content = action if isinstance(action, str) else str(action)
        if self.tool_messages:
            content = _message_content(content)
        if self.tool_messages and calls:
            self.messages.append(
                {
                    "role": "assistant",
                    "content": content,
                    "tool_calls": [ToolCall(**c).openai_dict() for c in calls],
                }
            )
            for call, result in zip(calls, info.get("tool_results", []), strict=False):
                self.messages.append(
                    {
                        "role": "tool",
                        "tool_call_id": call["id"],
                        "name": call["name"],
                        "content": result["output"],
                    }
                )
        else:
            self.messages.append({"role": "assistant", "content": content})
            self.messages.append({"role": "user", "content": obs})
        info["messages"] = [dict(m) for m in self.messages]
        return obs, reward, terminated, truncated, info

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        """Reset the env and start a new message list (system prompt and task)."""
        obs, info = self.env.reset(seed=seed, options=options)
        self.messages = [dict(m) for m in info["messages"]]
        info["messages"] = [dict(m) for m in self.messages]
        return obs, info


def _message_content(action: str) -> str | None:
    """Return the text content of an OpenAI-format assistant message (the action's JSON)."""
    try:
        msg = json.loads(action)
    except (json.JSONDecodeError, RecursionError):
        return action
    if isinstance(msg, dict):
        content = msg.get("content")
        return content if isinstance(content, str) else None
    return action
