"""One task contract for every family: typed data, one load_tasks grammar, JSON Schemas."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import gymnasium as gym
import jsonschema
import pytest

import agentgym  # noqa: F401
from agentgym.environments import schemas
from agentgym.tasks import TaskData, TaskFileError, load_tasks

DOCS_SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"
ENV_OF = {
    "code": "AgentCode-v0",
    "math": "AgentMath-v0",
    "search": "AgentSearch-v0",
    "gui": "AgentGUI-v0",
}


@pytest.fixture(scope="module")
def envs():
    made = {name: gym.make(env_id).unwrapped for name, env_id in ENV_OF.items()}
    yield made
    for env in made.values():
        env.close()


def _family_tasks(env, n=6):
    return [env.tasks.get(task_id) for task_id in env.tasks.ids(2)[:n]]


def test_the_docs_schemas_are_current():
    assert schemas.main([str(DOCS_SCHEMAS), "--check"]) == 0


@pytest.mark.parametrize("family", sorted(ENV_OF))
def test_records_round_trip_through_a_task_file_and_match_the_schema(envs, family, tmp_path):
    env = envs[family]
    tasks = _family_tasks(env)
    assert all(isinstance(t.data, TaskData) for t in tasks)
    schema = json.loads((DOCS_SCHEMAS / f"{family}.json").read_text())
    records = [t.to_record() for t in tasks]
    for record in records:
        jsonschema.validate(record, schema)
    path = tmp_path / "tasks.jsonl.gz"
    with gzip.open(path, "wt") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in records)
    loaded = load_tasks(path, env.task_family, **env._task_context())
    assert [loaded.get(t.task_id) for t in tasks] == tasks


@pytest.mark.parametrize("family", sorted(ENV_OF))
def test_builtin_sets_are_named_the_same_way_everywhere(envs, family):
    env = envs[family]
    fam = env.task_family
    names = list(fam.builtin_names(env._task_context()))
    everything = load_tasks("builtin", fam, **env._task_context())
    one = load_tasks(f"builtin:{names[-1]}", fam, "hard", **env._task_context())
    assert one.ids(3) and all(i.startswith(names[-1]) for i in one.ids(3))
    assert len(everything.ids()) > len(one.ids())
    with pytest.raises(ValueError, match=f"unknown built-in task set nope of the {family} family"):
        load_tasks("builtin:nope", fam, **env._task_context())
    with pytest.raises(ValueError, match="expected 'builtin'"):
        load_tasks("no-such-source", fam, **env._task_context())


def test_a_folder_is_every_task_file_in_it(envs, tmp_path):
    env = envs["gui"]
    tasks = _family_tasks(env, 4)
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(t.to_record()) + "\n" for t in tasks[:2]))
    with gzip.open(tmp_path / "b.jsonl.gz", "wt") as fh:
        fh.writelines(json.dumps(t.to_record()) + "\n" for t in tasks[2:])
    (tmp_path / "notes.txt").write_text("not a task file")
    loaded = load_tasks(tmp_path, env.task_family)
    assert list(loaded.ids()) == [t.task_id for t in tasks]
    (tmp_path / "c.jsonl").write_text(json.dumps(tasks[0].to_record()) + "\n")
    with pytest.raises(TaskFileError, match=r"c.jsonl:1: field 'task_id' repeats .* a.jsonl:1"):
        load_tasks(tmp_path, env.task_family)
    (tmp_path / "empty").mkdir()
    with pytest.raises(TaskFileError, match="holds no .jsonl"):
        load_tasks(tmp_path / "empty", env.task_family)


@pytest.mark.parametrize(
    "family, data, message",
    [
        ("math", {"anwser": "2"}, r"bad.jsonl:2: (missing field 'data.answer'|unknown field)"),
        (
            "math",
            {"answer": 2},
            r"bad.jsonl:2: field 'data.answer': Input should be a valid string",
        ),
        ("math", {"answer": "2", "kind": "proof"}, r"bad.jsonl:2: field 'data.kind'"),
        ("gui", {"app": "paint"}, r"bad.jsonl:2: field 'data.app': must be one of"),
        ("gui", {"app": "mail", "world": "x"}, r"bad.jsonl:2: field 'data.world'"),
        ("code", {"starter": ""}, r"bad.jsonl:2: missing field 'data.solution'"),
        ("search", {"question": "q"}, r"bad.jsonl:2: missing field 'data.answers'"),
    ],
)
def test_bad_records_name_the_file_the_line_and_the_field(envs, family, data, message, tmp_path):
    env = envs[family]
    good = _family_tasks(env, 1)[0].to_record()
    bad = {"task_id": "bad", "prompt": "p", "data": data}
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(TaskFileError, match=message):
        load_tasks(path, env.task_family, **env._task_context())


def test_unknown_top_level_fields_are_refused(envs, tmp_path):
    record = _family_tasks(envs["math"], 1)[0].to_record() | {"difficulty": "hard", "colour": 1}
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps(record) + "\n")
    with pytest.raises(TaskFileError, match="t.jsonl:1: unknown field 'colour'"):
        load_tasks(path, envs["math"].task_family)


def test_typed_data_reads_like_a_mapping_and_is_frozen(envs):
    data = _family_tasks(envs["math"], 1)[0].data
    assert data["answer"] == data.answer and "answer" in data and "nope" not in data
    assert data.get("nope", 3) == 3
    with pytest.raises(KeyError):
        data["nope"]
    with pytest.raises(Exception, match="frozen"):
        data.answer = "1"


def test_envs_accept_the_same_records_as_options(envs):
    env = envs["code"]
    task = _family_tasks(env, 1)[0]
    obs, info = env.reset(options={"task": task.to_record()})
    assert info["task_id"] == task.task_id and obs == task.prompt


def test_oversized_and_deeply_nested_lines_name_the_file_and_line(envs, tmp_path, monkeypatch):
    from agentgym import tasks

    path = tmp_path / "deep.jsonl"
    path.write_text(
        '{"task_id": "a", "prompt": "p", "data": {"answer": "1"}}\n' + "[" * 100_000 + "\n"
    )
    with pytest.raises(TaskFileError, match="deep.jsonl:2: JSON nested too deeply"):
        load_tasks(path, envs["math"].task_family)
    monkeypatch.setattr(tasks, "MAX_LINE_BYTES", 1 << 20)
    big = tmp_path / "big.jsonl"
    big.write_text('{"task_id": "a", "prompt": "' + "x" * (2 << 20) + '", "data": {}}\n')
    with pytest.raises(TaskFileError, match="big.jsonl:1: line is 2 MiB"):
        load_tasks(big, envs["math"].task_family)
