"""Questions from the relation graph of a world, and questions a user brings as JSONL.

Generated families:

* ``hop``: follow 1 to 4 relations from a named entity and ask for a name or attribute
  ("In what year was the founder of the employer of X born?").
* ``compare``: which of two entities comes first or is larger (hard: each side one hop away).
* ``count``: how many works or events an entity has (hard: one hop away).
* ``date``: the full date of a birth, founding, release or event, 1 to 3 hops away.

Each task records its gold answers (with aliases), its supporting pages (the chain an agent
has to read, in order) and a plan of ``search``/``open`` steps that reads them, which is what
the oracle follows. Difficulty sets the number of hops and the distractor density around the
starting entity (near-duplicate names, many news mentions).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from agentgym.environments.search.corpus import Corpus
from agentgym.environments.search.pages import WorldPages
from agentgym.environments.search.world import (
    CITY,
    COUNTRY,
    EVENT,
    INDUSTRIES,
    MONTHS,
    OCCUPATIONS,
    ORG,
    PERSON,
    WORK,
    WORK_KINDS,
    format_date,
)
from agentgym.tasks import DIFFICULTIES, Task, TaskFileError, TaskList, iter_jsonl

__all__ = ["FAMILIES", "QuestionGenerator", "load_questions", "number_aliases", "parse_question"]

FAMILIES: tuple[str, ...] = ("compare", "count", "date", "hop")

# relation -> (source type, target type, noun phrase of the target given the source)
RELATIONS: dict[str, tuple[int, int, str]] = {
    "born_in": (PERSON, CITY, "the birthplace of {x}"),
    "member_of": (PERSON, ORG, "the employer of {x}"),
    "founded_by": (ORG, PERSON, "the founder of {x}"),
    "hq": (ORG, CITY, "the city where {x} is headquartered"),
    "country": (CITY, COUNTRY, "the country in which {x} lies"),
    "capital": (COUNTRY, CITY, "the capital of {x}"),
    "creator": (WORK, PERSON, "the creator of {x}"),
    "publisher": (WORK, ORG, "the publisher of {x}"),
    "premiere": (WORK, EVENT, "the event at which {x} premiered"),
    "location": (EVENT, CITY, "the host city of {x}"),
    "organiser": (EVENT, ORG, "the organiser of {x}"),
}
_OUT: dict[int, list[str]] = {}
for _name, (_src, _dst, _) in RELATIONS.items():
    _OUT.setdefault(_src, []).append(_name)

_DATE_QUESTIONS = {
    PERSON: "On what date was {x} born?",
    ORG: "On what date was {x} founded?",
    COUNTRY: "On what date did {x} become independent?",
    WORK: "On what date was {x} released?",
    EVENT: "On what date did {x} take place?",
}
_COMPARE = {
    PERSON: ("Who was born earlier", "date", -1),
    ORG: ("Which organisation was founded earlier", "date", -1),
    CITY: ("Which city has more inhabitants", "number", 1),
    WORK: ("Which work was released earlier", "date", -1),
    EVENT: ("Which event took place earlier", "date", -1),
}
_COUNTS = (
    (PERSON, "creator", "How many works has {x} created?"),
    (ORG, "publisher", "How many works has {x} published?"),
    (ORG, "organiser", "How many events has {x} organised?"),
)
_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()


def number_aliases(n: int) -> list[str]:
    """Return the accepted spellings of a count or quantity (``1234``, ``1,234``, ``four``)."""
    out = [str(n)]
    if n >= 1000:
        out.append(f"{n:,}")
    if 0 <= n < len(_NUMBER_WORDS):
        out.append(_NUMBER_WORDS[n])
    return out


def _date_aliases(yyyymmdd: int) -> list[str]:
    y, md = divmod(int(yyyymmdd), 10_000)
    m, d = divmod(md, 100)
    return [format_date(yyyymmdd), f"{MONTHS[m - 1]} {d}, {y}", f"{y:04d}-{m:02d}-{d:02d}"]


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


class QuestionGenerator:
    """Generates question-answering tasks over one world.

    Args:
        pages: The rendered world.
    """

    def __init__(self, pages: WorldPages):
        self.pages = pages
        self.world = pages.world
        w = self.world
        news = np.diff(w.inverse["news"].indptr)
        quiet = (w.twin < 0) & (news <= 2)
        busy = (w.twin >= 0) | (news >= 3)
        self._pools: dict[tuple[int, str], np.ndarray] = {}
        for t in range(6):
            ids = np.arange(w.starts[t], w.starts[t + 1])
            self._pools[(t, "easy")] = ids[quiet[ids]] if quiet[ids].any() else ids
            self._pools[(t, "medium")] = ids
            self._pools[(t, "hard")] = ids[busy[ids]] if busy[ids].any() else ids

    def generators(self) -> dict[str, Callable[[np.random.Generator, str], tuple[str, dict]]]:
        """Return ``family -> fn(rng, difficulty)`` for :class:`~agentgym.tasks.GeneratedTasks`."""
        return {"compare": self.compare, "count": self.count, "date": self.date, "hop": self.hop}

    # --- helpers ---------------------------------------------------------------------------

    def _start(self, rng: np.random.Generator, etype: int, difficulty: str) -> int:
        pool = self._pools[(etype, difficulty)]
        return int(pool[rng.integers(len(pool))])

    def _walk(
        self, rng: np.random.Generator, start: int, steps: int, end_types: tuple[int, ...] | None
    ) -> list[tuple[int, str]] | None:
        """Return ``[(entity, relation to the next), ...]`` of ``steps`` relations, or None."""
        w = self.world
        chain: list[tuple[int, str]] = []
        seen = {start}
        cur = start
        for i in range(steps):
            options = list(_OUT[int(w.etype[cur])])
            if i == steps - 1 and end_types is not None:
                options = [r for r in options if RELATIONS[r][1] in end_types]
            if not options:
                return None
            rel = options[int(rng.integers(len(options)))]
            nxt = int(w.rel[rel][cur])
            if nxt < 0 or nxt in seen:
                return None
            chain.append((cur, rel))
            seen.add(nxt)
            cur = nxt
        return chain

    def _describe(self, start: int, chain: list[tuple[int, str]]) -> str:
        text = self.world.names[start]
        for _, rel in chain:
            text = RELATIONS[rel][2].format(x=text)
        return text

    def _end(self, start: int, chain: list[tuple[int, str]]) -> int:
        return int(self.world.rel[chain[-1][1]][chain[-1][0]]) if chain else start

    def _task(
        self,
        question: str,
        answers: list[str],
        starts: list[tuple[int, list[int]]],
        kind: str,
        hops: int,
    ) -> tuple[str, dict[str, Any]]:
        """Assemble a task; ``starts`` lists (searched entity, pages read in order) per branch."""
        pages = self.pages
        plan: list[list[str]] = []
        supporting: list[str] = []
        for entity, chain in starts:
            plan.append(["search", self.world.names[entity]])
            for e in chain:
                url = pages.entity_url(e)
                plan.append(["open", url])
                supporting.append(url)
        prompt = f"Question: {question}"
        data = {
            "question": question,
            "answers": list(dict.fromkeys(answers)),
            "supporting_urls": supporting,
            "plan": plan,
            "kind": kind,
            "hops": hops,
        }
        return prompt, data

    # --- families --------------------------------------------------------------------------

    def hop(self, rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
        """A chain of 1 (easy), 2 (medium) or 3-4 (hard) pages ending in a name or attribute."""
        w = self.world
        hops = {"easy": 1, "medium": 2, "hard": 3 + int(rng.integers(2))}[difficulty]
        for _attempt in range(200):
            etype = int(rng.integers(6))
            start = self._start(rng, etype, difficulty)
            terminal_rel = bool(rng.integers(2))
            chain = self._walk(rng, start, hops if terminal_rel else hops - 1, None)
            if chain is None:
                continue
            if terminal_rel:
                last, rel = chain[-1]
                answer_entity = int(w.rel[rel][last])
                question = f"What is {self._describe(start, chain)}?"
                answers = [w.names[answer_entity]]
                read = [start] + [self._end(start, chain[: i + 1]) for i in range(len(chain) - 1)]
            else:
                end = self._end(start, chain)
                attr = self._attribute(rng, end)
                if attr is None:
                    continue
                template, answers = attr
                question = template.format(x=self._describe(start, chain))
                read = [start] + [self._end(start, chain[: i + 1]) for i in range(len(chain))]
            return self._task(_cap(question), answers, [(start, read)], "hop", hops)
        raise RuntimeError("could not generate a hop question")  # pragma: no cover

    def _attribute(self, rng: np.random.Generator, e: int) -> tuple[str, list[str]] | None:
        w = self.world
        t = int(w.etype[e])
        year = str(int(w.date[e]) // 10_000)
        n = int(w.number[e])
        options: list[tuple[str, list[str]]]
        if t == PERSON:
            options = [
                ("In what year was {x} born?", [year]),
                ("What is the occupation of {x}?", [OCCUPATIONS[w.kind[e]]]),
            ]
        elif t == ORG:
            options = [
                ("In what year was {x} founded?", [year]),
                ("In which industry does {x} operate?", [INDUSTRIES[w.kind[e]]]),
                ("How many employees does {x} have?", number_aliases(n)),
            ]
        elif t == CITY:
            options = [("What is the population of {x}?", number_aliases(n))]
        elif t == COUNTRY:
            options = [
                ("In what year did {x} become independent?", [year]),
                ("What is the population of {x}?", number_aliases(n)),
            ]
        elif t == WORK:
            options = [
                ("In what year was {x} released?", [year]),
                ("What kind of work is {x}?", [WORK_KINDS[w.kind[e]]]),
            ]
        else:
            options = [
                ("In what year did {x} take place?", [year]),
                ("About how many people attended {x}?", number_aliases(n)),
            ]
        return options[int(rng.integers(len(options)))]

    def date(self, rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
        """The full date of a birth, founding, release or event, 1-3 pages away."""
        w = self.world
        hops = {"easy": 1, "medium": 2, "hard": 3}[difficulty]
        dated = tuple(_DATE_QUESTIONS)
        for _attempt in range(200):
            etype = int(rng.integers(6)) if hops > 1 else dated[int(rng.integers(len(dated)))]
            start = self._start(rng, etype, difficulty)
            chain = self._walk(rng, start, hops - 1, dated) if hops > 1 else []
            if chain is None:
                continue
            end = self._end(start, chain)
            question = _DATE_QUESTIONS[int(w.etype[end])].format(x=self._describe(start, chain))
            read = [start] + [self._end(start, chain[: i + 1]) for i in range(len(chain))]
            return self._task(
                _cap(question), _date_aliases(w.date[end]), [(start, read)], "date", hops
            )
        raise RuntimeError("could not generate a date question")  # pragma: no cover

    def compare(self, rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
        """Which of two entities is earlier/larger; hard reaches each one through a relation."""
        w = self.world
        for _attempt in range(200):
            etype = list(_COMPARE)[int(rng.integers(len(_COMPARE)))]
            lead, field, sign = _COMPARE[etype]
            branches: list[tuple[int, list[int], str]] = []
            for side in range(2):
                if difficulty == "hard":
                    sources = [r for r, (_, dst, _) in RELATIONS.items() if dst == etype]
                    if not sources:
                        break
                    rel = sources[int(rng.integers(len(sources)))]
                    src = self._start(rng, RELATIONS[rel][0], "hard")
                    target = int(w.rel[rel][src])
                    if target < 0:
                        break
                    branches.append((src, [src, target], RELATIONS[rel][2].format(x=w.names[src])))
                else:
                    level = "hard" if (difficulty == "medium" and side == 0) else "easy"
                    e = self._start(rng, etype, level)
                    branches.append((e, [e], w.names[e]))
            if len(branches) < 2:
                continue
            (s1, r1, d1), (s2, r2, d2) = branches
            a, b = r1[-1], r2[-1]
            if a == b or len({*r1, *r2}) < len(r1) + len(r2):
                continue
            va = int(w.date[a] if field == "date" else w.number[a])
            vb = int(w.date[b] if field == "date" else w.number[b])
            if va == vb:
                continue
            winner = a if (va - vb) * sign > 0 else b
            question = f"{lead}: {d1} or {d2}?"
            hops = len(r1) + len(r2)
            return self._task(question, [w.names[winner]], [(s1, r1), (s2, r2)], "compare", hops)
        raise RuntimeError("could not generate a comparison question")  # pragma: no cover

    def count(self, rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
        """How many works or events an entity has (listed on its page); hard is one hop away."""
        w = self.world
        for _attempt in range(500):
            etype, rel, template = _COUNTS[int(rng.integers(len(_COUNTS)))]
            if difficulty == "hard":
                sources = [r for r, (_, dst, _) in RELATIONS.items() if dst == etype]
                via = sources[int(rng.integers(len(sources)))]
                start = self._start(rng, RELATIONS[via][0], "hard")
                target = int(w.rel[via][start])
                if target < 0 or target == start:
                    continue
                read = [start, target]
                described = RELATIONS[via][2].format(x=w.names[start])
            else:
                target = self._start(rng, etype, difficulty)
                start, read, described = target, [target], w.names[target]
            n = w.inverse[rel].count(target)
            if not (1 <= n <= (5 if difficulty == "easy" else 30)):
                continue
            question = template.format(x=described)
            hops = len(read)
            return self._task(question, number_aliases(n), [(start, read)], "count", hops)
        raise RuntimeError("could not generate a count question")  # pragma: no cover


def _string_list(where: str, record: Mapping[str, Any], name: str, required: bool) -> list[str]:
    if name not in record:
        if required:
            raise TaskFileError(f"{where}: missing field '{name}'")
        return []
    value = record[name]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TaskFileError(f"{where}: field '{name}' must be a list of strings")
    if required and not any(v.strip() for v in value):
        raise TaskFileError(f"{where}: field '{name}' must hold at least one non-empty string")
    return value


def parse_question(
    where: str, record: Mapping[str, Any], corpus: Corpus, default_id: str, family: str
) -> Task:
    """Turn one question record into a task (see :func:`load_questions` for the fields).

    Raises:
        TaskFileError: Naming ``where`` and the bad field.
    """
    question = record.get("question")
    if "question" not in record:
        raise TaskFileError(f"{where}: missing field 'question'")
    if not isinstance(question, str) or not question.strip():
        raise TaskFileError(f"{where}: field 'question' must be a non-empty string")
    answers = _string_list(where, record, "answers", True)
    supporting = _string_list(where, record, "supporting_urls", False)
    for url in supporting:
        if corpus.resolve_url(url) is None:
            raise TaskFileError(
                f"{where}: field 'supporting_urls' names {url[:80]!r}, which is not a page "
                "of the corpus"
            )
    task_id = record.get("id", default_id)
    if not isinstance(task_id, str | int) or isinstance(task_id, bool):
        raise TaskFileError(f"{where}: field 'id' must be a string or an integer")
    level = record.get("difficulty", "medium")
    if level not in DIFFICULTIES:
        raise TaskFileError(f"{where}: field 'difficulty' must be one of {DIFFICULTIES}")
    plan = [["search", question.strip()]] + [["open", u] for u in supporting]
    return Task(
        task_id=str(task_id),
        prompt=f"Question: {question.strip()}",
        difficulty=level,
        family=family,
        data={
            "question": question.strip(),
            "answers": answers,
            "supporting_urls": supporting,
            "plan": plan,
            "kind": "file",
            "hops": len(supporting),
        },
    )


def load_questions(path: str | Path, corpus: Corpus, difficulty: str | None = None) -> TaskList:
    """Read questions from JSONL: ``question``, ``answers``, optional ``supporting_urls``.

    Optional fields: ``id`` (default ``"<file stem>/<n>"``) and ``difficulty``. Supporting URLs
    must be pages of ``corpus``.

    Raises:
        TaskFileError: Naming the line and field of the first bad record, or when no
            question has the requested ``difficulty``.
    """
    path = Path(path)
    tasks: list[Task] = []
    for n, (where, record) in enumerate(iter_jsonl(path)):
        task = parse_question(where, record, corpus, f"{path.stem}/{n}", path.stem)
        if difficulty is None or task.difficulty == difficulty:
            tasks.append(task)
    if not tasks:
        raise TaskFileError(f"{path} has no questions of difficulty {difficulty!r}")
    try:
        return TaskList(tasks)
    except ValueError as e:
        raise TaskFileError(f"{path}: {e}") from None
