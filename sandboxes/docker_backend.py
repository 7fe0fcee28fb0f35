"""The Docker backend: one warm container per pool running the sandbox fork server."""

from __future__ import annotations

import os
import socket
import tempfile
import weakref
from typing import Any

from agentgym.sandboxes.base import SandboxError, check_int
from agentgym.sandboxes.fs import remove_tree
from agentgym.sandboxes.image import DEFAULT_IMAGE, LABEL, SOCKET_DIR_PREFIX, docker_client
from agentgym.sandboxes.local import DEFAULT_PRELOAD
from agentgym.sandboxes.pool import OUTPUT_LIMIT_BYTES, CallLimits, PoolSandbox, SandboxPool
from agentgym.sandboxes.zygote import SERVER_DIR

__all__ = ["DockerPool", "DockerSandbox"]

_CPU_PERIOD_US = 10_000
_SOCKET_DIR = "/run/agentgym"
_SERVER_DIR = "/opt/agentgym/server"
_CONNECT_TIMEOUT_S = 60.0


class _Container:
    """A running pool container and its socket directory; removed exactly once."""

    def __init__(self, client: Any, container: Any, socket_dir: str) -> None:
        self.client = client
        self.container = container
        self.socket_dir = socket_dir

    def stop(self) -> None:
        import docker

        try:
            self.container.remove(force=True)
        except docker.errors.NotFound:
            pass  # already removed (auto-removed after its server exited, or pruned)
        except docker.errors.APIError:
            # The engine is already removing it (auto-remove once the server saw its socket
            # close): wait, so that close() returns only when the container is gone.
            try:
                self.container.wait(condition="removed", timeout=30)
            except Exception:  # noqa: BLE001 - gone meanwhile, or the engine is unreachable
                pass
        except Exception:  # noqa: BLE001 - the engine is unreachable
            pass
        remove_tree(self.socket_dir)
        try:
            self.client.close()
        except Exception:  # noqa: BLE001
            pass


