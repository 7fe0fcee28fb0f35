"""Tasks and task sources.

A :class:`Task` is the hidden part of an episode's state: the prompt the agent sees plus
privileged data (gold answers, hidden tests) that only the grader and the oracle read. A
:class:`TaskSource` hands tasks out by id or by seeded sampling.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

__all__ = [
    "DIFFICULTIES",
    "GeneratedTasks",
    "Task",
    "TaskFileError",
    "TaskList",
    "TaskSource",
    "check_fields",
    "iter_jsonl",
    "read_jsonl",
]

DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")


class TaskFileError(ValueError):
    """A task file is missing, unreadable or malformed; the message names the line and field."""


@dataclass(frozen=True)
class Task:
    """One task.

    Attributes:
        task_id: Unique, stable id; ``reset(options={"task_id": ...})`` replays it.
        prompt: What the agent is asked (the first user message).
        difficulty: ``"easy"``, ``"medium"`` or ``"hard"``.
        family: The generator or file the task comes from.
        data: Privileged data for the grader and the oracle (never shown to the agent).
    """

    task_id: str
    prompt: str
    difficulty: str = "easy"
    family: str = ""
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


class TaskSource(ABC):
    """A collection of tasks, addressable by id and sampled with the env's generator."""

    @abstractmethod
    def get(self, task_id: str) -> Task:
        """Return the task with ``task_id``.

        Raises:
            KeyError: With a message naming the unknown id.
        """

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> Task:
        """Draw a task using ``rng`` (the env's ``np_random``), so seeds replay episodes."""

    @abstractmethod
    def ids(self, limit: int | None = None) -> Sequence[str]:
        """Return task ids: all of them for a finite source, the first ``limit`` otherwise."""


class TaskList(TaskSource):
    """A finite list of tasks (built-in sets and JSONL files)."""

    def __init__(self, tasks: Sequence[Task]):
        if not tasks:
            raise ValueError("a task list needs at least one task")
        self._tasks = list(tasks)
        self._by_id = {t.task_id: t for t in self._tasks}
        if len(self._by_id) != len(self._tasks):
            raise ValueError("task ids must be unique")

    def __len__(self) -> int:
        return len(self._tasks)

    def __iter__(self) -> Iterator[Task]:
        return iter(self._tasks)

    def get(self, task_id: str) -> Task:
        """Return the task with ``task_id``."""
        try:
            return self._by_id[task_id]
        except KeyError:
            raise KeyError(f"unknown task_id {task_id!r} ({len(self)} tasks)") from None

    def sample(self, rng: np.random.Generator) -> Task:
        """Draw a task uniformly."""
        return self._tasks[int(rng.integers(len(self._tasks)))]

    def ids(self, limit: int | None = None) -> Sequence[str]:
        """Return the ids, in order."""
        return [t.task_id for t in self._tasks[:limit]]


class GeneratedTasks(TaskSource):
    """Tasks made on demand by seeded generators; ids look like ``"family/difficulty/seed"``.

    Args:
        generators: ``family -> fn(rng, difficulty) -> (prompt, data)``.
        difficulty: Restrict sampling to one level, or None for all.
    """

    def __init__(
        self,
        generators: Mapping[
            str, Callable[[np.random.Generator, str], tuple[str, Mapping[str, Any]]]
        ],
        difficulty: str | None = None,
    ):
        if not generators:
            raise ValueError("at least one generator is needed")
        check_difficulty(difficulty)
        self.generators = dict(generators)
        self.families = sorted(self.generators)
        self.difficulty = difficulty

    def make(self, family: str, difficulty: str, seed: int) -> Task:
        """Generate the task of ``family`` at ``difficulty`` from ``seed``."""
        if family not in self.generators:
            raise KeyError(f"unknown task family {family!r}; available: {', '.join(self.families)}")
        if difficulty not in DIFFICULTIES:
            raise KeyError(f"unknown difficulty {difficulty!r}; expected one of {DIFFICULTIES}")
        prompt, data = self.generators[family](np.random.default_rng(seed), difficulty)
        return Task(
            task_id=f"{family}/{difficulty}/{seed}",
            prompt=prompt,
            difficulty=difficulty,
            family=family,
            data=MappingProxyType(dict(data)),
        )

    def get(self, task_id: str) -> Task:
        """Regenerate the task named by ``task_id``."""
        parts = task_id.split("/") if isinstance(task_id, str) else []
        if len(parts) != 3 or not parts[2].isdigit():
            raise KeyError(f"task_id {task_id!r} is not of the form 'family/difficulty/seed'")
        return self.make(parts[0], parts[1], int(parts[2]))

    def sample(self, rng: np.random.Generator) -> Task:
        """Draw a family, a difficulty (unless fixed) and a seed from ``rng``."""
        family = self.families[int(rng.integers(len(self.families)))]
        difficulty = self.difficulty or DIFFICULTIES[int(rng.integers(len(DIFFICULTIES)))]
        return self.make(family, difficulty, int(rng.integers(2**31)))

    def ids(self, limit: int | None = None) -> Sequence[str]:
        """Return ``limit`` (default 10) ids per family and difficulty, seeds 0, 1, ..."""
        n = 10 if limit is None else limit
        levels = [self.difficulty] if self.difficulty else list(DIFFICULTIES)
        return [f"{f}/{d}/{s}" for f in self.families for d in levels for s in range(n)]


