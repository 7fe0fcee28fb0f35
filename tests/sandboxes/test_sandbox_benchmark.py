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
    # Peers and bare interpreters measured in the same run, with p99 (a peer that cannot
    # import has a row saying why instead of figures).
    ours = next(r for c, r in rows.items() if c.startswith("print(1): local pool"))
    assert ours["p99_ms"] >= ours["p50_ms"] > 0 and ours["p50_vs_python -I -S -c"] > 0
    peers = [r for c, r in rows.items() if c.startswith(("print(1): GEM", "print(1): SkyRL"))]
    assert len(peers) == 2 and all("p50_ms" in r or "note" in r for r in peers)
    # Paced calls (as between an agent's tool calls), ours against each baseline paced alike.
    paced = rows["print(1), calls 10 ms apart: local pool"]
    assert paced["p50_ms"] > 0 and paced["p50_vs_python -I -S -c"] > 0
    assert "p50_ms" in rows["print(1), calls 10 ms apart: python -c"]
    assert rows["2 concurrent callers vs 1, print(1), local pool"]["throughput_ratio"] > 0
    for label in ("built-in tasks", "HumanEval-style tasks"):
        submit = rows[f"grading: AgentCode-v0 submit, {label}"]
        assert submit["write_p50_ms"] >= 0 and submit["run_tests_p50_ms"] > 0
