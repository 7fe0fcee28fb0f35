"""The evaluation harness: play suites of envs with agents and keep every episode.

A run writes one folder:

* ``episodes.jsonl``: one line per episode, appended as each finishes (full transcript, seed,
  task id, agent and model, sampling settings, token usage, timing, errors);
* ``summary.json``: per env and difficulty, success with a Wilson 95% interval, mean score
  and turns, pass@k, errors, tokens and episodes/s (:func:`summarise_run`);
* ``meta.json``: agentgym version, git commit, command line, suite, env kwargs, start and end;
* ``report.html``: the self-contained report (:mod:`agentgym.benchmarks.report_html`).

Every (env entry, agent) pair plays the same seeds, so runs and agents pair up episode by
episode. ``agentgym bench`` is the command-line front end.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gymnasium as gym

from agentgym.benchmarks.stats import pass_at_k, wilson_interval

__all__ = [
    "SUITES_DIR",
    "AgentSpec",
    "Job",
    "Suite",
    "SuiteEntry",
    "episode_key",
    "git_commit",
    "list_suites",
    "load_episodes",
    "load_suite",
    "plan_jobs",
    "run_bench",
    "summarise_run",
]

SUITES_DIR = Path(__file__).resolve().parent / "suites"
EPISODES_FILE, SUMMARY_FILE, META_FILE, REPORT_FILE = (
    "episodes.jsonl",
    "summary.json",
    "meta.json",
    "report.html",
)


@dataclass(frozen=True)
class SuiteEntry:
    """One env configuration of a suite.

    Attributes:
        env_id: A registered env id.
        kwargs: Constructor arguments for ``gym.make``.
        episodes: Episodes (seeds) to play, or None for the run's default.
    """

    env_id: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    episodes: int | None = None

    @property
    def label(self) -> str:
        """The env and its kwargs other than difficulty, e.g. ``AgentMath-v0[reward_mode=dense]``.

        Difficulty is reported in its own column.
        """
        args = ",".join(f"{k}={v}" for k, v in sorted(self.kwargs.items()) if k != "difficulty")
        return f"{self.env_id}[{args}]" if args else self.env_id


@dataclass(frozen=True)
class Suite:
    """A named list of env entries (a suite file)."""

    name: str
    entries: tuple[SuiteEntry, ...]
    description: str = ""


@dataclass(frozen=True)
class AgentSpec:
    """An agent to play: a name for :func:`agentgym.agents.factory.make_agent` and its options.

    Attributes:
        name: ``oracle``, ``random`` or ``openai``.
        options: Keyword arguments for ``make_agent`` (server URL, model, sampling, ...).
    """

    name: str
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The agent's name in tables: the model for ``openai``, else the agent name."""
        model = self.options.get("model")
        return f"{model}" if self.name == "openai" and model else self.name

    def record(self) -> dict[str, Any]:
        """What each episode line says about its agent (never the API key)."""
        out: dict[str, Any] = {"agent": self.name, "model": self.options.get("model")}
        if self.name == "openai":
            out["base_url"] = self.options.get("base_url")
            out["sampling"] = {
                k: self.options[k]
                for k in ("temperature", "max_tokens", "timeout_s", "max_retries")
                if k in self.options
            }
        return out


@dataclass(frozen=True)
class Job:
    """One episode to play: an entry, an agent, a seed and a sample index (for pass@k)."""

    entry: SuiteEntry
    agent: AgentSpec
    seed: int
    sample: int

    @property
    def key(self) -> str:
        """The episode's identity in a run (resume and comparison match on it)."""
        return episode_key(
            self.entry.env_id, self.entry.kwargs, self.agent.label, self.seed, self.sample
        )


def episode_key(env_id: str, kwargs: Mapping[str, Any], agent: str, seed: int, sample: int) -> str:
    """Return the stable identity of an episode: env, kwargs, agent, seed and sample."""
    return json.dumps([env_id, dict(sorted(kwargs.items())), agent, seed, sample], sort_keys=True)


# --- suites ---------------------------------------------------------------------------------


def list_suites() -> list[str]:
    """Return the names of the shipped suites."""
    return sorted(p.stem for p in SUITES_DIR.glob("*.json"))


