"""Action parsers: turn an assistant completion into tool calls.

Three interchangeable formats give the same calls for the same intent:

* ``xml``: ``<python>print(1)</python>``; the tag is the tool, the body fills the tool's main
  argument, attributes fill the rest (``<search k="3">query</search>``, ``<click id="4"/>``).
* ``json``: a bare or fenced object ``{"tool": "search", "arguments": {"query": "q"}}``, or a
  list of them.
* ``openai``: an assistant message with ``tool_calls`` as the OpenAI chat API returns it
  (``function.arguments`` is a JSON string): its JSON text, a dict, or the SDK's message
  object (anything with ``content`` and ``tool_calls``); see :func:`message_json`.

A malformed action never raises: :func:`parse_action` returns a :class:`ParsedAction` whose
``error`` says what was wrong.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from agentgym.tools.base import Tool, ToolCall

__all__ = [
    "ACTION_FORMATS",
    "ActionFormat",
    "ParsedAction",
    "format_action",
    "message_json",
    "parse_action",
]

ActionFormat = Literal["xml", "json", "openai"]
ACTION_FORMATS: tuple[str, ...] = ("xml", "json", "openai")

_OPEN_TAG = re.compile(r"<([A-Za-z_][\w\-]*)((?:\s+[\w\-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>")
_ATTR = re.compile(r"([\w\-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_FENCE = re.compile(r"```(?:json)?\s*\n?(.*?)```", re.DOTALL)
_PREVIEW = 60


@dataclass(frozen=True)
class ParsedAction:
    """The result of parsing one completion.

    Attributes:
        calls: The tool calls, in order (empty when ``error`` is set).
        error: None, or why the action could not be parsed.
        text: The free text of the completion outside tool calls (the message content).
    """

    calls: tuple[ToolCall, ...]
    error: str | None
    text: str


def message_json(message: Any) -> Any:
    """The JSON text of an assistant message given as a dict or as an OpenAI SDK object.

    A ``Mapping``, or an object with ``content`` and ``tool_calls`` attributes (the SDK's
    ``ChatCompletionMessage``, or any look-alike), becomes its JSON; a ``str`` and anything
    else come back unchanged, so the parser reports them as it would.
    """
    if isinstance(message, str) or not (
        isinstance(message, Mapping)
        or (hasattr(message, "content") and hasattr(message, "tool_calls"))
    ):
        return message
    try:
        return json.dumps(_plain(message), ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return message


def _plain(value: Any, depth: int = 0) -> Any:
    """Plain JSON data from SDK objects: pydantic models, attribute objects, mappings, lists."""
    if depth > 20:
        raise ValueError("message nested too deeply")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value]
    dump = getattr(value, "model_dump", None)  # pydantic v2, as the openai SDK uses
    if callable(dump):
        return _plain(dump(exclude_none=True), depth + 1)
    if hasattr(value, "__dict__"):
        return {k: _plain(v, depth + 1) for k, v in vars(value).items() if not k.startswith("_")}
    raise TypeError(f"cannot read a message field of type {type(value).__name__}")


def parse_action(
    action: Any, action_format: str, tools: Mapping[str, Tool], *, call_prefix: str = "call"
) -> ParsedAction:
    """Parse ``action`` in ``action_format`` against the available ``tools``.

    Args:
        action: The raw completion; anything but a ``str`` is an error (``bytes`` are decoded),
            except that the ``openai`` format also takes a message dict or SDK object.
        action_format: One of ``"xml"``, ``"json"``, ``"openai"``.
        tools: The env's tools by name.
        call_prefix: Prefix of the call ids (``"call_3_0"`` style); ids are always derived
            from it, never taken from the completion, so every format gives the same episode.

    Returns:
        A :class:`ParsedAction`; never raises for bad input.
    """
    if isinstance(action, bytes | bytearray):
        action = bytes(action).decode("utf-8", errors="replace")
    if action_format == "openai":
        action = message_json(action)
    if not isinstance(action, str):
        return ParsedAction((), f"action must be a str, got {type(action).__name__}", "")
    if not action.strip():
        return ParsedAction((), "empty action: call a tool (" + _tool_hint(tools) + ")", "")
    if action_format == "xml":
        result = _parse_xml(action, tools)
    elif action_format == "json":
        result = _parse_json(action, tools)
    elif action_format == "openai":
        result = _parse_openai(action, tools)
    else:
        raise ValueError(
            f"unknown action_format {action_format!r}; expected one of {ACTION_FORMATS}"
        )
    if result.error is None:
        calls = tuple(
            ToolCall(c.name, c.arguments, f"{call_prefix}_{i}") for i, c in enumerate(result.calls)
        )
        return ParsedAction(calls, None, result.text)
    return result


def format_action(calls: Sequence[ToolCall], action_format: str, tools: Mapping[str, Tool]) -> str:
    """Render tool calls as a completion in ``action_format`` (the inverse of parsing).

    Used by the oracle and for SFT data, so every format replays the same episode.
    """
    if action_format == "xml":
        return "\n".join(_format_xml(c, tools[c.name]) for c in calls)
    if action_format == "json":
        objs = [{"tool": c.name, "arguments": dict(c.arguments)} for c in calls]
        body = json.dumps(objs[0] if len(objs) == 1 else objs, ensure_ascii=False)
        return f"```json\n{body}\n```"
    if action_format == "openai":
        msg = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                (c if c.id else ToolCall(c.name, c.arguments, f"call_{i}")).openai_dict()
                for i, c in enumerate(calls)
            ],
        }
        return json.dumps(msg, ensure_ascii=False)
    raise ValueError(f"unknown action_format {action_format!r}; expected one of {ACTION_FORMATS}")


# --- xml -----------------------------------------------------------------------------------


def _format_xml(call: ToolCall, tool: Tool) -> str:
    attrs = "".join(
        f' {k}="{_attr_text(v)}"' for k, v in call.arguments.items() if k != tool.main_arg
    )
    if tool.main_arg is None or tool.main_arg not in call.arguments:
        return f"<{call.name}{attrs}/>"
    body = str(call.arguments[tool.main_arg])
    if "\n" in body:
        return f"<{call.name}{attrs}>\n{body}\n</{call.name}>"
    return f"<{call.name}{attrs}>{body}</{call.name}>"


def _attr_text(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, bool | list | dict) else str(value)
    if '"' in text:
        raise ValueError(f"XML attribute values cannot contain '\"': {text!r}")
    return text


def _parse_xml(action: str, tools: Mapping[str, Tool]) -> ParsedAction:
    calls: list[ToolCall] = []
    text_parts: list[str] = []
    pos = 0
    unknown: str | None = None
    while True:
        m = _OPEN_TAG.search(action, pos)
        if m is None:
            break
        name, raw_attrs, self_closing = m.group(1), m.group(2), m.group(3)
        tool = tools.get(name)
        if tool is None:
            if unknown is None and re.search(rf"</{re.escape(name)}\s*>", action[m.end() :]):
                unknown = name
            pos = m.end()
            continue
        text_parts.append(action[pos : m.start()])
        args: dict[str, Any] = {
            am.group(1): am.group(2) if am.group(2) is not None else am.group(3)
            for am in _ATTR.finditer(raw_attrs)
        }
        if self_closing:
            pos = m.end()
        else:
            close = re.compile(rf"</{re.escape(name)}\s*>").search(action, m.end())
            if close is None:
                return ParsedAction((), f"unclosed <{name}> tag: end it with </{name}>", action)
            body = action[m.end() : close.start()].strip("\n")
            pos = close.end()
            if tool.main_arg is not None:
                if tool.main_arg in args:
                    return ParsedAction(
                        (), f"<{name}> gives `{tool.main_arg}` both as attribute and body", action
                    )
                args[tool.main_arg] = body
            elif body.strip():
                return ParsedAction(
                    (), f"<{name}> takes no body; pass arguments as attributes", action
                )
        calls.append(ToolCall(name, args))
    text_parts.append(action[pos:])
    text = "".join(text_parts).strip()
    if not calls:
        if unknown is not None:
            return ParsedAction(
                (), f"unknown tool <{unknown}>; available: {_tool_hint(tools)}", text
            )
        return ParsedAction((), f"no tool call found; available: {_tool_hint(tools)}", text)
    return ParsedAction(tuple(calls), None, text)


# --- json ----------------------------------------------------------------------------------


def _load_json(action: str) -> tuple[Any, str | None, str]:
    """Return (value, error, free text) for a bare or fenced JSON completion."""
    fence = _FENCE.search(action)
    if fence is not None:
        candidate = fence.group(1)
        text = (action[: fence.start()] + action[fence.end() :]).strip()
    else:
        stripped = action.strip()
        starts = [i for i in (stripped.find("{"), stripped.find("[")) if i >= 0]
        if not starts:
            return None, "no JSON object found", stripped
        start = min(starts)
        end = max(stripped.rfind("}"), stripped.rfind("]")) + 1
        candidate = stripped[start:end]
        text = (stripped[:start] + stripped[end:]).strip()
    value, error = _loads(candidate)
    return value, None if error is None else f"invalid JSON: {error}", text


def _loads(text: str) -> tuple[Any, str | None]:
    """``json.loads`` that says what is wrong instead of raising (for hostile completions)."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as e:
        return None, f"{e.msg} at line {e.lineno} column {e.colno}"
    except RecursionError:
        return None, "nested too deeply"
    except ValueError as e:
        # An integer literal wider than int() converts (4,300 digits by default).
        return None, str(e).split(";")[0]


