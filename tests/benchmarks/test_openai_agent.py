"""The OpenAI-compatible agent against a real HTTP server that fails on script."""

import json

import gymnasium as gym
import pytest

from agentgym.agents.openai_client import ChatCompletionsAgent, ChatServerError, RetryBudget
from agentgym.benchmarks.harness import AgentSpec, SuiteEntry, load_episodes, plan_jobs, run_bench


def agent(url, **kw):
    kw.setdefault("backoff_s", 0.01)
    return ChatCompletionsAgent(url, "fake", **kw)


def test_retries_429_5xx_and_dropped_connections(chat_server):
    chat_server.fail = [429, 500, "drop", 503]
    env = gym.make("Guess-v0")
    a = agent(chat_server.url)
    obs, info = env.reset(options={"task_id": "word-0"})
    a.reset(obs, info)
    assert a.act(obs, info) == "<guess>apple</guess>"
    assert a.usage["retries"] == 4 and a.usage["requests"] == 1
    assert a.usage["completion_tokens"] == 5 and a.usage["prompt_tokens"] > 0
    assert len(chat_server.requests) == 5


def test_client_errors_are_not_retried_and_budget_caps_retries(chat_server):
    chat_server.fail = [400]
    a = agent(chat_server.url)
    a.reset("", {"messages": [], "tools": []})
    with pytest.raises(ChatServerError, match="400"):
        a.act("", {"turn": 0})
    assert len(chat_server.requests) == 1
    chat_server.always_fail = 500
    budget = RetryBudget(3)
    a = agent(chat_server.url, retry_budget=budget, max_retries=10)
    a.reset("", {"messages": [], "tools": []})
    with pytest.raises(ChatServerError, match="after 3 retries"):
        a.act("", {"turn": 0})
    assert budget.used == 3


def test_unreachable_server_raises_after_retries():
    a = agent("http://127.0.0.1:9/v1", timeout_s=2, max_retries=1)
    a.reset("", {"messages": [], "tools": []})
    with pytest.raises(ChatServerError, match="cannot reach"):
        a.act("", {"turn": 0})


def test_failing_episodes_are_errored_and_the_run_goes_on(chat_server, tmp_path):
    # Episode 0's requests fail past every retry; the others succeed.
    chat_server.fail = [500, 500, 500]
    spec = AgentSpec(
        "openai",
        {"base_url": chat_server.url, "model": "fake", "max_retries": 2, "backoff_s": 0.01},
    )
    jobs = plan_jobs([SuiteEntry("Guess-v0", {"max_turns": 2})], [spec], episodes=4)
    summary = run_bench(jobs, tmp_path)
    records = load_episodes(tmp_path / "episodes.jsonl")
    assert [r["errored"] for r in records] == [True, False, False, False]
    assert "500" in records[0]["error"]
    row = summary["rows"][0]
    assert row["errors"] == 1 and row["episodes"] == 4 and row["agent"] == "fake"
    assert row["success_rate"] is not None and row["tokens"]["completion"] > 0
    ok = records[1]
    assert ok["model"] == "fake" and ok["sampling"]["max_retries"] == 2
    assert ok["usage"]["completion_tokens"] == 5 * ok["turns"]
    assert [m["role"] for m in ok["messages"]][:3] == ["system", "user", "assistant"]
    assert "api_key" not in json.dumps(ok)
