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
from typing import Any, ClassVar

import numpy as np
import pydantic

__all__ = [
    "DIFFICULTIES",
    "GeneratedTasks",
    "Task",
    "TaskData",
    "TaskFamily",
    "TaskFileError",
    "TaskList",
    "TaskSource",
    "check_fields",
    "iter_jsonl",
    "load_tasks",
    "read_jsonl",
]

DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")


class TaskFileError(ValueError):
    """A task file is missing, unreadable or malformed; the message names the line and field."""


class TaskData(pydantic.BaseModel):
    """The typed, privileged part of a task of one family (gold answers, hidden tests).

    Each family subclasses it with its fields; a JSONL task file's ``data`` object, and
    ``reset(options={"task": ...})``, are checked against it, and ``docs/schemas/`` holds its
    JSON Schema. Unknown fields are refused, so a misspelt key is an error, not a silent
    default. Instances are frozen and also read like a mapping (``data["answer"]``).
    """

    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def from_record(cls, record: Mapping[str, Any], where: str = "task") -> TaskData:
        """Check ``record`` against the fields and build the data.

        Raises:
            TaskFileError: Naming ``where`` (``"file:line"``) and the first bad field.
        """
        try:
            return cls.model_validate(dict(record))
        except pydantic.ValidationError as e:
            raise TaskFileError(_validation_message(where, e, "data")) from None

    def to_record(self) -> dict[str, Any]:
        """Return the data as JSON-ready values (what ``from_record`` reads back)."""
        return self.model_dump(mode="json")

    # Read access like the plain dicts tasks held before they were typed.
    def __getitem__(self, key: str) -> Any:
        if key in type(self).model_fields:
            return getattr(self, key)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return key in type(self).model_fields

    def get(self, key: str, default: Any = None) -> Any:
        """Return the field ``key``, or ``default`` if the family has no such field."""
        return getattr(self, key) if key in type(self).model_fields else default

    def keys(self) -> list[str]:
        """Return the field names."""
        return list(type(self).model_fields)


def _validation_message(where: str, error: pydantic.ValidationError, prefix: str = "") -> str:
    first = error.errors()[0]
    loc = ".".join(str(p) for p in (prefix, *first["loc"]) if p != "")
    if first["type"] == "extra_forbidden":
        return f"{where}: unknown field '{loc}'"
    if first["type"] == "missing":
        return f"{where}: missing field '{loc}'"
    message = first["msg"].removeprefix("Value error, ")
    return f"{where}: field '{loc}': {message}"


