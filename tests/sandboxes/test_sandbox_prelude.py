"""Preludes: trusted code a call starts with, compiled (and its imports loaded) once by the server."""

from __future__ import annotations

import pytest

from agentgym.sandboxes import Prelude, SandboxError
from agentgym.sandboxes.local import LocalPool, LocalSandbox
from agentgym.sandboxes.pool import calls
from agentgym.sandboxes.server.protocol import MAX_PRELUDES

GREET = Prelude("greet", "X = 41\ndef f():\n    return X + 1\n", imports=("json",))
# Whether the interpreter the call runs in has the preload imported: the lean one has not.
PROBE = "import sys; print(f(), 'decimal' in sys.modules)"


@pytest.fixture(scope="module")
def lean_pool():
    pool = LocalPool(preload=("decimal",))
    assert LocalSandbox(pool=pool).run("print(1)").ok
    assert pool.wait_warm()
    yield pool
    pool.close()


@pytest.fixture
def sent(monkeypatch):
    """The requests the client sends to spares."""
    messages: list[dict] = []
    real = calls.send_message

    def spy(sock, message, fds=()):
        messages.append(message)
        return real(sock, message, fds)

    monkeypatch.setattr(calls, "send_message", spy)
    return messages


def test_the_prelude_runs_first_in_the_same_namespace(make):
    sb = make()
    r = sb.run("print(f(), X, __name__)", prelude=GREET)
    assert (r.exit_code, r.stdout) == (0, "42 41 __main__\n"), r
    # The code's own errors still point at main.py.
    r = sb.run("f()\nraise KeyError('k')", prelude=GREET)
    assert r.exit_code == 1 and 'File "main.py", line 2' in r.stderr, r
    assert sb.run("print('f' in globals())").stdout == "False\n"


def test_spares_forked_before_registration_get_the_source_later_ones_do_not(lean_pool, sent):
    prelude = Prelude("fresh", "Y = 7\n")
    sb = LocalSandbox(pool=lean_pool)
    # The waiting spares were forked before the server had this prelude.
    assert sb.run("print(Y)", prelude=prelude).stdout == "7\n"
    assert "prelude_source" in sent[-1] and sent[-1]["prelude"] == "fresh"
    assert lean_pool.wait_warm()
    for _ in range(4):
        assert sb.run("print(Y)", prelude=prelude).stdout == "7\n"
    # Spares forked since registration have it compiled: only the name travels.
    assert sent[-1]["prelude"] == "fresh" and "prelude_source" not in sent[-1]
    sb.close()


def test_a_changed_prelude_under_the_same_name_replaces_the_old(lean_pool):
    sb = LocalSandbox(pool=lean_pool)
    assert sb.run("print(V)", prelude=Prelude("versioned", "V = 1")).stdout == "1\n"
    lean_pool.wait_warm()
    assert sb.run("print(V)", prelude=Prelude("versioned", "V = 2")).stdout == "2\n"
    lean_pool.wait_warm()
    assert sb.run("print(V)", prelude=Prelude("versioned", "V = 2")).stdout == "2\n"
    sb.close()


def test_its_imports_decide_between_lean_and_preloaded_spares(lean_pool):
    sb = LocalSandbox(pool=lean_pool)
    assert sb.run(PROBE, prelude=GREET).stdout == "42 False\n"
    heavy = Prelude("heavy", GREET.source, imports=("json", "decimal"))
    assert sb.run(PROBE, prelude=heavy).stdout == "42 True\n"
    # The code's own imports count as before.
    assert sb.run(PROBE + "; import decimal", prelude=GREET).stdout == "42 True\n"
    # Declared imports are module names, not code: importing importlib is no dynamic import.
    named = Prelude("named", GREET.source, imports=("importlib", "json"))
    assert sb.run(PROBE, prelude=named).stdout == "42 False\n"
    sb.close()


def test_the_server_imports_the_prelude_modules_once(lean_pool):
    sb = LocalSandbox(pool=lean_pool)
    probe = "import sys; print('fractions' in sys.modules)"
    assert sb.run(probe).stdout == "False\n"
    prelude = Prelude("fractions-user", "", imports=("fractions",))
    # The spares that were waiting when it was registered predate it; the later ones have it.
    seen = [sb.run(probe, prelude=prelude).stdout for _ in range(4)]
    assert seen[-1] == "True\n", seen
    sb.close()


def test_more_preludes_than_a_server_keeps_still_run(lean_pool, sent):
    sb = LocalSandbox(pool=lean_pool)
    for i in range(MAX_PRELUDES + 2):
        r = sb.run("print(N)", prelude=Prelude(f"many-{i}", f"N = {i}"))
        assert r.stdout == f"{i}\n", r
    # The last ones were refused by the server: their source comes with every call.
    lean_pool.wait_warm()
    assert sb.run("print(N)", prelude=Prelude("many-0", "N = 0")).stdout == "0\n"
    last = Prelude(f"many-{MAX_PRELUDES + 1}", f"N = {MAX_PRELUDES + 1}")
    assert sb.run("print(N)", prelude=last).stdout == f"{MAX_PRELUDES + 1}\n"
    assert "prelude_source" in sent[-1]
    sb.close()


def test_the_prelude_is_registered_again_after_a_server_restart():
    with LocalPool() as pool:
        sb = LocalSandbox(pool=pool)
        assert sb.run("print(f())", prelude=GREET).stdout == "42\n"
        pool._restart()
        r = sb.run("print(f())", prelude=GREET)
        assert r.stdout == "42\n", r


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("", "x = 1"), ValueError),
        (("a b", "x = 1"), ValueError),
        (("n" * 101, "x = 1"), ValueError),
        (("ok", b"x = 1"), TypeError),
        (("ok", "x = 1", "numpy"), ValueError),
        (("ok", "x = 1", ("os", "not a module")), ValueError),
    ],
)
def test_bad_preludes_are_refused_when_made(args, error):
    with pytest.raises(error):
        Prelude(*args)


def test_a_prelude_that_does_not_compile_is_refused_before_any_server_sees_it(make):
    sb = make()
    with pytest.raises(ValueError, match="does not compile"):
        sb.run("pass", prelude=Prelude("broken", "def ("))
    with pytest.raises(TypeError, match="Prelude"):
        sb.run("pass", prelude="X = 1")
    assert sb.run("print(1)").stdout == "1\n"


def test_a_failing_prelude_fails_the_call_like_its_code(make):
    r = make().run("print('not reached')", prelude=Prelude("raises", "raise RuntimeError('no')"))
    assert r.exit_code == 1 and "RuntimeError: no" in r.stderr and not r.stdout, r


def test_unknown_prelude_names_are_a_set_up_failure_not_a_crash(lean_pool):
    sb = LocalSandbox(pool=lean_pool)
    # A request naming a prelude the server never had (a client bug) ends the call cleanly.
    original = lean_pool._registered
    lean_pool._registered = lambda prelude: (lean_pool._generation, 0)
    try:
        with pytest.raises(SandboxError, match="unknown prelude"):
            sb.run("pass", prelude=Prelude("never-registered", "Z = 1"))
    finally:
        lean_pool._registered = original
    assert sb.run("print(2)").stdout == "2\n"
    sb.close()
