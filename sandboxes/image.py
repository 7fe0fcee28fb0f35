"""Building the Docker sandbox image locally (no registry pull) and pruning leftovers."""

from __future__ import annotations

import collections
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agentgym.sandboxes.base import SandboxError
from agentgym.sandboxes.fs import remove_tree

__all__ = [
    "DEFAULT_IMAGE",
    "IMAGE_PACKAGES",
    "LABEL",
    "SOCKET_DIR_PREFIX",
    "AptSource",
    "apt_source",
    "build_image",
    "docker_client",
    "prune",
]

DEFAULT_IMAGE = "agentgym-sandbox:bookworm"
LABEL = "agentgym.sandbox"
# Host directories holding a pool's socket: <tmp>/agentgym-docker-<owner pid>-<random>.
SOCKET_DIR_PREFIX = "agentgym-docker-"
IMAGE_PACKAGES = ("python3", "python3-numpy", "python3-sympy")
# Trimmed after debootstrap: nothing in the sandbox reads them.
_TRIM = ("usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale", "var/cache/apt")


@dataclass(frozen=True)
class AptSource:
    """A Debian archive as the machine's apt configuration names it."""

    uri: str
    suite: str


def docker_client() -> Any:
    """A connected Docker SDK client.

    Raises:
        SandboxError: If the ``docker`` package is missing (install ``agentgym[docker]``) or
            no engine answers.
    """
    try:
        import docker
    except ImportError as exc:
        raise SandboxError(
            'the docker backend needs the Docker SDK: pip install -e ".[docker]"'
        ) from exc
    try:
        client = docker.from_env(timeout=120)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - the SDK raises many types for "no engine"
        raise SandboxError(f"no Docker engine is reachable: {exc}") from exc
    return client


def _parse_sources(text: str, deb822: bool) -> list[AptSource]:
    found: list[AptSource] = []
    if deb822:
        for stanza in text.split("\n\n"):
            fields: dict[str, str] = {}
            for line in stanza.splitlines():
                if line.startswith("#") or ":" not in line or line[:1].isspace():
                    continue
                key, _, value = line.partition(":")
                fields[key.strip().lower()] = value.strip()
            if "deb" not in fields.get("types", "").split() or fields.get("enabled") == "no":
                continue
            for uri in fields.get("uris", "").split():
                for suite in fields.get("suites", "").split():
                    found.append(AptSource(uri, suite))
    else:
        for line in text.splitlines():
            parts = line.split("#", 1)[0].split()
            if len(parts) >= 3 and parts[0] == "deb":
                rest = [p for p in parts[1:] if not p.startswith("[")]
                if len(rest) >= 2:
                    found.append(AptSource(rest[0], rest[1]))
    return found


def apt_source(root: str = "/etc/apt") -> AptSource:
    """The main Debian archive this machine's apt uses (not security or updates).

    Raises:
        SandboxError: If no usable ``deb`` source is configured.
    """
    candidates: list[AptSource] = []
    paths = [os.path.join(root, "sources.list")] + sorted(
        glob.glob(os.path.join(root, "sources.list.d", "*.list"))
        + glob.glob(os.path.join(root, "sources.list.d", "*.sources"))
    )
    for path in paths:
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except OSError:
            continue
        candidates += _parse_sources(text, deb822=path.endswith(".sources"))
    for source in candidates:
        if "-" not in source.suite and "/" not in source.suite and "security" not in source.uri:
            return source
    raise SandboxError("no Debian archive found in the apt sources; pass --mirror URL --suite NAME")


def _image_exists(client: Any, name: str) -> bool:
    import docker

    try:
        client.images.get(name)
        return True
    except docker.errors.ImageNotFound:
        return False


def _run_debootstrap(cmd: list[str], log: Callable[[str], None]) -> None:
    """Run debootstrap, passing on the first line of each stage (it prints one per package)."""
    tail: collections.deque[str] = collections.deque(maxlen=40)
    stage = None
    with subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as proc:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.rstrip()
            tail.append(line)
            # "I: Retrieving libc6 2.36-9" -> stage "I: Retrieving"; warnings always pass.
            head = " ".join(line.split()[:2])
            if head != stage or not line.startswith("I: "):
                log(f"  debootstrap: {line}")
                stage = head
        returncode = proc.wait()
    if returncode != 0:
        joined = "\n".join(tail)
        raise SandboxError(f"debootstrap failed ({returncode}):\n{joined}")


