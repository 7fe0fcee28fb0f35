"""The wire format of the env server: JSON-safe values and space descriptions.

Arrays (GUI screenshots) travel as ``{"__ndarray__": base64, "dtype", "shape"}``; spaces as
``{"type": "text" | "box" | "dict", ...}`` records that :func:`build_space` turns back into the
same gymnasium space.
"""

from __future__ import annotations

import base64
from typing import Any

import gymnasium as gym
import numpy as np

from agentgym.spaces import UnicodeText

__all__ = ["build_space", "decode", "describe_space", "encode"]


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
