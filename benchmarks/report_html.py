"""``report.html``: one self-contained page for one or more bench runs.

The page holds, with no network and no files beside it:

* the runs' settings (model, suite, version, commit, times);
* success per env and difficulty with its Wilson 95% interval drawn as a bar and whisker,
  mean score and turns, pass@k, errors and tokens (one row per env and difficulty, rendered
  server-side, so the table reads without JavaScript);
* with several runs, a comparison of each against the first (paired McNemar test);
* an episode viewer: filter by run, env, difficulty and outcome, open an episode and read its
  turns (actions, tool calls and results, observations, rewards), with GUI screenshots inline.

The episodes travel in the page as JSON data for the viewer (long texts cut at
:data:`MAX_TEXT` characters; the full text stays in ``episodes.jsonl``). ``#episode=N`` in the
URL opens episode ``N`` on load, and ``#env=E&outcome=success`` (also ``difficulty``, ``run``) sets
the viewer's filters.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["MAX_TEXT", "render_report", "write_report_html"]

MAX_TEXT = 6000
MAX_EPISODES = 5000
MAX_IMAGE_BYTES = 40_000_000


def write_report_html(runs: Sequence[Path], out: Path) -> Path:
    """Write the report of ``runs`` (run folders; the first is the baseline) to ``out``."""
    out.write_text(render_report([Path(r) for r in runs]), encoding="utf-8")
    return out


def render_report(runs: Sequence[Path]) -> str:
    """Return the report page of ``runs`` as a string."""
    from agentgym.benchmarks.harness import load_episodes, summarise_run

    loaded = []
    for i, run in enumerate(runs):
        records = load_episodes(run / "episodes.jsonl")
        meta = _read(run / "meta.json")
        summary = _read(run / "summary.json") or summarise_run(records)
        loaded.append(
            {
                "index": i,
                "path": run,
                "name": _run_name(run, meta),
                "meta": meta,
                "summary": summary,
                "records": records,
            }
        )
    title = "agentgym bench — " + " vs ".join(r["name"] for r in loaded)
    parts = [_head(title), f"<h1>{_e(title)}</h1>", _runs_section(loaded), _success_section(loaded)]
    if len(loaded) > 1:
        parts.append(_compare_section(runs))
    parts.append(_viewer_section(loaded))
    parts.append(_script())
    parts.append("</body></html>")
    return "\n".join(parts)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _run_name(run: Path, meta: Mapping[str, Any]) -> str:
    models = [
        a.get("model") or a.get("agent") for a in meta.get("agents", []) if isinstance(a, dict)
    ]
    label = ", ".join(str(m) for m in models if m)
    return f"{run.name} ({label})" if label else run.name


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def _head(title: str) -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
<style>
:root {{ --ok:#1a7f37; --bad:#c62828; --err:#9a6700; --line:#d0d7de; --muted:#57606a; }}
body {{ font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px;
       color:#1f2328; background:#fff; }}
h1 {{ font-size: 22px; margin: 0 0 12px; }} h2 {{ font-size: 18px; margin: 28px 0 8px; }}
table {{ border-collapse: collapse; }} th, td {{ border-bottom: 1px solid var(--line);
  padding: 4px 10px; text-align: right; vertical-align: middle; }}
th {{ background:#f6f8fa; font-weight:600; }} td.l, th.l {{ text-align: left; }}
.ci {{ position: relative; width: 160px; height: 14px; background:#eef1f4; border-radius: 3px; }}
.ci .bar {{ position:absolute; left:0; top:3px; height:8px; background:#4c8bf5; border-radius:2px; }}
.ci .whisker {{ position:absolute; top:0; height:14px; border-left:2px solid #1f2328;
  border-right:2px solid #1f2328; box-sizing:border-box; }}
.muted {{ color: var(--muted); }} .ok {{ color: var(--ok); }} .bad {{ color: var(--bad); }}
.err {{ color: var(--err); }}
dl.meta {{ display:grid; grid-template-columns: max-content auto; gap: 2px 14px; margin:0; }}
dl.meta dt {{ color: var(--muted); }} dl.meta dd {{ margin:0; }}
.runs {{ display:flex; gap: 32px; flex-wrap: wrap; }}
.filters {{ display:flex; gap: 12px; margin: 8px 0; flex-wrap: wrap; }}
.viewer {{ display:grid; grid-template-columns: minmax(360px, 1fr) 2fr; gap: 16px; }}
#episode-list {{ max-height: 640px; overflow:auto; border:1px solid var(--line); }}
#episode-list tr {{ cursor: pointer; }} #episode-list tr:hover {{ background:#f6f8fa; }}
#episode-list tr.open {{ background:#ddf4ff; }}
#episode {{ border:1px solid var(--line); padding: 12px; min-height: 200px; overflow:auto;
  max-height: 900px; }}
.turn {{ border-left: 3px solid var(--line); margin: 10px 0; padding: 2px 10px; }}
.turn h4 {{ margin: 4px 0; }}
pre {{ white-space: pre-wrap; word-break: break-word; background:#f6f8fa; padding: 6px 8px;
  margin: 4px 0; border-radius: 4px; max-height: 320px; overflow:auto; }}
.call {{ margin: 4px 0; }} .call b {{ font-family: monospace; }}
.kv {{ font-family: monospace; color: var(--muted); }}
img.shot {{ max-width: 100%; border:1px solid var(--line); margin: 4px 0; display:block; }}
details summary {{ cursor: pointer; color: var(--muted); }}
</style></head><body>"""


