"""AgentCode task sources: the built-in bank's shape and the JSONL loader's errors."""

import json
from collections import Counter
from pathlib import Path

import pytest

import agentgym.environments.code as code_pkg
from agentgym.environments.code.tasks import (
    builtin_tasks,
    load_jsonl_tasks,
    make_task_source,
)
from agentgym.tasks import TaskFileError

SAMPLE = Path(code_pkg.__file__).parent / "sample_tasks.jsonl"
GOOD = {
    "task_id": "t/1",
    "prompt": 'def inc(x):\n    """Add one.\n\n    >>> inc(1)\n    2\n    """\n',
    "canonical_solution": "    return x + 1\n",
    "test": "def check(candidate):\n    assert candidate(2) == 3\n",
    "entry_point": "inc",
}


def write(tmp_path, lines):
    path = tmp_path / "tasks.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_builtin_bank_has_both_families_and_three_levels():
    tasks = builtin_tasks()
    assert len(tasks) >= 60
    assert len({t.task_id for t in tasks}) == len(tasks)
    by_family = Counter(t.family for t in tasks)
    assert by_family["implement"] >= 30 and by_family["bugfix"] >= 30
    levels = Counter((t.family, t.difficulty) for t in tasks)
    for family in ("implement", "bugfix"):
        for level in ("easy", "medium", "hard"):
            assert levels[(family, level)] >= 10, (family, level)
    for t in tasks:
        data = t.data
        assert data["visible"] and len(data["hidden"]) >= 4, t.task_id
        assert data["entry_points"] and data["starter"] and data["solution"], t.task_id
        assert data["solution"] not in t.prompt  # the reference never reaches the agent
        shown = {source for _, source in data["visible"]}
        secret = [source for _, source in data["hidden"] if source not in shown]
        assert len(secret) >= 4, t.task_id
        assert "hidden_" not in t.prompt
        compile(data["starter"], t.task_id, "exec")
        compile(data["solution"], t.task_id, "exec")


def test_bugfix_starters_differ_from_their_fixes():
    for t in builtin_tasks():
        if t.family == "bugfix":
            assert t.data["starter"] != t.data["solution"]
            assert t.data["starter"] in t.prompt


def test_difficulty_filter():
    hard = make_task_source("builtin", "hard")
    assert len(hard) >= 20 and {t.difficulty for t in hard} == {"hard"}
    assert len(make_task_source(None, None)) == len(builtin_tasks())


def test_sample_jsonl_loads_both_record_styles():
    tasks = load_jsonl_tasks(SAMPLE)
    assert len(tasks) >= 4
    by_id = {t.task_id: t for t in tasks}
    humaneval = by_id["sample/vowel_positions"]
    assert humaneval.data["hidden"] == (("hidden_1", "check(vowel_positions)"),)
    # Visible tests come from the docstring examples.
    assert humaneval.data["visible"][0] == ("test_1", 'vowel_positions("banana") == [1, 3, 5]')
    assert humaneval.data["starter"].rstrip().endswith("raise NotImplementedError")
    mbpp = by_id["sample/reverse_digits"]
    assert len(mbpp.data["hidden"]) == 5 and mbpp.data["hidden"][0][1].startswith("assert")
    assert mbpp.data["visible"][0][1] == "reverse_digits(123) == 321"
    helper = by_id["sample/min_partition_diff"]
    assert "_total" in helper.data["entry_points"]


def test_good_record_loads(tmp_path):
    (task,) = load_jsonl_tasks(write(tmp_path, ["", json.dumps(GOOD), ""]))
    assert task.task_id == "t/1" and task.difficulty == "medium" and task.family == "jsonl"
    assert task.data["visible"] == (("test_1", "inc(1) == 2"),)
    assert task.data["solution"] == GOOD["prompt"] + GOOD["canonical_solution"]


@pytest.mark.parametrize(
    ("lines", "pattern"),
    [
        (['{"task_id": "a"'], r"tasks.jsonl:1: invalid JSON"),
        (["[1, 2]"], r"tasks.jsonl:1: expected a JSON object"),
        (
            [json.dumps(GOOD), json.dumps({**GOOD, "task_id": 5})],
            r":2: field 'task_id' must be str",
        ),
        ([json.dumps({k: v for k, v in GOOD.items() if k != "test"})], r":1: missing field 'test'"),
        (
            ["", json.dumps({**GOOD, "canonical_solution": "    return (\n"})],
            r"tasks.jsonl:2: field 'canonical_solution' is not valid Python",
        ),
        ([json.dumps({**GOOD, "test": "def check(:"})], r":1: field 'test' is not valid Python"),
        ([json.dumps({**GOOD, "entry_point": "not a name"})], r":1: field 'entry_point'"),
        ([json.dumps({**GOOD, "entry_point": "dec"})], r":1: field 'entry_point' names 'dec'"),
        ([json.dumps({**GOOD, "test": "x = 1\n"})], r":1: field 'test' defines no check"),
        ([json.dumps({**GOOD, "difficulty": "extreme"})], r":1: field 'difficulty'"),
        ([json.dumps({**GOOD, "visible_tests": "inc(1) == 2"})], r":1: field 'visible_tests'"),
        ([json.dumps(GOOD), "", json.dumps(GOOD)], r"tasks.jsonl:3: field 'task_id' repeats"),
        ([""], r"has no records"),
    ],
)
def test_malformed_jsonl_names_line_and_field(tmp_path, lines, pattern):
    with pytest.raises(TaskFileError, match=pattern):
        load_jsonl_tasks(write(tmp_path, lines))


def test_binary_and_missing_files(tmp_path):
    path = tmp_path / "bin.jsonl"
    path.write_bytes(b"\xff\xfe\x00garbage\n")
    with pytest.raises(TaskFileError, match="bin.jsonl:1"):
        load_jsonl_tasks(path)
    with pytest.raises(TaskFileError, match="cannot read"):
        load_jsonl_tasks(tmp_path / "absent.jsonl")


def test_a_jsonl_file_may_have_any_name(tmp_path):
    path = tmp_path / "problems.txt"
    path.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    assert [t.task_id for t in make_task_source(path, None)] == ["t/1"]


def test_task_source_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="task_source"):
        make_task_source("humaneval", None)
    with pytest.raises(ValueError, match="no task of difficulty 'hard'"):
        make_task_source(write(tmp_path, [json.dumps(GOOD)]), "hard")