class DockerPool(SandboxPool):
    """A warm container whose fork server runs the calls of many :class:`DockerSandbox`.

    The container has no network, a read-only root, every capability dropped,
    ``no-new-privileges``, a non-root user, memory, pid and CPU limits, and a size-limited
    tmpfs holding the workspaces. The server inside connects back over a unix socket in a
    bind-mounted directory; each call is a fork of it (no ``docker exec``).

    Args:
        image: The image to run (build it with ``agentgym sandbox build-image``).
        memory_mb: Memory limit of the whole container in MiB (all concurrent calls).
        cpus: CPU limit of the container (cores).
        pids: Process limit of the container.
        workspace_mb: Size of the workspace tmpfs in MiB (all episodes of the pool).
        preload: Modules the server imports once.
        spares: Calls kept pre-forked.
        lean_spares: Spares of the lean server for calls that import only standard modules
            (``None``: as many as ``spares``; 0: none), as in the local backend.
    """

    backend = "docker"

    def __init__(
        self,
        image: str = DEFAULT_IMAGE,
        *,
        memory_mb: int = 2048,
        cpus: float = 1.0,
        pids: int = 256,
        workspace_mb: int = 256,
        preload: tuple[str, ...] | list[str] = DEFAULT_PRELOAD,
        spares: int = 2,
        lean_spares: int | None = None,
    ) -> None:
        lean_spares = spares if lean_spares is None else lean_spares
        for name, value, low in (
            ("memory_mb", memory_mb, 64),
            ("pids", pids, 16),
            ("workspace_mb", workspace_mb, 1),
            ("spares", spares, 0),
            ("lean_spares", lean_spares, 0),
        ):
            check_int(name, value, low)
        if not isinstance(cpus, int | float) or cpus <= 0:
            raise ValueError(f"cpus must be > 0, got {cpus!r}")
        if not isinstance(image, str) or not image:
            raise ValueError(f"image must be a non-empty string, got {image!r}")
        super().__init__()
        self.image = image
        self.memory_mb = memory_mb
        self.cpus = float(cpus)
        self.pids = pids
        self.workspace_mb = workspace_mb
        self.preload = tuple(preload)
        self.spares = spares
        self.lean_spares = lean_spares
        self._running: _Container | None = None
        self._finalizer: weakref.finalize | None = None

    @property
    def container_id(self) -> str | None:
        """The id of the running container, if any."""
        return self._running.container.id if self._running is not None else None

    def _launch(self) -> socket.socket:
        import docker

        client = docker_client()
        try:
            client.images.get(self.image)
        except docker.errors.ImageNotFound:
            client.close()
            raise SandboxError(
                f"sandbox image {self.image!r} not found; build it with "
                "`agentgym sandbox build-image`"
            ) from None
        socket_dir = tempfile.mkdtemp(prefix=f"{SOCKET_DIR_PREFIX}{os.getpid()}-")
        os.chmod(socket_dir, 0o755)
        path = os.path.join(socket_dir, "server.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(path)
            os.chmod(path, 0o777)  # the container's non-root user connects to it
            listener.listen(1)
            listener.settimeout(_CONNECT_TIMEOUT_S)
            container = client.containers.run(
                self.image,
                [
                    "python3",
                    "-s",
                    "-P",
                    f"{_SERVER_DIR}/__main__.py",
                    "--connect",
                    f"{_SOCKET_DIR}/server.sock",
                    "--workspaces",
                    "/ws",
                    "--isolate",
                    "none",
                    "--preload",
                    ",".join(self.preload),
                    "--spares",
                    str(self.spares),
                    "--lean-spares",
                    str(self.lean_spares),
                    # The container's memory cgroup counts every page; a call over it dies
                    # first (its oom_score_adj), not the server.
                    "--memory-accounting",
                    "container",
                ],
                detach=True,
                # Removed by the engine when its server exits (its client died without cleanup).
                auto_remove=True,
                user="65534:65534",
                network_mode="none",
                read_only=True,
                cap_drop=["ALL"],
                security_opt=["no-new-privileges"],
                mem_limit=f"{self.memory_mb}m",
                memswap_limit=f"{self.memory_mb}m",
                pids_limit=self.pids,
                # The same share of CPU as nano_cpus, over a 10 ms period instead of 100 ms: a
                # container that used its quota is paused for the rest of the period, which
                # at 100 ms put 40-50 ms stalls in the tail of back-to-back calls.
                cpu_period=_CPU_PERIOD_US,
                cpu_quota=max(1000, int(self.cpus * _CPU_PERIOD_US)),
                # An IPC namespace of its own without /dev/shm: no POSIX shared memory that
                # outlives a call or is shared between episodes (as in the local backend).
                ipc_mode="none",
                tmpfs={"/ws": f"rw,nosuid,nodev,size={self.workspace_mb}m,mode=1733"},
                volumes={
                    socket_dir: {"bind": _SOCKET_DIR, "mode": "rw"},
                    str(SERVER_DIR): {"bind": _SERVER_DIR, "mode": "ro"},
                },
                environment={"LANG": "C.UTF-8", "PYTHONHASHSEED": "0"},
                working_dir="/",
                labels={
                    LABEL: "pool",
                    "agentgym.pid": str(os.getpid()),
                    "agentgym.host": socket.gethostname(),
                },
            )
        except Exception as exc:
            listener.close()
            remove_tree(socket_dir)
            client.close()
            raise SandboxError(f"could not start the sandbox container: {exc}") from exc
        self._running = _Container(client, container, socket_dir)
        self._finalizer = weakref.finalize(self, _Container.stop, self._running)
        try:
            conn, _ = listener.accept()
        except OSError as exc:
            raise SandboxError(
                f"the sandbox container did not connect: {exc}{self._diagnostics()}"
            ) from exc
        finally:
            listener.close()
        conn.settimeout(None)
        return conn

    def _terminate(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
        self._running = None
        self._finalizer = None

    def _after_fork(self) -> None:
        # The parent's container is the parent's to remove.
        if self._finalizer is not None:
            self._finalizer.detach()
        self._running = None
        self._finalizer = None

    def _diagnostics(self) -> str:
        if self._running is None:
            return ""
        try:
            logs = self._running.container.logs(tail=40).decode(errors="replace")
        except Exception:  # noqa: BLE001
            return ""
        return f"\ncontainer log:\n{logs}" if logs.strip() else ""


class DockerSandbox(PoolSandbox):
    """A sandbox on a :class:`DockerPool` (the process-wide shared one by default).

    Args:
        timeout_s: Default wall-clock limit per call in seconds.
        memory_mb: Memory each call may allocate, in MiB.
        pool: ``None`` for the process-wide shared Docker pool, ``"private"`` for a
            container of this sandbox's own (removed at close), or a :class:`DockerPool`.
        processes: Processes and threads a call may have at once.
        file_mb: Largest file a call may write, in MiB.
        open_files: Open file descriptors a call may hold.
        output_bytes: Bytes of stdout and of stderr kept per call.
    """

    def __init__(
        self,
        timeout_s: float = 10.0,
        memory_mb: int = 512,
        *,
        pool: DockerPool | str | None = None,
        processes: int = 64,
        file_mb: int = 64,
        open_files: int = 256,
        output_bytes: int = OUTPUT_LIMIT_BYTES,
    ) -> None:
        limits = CallLimits(timeout_s, memory_mb, processes, file_mb, open_files, output_bytes)
        pool, owns = self.resolve_pool(DockerPool, pool)
        super().__init__(pool, limits, owns_pool=owns)
