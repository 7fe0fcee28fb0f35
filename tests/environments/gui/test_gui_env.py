"""The env contract in every observation mode: check_env, vectors, determinism, errors, files."""

import hashlib
import json
import subprocess
import sys
import warnings
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from PIL import Image

import agentgym  # noqa: F401  (registers the envs)
from agentgym.environments.gui import GUIEnv, RecordEpisode
from agentgym.spaces import UnicodeText
from agentgym.tasks import TaskFileError


@pytest.mark.parametrize("obs_mode", ["text", "screenshot", "both"])
@pytest.mark.parametrize("render_mode", [None, "ansi", "rgb_array"])
def test_check_env_without_warnings(obs_mode, render_mode):
    env = gym.make("AgentGUI-v0", obs_mode=obs_mode, render_mode=render_mode)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            check_env(env.unwrapped, skip_render_check=render_mode is None)
    finally:
        env.close()


def test_observation_spaces():
    text = GUIEnv()
    assert isinstance(text.observation_space, UnicodeText)
    shot = GUIEnv(obs_mode="screenshot", screen_size=(1280, 800))
    assert shot.observation_space.shape == (800, 1280, 3)
    both = GUIEnv(obs_mode="both")
    obs, info = both.reset(seed=1)
    assert set(obs) == {"text", "screenshot"} and both.observation_space.contains(obs)
    assert info["messages"][1]["content"] in obs["text"]
    assert obs["text"].startswith(both.task.prompt)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"obs_mode": "pixels"}, "obs_mode"),
        ({"screen_size": (640, 480)}, "16:10"),
        ({"screen_size": (0, 0)}, "screen_size"),
        ({"screen_size": "big"}, "screen_size"),
        ({"render_mode": "human"}, "render_mode"),
        ({"task_source": 5}, "task_source"),
        ({"difficulty": "brutal"}, "difficulty"),
    ],
)
def test_bad_constructor_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GUIEnv(**kwargs)


def test_render_modes():
    env = GUIEnv(render_mode="ansi")
    env.reset(seed=0)
    env.step("<key>Tab</key>")
    text = env.render()
    assert "turn=1" in text and "focused" in text
    env = GUIEnv(render_mode="rgb_array", screen_size=(1280, 800))
    env.reset(seed=0)
    frame = env.render()
    assert frame.shape == (800, 1280, 3) and frame.dtype == np.uint8


@pytest.mark.parametrize("obs_mode", ["screenshot", "both"])
def test_malformed_actions_in_pixel_modes(obs_mode):
    env = GUIEnv(obs_mode=obs_mode)
    first, _ = env.reset(seed=3)
    for bad in ["", "<click>oops</click>", "<nuke/>", "{bad json", "\udcff\x00"]:
        obs, r, term, trunc, info = env.step(bad)
        assert env.observation_space.contains(obs) and not term
        assert info["parse_error"] or not info["tool_results"][0]["ok"]
    # The status bar reports the last error on the screenshot too.
    assert "Error" in env.screen.status
    shot = obs if obs_mode == "screenshot" else obs["screenshot"]
    assert not np.array_equal(shot, first if obs_mode == "screenshot" else first["screenshot"])


@pytest.mark.parametrize("obs_mode", ["screenshot", "both"])
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_vector_envs_move_screenshots(obs_mode, mode):
    envs = gym.make_vec(
        "AgentGUI-v0", num_envs=2, vectorization_mode=mode, obs_mode=obs_mode, max_turns=2
    )
    try:
        obs, _ = envs.reset(seed=0)
        shots = obs if obs_mode == "screenshot" else obs["screenshot"]
        assert shots.shape == (2, 400, 640, 3)
        before = shots.copy()
        obs, r, term, trunc, info = envs.step(["<key>Tab</key>", "<click>1</click>"])
        after = obs if obs_mode == "screenshot" else obs["screenshot"]
        assert not np.array_equal(before[0], after[0]) and not np.array_equal(before[1], after[1])
        if obs_mode == "both":
            assert all("focus moved" in t or "clicked" in t or "opened" in t for t in obs["text"])
        obs, r, term, trunc, info = envs.step(["<key>Tab</key>"] * 2)
        assert trunc.all()
    finally:
        envs.close()