@dataclass(frozen=True)
class Task:
    """One task.

    Attributes:
        task_id: Unique, stable id; ``reset(options={"task_id": ...})`` replays it.
        prompt: What the agent is asked (the first user message).
        difficulty: ``"easy"``, ``"medium"`` or ``"hard"``.
        family: The generator or file the task comes from.
        data: Privileged data for the grader and the oracle (never shown to the agent): the
            family's :class:`TaskData`, or a plain mapping for envs that declare none.
    """

    task_id: str
    prompt: str
    difficulty: str = "easy"
    family: str = ""
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def to_record(self) -> dict[str, Any]:
        """Return the task as one line of a task file (read back by :func:`load_tasks`)."""
        data = self.data.to_record() if isinstance(self.data, TaskData) else dict(self.data)
        return {
            "task_id": self.task_id,
            "prompt": self.prompt,
            "difficulty": self.difficulty,
            "family": self.family,
            "data": data,
        }


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
        data_model: The family's :class:`TaskData`, which each generated ``data`` is checked
            against, or None to keep the generators' mappings as they are.
    """

    def __init__(
        self,
        generators: Mapping[
            str, Callable[[np.random.Generator, str], tuple[str, Mapping[str, Any]]]
        ],
        difficulty: str | None = None,
        data_model: type[TaskData] | None = None,
    ):
        if not generators:
            raise ValueError("at least one generator is needed")
        check_difficulty(difficulty)
        self.generators = dict(generators)
        self.families = sorted(self.generators)
        self.difficulty = difficulty
        self.data_model = data_model

    def make(self, family: str, difficulty: str, seed: int) -> Task:
        """Generate the task of ``family`` at ``difficulty`` from ``seed``."""
        if family not in self.generators:
            raise KeyError(f"unknown task family {family!r}; available: {', '.join(self.families)}")
        if difficulty not in DIFFICULTIES:
            raise KeyError(f"unknown difficulty {difficulty!r}; expected one of {DIFFICULTIES}")
        prompt, data = self.generators[family](np.random.default_rng(seed), difficulty)
        if self.data_model is not None:
            typed: Mapping[str, Any] = self.data_model.model_validate(dict(data))
        else:
            typed = MappingProxyType(dict(data))
        return Task(
            task_id=f"{family}/{difficulty}/{seed}",
            prompt=prompt,
            difficulty=difficulty,
            family=family,
            data=typed,
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
# One task record; far above any real one (HumanEval's largest is a few KiB).
MAX_LINE_BYTES = 64 << 20


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
        if len(line) > MAX_LINE_BYTES:
            raise TaskFileError(
                f"{where}: line is {len(line) >> 20} MiB; a task record may be at most "
                f"{MAX_LINE_BYTES >> 20} MiB"
            )
        try:
            record = json.loads(line)
        except UnicodeDecodeError:
            raise TaskFileError(f"{where}: not valid UTF-8") from None
        except json.JSONDecodeError as e:
            raise TaskFileError(f"{where}: invalid JSON ({e.msg} at column {e.colno})") from None
        except RecursionError:
            raise TaskFileError(f"{where}: JSON nested too deeply") from None
        if not isinstance(record, dict):
            raise TaskFileError(f"{where}: expected a JSON object, got {type(record).__name__}")
        found = True
        yield where, record
    if not found:
        raise TaskFileError(f"task file {path} has no records")


# --- one grammar for every family's tasks ---------------------------------------------------

_RECORD_KEYS = frozenset({"task_id", "prompt", "difficulty", "family", "data"})


class TaskFamily(ABC):
    """How one env family names, generates and reads its tasks.

    A family module's ``tasks.py`` defines one subclass: its :class:`TaskData`, its built-in
    task sets (by name), and how one record of a task file becomes a task. Every env then
    loads tasks through :func:`load_tasks` with the same grammar.

    Attributes:
        name: The family's name (``"code"``), also the name of its JSON Schema file.
        data_model: The family's :class:`TaskData` subclass.
    """

    name: ClassVar[str]
    data_model: ClassVar[type[TaskData]]
    # The difficulty of a standard record that names none.
    default_difficulty: ClassVar[str] = "medium"

    @abstractmethod
    def builtin_names(self, context: Mapping[str, Any]) -> Sequence[str]:
        """Return the names of the built-in task sets (``builtin:<name>`` selects one)."""

    @abstractmethod
    def builtin(
        self, names: Sequence[str], difficulty: str | None, context: Mapping[str, Any]
    ) -> TaskSource:
        """Return the built-in tasks of the named sets (all already checked to exist)."""

    def aliases(self, source: str) -> str | None:
        """Return the standard form of a family-specific source name, or None if not one."""
        return None

    def task_from_record(
        self, record: Mapping[str, Any], where: str, context: Mapping[str, Any]
    ) -> Task:
        """Build a task from one record of a task file (or ``options["task"]``).

        The standard record is ``{"task_id", "prompt", "data"}`` plus optional ``difficulty``
        (default :attr:`default_difficulty`) and ``family`` (default ``"file"``), with ``data`` checked
        against :attr:`data_model`. Families that also read other formats (HumanEval,
        GSM8K) override this and fall back to it.

        Raises:
            TaskFileError: Naming ``where`` and the bad field.
        """
        return self.standard_record(record, where)

    def standard_record(self, record: Mapping[str, Any], where: str) -> Task:
        """Build a task from a standard record (see :meth:`task_from_record`)."""
        unknown = sorted(set(record) - _RECORD_KEYS)
        if unknown:
            raise TaskFileError(f"{where}: unknown field '{unknown[0]}'")
        check_fields(where, record, {"task_id": str, "prompt": str, "data": dict})
        if not record["task_id"].strip():
            raise TaskFileError(f"{where}: field 'task_id' is empty")
        difficulty = record.get("difficulty", self.default_difficulty)
        if difficulty not in DIFFICULTIES:
            raise TaskFileError(f"{where}: field 'difficulty' must be one of {DIFFICULTIES}")
        family = record.get("family", "file")
        if not isinstance(family, str):
            raise TaskFileError(f"{where}: field 'family' must be str")
        data = self.data_model.from_record(record["data"], where)
        return Task(record["task_id"], record["prompt"], difficulty, family, data)

    def json_schema(self) -> dict[str, Any]:
        """Return the JSON Schema of one standard record of this family's task files."""
        data_schema = self.data_model.model_json_schema()
        defs = data_schema.pop("$defs", {})
        schema: dict[str, Any] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": f"agentgym {self.name} task",
            "description": (
                f"One line of a JSONL task file for the {self.name} family, as load_tasks reads "
                "it (and Task.to_record writes it)."
            ),
            "type": "object",
            "properties": {
                "task_id": {"type": "string", "minLength": 1},
                "prompt": {"type": "string"},
                "difficulty": {"enum": list(DIFFICULTIES), "default": self.default_difficulty},
                "family": {"type": "string", "default": "file"},
                "data": data_schema,
            },
            "required": ["task_id", "prompt", "data"],
            "additionalProperties": False,
        }
        if defs:
            schema["$defs"] = defs
        return schema


