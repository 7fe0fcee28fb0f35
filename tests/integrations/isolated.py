"""Virtualenvs for integrations whose pins conflict with the base install, cached by pin set.

Each ``venvs/<name>.txt`` is a pip requirements file; a first-line comment ``# pip: FLAGS``
adds install flags (e.g. ``--no-deps``). The virtualenv sees the base interpreter's packages
(``--system-site-packages``), gets the file's pins on top (torch is held at the base's
version) and this checkout in editable mode. It is cached under ``$AGENTGYM_TEST_VENVS``
(default ``~/.cache/agentgym/test-venvs``) by a hash of the pins, the Python version and
the checkout's path, so a changed pin set makes a new one.

``python tests/integrations/isolated.py [NAME ...]`` makes them (all by default; CI does this
before the tests); ``test_isolated.py`` runs the checks in ``isolated/<name>_checks.py``
inside them.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SPECS = Path(__file__).resolve().parent / "venvs"
CHECKS = Path(__file__).resolve().parent / "isolated"
TORCH_PIN = "torch==2.13.0"


def names() -> list[str]:
    return sorted(p.stem for p in SPECS.glob("*.txt"))


def cache_root() -> Path:
    root = os.environ.get("AGENTGYM_TEST_VENVS")
    return Path(root) if root else Path.home() / ".cache" / "agentgym" / "test-venvs"


def _key(spec: str) -> str:
    text = "\n".join([spec, sys.version, str(REPO), TORCH_PIN])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def python(name: str) -> Path:
    """The interpreter of virtualenv ``name``, made first if it is not cached."""
    spec = (SPECS / f"{name}.txt").read_text()
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    target = root / f"{name}-{_key(spec)}"
    ready = target / "agentgym-ready"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ready.exists():
            shutil.rmtree(target, ignore_errors=True)
            _make(target, name, spec)
            ready.write_text(spec)
    return target / "bin" / "python"


def _make(target: Path, name: str, spec: str) -> None:
    first = spec.splitlines()[0] if spec else ""
    flags = first.removeprefix("# pip:").split() if first.startswith("# pip:") else []
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--system-site-packages", str(target)], check=True)
    py = str(target / "bin" / "python")
    constraints = target / "constraints.txt"
    constraints.write_text(TORCH_PIN + "\n")
    pip = [py, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    requirements = str(SPECS / f"{name}.txt")
    subprocess.run([*pip, *flags, "-c", str(constraints), "-r", requirements], check=True)
    subprocess.run([*pip, "--no-deps", "-e", str(REPO)], check=True)


if __name__ == "__main__":
    for name in sys.argv[1:] or names():
        print(f"virtualenv {name}: {python(name).parent.parent}")
