"""End to end: train the tiny policy, serve it with ``agentgym serve-policy``, bench it."""

import json
import re
import subprocess
import sys
import time

import pytest
import requests

from agentgym.agents.policy import load_policy
from agentgym.agents.sft import SFTConfig, train_sft
from agentgym.benchmarks.harness import load_episodes
from agentgym.cli import main


def start_server(checkpoint, *extra):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agentgym.cli",
            "serve-policy",
            str(checkpoint),
            "--port",
            "0",
            "--threads",
            "1",
            *extra,
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if line.startswith("serving "):
            return proc, line.split(" at ", 1)[1].strip()
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError(f"serve-policy did not start: {proc.stderr.read()}")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    run = tmp_path_factory.mktemp("sft")
    config = SFTConfig(
        env="Lookup-v0",
        num_envs=4,
        policy={
            "kind": "tiny",
            "d_model": 32,
            "n_layers": 1,
            "n_heads": 2,
            "max_len": 96,
            "system_prompt": False,
        },
        episodes=16,
        steps=40,
        batch_size=16,
        lr=5e-3,
        eval_every=0,
        eval_episodes=4,
        checkpoint_every=0,
        max_new_tokens=24,
    )
    train_sft(config, run, progress=False)
    proc, url = start_server(run)
    yield run, url
    proc.terminate()
    proc.wait(timeout=30)


def greedy_first_action(policy, record):
    first = [m for m in record["messages"] if m["role"] in ("system", "user")][:2]
    [sample] = policy.sample([policy.render_prompt(first)], max_new_tokens=24, temperature=0)
    return sample.text


@pytest.mark.parametrize("action_format", ["xml", "openai"])
def test_bench_a_served_trained_policy(trained, tmp_path, action_format, capsys):
    run, url = trained
    suite = tmp_path / "suite.json"
    suite.write_text(json.dumps({"name": "lookup", "envs": [{"env": "Lookup-v0", "episodes": 8}]}))
    out = tmp_path / "bench"
    argv = [
        "bench",
        "--suite",
        str(suite),
        "--base-url",
        url,
        "--model",
        "tiny",
        "--temperature",
        "0",
        "--max-tokens",
        "24",
        "--env-kwargs",
        json.dumps({"action_format": action_format}),
        "--out",
        str(out),
        "--no-report",
    ]
    assert main(argv) == 0, capsys.readouterr().err
    records = load_episodes(out / "episodes.jsonl")
    assert len(records) == 8 and not any(r["errored"] for r in records)
    policy = load_policy(run / "policy")
    for r in records:
        expected = greedy_first_action(policy, r)
        usage = r["usage"]
        assert (
            usage["completion_tokens"] >= len(expected.encode()) + 1 and usage["prompt_tokens"] > 0
        )
        first = r["messages"][2] if r["messages"][0]["role"] == "system" else r["messages"][1]
        assert first["content"] == expected
        well_formed = re.fullmatch(r"<answer>[^<]*</answer>", expected)
        if action_format == "openai":
            assert bool(first.get("tool_calls")) == bool(well_formed), expected
        if well_formed:
            assert r["steps"][0]["parse_error"] is None
        answered = expected.removeprefix("<answer>").removesuffix("</answer>")
        if r["turns"] == 1:
            assert r["success"] == (
                answered == r["steps"][0]["tool_calls"][0]["arguments"]["text"]
                and r["score"] == 1.0
            )
    summary = json.loads((out / "summary.json").read_text())
    row = summary["rows"][0]
    assert row["tokens"]["completion"] == sum(r["usage"]["completion_tokens"] for r in records)
    assert row["successes"] == sum(r["success"] for r in records)


def test_serve_policy_api_errors_and_models(trained):
    _, url = trained
    assert requests.get(f"{url}/models", timeout=10).json()["data"][0]["object"] == "model"
    bad = requests.post(f"{url}/chat/completions", json={"messages": []}, timeout=10)
    assert bad.status_code == 400 and "messages" in bad.json()["error"]["message"]
    long = [{"role": "user", "content": "x" * 500}]
    too_long = requests.post(f"{url}/chat/completions", json={"messages": long}, timeout=10)
    assert too_long.status_code == 400 and "context length" in too_long.json()["error"]["message"]
    ok = requests.post(
        f"{url}/chat/completions",
        json={"messages": [{"role": "user", "content": "alpha?"}], "n": 2, "seed": 3},
        timeout=30,
    ).json()
    assert len(ok["choices"]) == 2 and ok["usage"]["prompt_tokens"] > 0


def test_serve_policy_user_errors(tmp_path, capsys):
    assert main(["serve-policy", str(tmp_path / "nope")]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert main(["serve-policy", str(tmp_path)]) == 2
    assert "no policy.json" in capsys.readouterr().err
    assert main(["serve-policy", str(tmp_path), "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err
