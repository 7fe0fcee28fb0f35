"""The env server under misuse: malformed HTTP, hostile bodies, races, expiry and trust."""

import json
import socket
import threading
import time

import pytest
import requests

from agentgym.serve import EnvServer, RemoteEnv, RemoteEnvError, ServerLimits


@pytest.fixture
def server():
    with EnvServer(max_sessions=4, header_timeout_s=1.0, body_timeout_s=1.0) as srv:
        yield srv


def raw(server, data: bytes, timeout: float = 5.0) -> tuple[int, dict]:
    """Send raw bytes and return the status and JSON body of the answer."""
    host, port = server.sock.getsockname()[:2]
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(data)
        buf = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
            head, _, body = buf.partition(b"\r\n\r\n")
            length = [
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ]
            if length and len(body) >= length[0]:
                break
    head, _, body = buf.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    return status, json.loads(body)


def create(server, **kwargs) -> str:
    r = requests.post(
        f"{server.url}/sessions", json={"env_id": "Guess-v0", "kwargs": kwargs}, timeout=10
    )
    assert r.status_code == 201, r.text
    return r.json()["session"]


@pytest.mark.parametrize(
    "request_bytes,status",
    [
        (b"POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}", 400),
        (b"POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
        (b"NOT HTTP AT ALL\r\n\r\n", 400),
        (b"BREW /envs HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        (b"PUT /envs HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405),
        (b"GET /sessions/abc HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", 404),
    ],
)
def test_every_error_is_json(server, request_bytes, status):
    got, body = raw(server, request_bytes)
    assert got == status and isinstance(body["error"], str)


def test_body_limit_holds_without_a_content_length(server):
    big = b"x" * (server.max_body_bytes + 10)
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(big), big)
    status, body = raw(
        server,
        b"POST /sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked,
    )
    assert status == 413 and "over" in body["error"]


def test_hostile_bodies_get_400(server):
    sid = create(server)
    base = f"{server.url}/sessions/{sid}"
    nested = "[" * 100_000 + "]" * 100_000
    assert requests.post(f"{base}/reset", data=nested, timeout=10).status_code == 400
    for seed in ["abc", -1, 1.5, True, 2**70, [1]]:
        r = requests.post(f"{base}/reset", json={"seed": seed}, timeout=10)
        assert r.status_code == 400 and "seed" in r.json()["error"], seed
    r = requests.post(f"{base}/reset", json={"options": "x"}, timeout=10)
    assert r.status_code == 400


def test_lone_surrogate_in_a_response_is_delivered(server):
    env = RemoteEnv(server.url, "Guess-v0")
    env.reset(seed=0)
    obs, *_ = env.step("\ud800 <hint/>")
    assert isinstance(obs, str)
    env.close()


def test_slow_headers_and_bodies_are_cut_off(server):
    host, port = server.sock.getsockname()[:2]
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(b"POST /sessions HTTP/1.1\r\nHost: x\r\n")
        # The server hung up (had it waited for the rest, recv would time out and raise).
        assert s.recv(100) == b""
    status, body = raw(
        server,
        b"POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{",
        timeout=10,
    )
    assert status == 408


def test_a_client_is_served_while_slow_clients_hold_connections():
    with EnvServer(header_timeout_s=30.0) as srv:
        host, port = srv.sock.getsockname()[:2]
        slow = []
        try:
            for _ in range(300):
                s = socket.create_connection((host, port), timeout=10)
                s.sendall(b"POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Le")
                slow.append(s)
            env = RemoteEnv(srv.url, "Guess-v0", timeout_s=30)
            env.reset(seed=1)
            env.close()
        finally:
            for s in slow:
                s.close()


def test_cap_is_atomic_under_concurrency():
    with EnvServer(max_sessions=4) as srv:
        results: list[int] = []
        barrier = threading.Barrier(16)

        def one() -> None:
            barrier.wait()
            r = requests.post(f"{srv.url}/sessions", json={"env_id": "Guess-v0"}, timeout=30)
            results.append(r.status_code)

        threads = [threading.Thread(target=one) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results).count(201) == 4 and results.count(429) == 12
        assert len(srv.sessions) == 4


def test_session_ids_are_unguessable(server):
    ids = {create(server) for _ in range(3)}
    assert all(len(i) >= 32 for i in ids) and len(ids) == 3


def test_idle_sessions_expire_and_say_so():
    with EnvServer(max_sessions=1, idle_ttl_s=0.3) as srv:
        env = RemoteEnv(srv.url, "Guess-v0")
        deadline = time.monotonic() + 10
        while srv.sessions and time.monotonic() < deadline:
            time.sleep(0.05)
        assert srv.sessions == {}
        with pytest.raises(RemoteEnvError, match="410: session expired"):
            env.reset(seed=0)
        assert requests.get(f"{srv.url}/stats", timeout=5).json()["expired"] == 1
        RemoteEnv(srv.url, "Guess-v0").close()  # the slot is free again
        env.close()


