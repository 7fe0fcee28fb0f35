"""The solution process: loads the agent's module and answers the grader's function calls.

It is sent into the sandbox with the grading harness (see
:mod:`agentgym.environments.code.harness`) and runs in the processes the harness's launcher
starts (:mod:`agentgym.environments.code.launcher`), with the protocol pipes as stdin and
stdout: the first a fork of the harness taken before it read the tests, each restart a fresh
interpreter (:func:`main`). It never sees the tests, the expected values or the grader's
nonce: no process it runs in ever held them, and it only receives the solution's source and,
one at a time, the arguments of the calls the tests make. Whatever it sends back is treated
as the solution's return value, so a solution that tampers with this process can only choose
its own answers.

Protocol (one JSON object per line): the process first says ``{"unprivileged": bool}``
(before any solution code exists in it); the first request is ``{"source": ...}``, answered
by ``{"ok": true}`` or ``{"ok": false, "error": ...}``; then each ``{"name", "args",
"kwargs"}`` is answered by ``{"ok": true, "value": ...}`` or ``{"ok": false, "exc": {"type",
"message"}}``. The solution's own prints go to stderr, never into the protocol stream.
"""

from __future__ import annotations

import json
import linecache
import os
import signal
import sys
import traceback
import types

from agentgym.environments.code.codec import decode, encode  # harness: strip

_FILENAME = "solution.py"
_PR_SET_PDEATHSIG = 1


def _describe(exc: BaseException) -> dict:
    return {"type": type(exc).__name__, "message": str(exc)[:2000]}


def _format_error(exc: BaseException) -> str:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    # Drop this program's own frames: the agent only needs the part in its code.
    keep = [ln for ln in lines if _FILENAME in ln or not ln.startswith('  File "')]
    return "".join(keep)[-3000:]


def serve() -> None:
    """Run the protocol on stdin/stdout until the grader closes the pipe."""
    import site

    # Installed packages stay importable here even where the harness dropped their folder
    # from its own sys.path (a writable one): only the solution's imports look there.
    for folder in site.getsitepackages():
        if folder not in sys.path:
            sys.path.append(folder)
    proto_in = os.fdopen(os.dup(0), "r", encoding="utf-8", errors="surrogateescape")
    proto_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    # The solution gets an empty stdin, and its stdout joins stderr, away from the protocol.
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull, encoding="utf-8")

    def send(message: dict) -> None:
        proto_out.write(json.dumps(message) + "\n")
        proto_out.flush()

    first = proto_in.readline()
    if not first:
        return
    source = json.loads(first)["source"]
    module = types.ModuleType("solution")
    module.__file__ = _FILENAME
    sys.modules["solution"] = module
    linecache.cache[_FILENAME] = (len(source), None, source.splitlines(True), _FILENAME)
    try:
        exec(compile(source, _FILENAME, "exec"), module.__dict__)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt are failures too
        send({"ok": False, "error": _format_error(exc)})
        return
    sys.stdout.flush()
    send({"ok": True})
    for line in proto_in:
        try:
            request = json.loads(line)
            fn = module.__dict__.get(request["name"])
            if not callable(fn):
                raise NameError(f"solution.py defines no function {request['name']!r}")
            args = decode(request["args"])
            kwargs = decode(request["kwargs"])
            value = fn(*args, **kwargs)
            reply = {"ok": True, "value": encode(value)}
        except BaseException as exc:  # a solution's sys.exit() is a failed call, not an exit
            reply = {"ok": False, "exc": _describe(exc)}
        try:
            send(reply)
        except (ValueError, OverflowError) as exc:
            send({"ok": False, "exc": _describe(exc)})
        sys.stdout.flush()


def _close_fds_except(keep: set[int]) -> None:
    low = 0
    for fd in sorted(keep):
        if fd > low:
            os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 20)


def start(workdir: str, uid: int | None, parent: int, env: dict | None = None) -> None:
    """Become a solution process, serve, and exit (never returns).

    Args:
        workdir: The solution's own folder, its working directory.
        uid: Run as this user (and group) when not None (the caller must be root).
        parent: The harness's pid: the process gives up if it is not its parent, and dies
            with it.
        env: The environment to take (None: keep the one it was started with).
    """
    code = 1
    try:
        # Nothing of the harness's but the three pipes (stdin, stdout, stderr) stays open.
        _close_fds_except({0, 1, 2})
        unprivileged = False
        if uid is not None:
            try:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
                unprivileged = True
            except OSError:
                pass
        try:
            import ctypes

            # Armed after setuid, which clears it; the check after it closes the window in
            # which the harness could have died unnoticed.
            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError, ImportError):
            pass
        if os.getppid() != parent:
            return
        os.chdir(workdir)
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
        os.write(1, json.dumps({"unprivileged": unprivileged}).encode() + b"\n")
        serve()
        code = 0
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        # The harness takes the end of stdout as the end of the output; the exit comes later.
        _close_fds_except(set())
    except BaseException:  # noqa: BLE001 - a traceback in the output, never back into the loop
        try:
            traceback.print_exc()
        except BaseException:  # noqa: BLE001, S110 - nothing left to report with
            pass
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001, S110 - the solution may have broken it
                pass
        os._exit(code)


def main() -> None:
    """Be a restarted solution process: a new interpreter that runs this module's source.

    Its last three arguments are the folder, the user id (-1: keep it) and the harness's pid.
    """
    workdir, uid, parent = sys.argv[-3], int(sys.argv[-2]), int(sys.argv[-1])
    start(workdir, None if uid < 0 else uid, parent)