def _runs_section(loaded: Sequence[Mapping[str, Any]]) -> str:
    blocks = []
    for run in loaded:
        meta, totals = run["meta"], run["summary"].get("totals", {})
        agents = meta.get("agents") or []
        model = ", ".join(str(a.get("model") or a.get("agent")) for a in agents) or "—"
        sampling = next((a.get("sampling") for a in agents if a.get("sampling")), None)
        items = [
            ("run", run["path"].name),
            ("agent / model", model),
            ("suite", meta.get("suite", "—")),
            ("sampling", ", ".join(f"{k} {v}" for k, v in (sampling or {}).items()) or "—"),
            (
                "episodes",
                f"{totals.get('episodes', len(run['records']))}"
                f" ({totals.get('errors', 0)} errored)",
            ),
            ("success", f"{_pct(totals.get('success_rate'))}"),
            ("tokens", f"{(totals.get('tokens') or {}).get('total', 0):,}"),
            (
                "agentgym",
                f"{meta.get('agentgym_version', '—')}"
                + (f" @ {meta['git_commit'][:10]}" if meta.get("git_commit") else ""),
            ),
            ("started", meta.get("started", "—")),
            ("finished", meta.get("finished") or "—"),
            ("command", " ".join(meta.get("command", [])) or "—"),
        ]
        rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items)
        blocks.append(
            f'<div class="run"><h3>{_e(run["name"])}</h3><dl class="meta">{rows}</dl></div>'
        )
    return f'<h2>Runs</h2><div class="runs">{"".join(blocks)}</div>'


def _ci_cell(rate: float | None, ci: Sequence[float]) -> str:
    if rate is None:
        return '<td class="l muted">no finished episodes</td>'
    lo, hi = ci
    return (
        f'<td class="l"><div class="ci" title="{_pct(rate)} (95% CI {_pct(lo)}–{_pct(hi)})">'
        f'<div class="bar" style="width:{100 * rate:.1f}%"></div>'
        f'<div class="whisker" style="left:{100 * lo:.1f}%;width:{100 * max(hi - lo, 0.005):.1f}%">'
        "</div></div></td>"
    )


