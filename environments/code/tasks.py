"""AgentCode tasks: the typed task data, the built-in bank and HumanEval/MBPP-style files.

Every task becomes a :class:`~agentgym.tasks.Task` whose ``data`` is a :class:`CodeTaskData`:
the starter module, the reference solution (privileged), the visible and hidden test suites
and the names of the solution's functions the tests call. :data:`FAMILY` loads them through
:func:`agentgym.tasks.load_tasks`: ``builtin``, ``builtin:implement``, ``builtin:bugfix``, a
JSONL file (standard records, or HumanEval/MBPP records) or a folder of them.
"""

from __future__ import annotations

import ast
import doctest
import keyword
import textwrap
import threading
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from agentgym.environments.code.grading import TestSuite, suite_names
from agentgym.tasks import (
    DIFFICULTIES,
    Task,
    TaskData,
    TaskFamily,
    TaskFileError,
    TaskList,
    check_fields,
    load_tasks,
)

__all__ = [
    "BUILTIN",
    "FAMILY",
    "CodeTaskData",
    "JSONL_FIELDS",
    "builtin_tasks",
    "load_jsonl_tasks",
    "make_task_source",
    "suite_of",
    "task_from_record",
]

BUILTIN = "builtin"
JSONL_FIELDS: Mapping[str, type] = {
    "task_id": str,
    "prompt": str,
    "canonical_solution": str,
    "test": str,
    "entry_point": str,
}
# Names the test namespace already uses; a solution function may not shadow them.
_RESERVED = frozenset({"raises", "approx", "_doctest_eq", "candidate", "check"})
_HOW_TO = (
    "Your workspace holds `solution.py` with the starter code. Edit it with the python tool "
    "and call run_tests, or pass the whole module as `code` to run_tests and submit. "
    "submit ends the episode; hidden tests decide the score."
)


class CodeTaskData(TaskData):
    """The privileged part of an AgentCode task.

    Attributes:
        starter: The module the workspace's ``solution.py`` starts as.
        solution: A reference solution that passes every test (the oracle submits it).
        visible: ``(name, source)`` of each visible test: an expression that must be true,
            or a statement that must not raise, run with the solution's functions in scope.
        hidden: The hidden tests that grade a submission, in the same form.
        entry_points: The solution's functions the tests call.
        prelude_visible: Code run before the visible tests (helpers, imports).
        prelude_hidden: Code run before the hidden tests (HumanEval's ``check``).
        candidate: The function HumanEval's ``check(candidate)`` receives, if any.
    """

    starter: str
    solution: str
    visible: tuple[tuple[str, str], ...]
    hidden: tuple[tuple[str, str], ...]
    entry_points: tuple[str, ...]
    prelude_visible: str = ""
    prelude_hidden: str = ""
    candidate: str = ""


class CodeTasks(TaskFamily):
    """The AgentCode family: built-in sets ``implement`` and ``bugfix``, and task files."""

    name = "code"
    data_model = CodeTaskData

    def builtin_names(self, context: Mapping[str, Any]) -> Sequence[str]:
        """``implement`` and ``bugfix``."""
        return ("implement", "bugfix")

    def builtin(
        self, names: Sequence[str], difficulty: str | None, context: Mapping[str, Any]
    ) -> TaskList:
        """The built-in tasks of the named sets."""
        tasks = [t for t in builtin_tasks() if t.family in names]
        if difficulty is not None:
            tasks = [t for t in tasks if t.difficulty == difficulty]
        if not tasks:
            raise ValueError(f"no task of difficulty {difficulty!r} in the built-in tasks")
        return TaskList(tasks)

    def task_from_record(
        self, record: Mapping[str, Any], where: str, context: Mapping[str, Any]
    ) -> Task:
        """A standard record, or a HumanEval/MBPP one (it has ``canonical_solution``)."""
        if "canonical_solution" in record or "data" not in record:
            check_fields(where, record, JSONL_FIELDS)
            return task_from_record(record, where)
        return self.standard_record(record, where)


FAMILY = CodeTasks()


def make_task_source(task_source: str | Path | None, difficulty: str | None) -> TaskList:
    """Return the tasks named by ``task_source`` (see :func:`agentgym.tasks.load_tasks`).

    The JSONL file may be gzip-compressed, as HumanEval's ``HumanEval.jsonl.gz`` ships.

    Raises:
        TaskFileError: If the JSONL file is missing or malformed (names line and field).
        ValueError: If ``task_source`` names nothing, or no task has ``difficulty``.
    """
    return load_tasks(task_source, FAMILY, difficulty)


