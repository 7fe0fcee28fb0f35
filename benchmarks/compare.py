"""``agentgym bench compare RUN_A RUN_B``: per env, how run B differs from run A.

Episodes pair up when both runs played the same env configuration, seed and sample (and the
same agent, when a run holds several); over the pairs, an exact McNemar test says whether the
success difference is more than chance. Unpaired episodes still count in each run's rate.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agentgym.benchmarks.harness import load_episodes
from agentgym.benchmarks.options import UsageError
from agentgym.benchmarks.stats import mcnemar_exact, wilson_interval

__all__ = ["compare_runs", "print_comparison"]


def _load(run: Path) -> list[dict[str, Any]]:
    path = Path(run) / "episodes.jsonl"
    if not path.is_file():
        raise UsageError(f"{str(run)!r} is not a bench run folder (no episodes.jsonl)")
    return [r for r in load_episodes(path) if not r.get("errored")]


def compare_runs(run_a: Path, run_b: Path) -> dict[str, Any]:
    """Compare two run folders.

    Returns:
        ``{"run_a", "run_b", "paired_on", "rows": [...]}``; a row per env and difficulty
        (plus ``"all"`` per env) with each run's ``episodes`` and ``success_rate`` (and 95%
        interval), the number of ``pairs``, ``diff`` (B minus A over the pairs), the
        discordant counts and the McNemar ``p_value`` (None without pairs).

    Raises:
        UsageError: When a folder is not a run.
    """
    a, b = _load(run_a), _load(run_b)
    single = (
        len({r.get("agent_label") for r in a}) <= 1 and len({r.get("agent_label") for r in b}) <= 1
    )

    def match(r: Mapping[str, Any]) -> str:
        parts = [r["env_id"], dict(sorted(r.get("env_kwargs", {}).items())), r["seed"], r["sample"]]
        if not single:
            parts.append(r.get("agent_label"))
        return json.dumps(parts, sort_keys=True)

    groups: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = defaultdict(
        lambda: {"a": [], "b": []}
    )
    for side, records in (("a", a), ("b", b)):
        for r in records:
            for difficulty in (str(r.get("difficulty") or "-"), "all"):
                groups[(r["env"], difficulty)][side].append(r)
    rows = []
    for (env, difficulty), sides in groups.items():
        by_key_b = {match(r): r for r in sides["b"]}
        pairs = [
            (bool(r["success"]), bool(by_key_b[match(r)]["success"]))
            for r in sides["a"]
            if match(r) in by_key_b
        ]
        row: dict[str, Any] = {"env": env, "difficulty": difficulty}
        for side in ("a", "b"):
            recs = sides[side]
            wins = sum(bool(r["success"]) for r in recs)
            row[f"{side}_episodes"] = len(recs)
            row[f"{side}_success_rate"] = round(wins / len(recs), 4) if recs else None
            row[f"{side}_ci95"] = [round(x, 4) for x in wilson_interval(wins, len(recs))]
        test = mcnemar_exact(pairs)
        row.update(
            pairs=test["n"],
            a_only=test["a_only"],
            b_only=test["b_only"],
            diff=round(float(test["diff"]), 4) if pairs else None,
            p_value=round(float(test["p_value"]), 6) if pairs else None,
        )
        rows.append(row)
    order = {"easy": 0, "medium": 1, "hard": 2, "-": 3, "all": 4}
    rows.sort(key=lambda r: (r["env"], order.get(r["difficulty"], 5)))
    singles: dict[str, int] = defaultdict(int)
    for r in rows:
        if r["difficulty"] != "all":
            singles[r["env"]] += 1
    rows = [r for r in rows if r["difficulty"] != "all" or singles[r["env"]] > 1]
    return {
        "run_a": str(run_a),
        "run_b": str(run_b),
        "paired_on": "env, kwargs, seed, sample" + ("" if single else ", agent"),
        "rows": rows,
    }


def print_comparison(console: Any, result: Mapping[str, Any]) -> None:
    """Print a comparison as a table (percentages, B minus A, p-value of the paired test)."""
    from rich.table import Table

    table = Table(title=f"B = {result['run_b']}  vs  A = {result['run_a']}")
    for col in ("env", "difficulty", "A success", "B success", "pairs", "B − A", "p (McNemar)"):
        table.add_column(col, justify="left" if col in ("env", "difficulty") else "right")

    def pct(x: float | None) -> str:
        return "—" if x is None else f"{x:.1%}"

    for r in result["rows"]:
        diff = "—" if r["diff"] is None else f"{r['diff']:+.1%}"
        p = "—" if r["p_value"] is None else f"{r['p_value']:.3g}"
        table.add_row(
            r["env"],
            r["difficulty"],
            f"{pct(r['a_success_rate'])} (n={r['a_episodes']})",
            f"{pct(r['b_success_rate'])} (n={r['b_episodes']})",
            str(r["pairs"]),
            diff,
            p,
        )
    console.print(table)
