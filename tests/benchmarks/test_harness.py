import json

import pytest

from agentgym.benchmarks.harness import (
    AgentSpec,
    SuiteEntry,
    list_suites,
    load_episodes,
    load_suite,
    plan_jobs,
    run_bench,
)


def test_run_folder_keeps_every_episode(tmp_path):
    jobs = plan_jobs(
        [SuiteEntry("Guess-v0", {"max_turns": 3})],
        [AgentSpec("oracle"), AgentSpec("random")],
        episodes=4,
    )
    summary = run_bench(jobs, tmp_path, meta={"suite": "test"})
    records = load_episodes(tmp_path / "episodes.jsonl")
    assert len(records) == 8 and len({r["key"] for r in records}) == 8
    first = records[0]
    assert first["seed"] == 0 and first["task_id"] and first["agent"] == "oracle"
    assert first["steps"][0]["action"] and "reward_components" in first["steps"][0]
    assert first["messages"][0]["role"] == "system"
    assert first["timing"]["wall_s"] >= 0
    rows = {r["agent"]: r for r in summary["rows"]}
    assert rows["oracle"]["success_rate"] == 1.0 and rows["oracle"]["episodes"] == 4
    assert rows["oracle"]["ci95"][0] == pytest.approx(0.5101, abs=1e-3)
    assert rows["random"]["success_rate"] < 1.0
    assert json.loads((tmp_path / "summary.json").read_text()) == summary
    meta = json.loads((tmp_path / "meta.json").read_text())
    for key in ("agentgym_version", "git_commit", "command", "started", "finished", "suite"):
        assert key in meta
    assert meta["finished"] >= meta["started"]


def test_shipped_suites_list_registered_envs():
    import gymnasium as gym

    assert list_suites() == ["full", "smoke", "standard"]
    for name in list_suites():
        suite = load_suite(name)
        assert suite.entries and all(e.env_id in gym.registry for e in suite.entries)
    standard = load_suite("standard")
    assert {e.kwargs["difficulty"] for e in standard.entries} == {"easy", "medium", "hard"}


def test_suite_files_json_and_toml(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        'name = "mine"\n[[envs]]\nenv = "Guess-v0"\nkwargs = {max_turns = 2}\nepisodes = 3\n'
    )
    suite = load_suite(str(path))
    assert suite.name == "mine" and suite.entries[0].kwargs == {"max_turns": 2}
    jobs = plan_jobs(suite.entries, [AgentSpec("oracle")], samples=2)
    assert [(j.seed, j.sample) for j in jobs] == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]
    bad = tmp_path / "bad.json"
    bad.write_text('{"envs": [{"env": "Guess-v0", "episode": 3}]}')
    with pytest.raises(ValueError, match="unknown keys"):
        load_suite(str(bad))
    with pytest.raises(ValueError, match="unknown suite 'smok'"):
        load_suite("smok")


def test_report_escapes_what_agents_write(tmp_path):
    import re

    from agentgym.benchmarks.report_html import render_report

    class Hostile:
        def reset(self, obs, info):
            pass

        def act(self, obs, info):
            return '</script><img src=x onerror="alert(1)"><guess word="<b>"/>'

    jobs = plan_jobs([SuiteEntry("Guess-v0", {"max_turns": 1})], [AgentSpec("hostile")], episodes=1)
    run_bench(jobs, tmp_path, make_agent=lambda *a, **k: Hostile())
    page = render_report([tmp_path])
    assert "</script><img" not in page
    data = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    outside = page[: data.start()] + page[data.end() :]
    assert "<img src=x" not in outside  # inside the JSON data it is inert text
    episode = json.loads(data.group(1))["episodes"][0]
    assert episode["steps"][0]["action"].startswith("</script><img")


def test_harness_perf_script_writes_its_rows(tmp_path):
    from agentgym.benchmarks.perf import harness

    assert harness.main(["--episodes", "4", "--latency-ms", "1", "--out", str(tmp_path)]) == 0
    rows = json.loads((tmp_path / "harness.json").read_text())["rows"]
    assert len(rows) == 6 and all(r["episodes/s"] > 0 for r in rows)
