"""report.html in a real headless Chromium: the env rows, the episode viewer, a screenshot.

Needs Debian's ``chromium`` (installed by .ci/run). Elsewhere the test skips with that
reason; in CI (``CI`` set) a missing browser fails it.
"""

import os
import re
import shutil
import subprocess

import numpy as np
import pytest

from agentgym.benchmarks.harness import AgentSpec, SuiteEntry, load_episodes, plan_jobs, run_bench
from agentgym.benchmarks.report_html import write_report_html

IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    reason = "no Chromium on PATH (Debian: apt-get install chromium)"
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


def browse(tmp_path, url, *flags):
    cmd = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=5000",
        *flags,
        url,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("runs")
    entries = [
        SuiteEntry("AgentGUI-v0", {"difficulty": "easy"}),
        SuiteEntry("Guess-v0", {"max_turns": 3}),
        SuiteEntry("AgentMath-v0", {"difficulty": "easy"}),
        SuiteEntry("AgentMath-v0", {"difficulty": "medium"}),
    ]
    a, b = base / "random-run", base / "oracle-run"
    run_bench(plan_jobs(entries, [AgentSpec("random")], episodes=2), a)
    run_bench(plan_jobs(entries, [AgentSpec("oracle")], episodes=2), b)
    report = write_report_html([a, b], base / "report.html")
    return a, b, report


def test_report_is_self_contained_without_json_dumps(runs):
    _, _, report = runs
    page = report.read_text()
    assert not re.search(r"""(src|href)=["'](?!data:|#)""", page), "external resource"
    assert "<pre>{" not in page and "<pre>[" not in page
    assert page.count('class="env-row"') == 2 * 4 + 2  # per run: 4 (env, difficulty) + 1 "all"


def test_report_in_headless_chromium(runs, tmp_path):
    a, b, report = runs
    records = load_episodes(a / "episodes.jsonl") + load_episodes(b / "episodes.jsonl")
    gui = next(i for i, r in enumerate(records) if r["env_id"] == "AgentGUI-v0" and r["turns"] > 1)
    dom = browse(tmp_path, f"{report.as_uri()}#episode={gui}", "--dump-dom")
    envs = set(re.findall(r'class="env-row" data-env="([^"]+)"', dom))
    assert envs == {"AgentGUI-v0", "Guess-v0[max_turns=3]", "AgentMath-v0"}
    assert 'class="compare-row"' in dom
    # the viewer listed every episode and opened the GUI one, turns and screenshots inline
    assert len(re.findall(r'<tr data-index="\d+"', dom)) == len(records)
    assert f'data-open="{gui}"' in dom
    opened = dom.split('id="episode"', 1)[1]
    assert opened.count('class="turn step"') == records[gui]["turns"]
    assert (
        opened.count('<img class="shot" src="data:image/png;base64,') == records[gui]["turns"] + 1
    )
    assert records[gui]["task_id"] in opened
    shot = tmp_path / "report.png"
    browse(
        tmp_path,
        f"{report.as_uri()}#episode={gui}",
        "--window-size=1400,2000",
        f"--screenshot={shot}",
    )
    from PIL import Image, ImageStat

    image = Image.open(shot).convert("RGB")
    assert image.size == (1400, 2000)
    pixels = np.asarray(image.resize((140, 200))).reshape(-1, 3)
    colours = len(np.unique(pixels, axis=0))
    non_white = float((pixels.sum(axis=1) < 700).mean())
    assert colours > 20 and non_white > 0.03, (colours, non_white)
    assert max(ImageStat.Stat(image).stddev) > 10


def test_viewer_filters_in_chromium(runs, tmp_path):
    a, b, report = runs
    records = load_episodes(a / "episodes.jsonl") + load_episodes(b / "episodes.jsonl")
    dom = browse(tmp_path, f"{report.as_uri()}#env=AgentMath-v0&outcome=success", "--dump-dom")
    expected = [i for i, r in enumerate(records) if r["env"] == "AgentMath-v0" and r["success"]]
    assert expected
    shown = [int(i) for i in re.findall(r'<tr data-index="(\d+)"', dom)]
    assert shown == expected
    assert f"{len(expected)} episodes" in dom
