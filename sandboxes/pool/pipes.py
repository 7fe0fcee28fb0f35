"""One call's descriptors on the client side: the spare it runs on and the pipes it writes."""

from __future__ import annotations

import os
import select
import selectors
import signal
import time
from dataclasses import dataclass

from agentgym.sandboxes.pool.limits import CallLimits


@dataclass
class _Spare:
    """A pre-forked call handed over by the server: its request socket and result pipe."""

    pid: int
    request_fd: int
    result_fd: int
    generation: int
    lean: bool = False
    # How many preludes its server had registered when it forked it (it has those).
    preludes: int = 0

    def discard(self) -> None:
        # Idempotent: a descriptor number closed twice may already belong to someone else.
        for fd in (self.request_fd, self.result_fd):
            if fd >= 0:
                _close(fd)
        self.request_fd = self.result_fd = -1


def _drain(
    out_fd: int, err_fd: int, result_fd: int, limit: int, deadline: float
) -> tuple[bytes, bytes, bytes, bool, bool]:
    """Read the output pipes and the result pipe until all are at EOF or the deadline.

    Output beyond ``limit`` bytes per stream is read and dropped, so a program printing
    without end never blocks on a full pipe. Returns stdout, stderr, the report bytes, whether
    output was truncated, and whether the result pipe reached EOF (the call is over).
    """
    bufs = {out_fd: bytearray(), err_fd: bytearray(), result_fd: bytearray()}
    truncated = False
    done_at: float | None = None
    with selectors.DefaultSelector() as sel:
        for fd in bufs:
            sel.register(fd, selectors.EVENT_READ)
        while sel.get_map():
            now = time.monotonic()
            if now >= deadline:
                break
            if done_at is not None and now - done_at > 0.5:
                break  # the call is over; whoever still holds a pipe is not ours to wait for
            events = sel.select(min(deadline - now, 0.5))
            for key, _ in events:
                try:
                    chunk = os.read(key.fd, 1 << 16)
                except OSError:
                    chunk = b""
                if not chunk:
                    sel.unregister(key.fd)
                    if key.fd == result_fd:
                        done_at = time.monotonic()
                    continue
                buf = bufs[key.fd]
                if key.fd != result_fd:
                    room = limit - len(buf)
                    if len(chunk) > room:
                        truncated = True
                        chunk = chunk[: max(room, 0)]
                buf += chunk
    complete = done_at is not None
    return bytes(bufs[out_fd]), bytes(bufs[err_fd]), bytes(bufs[result_fd]), truncated, complete


class _NotStarted(Exception):
    """A call ended before its code started; the message is its set-up error, if any."""


def _acknowledged(request_fd: int) -> bool:
    """Whether the program confirmed on its request socket that it took the request."""
    ready, _, _ = select.select([request_fd], [], [], 0)
    if not ready:
        return False
    try:
        return os.read(request_fd, 1) == b"!"
    except OSError:
        return False


def _looks_oom(
    exit_code: int, timed_out: bool, stderr: str, max_rss_kb: int, limits: CallLimits
) -> bool:
    if timed_out or exit_code == 0:
        return False
    tail = stderr[-4000:]
    if "MemoryError" in tail or "Cannot allocate memory" in tail or "failed to allocate" in tail:
        return True
    # Killed outright near the memory limit: the kernel's (or the container's) OOM killer.
    return exit_code == -signal.SIGKILL and max_rss_kb * 1024 >= 0.9 * (limits.memory_mb << 20)


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass
