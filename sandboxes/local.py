"""The local backend: each call runs in a fresh, resource-limited Python process."""

from __future__ import annotations

import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from agentgym.sandboxes.base import FileData, Sandbox, SandboxError, check_relative_path
from agentgym.sandboxes.result import ExecResult

__all__ = ["LocalSandbox"]

OUTPUT_LIMIT_BYTES = 1 << 20

# The child sets its own limits before running the user's code, so no preexec_fn is needed
# (preexec_fn is unsafe when other threads exist).
_BOOTSTRAP = r"""
import os, resource, sys
cpu, mem, nproc, fsize, nofile = (int(v) for v in sys.argv[1:6])
def lim(which, value):
    try:
        resource.setrlimit(which, (value, value))
    except (ValueError, OSError):
        pass
lim(resource.RLIMIT_CPU, cpu)
lim(resource.RLIMIT_AS, mem)
lim(resource.RLIMIT_NPROC, nproc)
lim(resource.RLIMIT_FSIZE, fsize)
lim(resource.RLIMIT_NOFILE, nofile)
lim(resource.RLIMIT_CORE, 0)
sys.argv = ["main.py"]
sys.path[0] = os.getcwd()
src = sys.stdin.read()
sys.stdin.close()
sys.stdin = open(os.devnull)
import __main__
__main__.__dict__["__file__"] = "main.py"
exec(compile(src, "main.py", "exec"), __main__.__dict__)
"""

_SAFE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}