def load_suite(name_or_path: str) -> Suite:
    """Load a shipped suite by name, or a suite file (``.json`` or ``.toml``).

    A suite file holds ``name``, an optional ``description`` and ``envs``: a list of
    ``{"env": ID, "kwargs": {...}, "episodes": N}``.

    Raises:
        ValueError: For an unknown name or a malformed file (the message says which).
    """
    path = Path(name_or_path)
    if not path.suffix:
        if name_or_path not in list_suites():
            from agentgym.benchmarks.options import did_you_mean

            raise ValueError(
                f"unknown suite {name_or_path!r}{did_you_mean(name_or_path, list_suites())}; "
                f"shipped: {', '.join(list_suites())}, "
                "or give a .json/.toml suite file"
            )
        path = SUITES_DIR / f"{name_or_path}.json"
    if not path.is_file():
        raise ValueError(f"suite file {str(path)!r} does not exist")
    try:
        if path.suffix == ".toml":
            import tomllib

            data = tomllib.loads(path.read_text())
        else:
            data = json.loads(path.read_text())
    except ValueError as e:
        raise ValueError(f"suite file {str(path)!r} is not valid {path.suffix[1:]}: {e}") from None
    envs = data.get("envs") if isinstance(data, dict) else None
    if not isinstance(envs, list) or not envs:
        raise ValueError(f"suite file {str(path)!r} needs a non-empty list 'envs'")
    entries = []
    for i, item in enumerate(envs):
        if not isinstance(item, dict) or not isinstance(item.get("env"), str):
            raise ValueError(f"suite file {str(path)!r}: envs[{i}] needs an 'env' id")
        unknown = set(item) - {"env", "kwargs", "episodes"}
        if unknown:
            raise ValueError(
                f"suite file {str(path)!r}: envs[{i}] has unknown keys {sorted(unknown)}"
            )
        kwargs = item.get("kwargs", {})
        episodes = item.get("episodes")
        if not isinstance(kwargs, dict):
            raise ValueError(f"suite file {str(path)!r}: envs[{i}].kwargs must be an object")
        if episodes is not None and (not isinstance(episodes, int) or episodes < 1):
            raise ValueError(f"suite file {str(path)!r}: envs[{i}].episodes must be >= 1")
        entries.append(SuiteEntry(item["env"], dict(kwargs), episodes))
    return Suite(str(data.get("name", path.stem)), tuple(entries), str(data.get("description", "")))


# --- playing --------------------------------------------------------------------------------


def plan_jobs(
    entries: Sequence[SuiteEntry],
    agents: Sequence[AgentSpec],
    *,
    episodes: int | None = None,
    seed: int = 0,
    samples: int = 1,
) -> list[Job]:
    """Return every episode of a run, in a stable order.

    Entry ``e`` plays seeds ``seed .. seed + n - 1`` where ``n`` is ``episodes`` when given,
    else the entry's own count (default 10); each seed is played ``samples`` times.
    """
    jobs = []
    for entry in entries:
        n = episodes if episodes is not None else (entry.episodes or 10)
        for agent in agents:
            for i in range(n):
                for k in range(samples):
                    jobs.append(Job(entry, agent, seed + i, k))
    return jobs


def load_episodes(path: Path) -> list[dict[str, Any]]:
    """Read an ``episodes.jsonl``; a torn last line (a killed run) is ignored."""
    out = []
    if not path.is_file():
        return out
    for line in path.read_text().splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and "key" in rec:
            out.append(rec)
    return out