def _success_section(loaded: Sequence[Mapping[str, Any]]) -> str:
    head = (
        "<tr><th class='l'>run</th><th class='l'>env</th><th class='l'>difficulty</th>"
        "<th class='l'>agent</th><th>episodes</th><th>success</th><th>95% CI</th>"
        "<th class='l'>interval</th><th>mean score</th><th>mean turns</th><th>pass@k</th>"
        "<th>errors</th><th>tokens</th><th>episodes/s</th></tr>"
    )
    body = []
    for run in loaded:
        for r in run["summary"].get("rows", []):
            lo, hi = r["ci95"]
            passk = ", ".join(f"@{k} {_pct(v)}" for k, v in r.get("pass_at_k", {}).items())
            eps = r.get("episodes_per_s")
            score = "—" if r["mean_score"] is None else f"{r['mean_score']:.3f}"
            turns = "—" if r["mean_turns"] is None else f"{r['mean_turns']:.2f}"
            speed = "—" if eps is None else f"{eps:.2f}"
            body.append(
                f'<tr class="env-row" data-env="{_e(r["env"])}" data-difficulty="{_e(r["difficulty"])}">'
                f'<td class="l">{_e(run["path"].name)}</td><td class="l">{_e(r["env"])}</td>'
                f'<td class="l">{_e(r["difficulty"])}</td><td class="l">{_e(r["agent"])}</td>'
                f"<td>{r['episodes']}</td><td>{_pct(r['success_rate'])}</td>"
                f"<td>{_pct(lo)}–{_pct(hi)}</td>{_ci_cell(r['success_rate'], r['ci95'])}"
                f"<td>{score}</td><td>{turns}</td>"
                f"<td>{_e(passk or '—')}</td>"
                f"<td class='{'err' if r['errors'] else ''}'>{r['errors']}</td>"
                f"<td>{r['tokens']['total']:,}</td><td>{speed}</td></tr>"
            )
    return (
        "<h2>Success by env and difficulty</h2>"
        "<p class='muted'>Success over finished episodes (errored ones are counted apart), "
        "with its Wilson 95% interval: the bar is the rate, the whisker the interval.</p>"
        f'<table id="success">{head}{"".join(body)}</table>'
    )


def _compare_section(runs: Sequence[Path]) -> str:
    from agentgym.benchmarks.compare import compare_runs

    blocks = []
    for other in runs[1:]:
        result = compare_runs(runs[0], other)
        body = []
        for r in result["rows"]:
            diff = r["diff"]
            shown_diff = "—" if diff is None else f"{100 * diff:+.1f} pts"
            p_value = "—" if r["p_value"] is None else f"{r['p_value']:.3g}"
            cls = (
                ""
                if diff is None or r["p_value"] is None or r["p_value"] >= 0.05
                else ("ok" if diff > 0 else "bad")
            )
            body.append(
                f'<tr class="compare-row" data-env="{_e(r["env"])}"><td class="l">{_e(r["env"])}</td>'
                f'<td class="l">{_e(r["difficulty"])}</td>'
                f"<td>{_pct(r['a_success_rate'])} <span class='muted'>n={r['a_episodes']}</span></td>"
                f"<td>{_pct(r['b_success_rate'])} <span class='muted'>n={r['b_episodes']}</span></td>"
                f"<td>{r['pairs']}</td><td class='{cls}'>{shown_diff}</td>"
                f"<td>{p_value}</td></tr>"
            )
        blocks.append(
            f"<h3>{_e(Path(other).name)} vs {_e(Path(runs[0]).name)}</h3>"
            "<table class='compare'><tr><th class='l'>env</th><th class='l'>difficulty</th>"
            f"<th>A: {_e(Path(runs[0]).name)}</th><th>B: {_e(Path(other).name)}</th>"
            "<th>paired episodes</th><th>B − A (paired)</th><th>p (McNemar)</th></tr>"
            f"{''.join(body)}</table>"
        )
    return (
        "<h2>Comparison</h2><p class='muted'>Episodes pair up on env, kwargs, seed and sample; "
        "green or red marks a difference with p &lt; 0.05.</p>" + "".join(blocks)
    )


def _cut(text: Any) -> Any:
    if isinstance(text, str) and len(text) > MAX_TEXT:
        return text[:MAX_TEXT] + f"\n… [{len(text) - MAX_TEXT} more characters in episodes.jsonl]"
    return text


def _image(run: Path, ref: Any, budget: list[int]) -> str | None:
    if not isinstance(ref, str):
        return None
    path = run / ref
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if budget[0] + len(data) > MAX_IMAGE_BYTES:
        return None
    budget[0] += len(data)
    return "data:image/png;base64," + base64.b64encode(data).decode()


