import json

from agentgym.benchmarks.harness import SuiteEntry, render_html, run_suite, write_outputs
from agentgym.cli import main


def test_run_suite_and_report(tmp_path):
    rows = run_suite([SuiteEntry("Guess-v0", {"max_turns": 3})], ["oracle", "random"], episodes=4)
    assert [r["agent"] for r in rows] == ["oracle", "random"]
    assert rows[0]["success_rate"] == 1.0 and rows[1]["success_rate"] < 1.0
    json_path, html_path = write_outputs(rows, tmp_path)
    assert json.loads(json_path.read_text()) == rows
    page = html_path.read_text()
    assert (
        "<table>" in page and "Guess-v0[max_turns=3]" in page and "data:image/png;base64," in page
    )


def test_render_html_escapes():
    page = render_html([{"env_id": "<script>", "agent": "a"}])
    assert "<script>" not in page.split("<pre>")[0] and "&lt;script&gt;" in page


def test_bench_cli_errors(capsys, tmp_path):
    assert main(["bench", "--suite", "nope"]) == 2
    assert main(["bench", "--envs", "Nope-v0", "--out", str(tmp_path)]) == 2
    assert "not in suite" in capsys.readouterr().err


def test_perf_scripts_write_under_the_current_folder(tmp_path, monkeypatch):
    from agentgym.benchmarks.perf import env_step

    monkeypatch.chdir(tmp_path)
    assert env_step.main(["--steps", "20"]) == 0
    assert json.loads((tmp_path / "benchmarks" / "results" / "env_step.json").read_text())["rows"]
    assert env_step.main(["--steps", "20", "--out", str(tmp_path / "elsewhere")]) == 0
    assert (tmp_path / "elsewhere" / "env_step.json").is_file()
