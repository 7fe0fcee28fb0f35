"""The grading harness: the sandbox's main program when tests run (``run_tests``, ``submit``).

It is sent into a fresh sandbox workspace as source, together with the codec and a payload
holding the tests, the solution's code and a random nonce. The tests run *here*; the
solution runs in a separate child interpreter (:mod:`agentgym.environments.code.solution_process`)
that only receives call arguments and sends back return values as plain data. Hence:

* the solution never sees the tests, the expected values or the nonce (the child is a fresh
  process, started as an unprivileged user when the harness runs as root, and this process
  turns off ptrace/``/proc`` access to itself);
* it cannot fake a result line: only this process writes to the sandbox's stdout, and the
  grader accepts only the line carrying the nonce;
* ``sys.exit`` in a call is reported as a failed call, and ``os._exit``, a crash or a hang
  kills only the child: the test fails and the next test gets a fresh child;
* values are rebuilt by the codec as plain data, so rigged ``__eq__`` objects cannot pass;
* nothing the solution can write reaches this process: before the solution starts, every
  folder this process could write (the workspace first of all) leaves ``sys.path`` and the
  working directory becomes ``/``, so a module the tests import late (HumanEval ``check()``
  bodies often do) comes from the read-only installation, never from a file the solution
  planted. The solution's process gets a folder of its own in the workspace.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any

from agentgym.environments.code.checks import _doctest_eq, approx, raises  # harness: strip
from agentgym.environments.code.codec import CodecError, decode, encode  # harness: strip

RESULT_MARK = "AGENTGYM-GRADE"
_MAX_REPLY_BYTES = 16 << 20
_OUTPUT_TAIL_BYTES = 2000
_UNPRIVILEGED_ID = 65534
_PR_SET_DUMPABLE = 4
# Exceptions raised in the solution are re-raised here under the same built-in type, so tests
# can expect them; anything else becomes SolutionError (never SystemExit & co.).
_REBUILT = (
    "ArithmeticError",
    "AttributeError",
    "IndexError",
    "KeyError",
    "LookupError",
    "NameError",
    "NotImplementedError",
    "OverflowError",
    "RecursionError",
    "RuntimeError",
    "TypeError",
    "UnboundLocalError",
    "UnicodeError",
    "ValueError",
    "ZeroDivisionError",
)


class SolutionError(Exception):
    """An exception raised by the solution that has no built-in counterpart here."""


class Abort(BaseException):  # noqa: N818 - BaseException so tests' `except Exception` cannot swallow it
    """The solution process timed out, died or misbehaved; the current test fails."""


class Solution:
    """The child process running the agent's module, restarted after it dies or hangs."""

    def __init__(self, process_source: str, code: str, workspace: str):
        self.process_source = process_source
        self.code = code
        self.deadline = 0.0
        self.load_error: str | None = None
        self.proc: subprocess.Popen | None = None
        self.isolation = "separate-process"
        self._buf = b""
        self._output = tempfile.TemporaryFile(dir=workspace)
        self._uid: int | None = _UNPRIVILEGED_ID if os.geteuid() == 0 else None
        self._workdir = tempfile.mkdtemp(prefix="solution-", dir=workspace)
        if self._uid is not None:
            try:
                os.chown(self._workdir, self._uid, self._uid)
            except OSError:
                self._uid = None

    def ensure_started(self) -> None:
        """Start the child and load the module unless it is running (raises Abort)."""
        if self.proc is not None:
            return
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
            "PYTHONHASHSEED": "0",
        }
        kwargs: dict[str, Any] = {
            "stdin": subprocess.PIPE,
            "stdout": subprocess.PIPE,
            "stderr": self._output,
            "cwd": self._workdir,
            "env": env,
            "close_fds": True,
        }
        # -S skips the site module's .pth processing, which costs more than the rest of the
        # start-up; the solution process puts the site-packages folders on sys.path itself.
        args = [sys.executable, "-I", "-S", "-c", self.process_source + "\nserve()\n"]
        try:
            if self._uid is None:
                raise PermissionError
            self.proc = subprocess.Popen(
                args, user=self._uid, group=self._uid, extra_groups=[], **kwargs
            )
            self.isolation = "unprivileged-process"
        except OSError:
            self._uid = None
            self.proc = subprocess.Popen(args, **kwargs)
        os.set_blocking(self.proc.stdin.fileno(), False)
        self._buf = b""
        self._write(json.dumps({"source": self.code}).encode() + b"\n")
        reply = self._read()
        if not reply.get("ok"):
            self.load_error = str(reply.get("error", "the solution failed to load"))
            self.stop()

    def call(self, name: str, args: tuple, kwargs: dict) -> Any:
        """Call ``name(*args, **kwargs)`` in the child and return the decoded result."""
        self.ensure_started()
        if self.load_error is not None:
            raise Abort("solution.py failed to load")
        try:
            request = {"name": name, "args": encode(list(args)), "kwargs": encode(kwargs)}
        except CodecError as e:
            raise TypeError(f"test argument cannot be sent to the solution: {e}") from None
        self._write(json.dumps(request).encode() + b"\n")
        reply = self._read()
        if reply.get("ok"):
            try:
                return decode(reply.get("value"))
            except (CodecError, RecursionError) as e:
                raise SolutionError(f"unusable return value: {e}") from None
        exc = reply.get("exc") or {}
        kind, message = str(exc.get("type", "Exception")), str(exc.get("message", ""))
        if kind in _REBUILT:
            raise getattr(builtins, kind)(message)
        raise SolutionError(f"{kind}: {message}" if message else kind)

    def stop(self, grace_s: float = 0.0) -> None:
        """Stop the child (if running) and reap it.

        Args:
            grace_s: Seconds to let it exit by itself after its stdin closes (flushing its
                output) before it is killed.
        """
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if grace_s > 0:
            try:
                proc.stdin.close()
                proc.wait(timeout=grace_s)
            except (OSError, subprocess.TimeoutExpired):
                pass
        try:
            proc.kill()
        except OSError:
            pass
        proc.wait()
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except OSError:
                pass

    def output_tail(self) -> str:
        """Return the end of what the solution printed (stdout and stderr)."""
        self._output.seek(0, os.SEEK_END)
        size = self._output.tell()
        self._output.seek(max(0, size - _OUTPUT_TAIL_BYTES))
        text = self._output.read().decode("utf-8", errors="replace")
        return ("[...]\n" if size > _OUTPUT_TAIL_BYTES else "") + text

    def _remaining(self) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.stop()
            raise Abort("timed out: the solution did not answer within the time limit")
        return remaining

    def _write(self, data: bytes) -> None:
        fd = self.proc.stdin.fileno()
        view = memoryview(data)
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_WRITE)
            while view:
                if sel.select(self._remaining()):
                    try:
                        n = os.write(fd, view)
                    except BlockingIOError:
                        continue
                    except OSError:
                        self._died()
                    view = view[n:]

    def _read(self) -> dict:
        fd = self.proc.stdout.fileno()
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buf:
                if not sel.select(self._remaining()):
                    continue
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    self._died()
                self._buf += chunk
                if len(self._buf) > _MAX_REPLY_BYTES:
                    self.stop()
                    raise Abort("the solution returned a value larger than 16 MiB")
        line, _, self._buf = self._buf.partition(b"\n")
        try:
            reply = json.loads(line)
        except (ValueError, RecursionError):
            reply = None
        if not isinstance(reply, dict):
            self.stop()
            raise Abort("the solution process sent a malformed reply")
        return reply

    def _died(self) -> None:
        proc, code = self.proc, None
        if proc is not None:
            try:
                # It closed its end of the pipe but may still be running: give it a moment.
                code = proc.wait(timeout=max(0.05, min(1.0, self.deadline - time.monotonic())))
            except subprocess.TimeoutExpired:
                self.stop()
                raise Abort("the solution process closed its connection to the tests") from None
        self.stop()
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            raise Abort(f"the solution process was killed ({name})")
        raise Abort(
            f"the solution process exited (code {code}) in the middle of a call; "
            "exiting is not passing"
        )


