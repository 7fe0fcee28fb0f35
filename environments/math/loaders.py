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
from agentgym.tasks import DIFFICULTIES, Task

__all__ = [
    "FORMATS",
    "SAMPLES",
    "detect_format",
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
