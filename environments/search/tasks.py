"""AgentSearch tasks: the typed task data, the generated question sets and question files.

:data:`FAMILY` loads tasks through :func:`agentgym.tasks.load_tasks`: ``builtin`` (questions
of every kind generated from the env's world), ``builtin:<kind>[,...]`` (``compare``,
``count``, ``date``, ``hop``), a JSONL file of questions or of standard task records, or a
folder of them. Generated questions need a generated world; files work with any corpus.
The older names ``generated`` and a bare kind (``hop``) stay accepted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from agentgym.environments.search.questions import FAMILIES, parse_question
from agentgym.tasks import GeneratedTasks, Task, TaskData, TaskFamily, TaskFileError

__all__ = ["FAMILY", "SearchTaskData", "SearchTasks"]


class SearchTaskData(TaskData):
    """The privileged part of an AgentSearch task.

    Attributes:
        question: The question, as asked.
        answers: Every accepted answer (aliases: ``"1,000"``, ``"1000"``, ``"one thousand"``).
        supporting_urls: The pages that hold the facts the answer rests on.
        plan: The oracle's route, as ``("search", query)`` and ``("open", url)`` steps.
        kind: The question's kind (``hop``, ``date``, ``compare``, ``count``, or ``file``).
        hops: How many pages the answer needs.
    """

    question: str
    answers: tuple[str, ...]
    supporting_urls: tuple[str, ...] = ()
    plan: tuple[tuple[str, str], ...] = ()
    kind: str = "file"
    hops: int = 0


class SearchTasks(TaskFamily):
    """The AgentSearch family; its context is the env's ``site`` (corpus, index, world)."""

    name = "search"
    data_model = SearchTaskData

    def builtin_names(self, context: Mapping[str, Any]) -> Sequence[str]:
        """The question kinds: ``compare``, ``count``, ``date``, ``hop``."""
        return FAMILIES

    def builtin(
        self, names: Sequence[str], difficulty: str | None, context: Mapping[str, Any]
    ) -> GeneratedTasks:
        """Questions generated from the world of ``context["site"]``."""
        questions = context["site"].questions
        if questions is None:
            raise ValueError(
                "questions can only be generated for a generated world; with corpus=... give "
                "task_source=<path to a questions JSONL file>"
            )
        generators = questions.generators()
        return GeneratedTasks({n: generators[n] for n in names}, difficulty, SearchTaskData)

    def aliases(self, source: str) -> str | None:
        """``generated`` and a bare question kind."""
        if source == "generated":
            return "builtin"
        if source in FAMILIES:
            return f"builtin:{source}"
        return None

    def task_from_record(
        self, record: Mapping[str, Any], where: str, context: Mapping[str, Any]
    ) -> Task:
        """A question record (``question``, ``answers``, ...) or a standard task record."""
        if "question" in record and "data" not in record:
            task = parse_question(
                where,
                record,
                context["site"].corpus,
                context.get("default_id", "task"),
                context.get("file_stem", "task"),
            )
            return dataclasses.replace(task, data=SearchTaskData.from_record(task.data, where))
        task = self.standard_record(record, where)
        corpus = context["site"].corpus
        for url in task.data["supporting_urls"]:
            if corpus.resolve_url(url) is None:
                raise TaskFileError(
                    f"{where}: field 'data.supporting_urls' names {url[:80]!r}, which is not a "
                    "page of the corpus"
                )
        return task


FAMILY = SearchTasks()