def _episode_view(
    run: Mapping[str, Any], rec: Mapping[str, Any], budget: list[int]
) -> dict[str, Any]:
    steps = []
    for s in rec.get("steps", []):
        steps.append(
            {
                "action": _cut(s.get("action")),
                "observation": _cut(s.get("observation")),
                "reward": s.get("reward"),
                "components": s.get("reward_components", {}),
                "calls": [
                    {
                        "name": c.get("name"),
                        "arguments": {
                            k: _cut(v) if isinstance(v, str) else v
                            for k, v in (c.get("arguments") or {}).items()
                        },
                    }
                    for c in s.get("tool_calls", [])
                ],
                "results": [_cut(r.get("output")) for r in s.get("tool_results", [])],
                "parse_error": s.get("parse_error"),
                "shot": _image(run["path"], s.get("screenshot"), budget),
            }
        )
    usage = rec.get("usage") or {}
    return {
        "run": run["index"],
        "env": rec.get("env"),
        "difficulty": str(rec.get("difficulty") or "-"),
        "agent": rec.get("agent_label") or rec.get("agent"),
        "seed": rec.get("seed"),
        "sample": rec.get("sample"),
        "task": rec.get("task_id"),
        "outcome": "errored"
        if rec.get("errored")
        else ("success" if rec.get("success") else "failure"),
        "score": rec.get("score"),
        "turns": rec.get("turns"),
        "error": rec.get("error"),
        "system": _cut(rec.get("system_prompt")),
        "prompt": _cut(rec.get("prompt")),
        "shot0": _image(run["path"], rec.get("screenshot"), budget),
        "tokens": usage.get("total_tokens"),
        "wall": (rec.get("timing") or {}).get("wall_s"),
        "steps": steps,
    }


def _viewer_section(loaded: Sequence[Mapping[str, Any]]) -> str:
    budget = [0]
    episodes = []
    for run in loaded:
        for rec in run["records"]:
            if len(episodes) >= MAX_EPISODES:
                break
            episodes.append(_episode_view(run, rec, budget))
    data = {"runs": [r["path"].name for r in loaded], "episodes": episodes}
    # "</" is escaped so no text inside the data can close the script element.
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    total = sum(len(r["records"]) for r in loaded)
    note = (
        f"<p class='muted'>Showing the first {MAX_EPISODES} of {total} episodes.</p>"
        if total > MAX_EPISODES
        else ""
    )
    return f"""<h2>Episodes</h2>{note}
<div class="filters">
 <label>run <select id="f-run"><option value="">all</option></select></label>
 <label>env <select id="f-env"><option value="">all</option></select></label>
 <label>difficulty <select id="f-difficulty"><option value="">all</option></select></label>
 <label>outcome <select id="f-outcome"><option value="">all</option>
  <option>success</option><option>failure</option><option>errored</option></select></label>
 <span id="f-count" class="muted"></span>
</div>
<div class="viewer">
 <div id="episode-list"><table><thead><tr><th class="l">env</th><th class="l">difficulty</th>
  <th>seed</th><th class="l">outcome</th><th>score</th><th>turns</th></tr></thead>
  <tbody id="episode-rows"></tbody></table></div>
 <div id="episode"><p class="muted">Open an episode from the list.</p></div>
</div>
<script type="application/json" id="report-data">{payload}</script>"""