def digest(task_seed, obs_mode="both"):
    env = GUIEnv(obs_mode=obs_mode)
    obs, _ = env.reset(seed=task_seed)
    out = [hashlib.sha1(obs["screenshot"].tobytes()).hexdigest(), obs["text"]]
    for _ in range(5):
        obs, r, term, trunc, info = env.step(env.oracle_action())
        out += [hashlib.sha1(obs["screenshot"].tobytes()).hexdigest(), obs["text"], r]
        if term or trunc:
            break
    return out


def test_same_seed_same_pixels_across_processes():
    here = digest(11)
    here_dir = str(Path(__file__).resolve().parent)
    code = (
        f"import json, sys; sys.path.insert(0, {here_dir!r}); "
        "from test_gui_env import digest; print(json.dumps(digest(11)))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == here
    assert digest(12) != here


def test_jsonl_task_source(tmp_path):
    source = GUIEnv()
    task = source.tasks.get("calendar-create/medium/4")
    record = {
        "task_id": "cal-1",
        "prompt": task.prompt,
        "difficulty": "medium",
        "data": dict(task.data),
    }
    path = tmp_path / "tasks.jsonl"
    path.write_text(json.dumps(record) + "\n")
    env = GUIEnv(task_source=path)
    env.reset(seed=0)
    assert env.task_id == "cal-1"
    for _ in range(30):
        *_, term, trunc, info = env.step(env.oracle_action())
        if term or trunc:
            break
    assert info["success"]
    path.write_text('{"task_id": "x", "prompt": "p"}\n')
    with pytest.raises(TaskFileError, match="data"):
        GUIEnv(task_source=path)


def test_bad_task_dicts_are_clear_errors():
    env = GUIEnv()
    with pytest.raises(ValueError, match="field 'data.app'"):
        env.reset(options={"task": {"task_id": "t", "prompt": "p", "data": {"app": "paint"}}})
    with pytest.raises(ValueError, match="invalid setup or goal"):
        env.reset(
            options={
                "task": {
                    "task_id": "t",
                    "prompt": "p",
                    "data": {"app": "mail", "world": 1, "setup": [{"op": "explode"}]},
                }
            }
        )


def test_record_episode_writes_pngs_and_gif(tmp_path):
    env = RecordEpisode(gym.make("AgentGUI-v0", max_turns=3), tmp_path)
    env.reset(seed=0)
    for action in ["<key>Tab</key>", "<key>Tab</key>", "<key>Tab</key>"]:
        *_, term, trunc, _ = env.step(action)
    assert trunc
    pngs = sorted((tmp_path / "episode_0000").glob("*.png"))
    assert [p.name for p in pngs] == [f"step_{i:04d}.png" for i in range(4)]
    with Image.open(tmp_path / "episode_0000.gif") as gif:
        assert gif.n_frames == 4 and gif.size == (640, 400)
    env.reset(seed=1)
    env.step("<key>Tab</key>")
    env.close()  # an unfinished episode is still written
    with Image.open(tmp_path / "episode_0001.gif") as gif:
        assert gif.n_frames == 2


def test_quotes_an_agent_types_are_escaped_in_the_tree_and_the_status_line():
    env = GUIEnv(task_source="builtin:mail")
    obs, _ = env.reset(seed=0)
    obs, *_ = env.step('<type id="4">say "hi" \\ now</type>')
    lines = obs.splitlines()
    field = next(ln for ln in lines if "Search mail" in ln and "value=" in ln)
    assert 'value="say \\"hi\\" \\\\ now"' in field
    status = next(ln for ln in lines if ln.strip().startswith("status "))
    import json

    # The status line's text reads back exactly, nested quotes and all.
    assert json.loads(status.strip()[len("status ") :]).startswith('typed "say \\"hi\\"')
    env.close()