def _parse_json(action: str, tools: Mapping[str, Tool]) -> ParsedAction:
    value, error, text = _load_json(action)
    if error is not None:
        return ParsedAction((), f'{error}; expected {{"tool": NAME, "arguments": {{...}}}}', text)
    items = value if isinstance(value, list) else [value]
    if not items:
        return ParsedAction((), "empty list of tool calls", text)
    calls = []
    for item in items:
        if not isinstance(item, dict) or "tool" not in item:
            return ParsedAction((), 'each call must be an object with a "tool" key', text)
        name, args = item["tool"], item.get("arguments", {})
        err = _check_call(name, args, tools)
        if err:
            return ParsedAction((), err, text)
        calls.append(ToolCall(name, args))
    return ParsedAction(tuple(calls), None, text)


def _check_call(name: Any, args: Any, tools: Mapping[str, Tool]) -> str | None:
    if not isinstance(name, str):
        return "tool name must be a string"
    if name not in tools:
        return f"unknown tool `{name[:_PREVIEW]}`; available: {_tool_hint(tools)}"
    if not isinstance(args, dict):
        return f"arguments of `{name}` must be an object"
    return None


# --- openai --------------------------------------------------------------------------------


def _parse_openai(action: str, tools: Mapping[str, Tool]) -> ParsedAction:
    value, error, _ = _load_json(action)
    if error is not None:
        return ParsedAction((), f"{error}; expected an assistant message with tool_calls", action)
    if not isinstance(value, dict):
        return ParsedAction((), "expected an assistant message object with tool_calls", action)
    content = value.get("content") or ""
    text = content if isinstance(content, str) else ""
    raw_calls = value.get("tool_calls")
    if not raw_calls:
        return ParsedAction((), f"message has no tool_calls; available: {_tool_hint(tools)}", text)
    if not isinstance(raw_calls, list):
        return ParsedAction((), "tool_calls must be a list", text)
    calls = []
    for raw in raw_calls:
        fn = raw.get("function") if isinstance(raw, dict) else None
        if not isinstance(fn, dict):
            return ParsedAction((), "each tool call needs a `function` object", text)
        args = fn.get("arguments", "{}")
        if isinstance(args, str):
            args, error = _loads(args) if args.strip() else ({}, None)
            if error is not None:
                return ParsedAction((), f"invalid JSON in function.arguments: {error}", text)
        err = _check_call(fn.get("name"), args, tools)
        if err:
            return ParsedAction((), err, text)
        calls.append(ToolCall(fn["name"], args))
    return ParsedAction(tuple(calls), None, text)


def _tool_hint(tools: Mapping[str, Tool]) -> str:
    return ", ".join(tools) or "none"
