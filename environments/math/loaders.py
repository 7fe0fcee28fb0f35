r"""Task files: the GSM8K record format, the MATH format, and our own task records.

* GSM8K: ``{"question": str, "answer": str}`` where ``answer`` is a worked solution whose
  last line is ``#### n``.
* MATH: ``{"problem": str, "solution": str}`` where the solution ends in ``\boxed{...}``;
  optional ``level`` (``"Level 1"`` .. ``"Level 5"``) sets the difficulty (1-2 easy, 3
  medium, 4-5 hard) and ``type`` names the subject.
* Native: ``{"prompt": str, "answer": str}`` plus optional ``task_id``, ``difficulty``.

Every record gets the task id ``<file stem>/<line index>`` unless it has its own ``task_id``
(or ``id``/``unique_id``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentgym.environments.math.answer import boxed_contents
from agentgym.tasks import DIFFICULTIES, Task, TaskFileError, TaskList, check_fields, iter_jsonl

__all__ = [
    "FORMATS",
    "SAMPLES",
    "detect_format",
    "load_tasks",
    "task_from_record",
]

FORMATS: tuple[str, ...] = ("gsm8k", "math", "native")
_DATA = Path(__file__).resolve().parent / "data"
SAMPLES: dict[str, Path] = {
    "gsm8k-sample": _DATA / "gsm8k_sample.jsonl",
    "math-sample": _DATA / "math_sample.jsonl",
}
_FIELDS: dict[str, dict[str, type]] = {
    "gsm8k": {"question": str, "answer": str},
    "math": {"problem": str, "solution": str},
    "native": {"prompt": str, "answer": str},
}


def detect_format(record: dict[str, Any]) -> str | None:
    """Return the format whose required fields ``record`` has, or None."""
    for name, fields in _FIELDS.items():
        if all(isinstance(record.get(k), t) for k, t in fields.items()):
            return name
    return None


def _gold_gsm8k(answer: str) -> str | None:
    for line in reversed(answer.strip().splitlines()):
        if line.strip().startswith("####"):
            return line.strip()[4:].strip().replace(",", "") or None
    return None


def _difficulty_math(level: Any) -> str:
    digits = "".join(c for c in str(level) if c.isdigit())
    if not digits:
        return "medium"
    n = int(digits)
    return "easy" if n <= 2 else "medium" if n == 3 else "hard"


def task_from_record(record: dict[str, Any], fmt: str, default_id: str) -> Task:
    r"""Build a task from one record of format ``fmt``.

    Raises:
        ValueError: If the record lacks a gold answer (no ``####`` line, no ``\boxed{}``).
    """
    task_id = str(
        record.get("task_id") or record.get("id") or record.get("unique_id") or default_id
    )
    if fmt == "gsm8k":
        gold = _gold_gsm8k(record["answer"])
        if gold is None:
            raise ValueError("field 'answer' has no final '#### n' line")
        data = {"answer": gold, "solution": record["answer"]}
        return Task(task_id, record["question"], "medium", "gsm8k", data)
    if fmt == "math":
        boxes = boxed_contents(record["solution"])
        if not boxes:
            raise ValueError("field 'solution' has no \\boxed{...} answer")
        gold = record.get("answer") if isinstance(record.get("answer"), str) else boxes[-1]
        data = {"answer": gold.strip(), "solution": record["solution"]}
        family = f"math/{record['type']}" if isinstance(record.get("type"), str) else "math"
        return Task(task_id, record["problem"], _difficulty_math(record.get("level")), family, data)
    if fmt == "native":
        difficulty = record.get("difficulty", "medium")
        if difficulty not in DIFFICULTIES:
            raise ValueError(f"field 'difficulty' must be one of {DIFFICULTIES}")
        data = {k: v for k, v in record.items() if k not in ("task_id", "prompt", "difficulty")}
        family = str(record.get("family", "file"))
        return Task(task_id, record["prompt"], difficulty, family, data)
    raise ValueError(f"unknown task format {fmt!r}; expected one of {FORMATS}")


def load_tasks(path: str | Path, fmt: str | None = None, difficulty: str | None = None) -> TaskList:
    """Load a JSONL task file.

    Args:
        path: The file.
        fmt: ``"gsm8k"``, ``"math"``, ``"native"`` or None to detect it from the first record.
        difficulty: Keep only tasks of this difficulty (None keeps all).

    Raises:
        TaskFileError: If the file is unreadable, a record is malformed (the message names the
            line and field) or no task is left.
    """
    path = Path(path)
    entries = list(iter_jsonl(path))
    if fmt is None:
        fmt = detect_format(entries[0][1])
        if fmt is None:
            raise TaskFileError(
                f"{entries[0][0]}: cannot tell the task format; expected fields question+answer "
                "(GSM8K), problem+solution (MATH) or prompt+answer"
            )
    if fmt not in FORMATS:
        raise ValueError(f"unknown task format {fmt!r}; expected one of {FORMATS}")
    tasks = []
    for index, (where, record) in enumerate(entries):
        check_fields(where, record, _FIELDS[fmt])
        try:
            task = task_from_record(record, fmt, f"{path.stem}/{index}")
        except ValueError as e:
            raise TaskFileError(f"{where}: {e}") from None
        if difficulty is None or task.difficulty == difficulty:
            tasks.append(task)
    if not tasks:
        raise TaskFileError(f"task file {path.name} has no tasks of difficulty {difficulty!r}")
    ids = [t.task_id for t in tasks]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise TaskFileError(f"task file {path.name}: duplicate task id {dup!r}")
    return TaskList(tasks)
