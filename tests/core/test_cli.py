import json

from agentgym.cli import main


def test_list(capsys):
    assert main(["list"]) == 0
    assert "AgentCode-v0" in capsys.readouterr().out


def test_run_oracle_writes_summary_and_trajectories(tmp_path, capsys):
    out = tmp_path / "summary.json"
    code = main(
        [
            "run",
            "Guess-v0",
            "--agent",
            "oracle",
            "--episodes",
            "3",
            "--json",
            str(out),
            "--record",
            str(tmp_path / "rec"),
        ]
    )
    assert code == 0
    summary = json.loads(out.read_text())["summary"]
    assert summary["success_rate"] == 1.0 and summary["episodes"] == 3
    assert "success rate" in capsys.readouterr().out
    assert len((tmp_path / "rec" / "trajectories.jsonl").read_text().splitlines()) == 3


def test_run_errors_are_messages_not_tracebacks(capsys):
    assert main(["run", "Nope-v0"]) == 2
    assert "unknown env" in capsys.readouterr().err
    assert main(["run", "Guess-v0", "--episodes", "0"]) == 2
    assert main(["run", "Guess-v0", "--agent", "openai"]) == 2
    assert "--base-url" in capsys.readouterr().err
