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