def _stable_repr(value: Any, depth: int = 0) -> str:
    """``repr`` with set elements sorted, so messages do not depend on the hash seed."""
    if depth > 50:
        return "..."
    if isinstance(value, set | frozenset):
        items = sorted(_stable_repr(v, depth + 1) for v in value)
        if not items:
            return "set()" if isinstance(value, set) else "frozenset()"
        body = "{" + ", ".join(items) + "}"
        return body if isinstance(value, set) else f"frozenset({body})"
    if isinstance(value, list):
        return "[" + ", ".join(_stable_repr(v, depth + 1) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(_stable_repr(v, depth + 1) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        pairs = (
            f"{_stable_repr(k, depth + 1)}: {_stable_repr(v, depth + 1)}" for k, v in value.items()
        )
        return "{" + ", ".join(pairs) + "}"
    return repr(value)


def _short(value: Any, limit: int = 300) -> str:
    text = _stable_repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _compile_test(source: str) -> tuple[str, Any, Any]:
    """Return (kind, code, code2): ``eq`` (two sides), ``eval`` or ``exec``."""
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        return "exec", compile(source, "<test>", "exec"), None
    body = tree.body
    if isinstance(body, ast.Call) and isinstance(body.func, ast.Name) and body.func.id == "check":
        # HumanEval's check(candidate) asserts inside and returns None: it passes unless it raises.
        return "exec", compile(source, "<test>", "exec"), None
    if isinstance(body, ast.Compare) and len(body.ops) == 1 and isinstance(body.ops[0], ast.Eq):
        left = compile(ast.Expression(body.left), "<test>", "eval")
        right = compile(ast.Expression(body.comparators[0]), "<test>", "eval")
        return "eq", left, right
    return "eval", compile(tree, "<test>", "eval"), None


def _run_test(source: str, ns: dict) -> tuple[bool, str | None]:
    kind, code, code2 = _compile_test(source)
    if kind == "eq":
        got = eval(code, ns)
        want = eval(code2, ns)
        if got == want:
            return True, None
        return False, f"got {_short(got)}, expected {_short(want)}"
    if kind == "eval":
        value = eval(code, ns)
        return (True, None) if value else (False, f"the expression gave {_short(value)}")
    exec(code, ns)
    return True, None


class _Remote:
    """A test-side stand-in for a function of the solution."""

    def __init__(self, solution: Solution, name: str):
        self._solution = solution
        self.__name__ = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._solution.call(self.__name__, args, kwargs)

    def __repr__(self) -> str:
        return f"<solution function {self.__name__}>"


def _writable(path: str) -> bool:
    """Whether this process (and so the solution's, which has the same rights) may write there."""
    return os.access(path, os.W_OK) or os.access(os.path.dirname(path) or "/", os.W_OK)


def seal_imports(workspace: str) -> list[str]:
    """Keep only read-only folders on ``sys.path`` and leave the workspace; return what was dropped.

    A folder stays only if it exists outside the workspace and neither it nor its parent is
    writable here (a missing entry could otherwise be created). Folders already searched are
    forgotten, so nothing found there before (or cached as missing) is reused.
    """
    root = os.path.realpath(workspace)
    kept, dropped = [], []
    for entry in sys.path:
        real = os.path.realpath(entry) if entry else ""
        inside = real == root or real.startswith(root.rstrip("/") + "/")
        if real and os.path.isabs(entry) and os.path.exists(real) and not inside:
            if not _writable(real):
                kept.append(entry)
                continue
        dropped.append(entry)
    sys.path[:] = kept
    sys.path_importer_cache.clear()
    importlib.invalidate_caches()
    sys.dont_write_bytecode = True
    os.chdir("/")
    return dropped


def grade(payload: dict, workspace: str | None = None) -> dict:
    """Run the payload's tests against its code; return the JSON-ready report.

    Args:
        payload: The tests, the solution's source, the solution process's source and the time budgets.
        workspace: A folder for the solution's process and its output (default: the working
            directory); the tests import nothing from it (see :func:`seal_imports`).
    """
    start = time.monotonic()
    deadline = start + float(payload["budget_s"])
    per_test = float(payload["per_test_s"])
    workspace = os.path.abspath(workspace or os.getcwd())
    seal_imports(workspace)
    solution = Solution(payload["solution_process"], payload["code"], workspace)
    report: dict[str, Any] = {
        "tests": [],
        "load_error": None,
        "crashed": False,
        "prelude_error": None,
        "output": "",
    }
    ns: dict[str, Any] = {
        "__builtins__": builtins,
        "__name__": "__tests__",
        "raises": raises,
        "approx": approx,
        "_doctest_eq": _doctest_eq,
    }
    for name in payload["entry_points"]:
        ns[name] = _Remote(solution, name)
    if payload.get("candidate"):
        ns["candidate"] = ns[payload["candidate"]]
    results = report["tests"]

    def fail(name: str, why: str) -> None:
        results.append({"name": name, "passed": False, "error": why})

    solution.deadline = min(deadline, start + per_test)
    try:
        exec(compile(payload.get("prelude") or "", "<tests>", "exec"), ns)
        solution.ensure_started()
    except Abort as e:
        report["crashed"] = True
        report["load_error"] = str(e)
    except BaseException as e:
        report["prelude_error"] = f"{type(e).__name__}: {e}"
    if solution.load_error is not None:
        report["crashed"] = True
        report["load_error"] = solution.load_error
    for test in payload["tests"]:
        name, source = test["name"], test["source"]
        now = time.monotonic()
        if report["prelude_error"] is not None:
            fail(name, "not run: the test setup failed: " + report["prelude_error"])
            continue
        if report["load_error"] is not None:
            fail(name, "not run: solution.py failed to load")
            continue
        if now >= deadline:
            fail(name, "not run: the time budget for the test run ran out")
            continue
        solution.deadline = min(deadline, now + per_test)
        try:
            passed, why = _run_test(source, ns)
        except Abort as e:
            report["crashed"] = True
            passed, why = False, str(e)
        except AssertionError as e:
            passed, why = False, f"assertion failed{': ' + str(e) if str(e) else ''}"
        except SolutionError as e:
            passed, why = False, str(e)
        except BaseException as e:
            passed, why = False, f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
        if solution.load_error is not None:
            report["crashed"] = True
            report["load_error"] = solution.load_error
            passed, why = False, "not run: solution.py failed to load"
        results.append({"name": name, "passed": bool(passed), "error": why})
    solution.stop(grace_s=min(0.5, max(0.0, deadline - time.monotonic())))
    report["output"] = solution.output_tail()
    report["isolation"] = solution.isolation
    return report


def main(payload_text: str) -> None:
    """Grade and print the nonce-tagged report line (the only line the grader accepts)."""
    try:
        import ctypes

        # Without this, a same-user process could read our memory (the nonce, the tests).
        ctypes.CDLL(None).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError, ImportError):
        pass
    payload = json.loads(payload_text)
    nonce = payload.pop("nonce")
    report = grade(payload)
    sys.stdout.write(f"\n{RESULT_MARK} {nonce} {json.dumps(report)}\n")
    sys.stdout.flush()