def load_tasks(
    source: str | Path | None,
    family: TaskFamily,
    difficulty: str | None = None,
    **context: Any,
) -> TaskSource:
    """Return the tasks that ``source`` names, for any family, with one grammar.

    ``source`` is one of:

    * None or ``"builtin"``: every built-in task set of the family;
    * ``"builtin:<name>[,<name>...]"``: the named built-in sets;
    * the path of a ``.jsonl`` or ``.jsonl.gz`` task file;
    * the path of a directory: every ``.jsonl``/``.jsonl.gz`` file in it, in name order.

    Families may accept older names as aliases (``"generated"`` for ``"builtin"``).

    Args:
        source: The source, as above.
        family: The family whose tasks these are.
        difficulty: Keep only tasks of this level (None keeps all).
        **context: What the family needs to make or check its tasks (the search world).

    Raises:
        TaskFileError: For a task file that cannot be read or holds a bad record; the
            message names the file, the line and the field.
        ValueError: For a source that names nothing, or when no task has ``difficulty``.
    """
    check_difficulty(difficulty)
    if source is None:
        source = "builtin"
    if isinstance(source, str):
        source = family.aliases(source) or source
    elif not isinstance(source, Path):
        raise ValueError(f"task_source must be a str, a path or None, got {type(source).__name__}")
    if isinstance(source, str) and (source == "builtin" or source.startswith("builtin:")):
        available = list(family.builtin_names(context))
        if source == "builtin":
            names = available
        else:
            names = [n.strip() for n in source.split(":", 1)[1].split(",") if n.strip()]
            unknown = [n for n in names if n not in available]
            if unknown or not names:
                raise ValueError(
                    f"unknown built-in task set {', '.join(unknown) or '(none)'} of the "
                    f"{family.name} family; available: {', '.join(available)}"
                )
        return family.builtin(names, difficulty, context)
    path = Path(source)
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.is_file() and p.name.endswith((".jsonl", ".jsonl.gz"))
        )
        if not files:
            raise TaskFileError(f"task folder {path} holds no .jsonl or .jsonl.gz file")
    elif path.is_file() or str(source).endswith((".jsonl", ".jsonl.gz")):
        files = [path]
    else:
        raise ValueError(
            f"unknown task_source {str(source)!r} for the {family.name} family; expected "
            "'builtin', 'builtin:NAME[,NAME]', a .jsonl/.jsonl.gz file or a folder of them"
        )
    tasks: list[Task] = []
    first_seen: dict[str, str] = {}
    for file in files:
        stem = file.name.split(".")[0]
        for index, (where, record) in enumerate(iter_jsonl(file)):
            # Formats without ids (GSM8K, MATH) name a record by its file and index.
            here = {**context, "default_id": f"{stem}/{index}", "file_stem": stem}
            task = family.task_from_record(record, where, here)
            if task.task_id in first_seen:
                raise TaskFileError(
                    f"{where}: field 'task_id' repeats {task.task_id!r} (first on "
                    f"{first_seen[task.task_id]})"
                )
            first_seen[task.task_id] = where
            if difficulty is None or task.difficulty == difficulty:
                tasks.append(task)
    if not tasks:
        names = ", ".join(f.name for f in files)
        raise TaskFileError(f"no task of difficulty {difficulty!r} in {names}")
    return TaskList(tasks)
