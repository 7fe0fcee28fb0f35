"""Runs on a pool: take a pre-forked spare, hand it the code, read its output and report."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import sys
import time
from typing import Any

from agentgym.sandboxes.base import Prelude, SandboxError
from agentgym.sandboxes.pool.limits import CallLimits
from agentgym.sandboxes.pool.link import _START_TIMEOUT_S, ServerLink
from agentgym.sandboxes.pool.pipes import (
    _acknowledged,
    _close,
    _drain,
    _looks_oom,
    _NotStarted,
    _Spare,
)
from agentgym.sandboxes.result import ExecResult
from agentgym.sandboxes.server import send_message

__all__ = ["SandboxPool"]

# How long past a call's own limit the client waits for its report before killing it.
_GRACE_S = 5.0
_ATTEMPTS = 4
# How long a call that needs no preloaded module waits for a lean spare (see _take_spare).
_LEAN_WAIT_S = 0.05


# `import x`, `import x.y as z, w` and `from x import ...`, wherever they appear (in strings too:
# a program that carries another's source, like the grading harness, is judged by both).
_IMPORTS = re.compile(r"\bimport\s+([\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*)")
_FROM = re.compile(r"\bfrom\s+([\w.]+)\s+import\b")
_DYNAMIC = re.compile(r"__import__|importlib|import_module|exec\s*\(|eval\s*\(")
_STDLIB = frozenset(sys.stdlib_module_names) | {"__future__", "__main__"}


def stdlib_only(code: str, preload: tuple[str, ...] | list[str] = ()) -> bool:
    """Whether ``code`` evidently imports nothing but standard modules that are not ``preload``.

    Such a call runs on a lean spare (no preloaded modules: cheaper to fork and to end); any
    other import, or one we cannot read (``__import__``, ``importlib``), sends it to a
    preloaded one. Only speed depends on this: every module is importable from either.
    """
    lean = _lean_modules(preload)
    text = code.replace("\\n", "\n")
    if _DYNAMIC.search(text):
        return False
    if not all(m.group(1).split(".")[0] in lean for m in _FROM.finditer(text)):
        return False
    # What follows `from x import` names no module.
    for match in _IMPORTS.finditer(_FROM.sub(" ", text)):
        for part in match.group(1).split(","):
            if part.split()[0].split(".")[0] not in lean:
                return False
    return True


def _lean_modules(preload: tuple[str, ...] | list[str]) -> frozenset[str]:
    """The top-level modules a lean spare serves as well as a preloaded one."""
    return _STDLIB.difference(m.split(".")[0] for m in preload)


def stdlib_modules(modules: tuple[str, ...], preload: tuple[str, ...] | list[str] = ()) -> bool:
    """Whether every module named (e.g. a prelude's declared imports) is standard and not preloaded.

    Names, not code: ``importlib`` here is a module to import, not a dynamic import to fear.
    """
    lean = _lean_modules(preload)
    return all(m.split(".")[0] in lean for m in modules)


class SandboxPool(ServerLink):
    """One warm fork server and the workspaces of the sandboxes that share it.

    The server keeps pre-forked calls ("spares") whose request socket and result pipe it hands
    to us; a run sends its code straight to a spare and reads the spare's output pipes and
    result pipe, so the server is not on a run's path.

    Thread-safe: any number of threads may run calls at once; each call is its own forked
    child. A pool belongs to the process that created it: used from a forked child (an async
    vector env worker) it starts a server of its own.

    Subclasses say how to start the server (:meth:`_launch`) and stop it (:meth:`_terminate`).
    """

    def _retire(self, spare: _Spare) -> None:
        """Drop a spare we took (run, dead or unusable) and have the server fork another."""
        spare.discard()
        self._notify({"op": "used", "pid": spare.pid, "lean": spare.lean})

    def _take_spare(self, deadline: float, lean: bool = False) -> _Spare:
        # A lean call waits a little for a lean spare being refilled rather than take a
        # preloaded one: forking and ending a preloaded interpreter costs several times more
        # CPU, which under a steady stream of calls is what keeps the refills behind. After
        # that (the lean server still starting, or gone) it takes whichever comes first.
        lean_until = time.monotonic() + _LEAN_WAIT_S if lean else 0.0
        while True:
            sock = self._ensure()
            with self._spare_ready:
                asked = False
                while self._sock is sock:
                    now = time.monotonic()
                    only_lean = lean and self._lean and now < lean_until
                    kinds = (
                        (self._lean_spares,)
                        if only_lean
                        else (self._lean_spares, self._spares)
                        if lean
                        else (self._spares,)
                    )
                    for spares in kinds:
                        if spares:
                            return spares.pop(0)
                    if not asked:
                        self._notify({"op": "need", "lean": lean and self._lean})
                        asked = True
                    remaining = deadline - now
                    if remaining <= 0:
                        raise SandboxError("no sandbox process became available in time")
                    wait = min(remaining, 1.0, lean_until - now if only_lean else 1.0)
                    self._spare_ready.wait(wait)
            # The server died while we waited (its spares went with it): start a new one.
            if time.monotonic() >= deadline:
                raise SandboxError("no sandbox process became available in time")

    def _take_live_spare(self, deadline: float, lean: bool = False) -> _Spare:
        """A spare that is still alive (its result pipe stays empty until its run)."""
        while True:
            spare = self._take_spare(deadline, lean)
            ready, _, _ = select.select([spare.result_fd], [], [], 0)
            if not ready:
                return spare
            # Killed while waiting (e.g. by a hostile call sharing its uid): replace it.
            self._retire(spare)

    def _attempt(
        self,
        workspace: str,
        request: dict[str, Any],
        limits: CallLimits,
        timeout_s: float,
        start: float,
        notices: list[str],
        lean: bool = False,
        prelude: tuple[Prelude, int, int] | None = None,
    ) -> tuple[bytes, bytes, bytes, bool, bool]:
        """Run once on a spare (``notices`` gets a lost-workspace notice, if any).

        ``prelude`` is the call's prelude and where it is registered (server generation, count).

        Raises:
            _NotStarted: If the call ended before the code started (it may be retried).
        """
        out_r, out_w = os.pipe2(os.O_CLOEXEC)
        err_r, err_w = os.pipe2(os.O_CLOEXEC)
        # Descriptors are closed exactly once: another thread may reuse a closed number at once.
        writers = [out_w, err_w]
        spare: _Spare | None = None
        try:
            while True:
                spare = self._take_live_spare(start + _START_TIMEOUT_S, lean)
                notices.extend(self._held(workspace, spare.generation))
                if (spare.generation, workspace) not in self._workspaces:
                    # First use on this server: it creates (and mounts) the directory.
                    self._request({"op": "mkws", "ws": workspace})
                    self._workspaces.add((spare.generation, workspace))
                message = request
                if prelude is not None:
                    kept, generation, count = prelude
                    if spare.generation != generation or spare.preludes < count:
                        # Forked before the prelude was registered: it comes with the call.
                        message = dict(request, prelude_source=kept.source)
                try:
                    with socket.socket(fileno=os.dup(spare.request_fd)) as req:
                        send_message(req, message, (out_w, err_w))
                    break
                except OSError:
                    # That spare died (e.g. a previous call killed it); take the next one.
                    self._retire(spare)
                    spare = None
            # Only the call holds the write ends now, so EOF means it is over.
            while writers:
                _close(writers.pop())
            deadline = time.monotonic() + timeout_s + _GRACE_S
            out, err, report_bytes, truncated, complete = _drain(
                out_r, err_r, spare.result_fd, limits.output_bytes, deadline
            )
            if not complete:
                # The server missed the call's deadline: have it kill the call.
                self._notify({"op": "kill", "pid": spare.pid})
                more = _drain(
                    out_r, err_r, spare.result_fd, limits.output_bytes, time.monotonic() + 5
                )
                report_bytes += more[2]
            started = _acknowledged(spare.request_fd)
        finally:
            for fd in [out_r, err_r, *writers]:
                _close(fd)
            if spare is not None:
                self._retire(spare)
        if not started and not out:
            # The spare died before it took the request (killed by another call sharing its
            # uid, or a spare of a server that died since), or could not set the call up:
            # nothing of the code ran, so try another.
            raise _NotStarted(err.decode("utf-8", errors="replace"))
        return out, err, report_bytes, truncated, complete

    def run(
        self,
        workspace: str,
        code: str,
        limits: CallLimits,
        timeout_s: float,
        prelude: Prelude | None = None,
    ) -> ExecResult:
        """Run ``code`` in ``workspace`` on a spare; output comes back over pipes we own.

        A ``prelude`` runs first; the server keeps it compiled (see :class:`Prelude`).
        """
        if not isinstance(code, str):
            raise TypeError(f"code must be a str, got {type(code).__name__}")
        if not isinstance(timeout_s, int | float) or not timeout_s > 0:
            raise ValueError(f"timeout_s must be a number > 0, got {timeout_s!r}")
        if prelude is not None and not isinstance(prelude, Prelude):
            raise TypeError(f"prelude must be a Prelude or None, got {type(prelude).__name__}")
        request = {
            "ws": workspace,
            # Lone surrogates cannot travel as JSON text; they become U+FFFD.
            "code": code.encode("utf-8", errors="replace").decode("utf-8"),
            "timeout": float(timeout_s),
            "limits": limits.wire(timeout_s),
        }
        preload = getattr(self, "preload", ())
        lean = self._lean and stdlib_only(request["code"], preload)
        registered = None
        if prelude is not None:
            request["prelude"] = prelude.name
            lean = lean and stdlib_modules(prelude.imports, preload)
            registered = (prelude, *self._registered(prelude))
        start = time.monotonic()
        notices: list[str] = []
        for _ in range(_ATTEMPTS):
            try:
                attempt = self._attempt(
                    workspace, request, limits, timeout_s, start, notices, lean, registered
                )
                break
            except _NotStarted as e:
                why = f":\n{e}" if str(e) else ""
        else:
            raise SandboxError(
                f"sandbox processes kept failing before they could start the call{why}"
            )
        out, err, report_bytes, truncated, complete = attempt
        wall_ms = (time.monotonic() - start) * 1000.0
        stderr = "".join(f"[sandbox: {n}]\n" for n in dict.fromkeys(notices))
        stderr += err.decode("utf-8", errors="replace")
        try:
            report = json.loads(report_bytes) if report_bytes else None
        except ValueError:
            report = None
        if report is None:
            stderr += "\n[sandbox: the sandbox server died; the program was killed]"
            report = {
                "exit_code": -signal.SIGKILL,
                "cpu_ms": 0.0,
                "max_rss_kb": 0,
                "timed_out": not complete,
            }
        exit_code = int(report["exit_code"])
        timed_out = bool(report["timed_out"])
        max_rss_kb = int(report["max_rss_kb"])
        return ExecResult(
            stdout=out.decode("utf-8", errors="replace"),
            stderr=stderr,
            exit_code=exit_code,
            timed_out=timed_out,
            oom_killed=bool(report.get("oom_killed"))
            or _looks_oom(exit_code, timed_out, stderr, max_rss_kb, limits),
            wall_ms=wall_ms,
            cpu_ms=float(report["cpu_ms"]),
            max_rss_kb=max_rss_kb,
            output_truncated=truncated,
        )
