"""Docker backend specifics: container hardening, cleanup, prune, image tooling, CLI."""

from __future__ import annotations

import argparse
import glob
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time

import pytest
from sandbox_support import require_docker

from agentgym.sandboxes import SandboxError
from agentgym.sandboxes.image import DEFAULT_IMAGE, LABEL, AptSource, _parse_sources, apt_source

pytestmark = pytest.mark.docker


@pytest.fixture
def client():
    require_docker()
    from agentgym.sandboxes.image import docker_client

    c = docker_client()
    yield c
    c.close()


def _exists(client, container_id):
    import docker

    try:
        client.containers.get(container_id)
        return True
    except docker.errors.NotFound:
        return False


def test_container_is_hardened(docker_pool, client):
    info = client.api.inspect_container(docker_pool.container_id)
    host = info["HostConfig"]
    assert host["NetworkMode"] == "none"
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"]
    assert "no-new-privileges" in host["SecurityOpt"]
    assert host["Memory"] == docker_pool.memory_mb << 20
    assert host["PidsLimit"] == docker_pool.pids
    # cpus cores' worth of CPU, granted over a 10 ms period (a throttled container pauses for
    # what is left of the period, so a short one keeps such pauses short).
    assert host["CpuPeriod"] == 10_000
    assert host["CpuQuota"] == int(docker_pool.cpus * 10_000)
    assert "/ws" in host["Tmpfs"]
    assert info["Config"]["User"] == "65534:65534"
    assert info["Config"]["Labels"][LABEL] == "pool"


def test_calls_do_not_use_docker_exec(docker_pool, client):
    from agentgym.sandboxes.docker_backend import DockerSandbox

    sb = DockerSandbox(pool=docker_pool)
    for _ in range(3):
        assert sb.run("print(1)").stdout == "1\n"
    info = client.api.inspect_container(docker_pool.container_id)
    assert not info.get("ExecIDs")
    sb.close()


def test_close_removes_container(client):
    from agentgym.sandboxes.docker_backend import DockerPool, DockerSandbox

    pool = DockerPool(preload=())
    sb = DockerSandbox(pool=pool)
    assert sb.run("import os; print(os.getuid())").stdout == "65534\n"
    cid = pool.container_id
    sb.close()
    pool.close()
    assert not _exists(client, cid)


def test_private_pool_is_removed_with_its_sandbox(client):
    from agentgym.sandboxes import make_sandbox

    sb = make_sandbox("docker", pool="private")
    assert sb.run("print(1)").ok
    cid = sb.pool.container_id
    sb.close()
    assert not _exists(client, cid)


