"""``agentgym bench`` from the command line, against a real (scripted) chat server."""

import json

from agentgym.benchmarks.harness import load_episodes
from agentgym.cli import main


def test_bench_evaluates_an_openai_compatible_model(chat_server, tmp_path, capsys):
    suite = tmp_path / "suite.json"
    suite.write_text(json.dumps({"name": "tiny", "envs": [{"env": "Guess-v0", "episodes": 3}]}))
    out = tmp_path / "run"
    argv = [
        "bench",
        "--suite",
        str(suite),
        "--base-url",
        chat_server.url,
        "--model",
        "fake",
        "--samples",
        "2",
        "--concurrency",
        "2",
        "--temperature",
        "0.5",
        "--env-kwargs",
        '{"Guess-v0": {"max_turns": 2}}',
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    stdout = capsys.readouterr().out
    assert "Guess-v0" in stdout and "fake" in stdout and "%" in stdout
    records = load_episodes(out / "episodes.jsonl")
    assert len(records) == 6
    assert {(r["seed"], r["sample"]) for r in records} == {
        (s, k) for s in range(3) for k in range(2)
    }
    assert all(r["env_kwargs"] == {"max_turns": 2} and r["turns"] <= 2 for r in records)
    assert all(r["sampling"]["temperature"] == 0.5 for r in records)
    summary = json.loads((out / "summary.json").read_text())
    row = summary["rows"][0]
    assert set(row["pass_at_k"]) == {"1", "2"} and row["tokens"]["total"] > 0
    meta = json.loads((out / "meta.json").read_text())
    assert (
        meta["suite"] == "tiny"
        and meta["samples"] == 2
        and "bench" in meta["command"]
        or meta["command"]
    )
    assert chat_server.requests[0]["temperature"] == 0.5


def test_bench_user_errors_exit_2(capsys, tmp_path, chat_server):
    def err(argv):
        assert main(argv) == 2
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1, lines
        return lines[0]

    assert "did you mean 'smoke'" in err(["bench", "--suite", "smok"])
    assert "did you mean 'AgentMath-v0'" in err(["bench", "--envs", "AgentMaths-v0"])
    assert "did you mean 'openai'" in err(["bench", "--agents", "opnai", "--out", str(tmp_path)])
    assert "no chat server" in err(
        [
            "bench",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--model",
            "m",
            "--out",
            str(tmp_path / "x"),
        ]
    )
    assert "--resume needs --out" in err(["bench", "--resume"])


def test_progress_shows_success_so_far_per_env_on_a_terminal_only(tmp_path):
    import io

    from rich.console import Console

    from agentgym.benchmarks.cli import progress_display
    from agentgym.benchmarks.harness import AgentSpec, SuiteEntry, plan_jobs

    jobs = plan_jobs(
        [SuiteEntry("Guess-v0"), SuiteEntry("AgentMath-v0")], [AgentSpec("oracle")], episodes=2
    )
    for terminal in (True, False):
        out = io.StringIO()
        console = Console(file=out, force_terminal=terminal, width=120)
        with progress_display(console, jobs, tmp_path, resume=False) as on_episode:
            on_episode({"env": "Guess-v0", "success": True})
            on_episode({"env": "Guess-v0", "success": False})
            on_episode({"env": "AgentMath-v0", "errored": True})
        text = out.getvalue()
        if terminal:
            assert "Guess-v0" in text and "50% success" in text and "1 errored" in text
        else:
            assert text == ""
