"""The layers of docs/architecture.md, enforced by import-linter (the .importlinter contract).

import-linter walks the package's folders, and this project maps agentgym.environments,
agentgym.sandboxes and agentgym.benchmarks from folders beside agentgym/; so the check runs on
a plain (non-editable) install of the checkout into a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("layers")
    build = tmp_path_factory.mktemp("build")
    src = build / "src"
    # Copy the sources so the build leaves nothing (build/, *.egg-info) in the checkout.
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(".git", "tests", "*.egg-info", "build", "__pycache__"),
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(src)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return target


def lint(target: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("lint-imports")
    assert exe, "import-linter is not installed (it is in the dev extra)"
    env = {**os.environ, "PYTHONPATH": str(target)}
    return subprocess.run(
        [exe, "--no-cache", str(ROOT / ".importlinter")],
        cwd=target,
        env=env,
        capture_output=True,
        text=True,
    )


def test_every_layer_contract_is_kept(installed):
    result = lint(installed)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_a_sandbox_importing_the_core_breaks_the_contract(installed, tmp_path):
    planted = tmp_path / "planted"
    shutil.copytree(installed, planted)
    base = planted / "agentgym" / "sandboxes" / "base.py"
    base.write_text(base.read_text() + "\nimport agentgym.core  # noqa\n")
    result = lint(planted)
    assert result.returncode != 0
    assert "agentgym.sandboxes.base -> agentgym.core" in result.stdout
