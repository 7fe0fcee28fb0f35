"""Gymnasium spaces for text observations and actions.

The stock :class:`gymnasium.spaces.Text` only accepts characters from a fixed charset, and a
charset of every code point costs seconds and hundreds of MB to build. :class:`UnicodeText`
keeps ``Text``'s machinery (sampling, batching, vector helpers) but accepts any ``str`` within
its length bounds, and registers shared-memory functions so the async vector env can move
observations between processes without pickling them.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np
from gymnasium.spaces import Text
from gymnasium.vector.utils import shared_memory as _shm

__all__ = ["SharedTextBatch", "UnicodeText"]


class UnicodeText(Text):
    """A text space that accepts any unicode string of ``min_length``..``max_length`` characters.

    Samples are still drawn from ``charset`` (alphanumeric by default), which is what random
    agents and ``check_env`` need; membership is checked on length only.

    Args:
        max_length: The longest string in the space, in characters.
        min_length: The shortest string in the space, in characters.
        seed: Seed for the sampling generator.
    """

    def __init__(self, max_length: int, *, min_length: int = 0, seed: int | None = None):
        if not isinstance(max_length, int) or max_length < 1:
            raise ValueError(f"max_length must be a positive int, got {max_length!r}")
        if not isinstance(min_length, int) or not 0 <= min_length <= max_length:
            raise ValueError(f"min_length must be an int in [0, max_length], got {min_length!r}")
        super().__init__(max_length=max_length, min_length=min_length, seed=seed)

    def contains(self, x: Any) -> bool:
        """Return True if ``x`` is a ``str`` whose length lies within the bounds."""
        return isinstance(x, str) and self.min_length <= len(x) <= self.max_length

    @property
    def is_np_flattenable(self) -> bool:
        """Text of any code point has no fixed-size flat form."""
        return False

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, UnicodeText)
            and self.min_length == other.min_length
            and self.max_length == other.max_length
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.min_length, self.max_length))

    def __repr__(self) -> str:
        return f"UnicodeText({self.min_length}, {self.max_length})"


# Shared memory layout per env: one int32 length, then max_length UTF-32 code points.
@_shm.create_shared_memory.register(UnicodeText)
def _create_unicode_shm(space: UnicodeText, n: int = 1, ctx: ModuleType = mp) -> Any:
    return ctx.Array(np.dtype(np.int32).char, n * (space.max_length + 1))


class SharedTextBatch(Sequence[str]):
    """A live view of a batch of strings in shared memory.

    The async vector env reads its shared observation buffer once and relies on the result
    being a view (as numpy arrays are); this keeps that promise for text. ``copy.deepcopy``
    (what the vector env does with ``copy=True``, the default) returns a plain ``tuple``.
    """

    def __init__(self, data: np.ndarray):
        self._data = data

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self)[index]
        row = self._data[index]
        return row[1 : 1 + int(row[0])].tobytes().decode("utf-32-le", "surrogatepass")

    def __deepcopy__(self, memo: dict) -> tuple[str, ...]:
        return tuple(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __repr__(self) -> str:
        return f"SharedTextBatch({tuple(self)!r})"


@_shm.read_from_shared_memory.register(UnicodeText)
def _read_unicode_shm(space: UnicodeText, shared_memory: Any, n: int = 1) -> SharedTextBatch:
    data = np.frombuffer(shared_memory.get_obj(), dtype=np.int32).reshape(n, space.max_length + 1)
    return SharedTextBatch(data)


@_shm.write_to_shared_memory.register(UnicodeText)
def _write_unicode_shm(space: UnicodeText, index: int, values: str, shared_memory: Any) -> None:
    if not isinstance(values, str):
        raise TypeError(f"UnicodeText observation must be str, got {type(values).__name__}")
    # surrogatepass: lone surrogates (from decoding invalid bytes) must not crash the worker.
    codes = np.frombuffer(values.encode("utf-32-le", "surrogatepass"), dtype=np.int32)
    if len(codes) > space.max_length:
        raise ValueError(f"observation of {len(codes)} chars exceeds max_length={space.max_length}")
    size = space.max_length + 1
    row = np.frombuffer(shared_memory.get_obj(), dtype=np.int32)[index * size : (index + 1) * size]
    row[0] = len(codes)
    row[1 : 1 + len(codes)] = codes
