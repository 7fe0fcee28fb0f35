"""The grading harness: the sandbox's main program when tests run (``run_tests``, ``submit``).

The grader resets a sandbox, writes the secret part of the run (the tests, the prelude, the
time budgets and a random nonce) into its fresh workspace as :data:`SUITE_FILE`, and runs a
program that holds nothing secret: this harness, the codec, the solution process's code and
the solution's source. The harness makes itself non-dumpable, forks the first solution process
(:mod:`agentgym.environments.code.launcher`), and only then reads the secret file and removes
it. The tests run *here*; the solution runs in separate processes
(:mod:`agentgym.environments.code.solution_process`), which only receive call arguments and
send back return values as plain data. Hence:

* the solution never sees the tests, the expected values or the nonce: no process it runs in
  ever held them (the first was forked before the file was read, every restart is a new
  interpreter, and the file is gone before any solution code runs); those processes run as an
  unprivileged user when the harness runs as root, and this process turns off ptrace/``/proc``
  access to itself;
* it cannot fake a result line: only this process writes to the sandbox's stdout, and the
  grader accepts only the line carrying the nonce;
* ``sys.exit`` in a call is reported as a failed call, and ``os._exit``, a crash or a hang
  kills only the solution's process: the test fails and the next test gets a new interpreter,
  which nothing the solution did can have touched;
* values are rebuilt by the codec as plain data, so rigged ``__eq__`` objects cannot pass;
* nothing the solution can write reaches this process: before the first solution process is
  forked, every folder this process could write (the workspace first of all) leaves
  ``sys.path`` and the working directory becomes ``/``, so a module the tests import late
  (HumanEval ``check()`` bodies often do) comes from the read-only installation, never from a
  file the solution planted. The solution's processes work in a folder of their own in the
  workspace.
"""

from __future__ import annotations

import ast
import builtins
import json
import os
import selectors
import signal
import sys
import tempfile
import time
import types
from typing import Any

from agentgym.environments.code.checks import _doctest_eq, approx, raises  # harness: strip
from agentgym.environments.code.codec import CodecError, decode, encode  # harness: strip
from agentgym.environments.code.launcher import (  # harness: strip
    Launcher,  # harness: strip
    LaunchError,  # harness: strip
    SolutionProcess,  # harness: strip
)  # harness: strip

RESULT_MARK = "AGENTGYM-GRADE"
# The secret part of a grading run, written by the grader into the fresh workspace.
SUITE_FILE = ".grading-suite.json"
_MAX_REPLY_BYTES = 16 << 20
_OUTPUT_TAIL_BYTES = 2000
_UNPRIVILEGED_ID = 65534
_PR_SET_DUMPABLE = 4
_EXIT_REPORT_WAIT_S = 0.5
_SOLUTION_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "LANG": "C.UTF-8",
    "PYTHONIOENCODING": "utf-8",
    "PYTHONHASHSEED": "0",
}
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
    """The process running the agent's module, started afresh after it dies or hangs.

    Args:
        process: The solution process's module (see
            :mod:`agentgym.environments.code.solution_process`).
        process_source: Its source, which a restarted solution process runs.
        code: The solution's source.
        workspace: The folder that gets the solution's own folder and its output file.
    """

    def __init__(self, process: Any, process_source: str, code: str, workspace: str):
        self.code = code
        self.deadline = 0.0
        self.load_error: str | None = None
        self.proc: SolutionProcess | None = None
        self.isolation = "separate-process"
        self._buf = b""
        self._output = tempfile.TemporaryFile(dir=workspace)
        uid: int | None = _UNPRIVILEGED_ID if os.geteuid() == 0 else None
        workdir = tempfile.mkdtemp(prefix="solution-", dir=workspace)
        if uid is not None:
            try:
                os.chown(workdir, uid, uid)
            except OSError:
                uid = None
        self._launcher = Launcher(
            process.start, process_source, self._output.fileno(), workdir, uid, _SOLUTION_ENV
        )

    def ensure_started(self) -> None:
        """Start the child and load the module unless it is running (raises Abort)."""
        if self.proc is not None:
            return
        try:
            self.proc = self._launcher.spawn()
        except LaunchError as e:
            raise Abort(f"the solution process could not be started: {e}") from None
        self._buf = b""
        # Its first line, written before any solution code was in it.
        if self._read().get("unprivileged") is True:
            self.isolation = "unprivileged-process"
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
        """Stop the child (if running).

        Args:
            grace_s: Seconds to let it exit by itself after its stdin closes (flushing its
                output) before it is killed.
        """
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if grace_s > 0:
            # It flushes its output and closes every descriptor before it exits, so the end
            # of its stdout says its output is complete; its exit need not be waited for.
            proc.close_stdin()
            proc.drain(grace_s)
        proc.kill()
        proc.close()

    def close(self) -> None:
        """Stop every solution process."""
        self.stop()
        self._launcher.close()

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
        fd = self.proc.stdin
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
        fd = self.proc.stdout
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
            # It closed its end of the pipe but may still be running: give it a moment.
            if not proc.wait(max(0.05, min(1.0, self.deadline - time.monotonic()))):
                self.stop()
                raise Abort("the solution process closed its connection to the tests")
            code = proc.exit_code(_EXIT_REPORT_WAIT_S)
        self.stop()
        if code is None:
            raise Abort("the solution process ended in the middle of a call; ending is not passing")
        if code < 0:
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


