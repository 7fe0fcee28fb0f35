import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gymnasium as gym
import pytest

from agentgym.agents.openai_client import ChatCompletionsAgent, ChatServerError
from agentgym.agents.oracle import OracleAgent
from agentgym.agents.random import RandomAgent
from agentgym.runner import run_episodes, summarise


def test_oracle_and_random_agents():
    env = gym.make("Guess-v0", max_turns=4)
    oracle = summarise("Guess-v0", "oracle", list(run_episodes(env, OracleAgent(env), 6)))
    assert oracle.success_rate == 1.0 and oracle.mean_turns == 1.0
    rand = summarise("Guess-v0", "random", list(run_episodes(env, RandomAgent(env, seed=0), 30)))
    assert rand.success_rate < 0.1 and rand.episodes == 30


def test_random_agent_emits_parseable_calls_mostly():
    env = gym.make("Guess-v0", action_format="json", max_turns=50)
    env.reset(seed=0)
    agent = RandomAgent(env, seed=1, garbage_p=0.0)
    for _ in range(20):
        *_, info = env.step(agent.act("", {}))
        assert info["parse_error"] is None
        if env.unwrapped._episode_over:
            env.reset()


class FakeChatServer(BaseHTTPRequestHandler):
    """Answers every chat completion with the next scripted assistant message."""

    script: list = []
    requests: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        message = type(self).script.pop(0)
        payload = json.dumps({"choices": [{"message": message}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def chat_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeChatServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeChatServer.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_chat_completions_agent_xml(chat_server):
    FakeChatServer.script = [
        {"role": "assistant", "content": "<hint/>"},
        {"role": "assistant", "content": "<guess>apple</guess>"},
    ]
    env = gym.make("Guess-v0")
    agent = ChatCompletionsAgent(chat_server, "tiny", action_format="xml")
    obs, info = env.reset(options={"task_id": "word-0"})
    agent.reset(obs, info)
    obs, *_, info = env.step(agent.act(obs, info))
    _, r, terminated, _, info = env.step(agent.act(obs, info))
    assert terminated and r == 1.0
    second = FakeChatServer.requests[1]
    assert [m["role"] for m in second["messages"]] == ["system", "user", "assistant", "user"]
    assert "tools" not in second


def test_chat_completions_agent_openai_tools(chat_server):
    call = {
        "id": "srv-1",
        "type": "function",
        "function": {"name": "guess", "arguments": '{"word": "apple"}'},
    }
    FakeChatServer.script = [{"role": "assistant", "content": None, "tool_calls": [call]}]
    env = gym.make("Guess-v0", action_format="openai")
    agent = ChatCompletionsAgent(chat_server, "tiny", action_format="openai")
    obs, info = env.reset(options={"task_id": "word-0"})
    agent.reset(obs, info)
    _, r, terminated, *_ = env.step(agent.act(obs, info))
    assert terminated and r == 1.0
    assert FakeChatServer.requests[0]["tools"][1]["function"]["name"] == "guess"


def test_chat_completions_agent_unreachable():
    agent = ChatCompletionsAgent("http://127.0.0.1:9/v1", "x", timeout_s=2)
    agent.reset("", {"messages": [], "tools": []})
    with pytest.raises(ChatServerError, match="cannot reach"):
        agent.act("", {"turn": 0})
