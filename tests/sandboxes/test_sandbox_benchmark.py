"""Smoke run of the sandbox benchmark (its figures are not asserted: no timing in tests)."""

from __future__ import annotations

import json


def test_quick_benchmark_writes_ratios(tmp_path, capsys):
    from agentgym.benchmarks.perf import sandbox

    assert sandbox.main(["--quick", "--no-docker", "--out", str(tmp_path)]) == 0
    rows = {r["case"]: r for r in json.loads((tmp_path / "sandbox.json").read_text())["rows"]}
    assert rows["local pool: print(1)"]["p50_ratio_vs_baseline"] > 0
    assert rows["local pool: import sympy"]["p50_ratio_vs_baseline"] > 0
    assert "throughput_ratio" in rows["2 callers, print(1): local pool vs subprocess"]
    assert rows["local warm memory per sandbox, one pool (8 sandboxes)"]["mb_per_sandbox"] > 0
    shared = rows["local warm memory per sandbox, 2 processes with a pool each: zygote"]
    assert shared["mb_per_sandbox"] > 0 and shared["ratio_vs_own_servers"] > 0
    # A pool's memory is only comparable to what the preload alone costs in one process.
    assert rows["one idle python with numpy, sympy imported"]["mb_per_sandbox"] > 0
    lone = rows["local warm memory per sandbox, one pool (1 sandbox)"]
    assert lone["ratio_vs_idle_python"] > 0