def _precompile(source: str) -> tuple[str, Any, Any] | BaseException:
    """Compile a test ahead of the run (while the solution's process starts); keep its error."""
    try:
        return _compile_test(source)
    except BaseException as e:  # re-raised when the test runs, and reported there
        return e


def _run_test(compiled: tuple[str, Any, Any] | BaseException, ns: dict) -> tuple[bool, str | None]:
    if isinstance(compiled, BaseException):
        raise compiled
    kind, code, code2 = compiled
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
    writable here (a missing entry could otherwise be created). The dropped folders, and any
    in the workspace, are forgotten by the import system, so nothing found there before (or
    cached as missing) is reused.
    """
    root = os.path.realpath(workspace)

    def inside(path: str) -> bool:
        return any(
            path == top or path.startswith(top.rstrip("/") + "/") for top in (root, workspace)
        )

    kept, dropped = [], []
    for entry in sys.path:
        real = os.path.realpath(entry) if entry else ""
        if real and os.path.isabs(entry) and os.path.exists(real) and not inside(real):
            if not _writable(real):
                kept.append(entry)
                continue
        dropped.append(entry)
    sys.path[:] = kept
    # Forget the finders of the dropped folders and of any in the workspace. The others
    # (package folders such as numpy's, which sys.path does not decide) stay: freeing them
    # would copy pages this process shares with the sandbox server. Their listings are not
    # invalidated either: a folder we keep cannot change under us, and invalidating every
    # finder cost 0.6 ms (at times 5 ms) of copy-on-write faults per run.
    for entry in list(sys.path_importer_cache):
        if entry in dropped or not os.path.isabs(entry) or inside(entry):
            del sys.path_importer_cache[entry]
    sys.dont_write_bytecode = True
    os.chdir("/")
    return dropped


def grade(suite: dict, solution: Solution) -> dict:
    """Run the suite's tests against the solution; return the JSON-ready report.

    Args:
        suite: The tests, entry points, prelude and time budgets (the secret file's content,
            minus the nonce).
        solution: The solution's process, started on the first call.
    """
    start = time.monotonic()
    deadline = start + float(suite["budget_s"])
    per_test = float(suite["per_test_s"])
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
    for name in suite["entry_points"]:
        ns[name] = _Remote(solution, name)
    if suite.get("candidate"):
        ns["candidate"] = ns[suite["candidate"]]
    results = report["tests"]

    def fail(name: str, why: str) -> None:
        results.append({"name": name, "passed": False, "error": why})

    tests = [(t["name"], _precompile(t["source"])) for t in suite["tests"]]
    solution.deadline = min(deadline, start + per_test)
    try:
        exec(compile(suite.get("prelude") or "", "<tests>", "exec"), ns)
        solution.ensure_started()
    except Abort as e:
        report["crashed"] = True
        report["load_error"] = str(e)
    except BaseException as e:
        report["prelude_error"] = f"{type(e).__name__}: {e}"
    if solution.load_error is not None:
        report["crashed"] = True
        report["load_error"] = solution.load_error
    for name, compiled in tests:
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
            passed, why = _run_test(compiled, ns)
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


def _load_solution_process(code: Any) -> Any:
    """Run the solution process's code object as a module of its own; return the module."""
    module = types.ModuleType("solution_process")
    exec(code, module.__dict__)
    return module


def _take_suite(path: str) -> dict:
    """Read the secret file and remove it (before any solution process exists)."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    os.unlink(path)
    return json.loads(text)


def main(code_text: str, process_code: Any, process_source: str) -> None:
    """Grade and print the nonce-tagged report line (the only line the grader accepts).

    Args:
        code_text: The solution's source, as JSON text.
        process_code: The solution process's code object.
        process_source: Its source, which a restarted solution process runs.

    The tests, budgets and nonce are in :data:`SUITE_FILE` in the working directory, read
    (and removed) only once the first solution process is forked; later ones are new
    interpreters. So no process the solution runs in has ever held them.
    """
    try:
        import ctypes

        # Without this, a same-user process could read our memory (the nonce, the tests);
        # the solution's first process inherits it.
        ctypes.CDLL(None).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError, ImportError):
        pass
    workspace = os.getcwd()
    seal_imports(workspace)
    process = _load_solution_process(process_code)
    # The first solution process is forked here: before the secret file is read.
    solution = Solution(process, process_source, json.loads(code_text), workspace)
    try:
        suite = _take_suite(os.path.join(workspace, SUITE_FILE))
        nonce = suite.pop("nonce")
        report = grade(suite, solution)
    finally:
        solution.close()
    sys.stdout.write(f"\n{RESULT_MARK} {nonce} {json.dumps(report)}\n")
    sys.stdout.flush()