def suite_of(task: Task, which: str) -> TestSuite:
    """Return the ``"visible"`` or ``"hidden"`` test suite of ``task``."""
    data = task.data
    return TestSuite(
        tests=tuple((str(n), str(s)) for n, s in data[which]),
        entry_points=tuple(data["entry_points"]),
        prelude=str(data.get(f"prelude_{which}", "")),
        candidate=str(data.get("candidate", "")),
    )


# --- built-in bank -----------------------------------------------------------------------


_BUILTIN_LOCK = threading.Lock()
_BUILTIN: tuple[Task, ...] = ()


def builtin_tasks() -> list[Task]:
    """Return the built-in tasks: implement-from-spec, then bug fixing, easy to hard.

    Built once per process under a lock: tasks are frozen, and CPython 3.11's ``ast`` can fail
    ("AST constructor recursion depth mismatch") when threads parse at the same time, as envs
    made in a thread pool would.
    """
    global _BUILTIN
    with _BUILTIN_LOCK:
        if not _BUILTIN:
            tasks = [_implement_task(r) for r in read_bank("implement")]
            tasks += [_bugfix_task(r) for r in read_bank("bugfix")]
            order = {d: i for i, d in enumerate(DIFFICULTIES)}
            _BUILTIN = tuple(sorted(tasks, key=lambda t: (t.family, order[t.difficulty])))
    return list(_BUILTIN)


BANK = Path(__file__).resolve().parent / "bank"
_BANK_FIELDS = {
    "implement": ("name", "difficulty", "signature", "spec"),
    "bugfix": ("name", "difficulty", "description"),
}


def read_bank(family: str) -> list[dict[str, Any]]:
    """Read the built-in tasks of ``family`` (``implement`` or ``bugfix``) from their folders.

    Each task is a folder ``bank/<family>/<name>/`` holding ``task.toml`` (name, difficulty,
    and the ``signature`` and ``spec``, or the ``description``), ``solution.py``, ``buggy.py``
    (bug-fix tasks) and ``tests.py``, whose ``test_visible_N``/``test_hidden_N`` functions each
    assert one expression: the test sources the grader runs. ``bank/<family>/index.txt`` lists
    the folders in sampling order; new tasks go at its end, so seeds keep drawing the same
    tasks.

    Raises:
        TaskFileError: Naming the file and what is wrong in it.
    """
    folder = BANK / family
    names = (folder / "index.txt").read_text(encoding="utf-8").split()
    records = []
    for name in names:
        where = folder / name
        with open(where / "task.toml", "rb") as fh:
            record: dict[str, Any] = tomllib.load(fh)
        missing = [k for k in _BANK_FIELDS[family] if not isinstance(record.get(k), str)]
        if missing or record["name"] != name:
            raise TaskFileError(f"{where / 'task.toml'}: bad or missing field {missing or 'name'}")
        record["solution"] = (where / "solution.py").read_text(encoding="utf-8")
        if family == "bugfix":
            record["buggy"] = (where / "buggy.py").read_text(encoding="utf-8")
        record["visible"], record["hidden"] = _bank_tests(where / "tests.py")
        records.append(record)
    return records


def _bank_tests(path: Path) -> tuple[list[str], list[str]]:
    """The visible and hidden test sources of a bank task's ``tests.py``, in file order."""
    text = path.read_text(encoding="utf-8")
    found: dict[str, list[str]] = {"visible": [], "hidden": []}
    for node in ast.parse(text).body:
        if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
            continue
        kind = node.name.split("_")[1]
        body = node.body
        if (
            kind not in found
            or len(body) != 1
            or not isinstance(body[0], ast.Assert)
            or body[0].msg is not None
        ):
            raise TaskFileError(
                f"{path}:{node.lineno}: {node.name} must be test_visible_N or test_hidden_N "
                "with one assert"
            )
        found[kind].append(ast.get_source_segment(text, body[0].test) or "")
    return found["visible"], found["hidden"]


def _public_functions(source: str) -> list[str]:
    tree = ast.parse(source)
    return [
        n.name
        for n in tree.body
        if isinstance(n, ast.FunctionDef) and not n.name.startswith("_") and n.name not in _RESERVED
    ]


