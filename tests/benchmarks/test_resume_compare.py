"""--resume after a killed run, and ``bench compare`` on paired runs."""

import json
import os
import signal
import subprocess
import sys
import time

from agentgym.benchmarks.compare import compare_runs
from agentgym.benchmarks.harness import load_episodes
from agentgym.cli import main


def bench_argv(chat_server, suite, out, *extra):
    return [
        "bench",
        "--suite",
        str(suite),
        "--base-url",
        chat_server.url,
        "--model",
        "fake",
        "--out",
        str(out),
        "--no-report",
        *extra,
    ]


def test_killed_run_resumes_to_the_same_episode_set(chat_server, tmp_path):
    suite = tmp_path / "suite.json"
    suite.write_text(
        json.dumps(
            {
                "name": "s",
                "envs": [
                    {"env": "AgentMath-v0", "kwargs": {"difficulty": "easy"}, "episodes": 12},
                    {"env": "AgentMath-v0", "kwargs": {"difficulty": "medium"}, "episodes": 12},
                ],
            }
        )
    )
    chat_server.answer = "<answer>4</answer>"
    chat_server.delay_s = 0.1
    killed = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "agentgym.cli", *bench_argv(chat_server, suite, killed)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    episodes = killed / "episodes.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if episodes.is_file() and len(episodes.read_text().splitlines()) >= 5:
            break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = load_episodes(episodes)
    assert 5 <= len(before) < 24 and not (killed / "summary.json").exists()
    chat_server.delay_s = 0.0
    assert main(bench_argv(chat_server, suite, killed, "--resume")) == 0
    whole = tmp_path / "whole"
    assert main(bench_argv(chat_server, suite, whole)) == 0
    resumed, uninterrupted = load_episodes(episodes), load_episodes(whole / "episodes.jsonl")

    def episode_set(records):
        return sorted((r["key"], r["task_id"], r["success"], r["turns"]) for r in records)

    assert len(resumed) == 24 and episode_set(resumed) == episode_set(uninterrupted)
    # the episodes played before the kill were kept, not played again
    assert {r["finished"] for r in before} <= {r["finished"] for r in resumed}
    summary = json.loads((killed / "summary.json").read_text())
    assert summary["totals"]["episodes"] == 24 and summary["totals"][
        "played_this_session"
    ] == 24 - len(before)
    meta = json.loads((killed / "meta.json").read_text())
    assert meta["resumed"] is True and meta["finished"]


def test_resume_plays_errored_episodes_again(chat_server, tmp_path):
    suite = tmp_path / "suite.json"
    suite.write_text(json.dumps({"name": "s", "envs": [{"env": "Guess-v0", "episodes": 3}]}))
    chat_server.fail = [400]
    out = tmp_path / "run"
    assert main(bench_argv(chat_server, suite, out)) == 0
    assert sum(r["errored"] for r in load_episodes(out / "episodes.jsonl")) == 1
    assert main(bench_argv(chat_server, suite, out, "--resume")) == 0
    records = load_episodes(out / "episodes.jsonl")
    assert len(records) == 3 and not any(r["errored"] for r in records)


def test_compare_pairs_episodes_by_seed(tmp_path, capsys):
    suite = tmp_path / "suite.json"
    suite.write_text(
        json.dumps(
            {"name": "s", "envs": [{"env": "Guess-v0", "kwargs": {"max_turns": 2}, "episodes": 12}]}
        )
    )
    a, b = tmp_path / "a", tmp_path / "b"
    assert (
        main(["bench", "--suite", str(suite), "--agents", "random", "--out", str(a), "--no-report"])
        == 0
    )
    assert (
        main(["bench", "--suite", str(suite), "--agents", "oracle", "--out", str(b), "--no-report"])
        == 0
    )
    capsys.readouterr()
    result = compare_runs(a, b)
    [row] = result["rows"]
    assert row["pairs"] == 12 and row["b_success_rate"] == 1.0
    assert row["diff"] == row["b_only"] / 12 > 0.5 and row["p_value"] < 0.01
    assert main(["bench", "compare", str(a), str(b), "--out", str(tmp_path / "cmp")]) == 0
    out = capsys.readouterr().out
    assert "Guess-v0" in out and "McNemar" in out and "+" in out
    saved = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    assert saved["rows"] == result["rows"]
    assert (tmp_path / "cmp" / "report.html").is_file()
    assert main(["bench", "compare", str(a), str(tmp_path / "nope")]) == 2
    assert "not a bench run folder" in capsys.readouterr().err