def read_jsonl(path: str | Path, fields: Mapping[str, type | tuple[type, ...]]) -> list[dict]:
    """Read a JSONL file of records, checking that each has ``fields`` of the given types.

    Blank lines are skipped. Extra keys are kept.

    Raises:
        TaskFileError: Naming the file, the 1-based line and the field that is wrong.
    """
    records = []
    for where, record in iter_jsonl(path):
        check_fields(where, record, fields)
        records.append(record)
    return records


def check_fields(
    where: str, record: Mapping[str, Any], fields: Mapping[str, type | tuple[type, ...]]
) -> None:
    """Check that ``record`` has ``fields`` of the given types.

    Raises:
        TaskFileError: Naming ``where`` (``"file:line"``) and the field that is wrong.
    """
    for name, kind in fields.items():
        if name not in record:
            raise TaskFileError(f"{where}: missing field '{name}'")
        if not isinstance(record[name], kind):
            want = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise TaskFileError(
                f"{where}: field '{name}' must be {want}, got {type(record[name]).__name__}"
            )


def check_difficulty(difficulty: str | None) -> None:
    """Raise ValueError unless ``difficulty`` is one of :data:`DIFFICULTIES` or None."""
    if difficulty is not None and difficulty not in DIFFICULTIES:
        raise ValueError(f"difficulty must be one of {DIFFICULTIES} or None, got {difficulty!r}")


_GZIP_MAGIC = b"\x1f\x8b"
# A compressed task file may not expand without bound (a small "zip bomb" would fill memory).
MAX_DECOMPRESSED_BYTES = 1 << 30


def _gunzip(raw: bytes, path: Path) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as fh:
            data = fh.read(MAX_DECOMPRESSED_BYTES + 1)
    except (OSError, EOFError, zlib.error) as e:
        raise TaskFileError(f"cannot decompress task file {path}: {e}") from None
    if len(data) > MAX_DECOMPRESSED_BYTES:
        raise TaskFileError(
            f"task file {path} expands past {MAX_DECOMPRESSED_BYTES >> 20} MiB; unpack it first"
        )
    return data


def iter_jsonl(path: str | Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``("file:line", record)`` for each non-blank line of a JSONL file.

    A gzip-compressed file (``.jsonl.gz``, as HumanEval ships) is read the same way; it is
    recognised by its magic bytes, not its name.

    Raises:
        TaskFileError: If the file cannot be read or decompressed, a line is not valid UTF-8
            or not a JSON object, or the file holds no records; the message names the file
            and line.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise TaskFileError(f"cannot read task file {path}: {e.strerror or e}") from None
    if raw[:2] == _GZIP_MAGIC:
        raw = _gunzip(raw, path)
    found = False
    for lineno, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{lineno}"
        try:
            record = json.loads(line)
        except UnicodeDecodeError:
            raise TaskFileError(f"{where}: not valid UTF-8") from None
        except json.JSONDecodeError as e:
            raise TaskFileError(f"{where}: invalid JSON ({e.msg} at column {e.colno})") from None
        if not isinstance(record, dict):
            raise TaskFileError(f"{where}: expected a JSON object, got {type(record).__name__}")
        found = True
        yield where, record
    if not found:
        raise TaskFileError(f"task file {path} has no records")
