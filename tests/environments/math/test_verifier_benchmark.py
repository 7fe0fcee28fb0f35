import json
import textwrap

from agentgym.benchmarks.perf import completions, mathverify_suite
from agentgym.benchmarks.perf import verifier as bench


def test_benchmark_runs_ours_and_reports(tmp_path, capsys):
    status = bench.main(
        ["--limit", "30", "--systems", "agentgym", "--sets", "own", "completions",
         "--out", str(tmp_path)]
    )  # fmt: skip
    payload = json.loads((tmp_path / "verifier.json").read_text())
    rows = {row["set"]: row for row in payload["rows"]}
    assert set(rows) == {"own", "completions"}
    assert rows["own"]["system"] == "agentgym" and rows["own"]["pairs"] == 30
    assert rows["own"]["false_pos"] == 0 and 0.0 <= rows["own"]["accuracy"] <= 1.0
    assert 0.0 <= rows["completions"]["extraction_acc"] <= 1.0
    assert payload["meta"]["quirks_set_aside"]
    assert status == 0


def test_benchmark_refuses_a_missing_data_file(tmp_path, capsys):
    status = bench.main(
        ["--data", str(tmp_path / "nope.jsonl"), "--systems", "agentgym", "--sets", "own"]
    )
    assert status == 2
    assert "labeled set not found" in capsys.readouterr().err


def test_the_suite_reader_keeps_each_pairs_settings(tmp_path):
    source = textwrap.dedent(
        """
        import pytest

        @pytest.mark.parametrize("gold,pred,expected", [("1", "1.0", 1), ("2", "3", 0)])
        def test_a(gold, pred, expected):
            assert compare_strings(gold, pred, match_types=["latex", "expr"]) == expected

        @pytest.mark.parametrize("gold,pred,expected,precision", [("0.33", "1/3", 1, 2)])
        def test_b(gold, pred, expected, precision):
            assert compare_strings(gold, pred, match_types=["expr"], precision=precision) == expected
        """
    )
    path = tmp_path / "test_all.py"
    path.write_text(source)
    pairs = mathverify_suite._pairs_of(path)
    assert [(p.gold, p.pred, p.equal) for p in pairs] == [
        ("1", "1.0", True),
        ("2", "3", False),
        ("0.33", "1/3", True),
    ]
    assert [p.default_settings for p in pairs] == [True, True, False]
    assert pairs[2].precision == 2 and pairs[2].match_types == ("expr",)


def test_the_completion_set_is_large_and_labelled_both_ways():
    items = completions.completion_set()
    assert len(items) >= 300
    assert {i.style for i in items} == {"gsm8k", "math", "competition"}
    assert 0.3 < sum(i.equivalent for i in items) / len(items) < 0.7
