"""The built-in bank is code: pytest collects each task's tests.py and runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from agentgym.environments.code.tasks import BANK, builtin_tasks, read_bank


def run_bank(tmp_path: Path, module: str, folder: Path = BANK) -> dict[str, list[tuple[str, bool]]]:
    report = tmp_path / f"{module}.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         "--import-mode=importlib", "-o", "python_files=tests.py", f"--junitxml={report}",
         str(folder)],
        env={**os.environ, "AGENTGYM_BANK_MODULE": module},
        capture_output=True,
        cwd=tmp_path,
    )  # fmt: skip
    results: dict[str, list[tuple[str, bool]]] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        task = case.get("classname", "").split(".")[-2]
        passed = case.find("failure") is None and case.find("error") is None
        results.setdefault(task, []).append((case.get("name", ""), passed))
    return results


def test_every_reference_solution_passes_its_own_tests(tmp_path):
    results = run_bank(tmp_path, "solution.py")
    total = sum(len(t.data["visible"]) + len(t.data["hidden"]) for t in builtin_tasks())
    assert sum(len(v) for v in results.values()) == total
    failed = [(task, name) for task, cases in results.items() for name, ok in cases if not ok]
    assert not failed


def test_every_buggy_module_fails_a_visible_test(tmp_path):
    results = run_bank(tmp_path, "buggy.py", BANK / "bugfix")
    names = [r["name"] for r in read_bank("bugfix")]
    for name in names:
        visible = [ok for test, ok in results[name] if test.startswith("test_visible")]
        assert visible and not all(visible), name


def test_the_index_lists_every_task_folder_once():
    for family in ("implement", "bugfix"):
        listed = (BANK / family / "index.txt").read_text().split()
        folders = sorted(p.name for p in (BANK / family).iterdir() if p.is_dir())
        assert sorted(listed) == folders and len(set(listed)) == len(listed)


def test_a_test_function_that_is_not_one_assert_is_refused(tmp_path, monkeypatch):
    from agentgym.environments.code import tasks

    bad = tmp_path / "tests.py"
    bad.write_text("def test_visible_1():\n    x = 1\n    assert x\n")
    with pytest.raises(ValueError, match="tests.py:1: test_visible_1 must be"):
        tasks._bank_tests(bad)
