"""AgentMath tasks: the typed task data, the generated sets and the task-file formats.

:data:`FAMILY` loads tasks through :func:`agentgym.tasks.load_tasks`: ``builtin`` (every
generator), ``builtin:<generator>[,...]``, a JSONL file, or a folder of them. A file's
records may be standard task records (``task_id``, ``prompt``, ``data``), or GSM8K, MATH or
flat ``{"prompt", "answer"}`` records (see :mod:`agentgym.environments.math.loaders`).
Older names stay accepted: ``generated`` and ``generated:<families>`` for the built-in
sets, ``gsm8k-sample``/``math-sample`` for the sample files, ``gsm8k:PATH``/``math:PATH``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from agentgym.environments.math.generators import GENERATORS
from agentgym.environments.math.loaders import SAMPLES, detect_format, task_from_record
from agentgym.tasks import GeneratedTasks, Task, TaskData, TaskFamily, TaskFileError

__all__ = ["FAMILY", "MathTaskData", "MathTasks"]


class MathTaskData(TaskData):
    r"""The privileged part of an AgentMath task.

    Attributes:
        answer: The gold answer, as a number or LaTeX (``\frac{1}{2}``, ``x^2 + C``).
        solution: A worked solution, when the source has one (GSM8K, MATH).
        kind: ``"answer"`` (compare with the gold) or ``"antiderivative"`` (differentiate
            the submitted answer and compare with ``integrand``).
        integrand: For ``kind="antiderivative"``: the function to integrate (LaTeX).
        var: The variable of integration.
        bindings: Values of the problem's unknowns (``{"x": "3"}``), so the ``step`` tool can
            check intermediate equalities that use them.
        expression: The arithmetic expression a generated problem shows, if any.
    """

    answer: str
    solution: str | None = None
    kind: Literal["answer", "antiderivative"] = "answer"
    integrand: str | None = None
    var: str = "x"
    bindings: dict[str, str] = {}
    expression: str | None = None


class MathTasks(TaskFamily):
    """The AgentMath family: one built-in set per generator, and GSM8K/MATH-style files."""

    name = "math"
    data_model = MathTaskData

    def builtin_names(self, context: Mapping[str, Any]) -> Sequence[str]:
        """The generators' names (``arithmetic``, ``fractions``, ...)."""
        return sorted(GENERATORS)

    def builtin(
        self, names: Sequence[str], difficulty: str | None, context: Mapping[str, Any]
    ) -> GeneratedTasks:
        """Tasks generated on demand by the named generators."""
        return GeneratedTasks({n: GENERATORS[n] for n in names}, difficulty, MathTaskData)

    def aliases(self, source: str) -> str | None:
        """``generated[:...]``, the sample names and ``gsm8k:``/``math:`` prefixes."""
        if source == "generated":
            return "builtin"
        if source.startswith("generated:"):
            return "builtin:" + source.split(":", 1)[1]
        if source in SAMPLES:
            return str(SAMPLES[source])
        prefix, _, rest = source.partition(":")
        if prefix in ("gsm8k", "math") and rest:
            return rest  # the record format is recognised per record
        return None

    def task_from_record(
        self, record: Mapping[str, Any], where: str, context: Mapping[str, Any]
    ) -> Task:
        """A standard record, or a GSM8K, MATH or flat ``prompt``/``answer`` record."""
        if isinstance(record.get("data"), dict):
            return self.standard_record(record, where)
        fmt = detect_format(dict(record))
        if fmt is None:
            raise TaskFileError(
                f"{where}: cannot tell the task format; expected fields question+answer "
                "(GSM8K), problem+solution (MATH), prompt+answer, or prompt+data"
            )
        try:
            task = task_from_record(dict(record), fmt, context.get("default_id", "task"))
        except ValueError as e:
            raise TaskFileError(f"{where}: {e}") from None
        return dataclasses.replace(task, data=MathTaskData.from_record(task.data, where))


FAMILY = MathTasks()