def build_image(
    name: str = DEFAULT_IMAGE,
    *,
    mirror: str | None = None,
    suite: str | None = None,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> str:
    """Build the sandbox image with debootstrap and ``docker import``; no registry is used.

    The image is a minimal Debian with Python 3, numpy and sympy. An image of the same name
    is reused unless ``force``.

    Args:
        name: Image name (``repository:tag``).
        mirror: Debian archive URL; default: the one this machine's apt uses.
        suite: Debian suite; default: the one this machine's apt uses.
        force: Rebuild even if the image exists.
        log: Receives progress lines (one per debootstrap stage, then the import).

    Returns:
        The image name.

    Raises:
        SandboxError: If debootstrap is missing, not run as root, or the build fails.
    """
    client = docker_client()
    if not force and _image_exists(client, name):
        log(f"image {name} exists; use --force to rebuild")
        return name
    if shutil.which("debootstrap") is None:
        raise SandboxError("debootstrap is not installed (apt-get install debootstrap)")
    if os.geteuid() != 0:
        raise SandboxError("building the image needs root (debootstrap creates device nodes)")
    if mirror is None or suite is None:
        source = apt_source()
        mirror = mirror or source.uri
        suite = suite or source.suite
    work = tempfile.mkdtemp(prefix="agentgym-image-")
    root = os.path.join(work, "root")
    try:
        log(f"debootstrap {suite} with {', '.join(IMAGE_PACKAGES)}")
        cmd = [
            "debootstrap",
            "--variant=minbase",
            "--include=" + ",".join(IMAGE_PACKAGES),
            suite,
            root,
            mirror,
        ]
        _run_debootstrap(cmd, log)
        for rel in _TRIM:
            remove_tree(os.path.join(root, rel))
            os.makedirs(os.path.join(root, rel), exist_ok=True)
        tar = os.path.join(work, "root.tar")
        subprocess.run(
            ["tar", "--numeric-owner", "-C", root, "-cf", tar, "."], check=True, capture_output=True
        )
        log(f"docker import as {name}")
        repository, _, tag = name.partition(":")
        client.api.import_image(
            src=tar,
            repository=repository,
            tag=tag or "latest",
            changes=[
                f"LABEL {LABEL}=image",
                "ENV PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8",
                'CMD ["python3"]',
            ],
        )
        if not _image_exists(client, name):
            raise SandboxError(f"docker import did not produce {name}")
        return name
    except subprocess.CalledProcessError as exc:
        raise SandboxError(f"packing the image failed: {exc.stderr!r}") from exc
    finally:
        remove_tree(work)


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner_alive(labels: dict[str, str]) -> bool:
    if labels.get("agentgym.host") != socket.gethostname():
        return True  # another machine's process: we cannot tell, so leave it (prune --all)
    owner = labels.get("agentgym.pid", "")
    return owner.isdigit() and _pid_alive(int(owner))


def prune(everything: bool = False) -> int:
    """Remove sandbox containers (and socket directories) whose owning process has exited.

    Args:
        everything: Remove every sandbox container, even those of live processes.

    Returns:
        How many containers were removed.
    """
    client = docker_client()
    removed = 0
    for path in glob.glob(os.path.join(tempfile.gettempdir(), SOCKET_DIR_PREFIX + "*")):
        owner = os.path.basename(path)[len(SOCKET_DIR_PREFIX) :].split("-")[0]
        if owner.isdigit() and (everything or not _pid_alive(int(owner))):
            remove_tree(path)
    for container in client.containers.list(all=True, filters={"label": LABEL}):
        labels = container.labels or {}
        if labels.get(LABEL) != "pool":
            continue
        if everything or not _owner_alive(labels):
            try:
                container.remove(force=True)
                removed += 1
            except Exception:  # noqa: BLE001 - already gone or being removed
                pass
    return removed
