"""Lean spares: calls that import only the standard library run on a server without preloads."""

from __future__ import annotations

import os
import signal

import pytest

from agentgym.sandboxes.local import LocalPool, LocalSandbox
from agentgym.sandboxes.pool.calls import stdlib_only
from agentgym.sandboxes.server import children_of

# Whether the interpreter the call runs in has the preload imported: the lean one has not.
PROBE = "import sys; print('decimal' in sys.modules)"


@pytest.mark.parametrize(
    ("code", "lean"),
    [
        ("print(1)", True),
        ("import os, sys\nimport collections.abc as abc", True),
        ("from os import path, sep\nimport json", True),
        ("from __future__ import annotations\nimport typing", True),
        ("import numpy as np", False),
        ("import os, numpy", False),
        ("from sympy import Symbol", False),
        ("import os.path as p, scipy.linalg", False),
        # In a string (a program that carries another's source) counts too.
        ("SOURCE = 'import numpy\\nx = 1'", False),
        ('SOURCE = "import json\\\\nimport pandas"', False),
        # Imports we cannot read go to the preloaded spares.
        ("m = __import__('numpy')", False),
        ("import importlib; importlib.import_module('numpy')", False),
        ("exec('import numpy')", False),
    ],
)
def test_stdlib_only(code, lean):
    assert stdlib_only(code) is lean


def test_a_preloaded_standard_module_is_not_lean():
    assert stdlib_only("import decimal")
    assert not stdlib_only("import decimal", preload=("numpy", "decimal"))
    assert not stdlib_only("from decimal import Decimal", preload=("decimal",))


def _ready_pool() -> LocalPool:
    pool = LocalPool(preload=("decimal",))
    sb = LocalSandbox(pool=pool)
    assert sb.run("print(1)").ok
    assert pool.hello["lean"] is True
    assert pool.wait_warm()
    assert pool._lean_spares
    sb.close()
    return pool


@pytest.fixture(scope="module")
def pool():
    pool = _ready_pool()
    yield pool
    pool.close()


def test_no_lean_server_when_asked_for_none():
    pool = LocalPool(preload=("decimal",), lean_spares=0)
    sb = LocalSandbox(pool=pool)
    assert sb.run(PROBE).stdout == "True\n"
    assert pool.hello["lean"] is False
    pool.close()


def _lean_server_pid(pool) -> int:
    kids = [p for p in children_of(pool.server_pid) if children_of(p)]
    with open(f"/proc/{kids[0]}/cmdline", "rb") as fh:
        assert b"-c" in fh.read().split(b"\0")
    return kids[0]


def test_stdlib_calls_run_without_the_preload_and_others_with_it(pool):
    sb = LocalSandbox(pool=pool)
    assert sb.run(PROBE).stdout == "False\n"
    assert sb.run(PROBE + "; import decimal").stdout == "True\n"
    sb.close()


def test_lean_and_preloaded_calls_share_the_workspace(pool):
    sb = LocalSandbox(pool=pool)
    assert sb.run("open('note', 'w').write('lean')").ok
    r = sb.run("import decimal; print(open('note').read()); open('note', 'w').write('fat')")
    assert r.stdout == "lean\n"
    assert sb.run("print(open('note').read())").stdout == "fat\n"
    sb.close()


def test_lean_calls_are_isolated_and_limited_like_the_others(pool):
    sb = LocalSandbox(pool=pool, timeout_s=0.5)
    r = sb.run(
        "import os, socket; print(os.getpid(), os.getuid(), socket.gethostname(), os.getcwd())"
    )
    assert r.stdout == "1 1000 sandbox /workspace\n"
    assert sb.run("while True: pass").timed_out
    sb.close()


def test_calls_go_on_when_the_lean_server_dies():
    pool = _ready_pool()
    sb = LocalSandbox(pool=pool)
    lean = _lean_server_pid(pool)
    os.kill(lean, signal.SIGKILL)
    results = [sb.run(PROBE) for _ in range(4)]
    # A call caught on a dying lean spare is retried; then every call takes a preloaded spare.
    assert all(r.ok for r in results), results
    assert results[-1].stdout == "True\n"
    assert pool._lean is False
    pool.close()
