"""The checks of integrations whose pins conflict with the base install (OpenEnv, verl), run
by pytest inside their own virtualenvs (see isolated.py; made once and cached by pin set)."""

import re
import subprocess

import isolated
import pytest


@pytest.mark.parametrize("name", isolated.names())
def test_checks_pass_in_their_own_virtualenv(name):
    python = isolated.python(name)  # CI makes it before the suite; else made here, once
    checks = isolated.CHECKS / f"{name}_checks.py"
    done = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfEs", str(checks)],
        cwd=isolated.REPO,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    tail = (done.stdout + done.stderr)[-6000:]
    assert done.returncode == 0, tail
    summary = done.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary), tail
    assert not re.search(r"skipped|failed|error", summary), summary