def run_bench(
    jobs: Sequence[Job],
    out_dir: Path,
    *,
    make_agent: Callable[..., Any] | None = None,
    make_env: Callable[[SuiteEntry], gym.Env] | None = None,
    concurrency: int = 1,
    resume: bool = False,
    meta: Mapping[str, Any] | None = None,
    on_episode: Callable[[dict[str, Any]], None] | None = None,
    screenshots: bool = True,
) -> dict[str, Any]:
    """Play ``jobs`` and write the run folder; returns the summary.

    Args:
        jobs: The episodes to play (see :func:`plan_jobs`).
        out_dir: The run folder (created).
        make_agent: ``make_agent(name, env, seed, **options)``; default the agents package's.
        make_env: ``make_env(entry)``; default ``gym.make(entry.env_id, **entry.kwargs)``.
        concurrency: Episodes in flight at once (threads; each keeps its own envs).
        resume: Keep the finished episodes already in ``out_dir`` and play only the rest;
            errored episodes are played again.
        meta: Extra fields for ``meta.json`` (command line, suite, ...).
        on_episode: Called in the main thread with each finished episode record.
        screenshots: For envs that draw a screen (GUI), save a small PNG per turn under
            ``screens/`` and name it on the step (the report shows them inline).
    """
    import agentgym  # noqa: F401  (registers the envs)

    if make_agent is None:
        from agentgym.agents.factory import make_agent as factory

        make_agent = factory
    out_dir.mkdir(parents=True, exist_ok=True)
    episodes_path = out_dir / EPISODES_FILE
    started = _now()
    kept: list[dict[str, Any]] = []
    if resume:
        wanted = {j.key for j in jobs}
        kept = [
            r for r in load_episodes(episodes_path) if not r.get("errored") and r["key"] in wanted
        ]
        old_meta = _read_json(out_dir / META_FILE)
        started = old_meta.get("started", started)
    # Rewrite the file with only the kept lines: drops a torn line and errored episodes.
    episodes_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept))
    done = {r["key"] for r in kept}
    todo = [j for j in jobs if j.key not in done]
    run_meta = {
        **_base_meta(),
        **(meta or {}),
        "started": started,
        "resumed": resume,
        "episodes_planned": len(jobs),
        "concurrency": concurrency,
    }
    (out_dir / META_FILE).write_text(json.dumps({**run_meta, "finished": None}, indent=2) + "\n")

    local = threading.local()
    opened: list[gym.Env] = []
    lock = threading.Lock()

    def env_for(entry: SuiteEntry) -> gym.Env:
        cache = getattr(local, "envs", None)
        if cache is None:
            cache = local.envs = {}
        key = (entry.env_id, json.dumps(dict(entry.kwargs), sort_keys=True))
        if key not in cache:
            cache[key] = make_env(entry) if make_env else gym.make(entry.env_id, **entry.kwargs)
            with lock:
                opened.append(cache[key])
        return cache[key]

    def play(job: Job) -> dict[str, Any]:
        from agentgym.runner import play_episode

        env = env_for(job.entry)
        agent_seed = job.seed * 1000 + job.sample
        agent = make_agent(job.agent.name, env, agent_seed, **job.agent.options)
        shots = _screenshot_saver(env, out_dir, job.key) if screenshots else None
        record = play_episode(env, agent, job.seed, screenshots=shots)
        return {
            "key": job.key,
            "env_id": job.entry.env_id,
            "env": job.entry.label,
            "env_kwargs": dict(job.entry.kwargs),
            **job.agent.record(),
            "agent_label": job.agent.label,
            "sample": job.sample,
            **record,
            "difficulty": record["difficulty"] or job.entry.kwargs.get("difficulty"),
            "finished": _now(),
        }

    t0 = time.perf_counter()
    try:
        with episodes_path.open("a") as sink:
            _drive(todo, play, max(1, concurrency), sink, on_episode)
    finally:
        for env in opened:
            try:
                env.close()
            except Exception:  # closing is best effort; the episodes are already written
                pass
    wall = time.perf_counter() - t0
    records = load_episodes(episodes_path)
    summary = summarise_run(records, played=len(todo), wall_s=wall)
    (out_dir / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n")
    (out_dir / META_FILE).write_text(json.dumps({**run_meta, "finished": _now()}, indent=2) + "\n")
    return summary


def _drive(
    todo: Sequence[Job],
    play: Callable[[Job], dict[str, Any]],
    concurrency: int,
    sink: Any,
    on_episode: Callable[[dict[str, Any]], None] | None,
) -> None:
    """Play jobs with at most ``concurrency`` in flight, writing each record as it lands."""

    def land(record: dict[str, Any]) -> None:
        sink.write(json.dumps(record, ensure_ascii=False) + "\n")
        sink.flush()
        if on_episode is not None:
            on_episode(record)

    if concurrency == 1:
        for job in todo:
            land(play(job))
        return
    pending = iter(todo)
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="bench") as pool:
        in_flight: set[Future[dict[str, Any]]] = set()
        for job in pending:
            in_flight.add(pool.submit(play, job))
            if len(in_flight) >= concurrency:
                break
        try:
            while in_flight:
                finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for fut in finished:
                    land(fut.result())
                    nxt = next(pending, None)
                    if nxt is not None:
                        in_flight.add(pool.submit(play, nxt))
        except BaseException:
            for fut in in_flight:
                fut.cancel()
            raise


SCREEN_WIDTH = 480


def _screenshot_saver(
    env: gym.Env, out_dir: Path, key: str
) -> Callable[[int, Any], str | None] | None:
    """Return ``save(turn, obs) -> relative path`` for envs with a ``screenshot()``, else None."""
    draw = getattr(env.unwrapped, "screenshot", None)
    if not callable(draw):
        return None
    import hashlib

    folder = Path("screens") / hashlib.sha1(key.encode()).hexdigest()[:16]

    def save(turn: int, observation: Any) -> str | None:
        try:
            from PIL import Image

            image = Image.fromarray(draw())
        except Exception:  # a screen that cannot be drawn is not worth an errored episode
            return None
        if image.width > SCREEN_WIDTH:
            height = round(image.height * SCREEN_WIDTH / image.width)
            image = image.resize((SCREEN_WIDTH, height), Image.Resampling.LANCZOS)
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
        rel = folder / f"{turn:03d}.png"
        image.save(out_dir / rel, optimize=True)
        return rel.as_posix()

    return save