def test_interpreter_exit_removes_container(client):
    script = textwrap.dedent(
        """
        from agentgym.sandboxes import make_sandbox
        sb = make_sandbox("docker")
        sb.run("print(1)")
        print(sb.pool.container_id)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert not _exists(client, out.stdout.strip())


def test_prune_removes_containers_of_dead_processes(client):
    from agentgym.sandboxes.image import prune

    dead = subprocess.Popen(["true"])
    dead.wait()
    orphan = client.containers.create(
        DEFAULT_IMAGE,
        ["sleep", "60"],
        labels={
            LABEL: "pool",
            "agentgym.pid": str(dead.pid),
            "agentgym.host": socket.gethostname(),
        },
    )
    other_host = client.containers.create(
        DEFAULT_IMAGE,
        ["sleep", "60"],
        labels={LABEL: "pool", "agentgym.pid": "1", "agentgym.host": "another-machine"},
    )
    try:
        assert prune() >= 1
        assert not _exists(client, orphan.id)
        assert _exists(client, other_host.id)  # cannot tell whether its owner lives
    finally:
        for c in (orphan, other_host):
            if _exists(client, c.id):
                c.remove(force=True)


def test_cli_prune_and_build_image_reuse(docker_pool, capsys):
    from agentgym.sandboxes import cli

    parser = argparse.ArgumentParser()
    cli.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["sandbox", "prune"])
    assert args.func(args) == 0
    assert "removed" in capsys.readouterr().out
    # The live pool's container belongs to a live process: prune leaves it alone.
    from agentgym.sandboxes.docker_backend import DockerSandbox

    assert DockerSandbox(pool=docker_pool).run("print(1)").stdout == "1\n"
    args = parser.parse_args(["sandbox", "build-image"])
    assert cli.run(args) == 0
    assert "exists" in capsys.readouterr().out


def test_missing_image_is_a_clear_error(client):
    from agentgym.sandboxes.docker_backend import DockerPool, DockerSandbox

    pool = DockerPool(image="agentgym-no-such-image:missing")
    with pytest.raises(SandboxError, match="build-image"):
        DockerSandbox(pool=pool).run("print(1)")
    pool.close()


def test_invalid_options():
    from agentgym.sandboxes.docker_backend import DockerPool

    with pytest.raises(ValueError):
        DockerPool(memory_mb=1)
    with pytest.raises(ValueError):
        DockerPool(cpus=0)
    with pytest.raises(ValueError):
        DockerPool(image="")


# --------------------------------------------------------------------------- no engine needed


@pytest.mark.parametrize(
    "text,deb822,expected",
    [
        (
            "Types: deb\nURIs: http://archive.example/debian\nSuites: bookworm bookworm-updates\n"
            "Components: main\n\nTypes: deb\nURIs: http://archive.example/debian-security\n"
            "Suites: bookworm-security\n",
            True,
            [
                AptSource("http://archive.example/debian", "bookworm"),
                AptSource("http://archive.example/debian", "bookworm-updates"),
                AptSource("http://archive.example/debian-security", "bookworm-security"),
            ],
        ),
        (
            "# comment\ndeb [arch=amd64] http://archive.example/debian bookworm main\n"
            "deb-src http://archive.example/debian bookworm main\n",
            False,
            [AptSource("http://archive.example/debian", "bookworm")],
        ),
    ],
)
def test_parse_apt_sources(text, deb822, expected):
    assert _parse_sources(text, deb822) == expected


def test_apt_source_skips_security_and_updates(tmp_path):
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "a.sources").write_text(
        "Types: deb\nURIs: http://archive.example/debian-security\nSuites: bookworm-security\n\n"
        "Types: deb\nURIs: http://archive.example/debian\nSuites: bookworm-updates bookworm\n"
    )
    assert apt_source(str(tmp_path)) == AptSource("http://archive.example/debian", "bookworm")
    (tmp_path / "sources.list.d" / "a.sources").write_text("")
    with pytest.raises(SandboxError, match="--mirror"):
        apt_source(str(tmp_path))


def test_cli_main_help():
    out = subprocess.run(
        [sys.executable, "-m", "agentgym.sandboxes.cli", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "build-image" in out.stdout and "prune" in out.stdout


def test_garbage_collected_pool_removes_its_container(client):
    import gc

    from agentgym.sandboxes.docker_backend import DockerPool, DockerSandbox

    pool = DockerPool(preload=())
    sb = DockerSandbox(pool=pool)
    assert sb.run("print(1)").ok
    cid = pool.container_id
    del sb, pool
    gc.collect()
    # A collected sandbox's release is queued for the pool's janitor thread (a finalizer may
    # run inside the pool's own locks, so it never does the work itself): wait for it.
    for _ in range(100):
        if not _exists(client, cid):
            break
        time.sleep(0.1)
    assert not _exists(client, cid)


def test_container_of_a_client_that_vanished_removes_itself(client):
    script = textwrap.dedent(
        """
        import os
        from agentgym.sandboxes import make_sandbox
        sb = make_sandbox("docker")
        sb.run("print(1)")
        print(sb.pool.container_id, os.getpid(), flush=True)
        os._exit(0)  # no cleanup at all
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    cid, pid = out.stdout.split()
    for _ in range(100):
        if not _exists(client, cid):
            break
        time.sleep(0.1)
    assert not _exists(client, cid)
    # Its socket directory is left behind; prune removes it (its owner is dead).
    from agentgym.sandboxes.image import SOCKET_DIR_PREFIX, prune

    left = glob.glob(os.path.join(tempfile.gettempdir(), f"{SOCKET_DIR_PREFIX}{pid}-*"))
    assert left
    prune()
    assert not any(os.path.exists(p) for p in left)


def test_ci_turns_docker_skips_into_failures(monkeypatch):
    import sandbox_support

    monkeypatch.setattr(sandbox_support, "docker_unavailable_reason", lambda: "no engine here")
    monkeypatch.setattr(sandbox_support, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="required in CI"):
        sandbox_support.require_docker()
    monkeypatch.setattr(sandbox_support, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match="no engine here"):
        sandbox_support.require_docker()


def test_concurrent_calls_never_lose_a_spare_to_the_orphan_sweep(docker_pool):
    """Without a pid namespace per call, the server kills children no call owns; a spare
    forked while it listed them used to be taken for one (a call then ended with -9 and no
    output, about once in 700 concurrent calls). Probabilistic: 480 calls in 4 threads."""
    import threading

    from agentgym.sandboxes.docker_backend import DockerSandbox

    boxes = [DockerSandbox(pool=docker_pool) for _ in range(4)]
    bad: list = []

    def work(i: int) -> None:
        for _ in range(120):
            r = boxes[i].run(f"print({i})")
            if r.stdout != f"{i}\n":
                bad.append((i, r.exit_code, r.stdout, r.stderr[-200:]))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for box in boxes:
        box.close()
    assert not bad, bad
