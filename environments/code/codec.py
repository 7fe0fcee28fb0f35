"""The wire format between the grader and the process that runs the solution.

Values cross the process boundary as JSON with single-key tags for the types JSON lacks, and
the decoder only ever builds plain Python data (``None``, ``bool``, ``int``, ``float``,
``complex``, ``str``, ``bytes``, ``list``, ``tuple``, ``set``, ``frozenset``, ``dict``). So a
solution cannot hand the tests an object with a rigged ``__eq__``: what the tests compare is
data the grader built itself.

This module is also sent, as source, into the sandbox, so it imports only the standard
library and defines nothing but the codec.
"""

from __future__ import annotations

import base64
import math
from typing import Any

__all__ = ["MAX_DEPTH", "CodecError", "decode", "encode"]

MAX_DEPTH = 200
# Ints wider than this go as hex text: decimal conversion of huge ints is capped in CPython.
_WIDE_INT_BITS = 8000


class CodecError(ValueError):
    """A value cannot be sent across the boundary (unsupported type, too deep, malformed)."""


def encode(value: Any, _depth: int = 0) -> Any:
    """Turn plain Python data into a JSON-ready structure.

    Args:
        value: ``None``, ``bool``, ``int``, ``float``, ``complex``, ``str``, ``bytes`` or a
            ``list``/``tuple``/``set``/``frozenset``/``dict`` of them (subclasses such as
            named tuples are sent as their base type).

    Returns:
        A structure of JSON types; :func:`decode` rebuilds the value.

    Raises:
        CodecError: For any other type or nesting deeper than :data:`MAX_DEPTH`.
    """
    if _depth > MAX_DEPTH:
        raise CodecError(f"value nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, bool):
        return None if value is None else bool(value)
    if isinstance(value, int):
        value = int(value)
        if value.bit_length() > _WIDE_INT_BITS:
            return {"I": format(value, "x")}
        return value
    if isinstance(value, float):
        value = float(value)
        return value if math.isfinite(value) else {"N": repr(value)}
    if isinstance(value, str):
        return str(value)
    if isinstance(value, complex):
        return {"C": [encode(value.real, _depth + 1), encode(value.imag, _depth + 1)]}
    if isinstance(value, bytes | bytearray):
        return {"B": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, list):
        return {"L": [encode(v, _depth + 1) for v in value]}
    if isinstance(value, tuple):
        return {"T": [encode(v, _depth + 1) for v in value]}
    if isinstance(value, frozenset):
        return {"F": [encode(v, _depth + 1) for v in value]}
    if isinstance(value, set):
        return {"S": [encode(v, _depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"D": [[encode(k, _depth + 1), encode(v, _depth + 1)] for k, v in value.items()]}
    raise CodecError(
        f"cannot pass a value of type {type(value).__name__} to the tests; use plain data "
        "(None, bool, int, float, complex, str, bytes, list, tuple, set, frozenset, dict)"
    )


def decode(data: Any, _depth: int = 0) -> Any:
    """Rebuild a value from :func:`encode`'s output, building plain data only.

    Raises:
        CodecError: If ``data`` is not something :func:`encode` produces.
    """
    if _depth > MAX_DEPTH:
        raise CodecError(f"value nested deeper than {MAX_DEPTH} levels")
    if data is None or type(data) in (bool, int, str):
        return data
    if type(data) is float:
        return data
    if type(data) is not dict or len(data) != 1:
        raise CodecError(f"malformed value of type {type(data).__name__}")
    ((tag, body),) = data.items()
    try:
        if tag == "I":
            return int(body, 16)
        if tag == "N":
            if body not in ("nan", "inf", "-inf"):
                raise CodecError(f"malformed float {body!r}")
            return float(body)
        if tag == "C":
            return complex(decode(body[0], _depth + 1), decode(body[1], _depth + 1))
        if tag == "B":
            return base64.b64decode(body.encode("ascii"), validate=True)
        if tag in ("L", "T", "S", "F"):
            if type(body) is not list:
                raise CodecError(f"malformed container {tag!r}")
            items = [decode(v, _depth + 1) for v in body]
            return {"L": list, "T": tuple, "S": set, "F": frozenset}[tag](items)
        if tag == "D":
            if type(body) is not list:
                raise CodecError("malformed dict")
            return {decode(k, _depth + 1): decode(v, _depth + 1) for k, v in body}
    except CodecError:
        raise
    except (TypeError, ValueError, IndexError, AttributeError) as e:
        raise CodecError(f"malformed value: {e}") from None
    raise CodecError(f"unknown tag {tag!r}")
