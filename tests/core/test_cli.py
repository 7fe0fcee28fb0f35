import json

import pytest

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


def one_line_error(capsys, argv):
    try:
        code = main(argv)
    except SystemExit as e:  # argparse's own errors
        code = e.code
    captured = capsys.readouterr()
    assert code == 2, (argv, captured)
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0] and "Traceback" not in captured.err, lines
    return lines[0]


def test_run_errors_are_one_line_messages_with_suggestions(capsys, tmp_path):
    assert "unknown env 'Nope-v0'" in one_line_error(capsys, ["run", "Nope-v0"])
    assert "did you mean 'AgentMath-v0'" in one_line_error(capsys, ["run", "AgentMth-v0"])
    assert "did you mean 'random'" in one_line_error(
        capsys, ["run", "Guess-v0", "--agent", "randon"]
    )
    assert "--episodes" in one_line_error(capsys, ["run", "Guess-v0", "--episodes", "0"])
    assert "--seed" in one_line_error(capsys, ["run", "Guess-v0", "--seed", "-1"])
    assert "--base-url" in one_line_error(capsys, ["run", "Guess-v0", "--agent", "openai"])
    line = one_line_error(
        capsys,
        [
            "run",
            "Guess-v0",
            "--agent",
            "openai",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--model",
            "m",
        ],
    )
    assert "no chat server at http://127.0.0.1:9/v1" in line
    assert "JSON" in one_line_error(capsys, ["run", "Guess-v0", "--env-kwargs", "{nope"])
    assert "max_turn" in one_line_error(
        capsys, ["run", "Guess-v0", "--env-kwargs", '{"max_turn": 2}']
    )
    assert "invalid int value" in one_line_error(capsys, ["run", "Guess-v0", "--episodes", "x"])
    assert "--concurrency" in one_line_error(capsys, ["run", "Guess-v0", "--concurrency", "0"])
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert "is a file" in one_line_error(capsys, ["run", "Guess-v0", "--out", str(blocker)])
    assert main(["run", "Guess-v0", "--episodes", "1", "--out", str(tmp_path / "r")]) == 0
    capsys.readouterr()
    assert "already holds a run" in one_line_error(
        capsys, ["run", "Guess-v0", "--out", str(tmp_path / "r")]
    )


def test_bare_command_prints_help_and_version(capsys):
    assert main([]) == 0
    assert "usage: agentgym" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.startswith("agentgym ")


def test_run_and_bench_share_one_vocabulary():
    from agentgym.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command").choices
    for command in ("run", "bench"):
        flags = {f for a in sub[command]._actions for f in a.option_strings}
        for flag in (
            "--out",
            "--env-kwargs",
            "--base-url",
            "--model",
            "--api-key-env",
            "--temperature",
            "--max-tokens",
            "--timeout",
            "--concurrency",
            "--samples",
            "--resume",
            "--seed",
            "--episodes",
        ):
            assert flag in flags, (command, flag)
    assert {"--out", "--env-kwargs"} <= {f for a in sub["train"]._actions for f in a.option_strings}


def test_every_flag_of_every_command_has_help_with_its_default():
    import argparse

    from agentgym.cli import build_parser

    def walk(parser, name):
        assert issubclass(parser.formatter_class, argparse.ArgumentDefaultsHelpFormatter), name
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub_name, sub in action.choices.items():
                    walk(sub, f"{name} {sub_name}")
                continue
            assert action.help, (name, action.dest)

    walk(build_parser(), "agentgym")
    sub = next(a for a in build_parser()._actions if a.dest == "command").choices
    text = sub["bench"].format_help()
    assert "(default: 0.7)" in text and "(default: OPENAI_API_KEY)" in text
    agents_help = text.split("--agents AGENTS")[-1].split("--episodes", 1)[0]
    assert agents_help.count("(default") == 1  # stated once, not twice


def test_run_out_folder_and_status_grammar(tmp_path, capsys):
    assert main(["run", "Guess-v0", "--episodes", "1", "--out", str(tmp_path / "one")]) == 0
    out = capsys.readouterr().out
    assert "1 episode" in out and "1 episodes" not in out
    for name in ("episodes.jsonl", "summary.json", "meta.json", "report.html"):
        assert (tmp_path / "one" / name).is_file()
