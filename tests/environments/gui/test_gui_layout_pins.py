"""Pin every app's layout and pixels, so a rewrite of the views provably draws the same screens.

The golden episodes hash the text tree, which carries no bounds and no pixels. This test hashes,
at every step, the whole widget tree (every field but the callbacks, bounds included) and the
screenshot (with and without set-of-marks): along one oracle episode per template at each
difficulty, and along episodes that click, type, select, scroll and press keys at random on
the elements on screen (opening menus, drop-downs, dialogs and tabs the oracle never opens).

Re-record only for an intended change of the screens, and say why in the commit:
``python tests/environments/gui/test_gui_layout_pins.py --record``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from agentgym.environments.gui import GUIEnv
from agentgym.environments.gui.catalog import APPS, TEMPLATES
from agentgym.environments.gui.screen import KEYS, GUIError
from agentgym.environments.gui.widgets import Widget, walk

PINS = Path(__file__).with_name("layout_pins.json")
ORACLE_CASES = [f"{t}/{d}/0" for t in sorted(TEMPLATES) for d in ("easy", "medium", "hard")]
EXPLORE_CASES = [f"{app}/{seed}" for app in sorted(APPS) for seed in range(6)]
EXPLORE_STEPS = 60


def _widget_record(w: Widget) -> list[object]:
    return [
        w.role,
        w.name,
        w.key,
        list(w.rect),
        w.value,
        w.checked,
        w.selected,
        w.disabled,
        list(w.options),
        [label for label, _ in w.items],
        list(w.scroll) if w.scroll is not None else None,
        w.style,
        w.id,
        w.interactive,
        [w.on_enter is not None, w.on_close is not None],
        len(w.children),
    ]


def _frame_hash(env: GUIEnv, h: hashlib._Hash) -> None:
    env.screen.refresh()
    tree = [_widget_record(w) for w in walk(env.screen.root)]
    h.update(json.dumps([env.screen.focus_key, env.screen.open_key, tree]).encode())
    for marks in (False, True):
        h.update(np.ascontiguousarray(env.screenshot(set_of_marks=marks)).tobytes())


def oracle_hash(case: str) -> str:
    """Hash of every frame of the oracle's episode on task ``case``."""
    env = GUIEnv(reward_mode="dense")
    env.reset(options={"task_id": case})
    h = hashlib.sha256()
    _frame_hash(env, h)
    for _ in range(env.max_turns):
        *_, term, trunc, _ = env.step(env.oracle_action())
        _frame_hash(env, h)
        if term or trunc:
            break
    return h.hexdigest()[:16]


def _explore_step(env: GUIEnv, rng: np.random.Generator) -> None:
    screen = env.screen
    screen.refresh()
    kind = rng.choice(["click", "click", "click", "type", "select", "scroll", "key", "xy"])
    elements = screen.interactive
    try:
        if kind == "key":
            screen.key(str(rng.choice(list(KEYS) + ["a", "Z", "5"])))
        elif kind == "xy":
            screen.click_xy(float(rng.integers(640)), float(rng.integers(400)))
        elif elements:
            w = elements[int(rng.integers(len(elements)))]
            if kind == "type" and w.role == "textbox":
                screen.type(w.id, "".join(rng.choice(list("ab c9"), size=int(rng.integers(8)))))
            elif kind == "select" and w.role == "combobox" and w.options:
                screen.select(w.id, str(rng.choice(list(w.options))))
            elif kind == "scroll":
                screen.scroll(w.id, str(rng.choice(["up", "down"])))
            else:
                screen.click(w.id)
    except GUIError:
        pass
    env._set_status(f"step {kind}")


def explore_hash(case: str) -> str:
    """Hash of every frame of random play on the elements of app ``case`` (``app/seed``)."""
    app, seed = case.split("/")
    template = sorted(t for t in TEMPLATES if t.startswith(app + "-"))[int(seed)]
    env = GUIEnv()
    env.reset(options={"task_id": f"{template}/{('easy', 'hard')[int(seed) % 2]}/{seed}"})
    rng = np.random.default_rng(int(seed))
    h = hashlib.sha256()
    _frame_hash(env, h)
    for _ in range(EXPLORE_STEPS):
        _explore_step(env, rng)
        _frame_hash(env, h)
    return h.hexdigest()[:16]


def record_all() -> dict[str, dict[str, str]]:
    """Hashes of every oracle and exploring episode."""
    return {
        "oracle": {case: oracle_hash(case) for case in ORACLE_CASES},
        "explore": {case: explore_hash(case) for case in EXPLORE_CASES},
    }


@pytest.fixture(scope="module")
def pins() -> dict[str, dict[str, str]]:
    return json.loads(PINS.read_text())


@pytest.mark.parametrize("case", ORACLE_CASES)
def test_oracle_frames_are_pinned(case, pins):
    assert oracle_hash(case) == pins["oracle"][case]


@pytest.mark.parametrize("case", EXPLORE_CASES)
def test_explored_frames_are_pinned(case, pins):
    assert explore_hash(case) == pins["explore"][case]


def test_pins_cover_every_case(pins):
    assert set(pins["oracle"]) == set(ORACLE_CASES)
    assert set(pins["explore"]) == set(EXPLORE_CASES)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--record", action="store_true", help="rewrite the pins file")
    if parser.parse_args().record:
        PINS.write_text(json.dumps(record_all(), indent=1, sort_keys=True) + "\n")
        print(f"wrote {PINS.name}")
    sys.exit(0)