class LocalSandbox(Sandbox):
    """Runs each call as a fresh Python process with rlimits in a private temp workspace.

    Args:
        timeout_s: Default wall-clock limit per call in seconds.
        memory_mb: Address-space limit per call in MiB.
        max_processes: Limit on processes/threads the call may create.
        max_file_mb: Largest file the call may write, in MiB.
        max_open_files: Limit on open file descriptors.
        output_limit_bytes: Bytes of stdout and of stderr kept; the rest is read and dropped.
    """

    def __init__(
        self,
        timeout_s: float = 10.0,
        memory_mb: int = 512,
        *,
        max_processes: int = 64,
        max_file_mb: int = 64,
        max_open_files: int = 256,
        output_limit_bytes: int = OUTPUT_LIMIT_BYTES,
    ) -> None:
        if not timeout_s or timeout_s <= 0:
            raise ValueError(f"timeout_s must be > 0, got {timeout_s!r}")
        if not isinstance(memory_mb, int) or memory_mb < 32:
            raise ValueError(f"memory_mb must be an int >= 32, got {memory_mb!r}")
        self.timeout_s = float(timeout_s)
        self.memory_mb = memory_mb
        self.max_processes = max_processes
        self.max_file_mb = max_file_mb
        self.max_open_files = max_open_files
        self.output_limit_bytes = output_limit_bytes
        self._lock = threading.Lock()
        self._closed = False
        self._workspace: Path | None = None

    @property
    def workspace(self) -> Path:
        """The host directory holding this episode's files (created on first use)."""
        if self._closed:
            raise SandboxError("sandbox is closed")
        if self._workspace is None:
            self._workspace = Path(tempfile.mkdtemp(prefix="agentgym-ws-"))
        return self._workspace

    def write_files(self, files: FileData) -> None:
        """Write files into the workspace (relative name -> text or bytes)."""
        with self._lock:
            root = self.workspace
            for name, data in files.items():
                rel = check_relative_path(name)
                target = root / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                # Never follow a link the code may have planted in the workspace.
                if target.is_symlink():
                    target.unlink()
                payload = data.encode() if isinstance(data, str) else bytes(data)
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(payload)

    def run(
        self, code: str, files: FileData | None = None, timeout_s: float | None = None
    ) -> ExecResult:
        """Run ``code`` in a fresh process; see :meth:`Sandbox.run`."""
        if not isinstance(code, str):
            raise TypeError(f"code must be a str, got {type(code).__name__}")
        if files:
            self.write_files(files)
        limit = self.timeout_s if timeout_s is None else float(timeout_s)
        with self._lock:
            return self._run(code, limit)

    def _run(self, code: str, timeout_s: float) -> ExecResult:
        cpu_limit = max(1, int(timeout_s + 1))
        args = [
            sys.executable,
            "-I",
            "-c",
            _BOOTSTRAP,
            str(cpu_limit),
            str(self.memory_mb << 20),
            str(self.max_processes),
            str(self.max_file_mb << 20),
            str(self.max_open_files),
        ]
        start = time.monotonic()
        proc = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self.workspace,
            env=dict(_SAFE_ENV),
            start_new_session=True,
            close_fds=True,
        )
        try:
            proc.stdin.write(code.encode("utf-8", errors="surrogatepass"))
        except BrokenPipeError:
            pass
        finally:
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass
        out, err, truncated, timed_out = self._collect(proc, start + timeout_s)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        # Sweep anything the program left in its process group.
        _killpg(proc.pid)
        wall_ms = (time.monotonic() - start) * 1000.0
        stderr = err.decode("utf-8", errors="replace")
        exit_code = proc.returncode
        cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000.0
        if exit_code in (-signal.SIGXCPU, -signal.SIGKILL) and cpu_ms >= timeout_s * 1000:
            timed_out = True
        oom = not timed_out and exit_code != 0 and "MemoryError" in stderr[-2000:]
        return ExecResult(
            stdout=out.decode("utf-8", errors="replace"),
            stderr=stderr,
            exit_code=exit_code,
            timed_out=timed_out,
            oom_killed=oom,
            wall_ms=wall_ms,
            cpu_ms=cpu_ms,
            max_rss_kb=int(usage.ru_maxrss),
            output_truncated=truncated,
        )

    def _collect(
        self, proc: subprocess.Popen[bytes], deadline: float
    ) -> tuple[bytes, bytes, bool, bool]:
        """Read both pipes until EOF, the deadline, or the program's exit.

        Reading continues past the capture limit (the excess is dropped) so a program that
        prints without end cannot block on a full pipe.
        """
        assert proc.stdout is not None and proc.stderr is not None
        out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
        bufs = {out_fd: bytearray(), err_fd: bytearray()}
        truncated = False
        timed_out = False
        exited_at: float | None = None
        with selectors.DefaultSelector() as sel:
            sel.register(out_fd, selectors.EVENT_READ)
            sel.register(err_fd, selectors.EVENT_READ)
            while sel.get_map():
                now = time.monotonic()
                if now >= deadline:
                    timed_out = exited_at is None
                    break
                if exited_at is None and _has_exited(proc.pid):
                    exited_at = now
                # Once the program has exited, a descendant holding the pipes open gets a
                # short grace period to flush, then is killed with the process group.
                if exited_at is not None and now - exited_at > 0.2:
                    break
                for key, _ in sel.select(min(deadline - now, 0.05)):
                    chunk = os.read(key.fd, 65536)
                    if not chunk:
                        sel.unregister(key.fd)
                        continue
                    buf = bufs[key.fd]
                    room = self.output_limit_bytes - len(buf)
                    if len(chunk) > room:
                        truncated = True
                        chunk = chunk[: max(room, 0)]
                    buf += chunk
        # Pipes closed early (e.g. the program closed stdout) but it may still be running.
        while not timed_out and exited_at is None and not _has_exited(proc.pid):
            if time.monotonic() >= deadline:
                timed_out = True
                break
            time.sleep(0.005)
        _killpg(proc.pid)
        proc.stdout.close()
        proc.stderr.close()
        return bytes(bufs[out_fd]), bytes(bufs[err_fd]), truncated, timed_out

    def reset(self) -> None:
        """Start a new episode with a fresh, empty workspace."""
        with self._lock:
            self._remove_workspace()

    def close(self) -> None:
        """Remove the workspace; the sandbox cannot be used afterwards."""
        with self._lock:
            self._remove_workspace()
            self._closed = True

    def _remove_workspace(self) -> None:
        if self._workspace is not None:
            shutil.rmtree(self._workspace, ignore_errors=True)
            self._workspace = None

    def __del__(self) -> None:
        if getattr(self, "_workspace", None) is not None:
            shutil.rmtree(self._workspace, ignore_errors=True)


def _has_exited(pid: int) -> bool:
    """True when ``pid`` has exited; the zombie is left for ``wait4`` to collect its usage."""
    try:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    return info is not None


def _killpg(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
