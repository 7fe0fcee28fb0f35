import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
import requests

from agentgym.serve import EnvServer, RemoteEnv, RemoteEnvError, decode, encode


@pytest.fixture
def server():
    with EnvServer(max_sessions=3, allow_oracle=True) as srv:
        yield srv


def test_remote_episode_matches_local(server):
    import gymnasium as gym

    remote = RemoteEnv(server.url, "Guess-v0", reward_mode="dense", max_turns=5)
    local = gym.make("Guess-v0", reward_mode="dense", max_turns=5)
    r_obs, r_info = remote.reset(seed=4)
    l_obs, l_info = local.reset(seed=4)
    assert r_obs == l_obs and r_info["task_id"] == l_info["task_id"]
    for action in ["<hint/>", "garbage", None]:
        action = action or remote.oracle_action()
        r = remote.step(action)
        loc = local.step(action)
        assert r[:4] == loc[:4] and json.dumps(r[4], sort_keys=True) == json.dumps(
            loc[4], sort_keys=True
        )
    assert remote.observation_space == local.observation_space
    remote.close()
    assert server.sessions == {}


def test_server_errors(server):
    with pytest.raises(RemoteEnvError, match="unknown env_id"):
        RemoteEnv(server.url, "Nope-v0")
    with pytest.raises(RemoteEnvError, match="400: ValueError: reward_mode"):
        RemoteEnv(server.url, "Guess-v0", reward_mode="bogus")
    env = RemoteEnv(server.url, "Guess-v0")
    with pytest.raises(RemoteEnvError, match="409"):
        env.step("<hint/>")
    base = f"{server.url}/sessions/{env.session}"
    assert requests.post(f"{base}/step", data="{not json", timeout=5).status_code == 400
    assert requests.post(f"{base}/fly", json={}, timeout=5).status_code == 404
    assert (
        requests.post(
            f"{server.url}/sessions/nope/step", json={"action": "x"}, timeout=5
        ).status_code
        == 404
    )
    others = [RemoteEnv(server.url, "Guess-v0") for _ in range(2)]
    with pytest.raises(RemoteEnvError, match="429: session limit"):
        RemoteEnv(server.url, "Guess-v0")
    for e in [env, *others]:
        e.close()
    assert requests.get(f"{server.url}/envs", timeout=5).json()["envs"][0] == "AgentCode-v0"


def test_array_codec_roundtrip():
    value = {
        "img": np.arange(24, dtype=np.uint8).reshape(2, 4, 3),
        "x": np.float32(1.5),
        "l": [np.int64(3)],
    }
    back = decode(json.loads(json.dumps(encode(value))))
    assert np.array_equal(back["img"], value["img"]) and back["img"].dtype == np.uint8
    assert back["x"] == 1.5 and back["l"] == [3]


def test_unreachable_server():
    with pytest.raises(RemoteEnvError, match="cannot reach"):
        RemoteEnv("http://127.0.0.1:9", "Guess-v0", timeout_s=2)


@pytest.mark.parametrize("body", [b"<html>not an env server</html>", b"[1, 2]"])
def test_a_server_that_is_not_an_env_server(body):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with ThreadingHTTPServer(("127.0.0.1", 0), Handler) as other:
        thread = threading.Thread(target=other.serve_forever, daemon=True)
        thread.start()
        try:
            with pytest.raises(RemoteEnvError, match="did not answer with a JSON object"):
                RemoteEnv(f"http://127.0.0.1:{other.server_port}", "Guess-v0", timeout_s=5)
        finally:
            other.shutdown()