def test_delete_waits_for_a_step_in_flight(server, monkeypatch):
    env = RemoteEnv(server.url, "Guess-v0")
    env.reset(seed=0)
    session = server.sessions[env.session]
    inner = session.env.unwrapped
    started, closed_during_step = threading.Event(), []
    real_step, real_close = type(inner).step, type(inner).close

    def slow_step(self, action):
        started.set()
        time.sleep(0.5)
        closed_during_step.append(getattr(self, "_closed_flag", False))
        return real_step(self, action)

    def flag_close(self):
        self._closed_flag = True
        return real_close(self)

    monkeypatch.setattr(type(inner), "step", slow_step)
    monkeypatch.setattr(type(inner), "close", flag_close)
    result = {}
    t = threading.Thread(target=lambda: result.setdefault("step", env.step("<hint/>")))
    t.start()
    assert started.wait(10)
    r = requests.delete(f"{server.url}/sessions/{env.session}", timeout=10)
    t.join()
    assert r.status_code == 200 and closed_during_step == [False]
    assert "step" in result  # the step finished and was answered
    assert (
        requests.post(
            f"{server.url}/sessions/{env.session}/step", json={"action": "x"}, timeout=5
        ).status_code
        == 404
    )
    env.session = None
    env.close()


def test_token_guards_every_route(monkeypatch):
    with EnvServer(token="s3cret") as srv:
        for method, path in [("GET", "/envs"), ("POST", "/sessions"), ("DELETE", "/sessions/x")]:
            r = requests.request(method, srv.url + path, timeout=5)
            assert r.status_code == 401 and "token" in r.json()["error"]
        with pytest.raises(RemoteEnvError, match="401"):
            RemoteEnv(srv.url, "Guess-v0", token="wrong")
        RemoteEnv(srv.url, "Guess-v0", token="s3cret").close()
        monkeypatch.setenv("AGENTGYM_SERVE_TOKEN", "s3cret")
        RemoteEnv(srv.url, "Guess-v0").close()
    monkeypatch.setenv("AGENTGYM_SERVE_TOKEN", "fromenv")
    with EnvServer() as srv:
        assert requests.get(f"{srv.url}/envs", timeout=5).status_code == 401
        RemoteEnv(srv.url, "Guess-v0").close()


def test_oracle_is_off_by_default(server):
    env = RemoteEnv(server.url, "Guess-v0")
    env.reset(seed=0)
    with pytest.raises(RemoteEnvError, match="403: the oracle is disabled"):
        env.oracle_action()
    env.close()


def test_costly_arguments_are_clamped():
    with EnvServer(limits=ServerLimits(timeout_s=5.0, memory_mb=256, max_turns=7)) as srv:
        env = RemoteEnv(
            srv.url, "AgentMath-v0", max_turns=10_000, python_timeout_s=3600, sandbox="local"
        )
        inner = srv.sessions[env.session].env.unwrapped
        assert inner.max_turns == 7 and inner.python_timeout_s == 5.0
        assert env.clamped == {"max_turns": [10_000, 7], "python_timeout_s": [3600, 5]}
        env.close()
        with pytest.raises(RemoteEnvError, match="does not accept the argument.*cache_dir"):
            RemoteEnv(srv.url, "AgentSearch-v0", cache_dir="/tmp")


def test_task_source_reveals_no_paths(tmp_path):
    task_dir = tmp_path / "tasks"
    task_dir.mkdir()
    (task_dir / "mine.jsonl").write_text("not json\n")
    secret = tmp_path / "secret.jsonl"
    secret.write_text("{}\n")
    (task_dir / "link.jsonl").symlink_to(secret)
    with EnvServer() as srv:
        messages = set()
        for source in [
            str(secret),
            str(tmp_path / "missing.jsonl"),
            "/etc",
            "../x",
            "gsm8k:" + str(secret),
            "gsm8k:nosuchfile",
            "no-such-builtin",
        ]:
            with pytest.raises(RemoteEnvError) as e:
                RemoteEnv(srv.url, "AgentMath-v0", task_source=source)
            messages.add(str(e.value))
        assert len(messages) == 1 and "built-in" in messages.pop()
        RemoteEnv(srv.url, "AgentMath-v0", task_source="gsm8k-sample").close()
        RemoteEnv(srv.url, "AgentMath-v0", task_source="generated:arithmetic").close()
    with EnvServer(task_dir=task_dir) as srv:
        messages = set()
        for source in [
            "../secret.jsonl",
            "../missing.jsonl",
            "link.jsonl",
            str(secret),
        ]:
            with pytest.raises(RemoteEnvError) as e:
                RemoteEnv(srv.url, "AgentMath-v0", task_source=source)
            messages.add(str(e.value))
        assert len(messages) == 1 and "task folder" in messages.pop()
        # Inside the folder a client may be told what is wrong, but not where the folder is.
        for source in ["mine.jsonl", "missing.jsonl"]:
            with pytest.raises(RemoteEnvError, match="400: TaskFileError") as e:
                RemoteEnv(srv.url, "AgentMath-v0", task_source=source)
            assert source in str(e.value) and str(tmp_path) not in str(e.value)


def test_cli_serves_with_a_token_and_stops_on_sigint(tmp_path):
    import signal
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-c", "import sys; from agentgym.cli import main; sys.exit(main())"]
    bad = subprocess.run(
        [*cmd, "serve", "--task-dir", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "not a folder" in bad.stderr
    proc = subprocess.Popen(
        [*cmd, "serve", "--port", str(port), "--token", "tok"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().startswith("agentgym env server on http://127.0.0.1:")
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                assert requests.get(f"{url}/envs", timeout=5).status_code == 401
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        env = RemoteEnv(url, "AgentMath-v0", token="tok")
        env.reset(seed=0)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert proc.returncode == 130  # the CLI's exit status for an interrupt