def _script() -> str:
    return """<script>
(function () {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const eps = data.episodes;
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, ...kids) => {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") n.className = v; else n.setAttribute(k, v);
    }
    for (const k of kids) if (k !== null && k !== undefined)
      n.append(k instanceof Node ? k : document.createTextNode(String(k)));
    return n;
  };
  const fill = (id, values) => {
    for (const v of [...new Set(values)].sort()) $(id).append(el("option", {value: v}, v));
  };
  fill("f-env", eps.map(e => e.env));
  fill("f-difficulty", eps.map(e => e.difficulty));
  data.runs.forEach((r, i) => $("f-run").append(el("option", {value: String(i)}, r)));
  const outcomeClass = {success: "ok", failure: "bad", errored: "err"};
  function shown() {
    const f = (id) => $(id).value;
    return eps.map((e, i) => [e, i]).filter(([e]) =>
      (!f("f-run") || String(e.run) === f("f-run")) && (!f("f-env") || e.env === f("f-env")) &&
      (!f("f-difficulty") || e.difficulty === f("f-difficulty")) &&
      (!f("f-outcome") || e.outcome === f("f-outcome")));
  }
  function list() {
    const rows = $("episode-rows");
    rows.replaceChildren();
    const items = shown();
    $("f-count").textContent = items.length + (items.length === 1 ? " episode" : " episodes");
    for (const [e, i] of items) {
      const tr = el("tr", {"data-index": String(i), id: "row-" + i},
        el("td", {class: "l"}, e.env), el("td", {class: "l"}, e.difficulty),
        el("td", {}, e.seed + (e.sample ? " #" + e.sample : "")),
        el("td", {class: "l " + outcomeClass[e.outcome]}, e.outcome),
        el("td", {}, e.score === null ? "—" : Number(e.score).toFixed(2)), el("td", {}, e.turns));
      tr.addEventListener("click", () => open(i));
      rows.append(tr);
    }
  }
  function args(call) {
    const box = el("div", {class: "call"}, el("b", {}, call.name));
    for (const [k, v] of Object.entries(call.arguments || {})) {
      const text = typeof v === "string" ? v : JSON.stringify(v);
      if (text.includes("\\n") || text.length > 80) box.append(el("div", {class: "kv"}, k + ":"), el("pre", {}, text));
      else box.append(el("span", {class: "kv"}, " " + k + "=" + text));
    }
    return box;
  }
  function open(i) {
    const e = eps[i];
    document.querySelectorAll("#episode-rows tr.open").forEach(r => r.classList.remove("open"));
    const row = $("row-" + i); if (row) row.classList.add("open");
    const box = $("episode");
    box.replaceChildren();
    box.setAttribute("data-open", String(i));
    box.append(el("h3", {}, e.env + " · " + e.difficulty + " · seed " + e.seed + (e.sample ? " sample " + e.sample : "")));
    box.append(el("p", {}, el("span", {class: outcomeClass[e.outcome]}, e.outcome),
      " · score " + (e.score === null ? "—" : Number(e.score).toFixed(3)) + " · " + e.turns +
      (e.turns === 1 ? " turn" : " turns") + " · task " + e.task + " · agent " + e.agent +
      (e.tokens ? " · " + e.tokens + " tokens" : "") + (e.wall !== undefined ? " · " + e.wall + " s" : "")));
    if (e.error) box.append(el("pre", {class: "err"}, e.error));
    if (e.system) box.append(el("details", {}, el("summary", {}, "system prompt"), el("pre", {}, e.system)));
    box.append(el("div", {class: "turn"}, el("h4", {}, "task"), el("pre", {}, e.prompt)));
    if (e.shot0) box.append(el("img", {class: "shot", src: e.shot0, alt: "screen at reset"}));
    e.steps.forEach((s, t) => {
      const turn = el("div", {class: "turn step"}, el("h4", {}, "turn " + (t + 1) + " · reward " + s.reward));
      turn.append(el("div", {class: "muted"}, "action"), el("pre", {}, s.action));
      if (s.parse_error) turn.append(el("div", {class: "bad"}, "parse error: " + s.parse_error));
      s.calls.forEach((c, j) => {
        turn.append(args(c));
        if (s.results[j] !== undefined) turn.append(el("pre", {}, s.results[j]));
      });
      if (!s.calls.length) turn.append(el("div", {class: "muted"}, "observation"), el("pre", {}, s.observation));
      const comps = Object.entries(s.components || {}).filter(([, v]) => v);
      if (comps.length) turn.append(el("div", {class: "kv"}, comps.map(([k, v]) => k + " " + v).join(" · ")));
      if (s.shot) turn.append(el("img", {class: "shot", src: s.shot, alt: "screen after turn " + (t + 1)}));
      box.append(turn);
    });
  }
  ["f-run", "f-env", "f-difficulty", "f-outcome"].forEach(id => $(id).addEventListener("change", list));
  // #env=...&difficulty=...&outcome=...&run=... preset the filters (links into the report).
  const params = new URLSearchParams(location.hash.slice(1));
  for (const key of ["run", "env", "difficulty", "outcome"])
    if (params.has(key)) $("f-" + key).value = params.get(key);
  list();
  const m = location.hash.match(/episode=(\\d+)/);
  if (m && eps[Number(m[1])]) open(Number(m[1]));
  else if (eps.length) open(shown().length ? shown()[0][1] : 0);
})();
</script>"""