# --- summaries ------------------------------------------------------------------------------


def summarise_run(
    records: Iterable[Mapping[str, Any]], *, played: int | None = None, wall_s: float | None = None
) -> dict[str, Any]:
    """Aggregate episode records per (env, difficulty, agent), plus a per-env total.

    Errored episodes are counted apart and left out of every rate. ``episodes_per_s`` is
    episodes over the summed episode wall time (one worker's throughput).

    Returns:
        ``{"rows": [...], "totals": {...}}``; each row has ``env``, ``difficulty`` (``"all"``
        for the per-env total), ``agent``, ``episodes``, ``errors``, ``successes``,
        ``success_rate``, ``ci95`` ``[low, high]``, ``mean_score``, ``mean_turns``,
        ``pass_at_k`` (``{"1": ..., "K": ...}``), ``tokens`` and ``episodes_per_s``.
    """
    records = list(records)
    groups: dict[tuple[str, str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for r in records:
        agent = r.get("agent_label") or r.get("agent", "?")
        groups[(r["env"], str(r.get("difficulty") or "-"), agent)].append(r)
        groups[(r["env"], "all", agent)].append(r)
    rows = []
    for (env, difficulty, agent), recs in groups.items():
        rows.append({"env": env, "difficulty": difficulty, "agent": agent, **_aggregate(recs)})
    order = {"easy": 0, "medium": 1, "hard": 2, "-": 3, "all": 4}
    rows.sort(key=lambda r: (r["env"], r["agent"], order.get(r["difficulty"], 5)))
    # An env with a single difficulty needs no "all" row.
    singles = defaultdict(set)
    for r in rows:
        if r["difficulty"] != "all":
            singles[(r["env"], r["agent"])].add(r["difficulty"])
    rows = [r for r in rows if r["difficulty"] != "all" or len(singles[(r["env"], r["agent"])]) > 1]
    totals = _aggregate(records)
    if played is not None:
        totals["played_this_session"] = played
    if wall_s is not None:
        totals["wall_s"] = round(wall_s, 3)
        totals["run_episodes_per_s"] = round(played / wall_s, 4) if played and wall_s > 0 else None
    return {"rows": rows, "totals": totals}


def _aggregate(recs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    ok = [r for r in recs if not r.get("errored")]
    n = len(ok)
    wins = sum(1 for r in ok if r.get("success"))
    low, high = wilson_interval(wins, n)
    by_task: dict[tuple[str, Any], list[bool]] = defaultdict(list)
    for r in ok:
        by_task[(r.get("agent_label", ""), r.get("seed"))].append(bool(r.get("success")))
    ks = min((len(v) for v in by_task.values()), default=0)
    passk = {}
    for k in sorted({1, ks}) if ks else ():
        passk[str(k)] = round(
            sum(pass_at_k(len(v), sum(v), k) for v in by_task.values()) / len(by_task), 4
        )
    tokens = {"prompt": 0, "completion": 0}
    for r in recs:
        usage = r.get("usage") or {}
        tokens["prompt"] += int(usage.get("prompt_tokens") or 0)
        tokens["completion"] += int(usage.get("completion_tokens") or 0)
    wall = sum(float((r.get("timing") or {}).get("wall_s") or 0.0) for r in recs)
    mean = (lambda xs: round(sum(xs) / n, 4)) if n else (lambda xs: None)
    return {
        "episodes": len(recs),
        "errors": len(recs) - n,
        "successes": wins,
        "success_rate": round(wins / n, 4) if n else None,
        "ci95": [round(low, 4), round(high, 4)],
        "mean_score": mean([float(r.get("score") or 0.0) for r in ok]),
        "mean_turns": mean([float(r.get("turns") or 0) for r in ok]),
        "pass_at_k": passk,
        "tokens": {**tokens, "total": tokens["prompt"] + tokens["completion"]},
        "episodes_per_s": round(len(recs) / wall, 4) if wall > 0 else None,
    }


# --- meta -----------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _base_meta() -> dict[str, Any]:
    import agentgym

    return {
        "agentgym_version": agentgym.__version__,
        "git_commit": git_commit(),
        "command": [_program(), *sys.argv[1:]],
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "pid": os.getpid(),
    }


def _program() -> str:
    name = Path(sys.argv[0]).name
    return "agentgym" if name in ("cli.py", "__main__.py", "agentgym") else name


def git_commit() -> str | None:
    """Return the commit of the agentgym checkout this code runs from, or None."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and len(commit) == 40 else None
