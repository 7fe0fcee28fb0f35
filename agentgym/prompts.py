"""The system prompt's tool section: each tool's arguments, and examples valid as written.

An agent reads the tools' arguments (type, required or optional, allowed values, default) and
one example call per tool in the env's action format. The examples are rendered by the same
:func:`~agentgym.parsing.format_action` that the parser inverts, from values the schema
allows, so copying one never costs a format penalty (``tests/core/test_prompts.py`` steps
every example of every env in every format).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from agentgym.parsing import format_action
from agentgym.tools.base import Tool, ToolCall

__all__ = [
    "EXAMPLES_HEADER",
    "describe_tools",
    "example_arguments",
    "format_instructions",
    "parse_examples",
]

EXAMPLES_HEADER = "Examples (each one valid as written):"
# Placeholder values by JSON type, for arguments whose schema gives no example, enum or default.
_PLACEHOLDER = {"integer": 1, "number": 1.0, "string": "text", "boolean": True, "array": []}


def describe_tools(tools: Mapping[str, Tool]) -> str:
    """One entry per tool: its name, description and each argument's type and constraints."""
    lines = []
    for tool in tools.values():
        lines.append(f"- {tool.name}: {tool.description}")
        props: Mapping[str, Any] = tool.parameters.get("properties", {})
        required = set(tool.parameters.get("required", ()))
        for name, spec in props.items():
            lines.append(f"    {name} {_describe_argument(spec, name in required)}")
        if not props:
            lines.append("    (no arguments)")
    return "\n".join(lines)


def _describe_argument(spec: Mapping[str, Any], required: bool) -> str:
    parts = [" or ".join(_types(spec)), "required" if required else "optional"]
    if "enum" in spec:
        parts.append("one of " + ", ".join(json.dumps(v) for v in spec["enum"]))
    low, high = spec.get("minimum"), spec.get("maximum")
    if low is not None and high is not None:
        parts.append(f"{low} to {high}")
    elif low is not None:
        parts.append(f"at least {low}")
    elif high is not None:
        parts.append(f"at most {high}")
    if "default" in spec:
        parts.append(f"default {json.dumps(spec['default'])}")
    text = "(" + ", ".join(parts) + ")"
    return f"{text}: {spec['description']}" if spec.get("description") else text


def _types(spec: Mapping[str, Any]) -> list[str]:
    kind = spec.get("type", "any")
    return [str(k) for k in kind] if isinstance(kind, list) else [str(kind)]


def example_arguments(tool: Tool) -> dict[str, Any]:
    """Arguments for an example call: every required argument, with a value its schema allows."""
    props: Mapping[str, Any] = tool.parameters.get("properties", {})
    args = {}
    for name in tool.parameters.get("required", ()):
        spec = props.get(name, {})
        if spec.get("examples"):
            value = spec["examples"][0]
        elif spec.get("enum"):
            value = spec["enum"][0]
        elif "default" in spec:
            value = spec["default"]
        else:
            kind = _types(spec)[0]
            value = _PLACEHOLDER.get(kind, "text")
            if kind in ("integer", "number") and "minimum" in spec:
                value = max(value, spec["minimum"])
        args[name] = value
    return args


def format_instructions(tools: Mapping[str, Tool], action_format: str) -> str:
    """How to call a tool in ``action_format``, then one example per tool, one per line."""
    if action_format == "xml":
        how = (
            "Call a tool with its XML tag: the body is its main argument, the others are "
            "attributes; a tool without a main argument is a bare tag."
        )
    elif action_format == "json":
        how = (
            'Call a tool with a JSON object {"tool": NAME, "arguments": {...}}, bare or in a '
            "```json fence; a list of them makes several calls."
        )
    else:
        how = (
            "Call tools through the function-calling interface: an assistant message with "
            "tool_calls (function.arguments is a JSON string)."
        )
    examples = [_example(tool, tools, action_format) for tool in tools.values()]
    return how + "\n" + EXAMPLES_HEADER + "\n" + "\n".join(examples)


def _example(tool: Tool, tools: Mapping[str, Tool], action_format: str) -> str:
    call = ToolCall(tool.name, example_arguments(tool), "call_0")
    if action_format == "json":
        # Bare, on one line (the parser takes it bare or fenced); format_action fences it.
        return json.dumps({"tool": call.name, "arguments": call.arguments}, ensure_ascii=False)
    return format_action([call], action_format, tools)


def parse_examples(system_prompt: str) -> Sequence[str]:
    """The example calls listed in a system prompt (for tests and prompt tooling)."""
    _, found, rest = system_prompt.partition(EXAMPLES_HEADER + "\n")
    if not found:
        return []
    return rest.split("\n\n", 1)[0].splitlines()