def _visible_block(tests: Sequence[tuple[str, str]]) -> str:
    if not tests:
        return "There are no visible tests for this task; run_tests checks that the module loads."
    lines = "\n".join(f"  {name}: {source}" for name, source in tests)
    return f"Visible tests (run them with run_tests):\n{lines}"


def _implement_task(record: Mapping[str, Any]) -> Task:
    name = record["name"]
    spec = textwrap.fill(record["spec"], width=84)
    docstring = textwrap.indent(spec, "    ").lstrip()
    starter = f'{record["signature"]}\n    """{docstring}\n    """\n    raise NotImplementedError\n'
    solution = record["solution"].lstrip("\n")
    visible = suite_names("test", record["visible"])
    fn = ast.parse(record["signature"] + "\n    pass").body[0].name
    prompt = (
        f"Implement the function `{fn}` in Python.\n\n{record['spec']}\n\n{_HOW_TO}\n\n"
        f"```python\n{starter}```\n\n{_visible_block(visible)}"
    )
    return _make_task(
        f"implement/{name}", prompt, record["difficulty"], "implement", starter, solution,
        visible, suite_names("hidden", record["hidden"]),
    )  # fmt: skip


def _bugfix_task(record: Mapping[str, Any]) -> Task:
    name = record["name"]
    starter = record["buggy"].lstrip("\n")
    solution = record["solution"].lstrip("\n")
    visible = suite_names("test", record["visible"])
    prompt = (
        f"The Python module below has one or more bugs. {record['description']}\n\n"
        "Fix the module so the failing tests below pass, without breaking anything else; "
        f"keep the function names and signatures.\n\n{_HOW_TO}\n\n```python\n{starter}```\n\n"
        f"{_visible_block(visible)}"
    )
    return _make_task(
        f"bugfix/{name}", prompt, record["difficulty"], "bugfix", starter, solution, visible,
        suite_names("hidden", record["hidden"]),
    )  # fmt: skip


def _make_task(
    task_id: str,
    prompt: str,
    difficulty: str,
    family: str,
    starter: str,
    solution: str,
    visible: Sequence[tuple[str, str]],
    hidden: Sequence[tuple[str, str]],
    *,
    entry_points: Sequence[str] | None = None,
    prelude_hidden: str = "",
    candidate: str = "",
) -> Task:
    data = CodeTaskData(
        starter=starter,
        solution=solution,
        visible=tuple(tuple(t) for t in visible),
        hidden=tuple(tuple(t) for t in hidden),
        entry_points=tuple(entry_points or _public_functions(solution)),
        prelude_hidden=prelude_hidden,
        candidate=candidate,
    )
    return Task(task_id, prompt, difficulty, family, data)


# --- JSONL (HumanEval / MBPP record format) ------------------------------------------------


def load_jsonl_tasks(path: str | Path) -> list[Task]:
    """Read a JSONL file of HumanEval/MBPP-style records as tasks.

    Each line holds ``task_id``, ``prompt``, ``canonical_solution``, ``test`` and
    ``entry_point``, optionally ``difficulty`` and ``visible_tests``. The same as
    ``load_tasks(path, FAMILY)``, as a list.

    Raises:
        TaskFileError: Naming the file, the line and the field that is wrong.
    """
    return list(load_tasks(path, FAMILY))


