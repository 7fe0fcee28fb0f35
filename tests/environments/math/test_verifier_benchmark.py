import json

from agentgym.benchmarks.perf import verifier as bench


def test_benchmark_runs_ours_and_reports(tmp_path, capsys):
    status = bench.main(["--limit", "30", "--systems", "agentgym", "--out", str(tmp_path)])
    payload = json.loads((tmp_path / "verifier.json").read_text())
    (row,) = payload["rows"]
    assert row["system"] == "agentgym" and row["pairs"] == 30
    assert row["false_pos"] == 0 and 0.0 <= row["accuracy"] <= 1.0
    assert payload["meta"]["targets_met"] is None
    assert "math-verify is missing" in capsys.readouterr().out
    assert status == 0


def test_benchmark_refuses_a_missing_data_file(tmp_path, capsys):
    status = bench.main(["--data", str(tmp_path / "nope.jsonl"), "--systems", "agentgym"])
    assert status == 2
    assert "labeled set not found" in capsys.readouterr().err
