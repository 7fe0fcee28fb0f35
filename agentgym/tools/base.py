"""The tool protocol: a named function with a JSON-schema signature.

Envs declare their tools as :class:`Tool` values; action parsers turn a completion into
:class:`ToolCall` values; the env runs each call and returns a :class:`ToolOutput`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = ["Tool", "ToolCall", "ToolOutput", "ToolArgumentError", "validate_arguments"]

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


class ToolArgumentError(ValueError):
    """Arguments of a tool call do not match the tool's schema."""


@dataclass(frozen=True)
class ToolOutput:
    """What a tool returns.

    Attributes:
        text: What the agent sees, already truncated to a readable size.
        ok: False when the call failed (a crash, bad arguments, a refused request).
        data: Machine-readable details for ``info["tool_results"]`` (e.g. sandbox resource use).
        repeat_key: What the call acted on, for tools whose arguments alone do not say (``find``
            on the open page, ``run_tests`` on the file's content): two calls of an episode
            with the same key cost the env's ``repeat`` penalty. ``None``: the call's name and
            arguments are the key.
        rewards: Dense reward components the call earned (``{"crash": -0.05}``), by name; the
            env adds them to the step's components. Names must be ``format``, ``repeat`` or
            one of the env's ``extra_reward_components``.
    """

    text: str
    ok: bool = True
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    repeat_key: Hashable | None = None
    rewards: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class ToolCall:
    """One parsed call: the tool's name, its keyword arguments and a deterministic call id."""

    name: str
    arguments: Mapping[str, Any]
    id: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict (used in ``info["tool_calls"]``)."""
        return {"id": self.id, "name": self.name, "arguments": dict(self.arguments)}

    def openai_dict(self) -> dict[str, Any]:
        """Return the call as an entry of an OpenAI chat message's ``tool_calls``."""
        return {
            "id": self.id,
            "type": "function",
            "function": {
                "name": self.name,
                "arguments": json.dumps(dict(self.arguments), ensure_ascii=False),
            },
        }


@dataclass(frozen=True)
class Tool:
    """A tool an agent may call.

    Attributes:
        name: The tool's name, also its XML tag.
        description: One or two sentences the agent reads.
        parameters: JSON schema of the arguments (``{"type": "object", "properties": ...}``).
        fn: Called as ``fn(**arguments)``; returns a :class:`ToolOutput` or a ``str``.
        main_arg: The argument the body of an XML tag fills (``<python>BODY</python>``).
        terminal: Whether a call ends the episode (``submit``, ``answer``).
        repeatable: Whether an identical repeated call is normal use (``next_page``) and so
            exempt from the env's ``repeat`` penalty.
    """

    name: str
    description: str
    parameters: Mapping[str, Any]
    fn: Callable[..., ToolOutput | str]
    main_arg: str | None = None
    terminal: bool = False
    repeatable: bool = False

    def openai_schema(self) -> dict[str, Any]:
        """Return the OpenAI function-calling schema of this tool."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": _plain(self.parameters),
            },
        }

    def __call__(self, arguments: Mapping[str, Any]) -> ToolOutput:
        """Validate ``arguments`` and run the tool.

        Raises:
            ToolArgumentError: If the arguments do not match the schema.
        """
        kwargs = validate_arguments(self, arguments)
        out = self.fn(**kwargs)
        return out if isinstance(out, ToolOutput) else ToolOutput(str(out))


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def validate_arguments(tool: Tool, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``arguments`` against the tool's schema and coerce XML strings to declared types.

    Only the subset of JSON schema that tools use is checked: ``required``, unknown names,
    primitive ``type`` and ``enum``. Integer and number arguments given as strings (as XML
    attributes are) are converted.

    Returns:
        A new dict of keyword arguments.

    Raises:
        ToolArgumentError: With a message naming the tool and the offending argument.
    """
    if not isinstance(arguments, Mapping):
        raise ToolArgumentError(f"arguments of `{tool.name}` must be an object")
    props: Mapping[str, Any] = tool.parameters.get("properties", {})
    out: dict[str, Any] = {}
    for key, value in arguments.items():
        spec = props.get(key)
        if spec is None:
            allowed = ", ".join(props) or "none"
            raise ToolArgumentError(f"`{tool.name}` has no argument `{key}` (arguments: {allowed})")
        out[key] = _coerce(tool.name, key, value, spec)
    missing = [k for k in tool.parameters.get("required", ()) if k not in out]
    if missing:
        raise ToolArgumentError(f"`{tool.name}` is missing required argument `{missing[0]}`")
    return out


def _coerce(tool: str, key: str, value: Any, spec: Mapping[str, Any]) -> Any:
    kind = spec.get("type")
    if kind in ("integer", "number") and isinstance(value, str):
        try:
            value = int(value.strip()) if kind == "integer" else float(value.strip())
        except ValueError:
            raise ToolArgumentError(
                f"argument `{key}` of `{tool}` must be {kind}, got {value[:40]!r}"
            ) from None
    if kind == "number" and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    types = _JSON_TYPES.get(kind) if isinstance(kind, str) else None
    if types is not None and (
        not isinstance(value, types) or (kind in ("integer", "number") and isinstance(value, bool))
    ):
        raise ToolArgumentError(
            f"argument `{key}` of `{tool}` must be {kind}, got {type(value).__name__}"
        )
    if "enum" in spec and value not in spec["enum"]:
        raise ToolArgumentError(
            f"argument `{key}` of `{tool}` must be one of {list(spec['enum'])}, got {value!r}"
        )
    return value
