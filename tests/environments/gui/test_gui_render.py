"""Screenshots: shape, content, set-of-marks, themes, and incremental == full redraw."""

import numpy as np
import pytest

from agentgym.environments.gui import GUIEnv
from agentgym.environments.gui.render import Renderer


def oracle_frames(task_id, size=(640, 400), marks=False):
    env = GUIEnv(obs_mode="screenshot", screen_size=size, set_of_marks=marks)
    obs, _ = env.reset(options={"task_id": task_id})
    yield env, obs
    for _ in range(env.max_turns):
        obs, _, term, trunc, _ = env.step(env.oracle_action())
        yield env, obs
        if term or trunc:
            return


@pytest.mark.parametrize(
    "task_id",
    [
        "mail-forward/hard/0",
        "files-organize/hard/1",
        "calendar-reschedule/hard/2",
        "settings-notifications/hard/0",
        "shop-buy-two/medium/1",
    ],
)
def test_incremental_redraw_matches_full_redraw(task_id):
    full = Renderer((640, 400), cached=False)
    partial_steps = 0
    for env, frame in oracle_frames(task_id, marks=True):
        assert frame.shape == (400, 640, 3) and frame.dtype == np.uint8
        expected = full.render(env.screen, env.app.theme, marks=True)
        np.testing.assert_array_equal(frame, expected)
        partial_steps += env._renderer.last_dirty_fraction < 1.0
    assert partial_steps > 0  # some steps really were partial redraws


def test_screens_differ_and_are_deterministic():
    a = [f.copy() for _, f in oracle_frames("shop-add/easy/3")]
    b = [f.copy() for _, f in oracle_frames("shop-add/easy/3")]
    assert len(a) == len(b) > 2
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], a[1])


def test_set_of_marks_draws_over_elements():
    env = GUIEnv(obs_mode="screenshot")
    plain, _ = env.reset(options={"task_id": "mail-star/easy/0"})
    marked = env.screenshot(set_of_marks=True)
    diff = np.any(plain != marked, axis=2)
    x, y, w, h = env.screen.find("mail:btn:New").rect
    assert diff[y : y + h, x : x + w].any()
    assert diff.mean() < 0.2


def test_large_screens_and_dark_mode():
    frames = list(f.copy() for _, f in oracle_frames("settings-dark-font/easy/4", size=(1280, 800)))
    assert frames[0].shape == (800, 1280, 3)
    # The oracle applies dark mode: the last frame is much darker than the first.
    assert frames[-1].mean() < frames[0].mean() - 60


def test_renderer_rejects_bad_sizes():
    with pytest.raises(ValueError, match="16:10"):
        Renderer((640, 480))
