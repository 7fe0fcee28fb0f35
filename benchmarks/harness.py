"""The evaluation harness: run suites of (env, agent) pairs and report them as JSON and HTML.

A suite is a list of env configurations; every configuration is played by every agent for
the same seeds, so rows are comparable. ``agentgym bench`` is the command-line front end.
"""

from __future__ import annotations

import base64
import html
import io
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym

__all__ = ["SUITES", "SuiteEntry", "render_html", "run_suite"]


@dataclass(frozen=True)
class SuiteEntry:
    """One env configuration of a suite."""

    env_id: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """A short name, e.g. ``AgentMath-v0[difficulty=easy]``."""
        args = ",".join(f"{k}={v}" for k, v in sorted(self.kwargs.items()))
        return f"{self.env_id}[{args}]" if args else self.env_id


def _all_envs(**kwargs: Any) -> list[SuiteEntry]:
    from agentgym.registration import ENVS

    return [SuiteEntry(spec.id, dict(kwargs)) for spec in ENVS]


SUITES: dict[str, Any] = {
    "smoke": lambda: _all_envs(difficulty="easy"),
    "standard": lambda: [
        SuiteEntry(e.env_id, {"difficulty": d})
        for e in _all_envs()
        for d in ("easy", "medium", "hard")
    ],
}


def run_suite(
    entries: Sequence[SuiteEntry],
    agents: Sequence[str],
    episodes: int,
    seed: int = 0,
    progress: Any = None,
) -> list[dict[str, Any]]:
    """Play every entry with every agent; returns one summary row per pair.

    Args:
        entries: The env configurations.
        agents: Agent names understood by :func:`agentgym.agents.factory.make_agent`.
        episodes: Episodes per pair (seeds ``seed .. seed + episodes - 1``).
        seed: The first seed.
        progress: Optional callable ``progress(label)`` called after each episode.
    """
    import agentgym  # noqa: F401  (registers the envs)
    from agentgym.agents.factory import make_agent
    from agentgym.runner import run_episodes, summarise

    rows = []
    for entry in entries:
        for agent_name in agents:
            env = gym.make(entry.env_id, **entry.kwargs)
            try:
                agent = make_agent(agent_name, env, seed=seed)
                results = []
                t0 = time.perf_counter()
                for result in run_episodes(env, agent, episodes, seed=seed):
                    results.append(result)
                    if progress is not None:
                        progress(f"{entry.label} / {agent_name}")
                wall = time.perf_counter() - t0
            finally:
                env.close()
            row = summarise(entry.label, agent_name, results).to_dict()
            row["episodes_per_s"] = len(results) / wall if wall > 0 else float("nan")
            rows.append(row)
    return rows


def render_html(rows: Sequence[dict[str, Any]], title: str = "agentgym benchmark") -> str:
    """Return a self-contained HTML report: a table and, with matplotlib, a success-rate plot."""
    cols = [
        "env_id",
        "agent",
        "episodes",
        "success_rate",
        "mean_score",
        "mean_turns",
        "mean_return",
        "mean_step_ms",
        "episodes_per_s",
    ]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(r.get(c)))}</td>" for c in cols) + "</tr>"
        for r in rows
    )
    plot = _plot(rows)
    img = (
        f'<img alt="success rate by env and agent" src="data:image/png;base64,{plot}">'
        if plot
        else ("<p>(install matplotlib for plots: pip install 'agentgym[bench]')</p>")
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><table><tr>{head}</tr>{body}</table>{img}"
        f"<pre>{html.escape(json.dumps(list(rows), indent=1)[:100000])}</pre></body></html>"
    )


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _plot(rows: Sequence[dict[str, Any]]) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    envs = list(dict.fromkeys(r["env_id"] for r in rows))
    agents = list(dict.fromkeys(r["agent"] for r in rows))
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(envs)), 4))
    width = 0.8 / max(len(agents), 1)
    for j, agent in enumerate(agents):
        vals = [
            next(
                (
                    r.get("success_rate", 0.0)
                    for r in rows
                    if r["env_id"] == e and r["agent"] == agent
                ),
                0.0,
            )
            for e in envs
        ]
        ax.bar([i + j * width for i in range(len(envs))], vals, width, label=agent)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(envs))], envs, rotation=20, ha="right")
    ax.set_ylabel("success rate")
    ax.set_ylim(0, 1.05)
    ax.legend()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def write_outputs(rows: Sequence[dict[str, Any]], out_dir: Path) -> tuple[Path, Path]:
    """Write ``results.json`` and ``report.html`` into ``out_dir``; returns both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out_dir / "results.json", out_dir / "report.html"
    json_path.write_text(json.dumps(list(rows), indent=2) + "\n")
    html_path.write_text(render_html(rows))
    return json_path, html_path
