"""Collect the built-in bank's tests with pytest: each task's tests.py runs on its solution.py.

``pytest environments/code/bank`` checks every reference solution against its own visible and
hidden tests (tests/environments/code/test_bank.py runs it, with ``-o python_files=tests.py``).
Each ``tests.py`` imports ``solution``; this hook points that name at the task's own
``solution.py`` just before the module is imported, or at ``buggy.py`` when the environment
variable ``AGENTGYM_BANK_MODULE`` says so (the bug reports must fail on the buggy modules).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makemodule(module_path: Path, parent):
    solution = module_path.parent / os.environ.get("AGENTGYM_BANK_MODULE", "solution.py")
    if module_path.name == "tests.py" and solution.is_file():
        spec = importlib.util.spec_from_file_location("solution", solution)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules["solution"] = module
    return (yield)
