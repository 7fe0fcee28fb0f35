"""HumanEval ships as HumanEval.jsonl.gz; that file, as it is, is a task source."""

import gzip
import json

import gymnasium as gym
import pytest

import agentgym  # noqa: F401
from agentgym.tasks import TaskFileError

# The shape of HumanEval's records (fields, METADATA, check(candidate)), with made-up tasks.
RECORDS = [
    {
        "task_id": "HumanEval/0",
        "prompt": (
            "from typing import List\n\n\ndef has_close_elements(numbers: List[float], "
            'threshold: float) -> bool:\n    """ Check if any two numbers are closer than '
            "threshold.\n    >>> has_close_elements([1.0, 2.0, 3.0], 0.5)\n    False\n"
            '    """\n'
        ),
        "entry_point": "has_close_elements",
        "canonical_solution": (
            "    for i, a in enumerate(numbers):\n        for j, b in enumerate(numbers):\n"
            "            if i != j and abs(a - b) < threshold:\n                return True\n"
            "    return False\n"
        ),
        "test": (
            "\n\nMETADATA = {\n    'author': 'jt',\n    'dataset': 'test'\n}\n\n\n"
            "def check(candidate):\n    assert candidate([1.0, 2.0, 3.9, 4.0], 0.3) == True\n"
            "    assert candidate([1.0, 2.0, 5.9], 0.5) == False\n"
        ),
    },
    {
        "task_id": "HumanEval/1",
        "prompt": 'def add(x: int, y: int) -> int:\n    """ Add two numbers.\n    """\n',
        "entry_point": "add",
        "canonical_solution": "    return x + y\n",
        "test": "\n\ndef check(candidate):\n    assert candidate(2, 3) == 5\n",
    },
]


def test_humaneval_jsonl_gz_is_a_task_source(tmp_path):
    path = tmp_path / "HumanEval.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in RECORDS)
    env = gym.make("AgentCode-v0", task_source=str(path))
    try:
        for record in RECORDS:
            obs, info = env.reset(options={"task_id": record["task_id"]})
            assert info["task_id"] == record["task_id"] and record["entry_point"] in obs
            terminated = truncated = False
            while not (terminated or truncated):
                *_, terminated, truncated, info = env.step(env.unwrapped.oracle_action())
            assert info["success"] and info["score"] == 1.0
    finally:
        env.close()


def test_a_damaged_gzip_file_is_a_clear_error(tmp_path):
    path = tmp_path / "HumanEval.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"task_id": "x"}\n' * 100)[:40])
    with pytest.raises(TaskFileError, match="cannot decompress task file"):
        gym.make("AgentCode-v0", task_source=str(path))
