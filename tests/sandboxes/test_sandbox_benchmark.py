"""Smoke run of the sandbox benchmark (its figures are not asserted: no timing in tests)."""

from __future__ import annotations

import argparse
import json

import pytest
from sandbox_support import require_docker  # tests/sandboxes, put on sys.path by conftest


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
    assert rows["import sympy, calls 10 ms apart: local pool"]["p50_vs_python -c"] > 0
    assert rows["2 concurrent callers vs 1, print(1), local pool"]["throughput_ratio"] > 0
    for label in (
        "built-in tasks",
        "HumanEval-style tasks",
        "built-in tasks, solution.py read from the workspace",
    ):
        submit = rows[f"grading: AgentCode-v0 submit, {label}"]
        assert submit["write_p50_ms"] >= 0 and submit["run_tests_p50_ms"] > 0


@pytest.mark.docker
def test_docker_rows_compare_with_docker_exec_back_to_back_and_paced():
    from agentgym.benchmarks.perf import sandbox

    require_docker()
    args = argparse.Namespace(calls=3, sympy_calls=2, run_calls=1)
    rows: list[dict] = []
    meta: dict = {}
    sandbox.bench_docker(args, rows, meta)
    assert "docker_skipped" not in meta, meta
    by_case = {r["case"]: r for r in rows}
    for label in ("print(1)", "import sympy; print(sympy.sqrt(8))"):
        for case in (f"docker pool: {label}", f"docker pool, calls 10 ms apart: {label}"):
            assert by_case[case]["p99_ms"] >= by_case[case]["p50_ms"] > 0
            assert by_case[case]["p50_ratio_vs_baseline"] > 0
    assert by_case["docker warm memory per sandbox (8 sandboxes)"]["mb_per_sandbox"] > 0