def task_from_record(record: Mapping[str, Any], where: str = "task") -> Task:
    """Build a task from one HumanEval/MBPP-style record.

    Raises:
        TaskFileError: If a field is missing or malformed; the message starts with ``where``.
    """
    for name, kind in JSONL_FIELDS.items():
        if not isinstance(record.get(name), kind):
            raise TaskFileError(f"{where}: field '{name}' must be a string")
    task_id, prompt, entry = record["task_id"], record["prompt"], record["entry_point"]
    if not task_id.strip():
        raise TaskFileError(f"{where}: field 'task_id' is empty")
    if not entry.isidentifier() or keyword.iskeyword(entry) or entry in _RESERVED:
        raise TaskFileError(
            f"{where}: field 'entry_point' is not a usable function name: {entry!r}"
        )
    difficulty = record.get("difficulty", "medium")
    if difficulty not in DIFFICULTIES:
        raise TaskFileError(f"{where}: field 'difficulty' must be one of {DIFFICULTIES}")
    solution = prompt + record["canonical_solution"]
    _check_syntax(solution, where, "canonical_solution")
    _check_syntax(record["test"], where, "test")
    prompt_tree = _parse_or_none(prompt)
    defined = _public_functions(solution)
    if entry not in defined:
        raise TaskFileError(
            f"{where}: field 'entry_point' names {entry!r}, which prompt + canonical_solution "
            "does not define"
        )
    helpers = [
        n.name
        for n in (prompt_tree.body if prompt_tree else [])
        if isinstance(n, ast.FunctionDef) and n.name not in _RESERVED
    ]
    entry_points = list(dict.fromkeys([entry, *helpers]))
    hidden, prelude = _hidden_tests(record["test"], entry)
    if not hidden:
        raise TaskFileError(f"{where}: field 'test' defines no check() and has no assert")
    visible = _visible_tests(record, prompt, entry, where)
    starter = _starter(prompt)
    shown = prompt if prompt.endswith("\n") else prompt + "\n"
    text = (
        f"Complete the Python function `{entry}`.\n\n```python\n{shown}```\n\n{_HOW_TO}\n\n"
        f"{_visible_block(visible)}"
    )
    return _make_task(
        task_id, text, difficulty, "jsonl", starter, solution, visible, hidden,
        entry_points=entry_points, prelude_hidden=prelude, candidate=entry,
    )  # fmt: skip


def _parse_or_none(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def _check_syntax(source: str, where: str, field_name: str) -> None:
    try:
        ast.parse(source)
    except SyntaxError as e:
        raise TaskFileError(
            f"{where}: field '{field_name}' is not valid Python (line {e.lineno}: {e.msg})"
        ) from None


def _hidden_tests(test: str, entry: str) -> tuple[tuple[tuple[str, str], ...], str]:
    """HumanEval: one test calling ``check``. MBPP: one test per top-level assert."""
    tree = ast.parse(test)
    if any(isinstance(n, ast.FunctionDef) and n.name == "check" for n in tree.body):
        return (("hidden_1", f"check({entry})"),), test
    asserts = [ast.get_source_segment(test, n) for n in tree.body if isinstance(n, ast.Assert)]
    setup = [ast.get_source_segment(test, n) for n in tree.body if not isinstance(n, ast.Assert)]
    return suite_names("hidden", [a for a in asserts if a]), "\n".join(s for s in setup if s)


def _visible_tests(
    record: Mapping[str, Any], prompt: str, entry: str, where: str
) -> tuple[tuple[str, str], ...]:
    given = record.get("visible_tests")
    if given is not None:
        if not isinstance(given, list) or not all(isinstance(s, str) for s in given):
            raise TaskFileError(f"{where}: field 'visible_tests' must be a list of strings")
        for source in given:
            _check_syntax(source, where, "visible_tests")
        return suite_names("test", given)
    tests = []
    tree = _parse_or_none(prompt)
    docstrings = [
        ast.get_docstring(n) or ""
        for n in ([tree, *tree.body] if tree is not None else [])
        if isinstance(n, ast.Module | ast.FunctionDef)
    ]
    examples = []
    for text in docstrings:
        try:
            examples += doctest.DocTestParser().get_examples(text)
        except ValueError:
            continue
    for ex in examples:
        source, want = ex.source.strip(), ex.want.strip()
        if not want or entry not in source or _parse_or_none(source) is None:
            continue
        try:
            ast.parse(source, mode="eval")
            ast.literal_eval(want)
        except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
            if is_expression(source):
                tests.append(f"_doctest_eq({source}, {want!r})")
            continue
        tests.append(f"{source} == {want}")
    return suite_names("test", tests)


def is_expression(source: str) -> bool:
    """Return whether ``source`` parses as one Python expression."""
    try:
        ast.parse(source, mode="eval")
    except SyntaxError:
        return False
    return True


def _starter(prompt: str) -> str:
    """The prompt with a stub body, when it ends inside a function; else the prompt."""
    body = prompt.rstrip()
    last = next((ln for ln in reversed(body.splitlines()) if ln.strip()), "")
    indent = last[: len(last) - len(last.lstrip())] or "    "
    stub = body + f"\n{indent}raise NotImplementedError\n"
    if _parse_or_none(stub) is not None:
        return stub
    if _parse_or_none(prompt) is not None:
        return prompt
    return "".join(f"# {ln}\n" for ln in prompt.splitlines())
