"""The app protocol: state, a view of it as widgets, a grader and an oracle.

An app keeps its state in plain Python data (lists and dicts), so that the expected final
state of a task is the initial state with the task's goal operations applied by the same
model functions the widgets call. Success is judged by comparing snapshots of the two.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import numpy as np

from agentgym.environments.gui.widgets import Widget, walk
from agentgym.tools.base import ToolCall

if TYPE_CHECKING:
    from agentgym.environments.gui.screen import Screen

__all__ = [
    "App",
    "Op",
    "OracleStuck",
    "Template",
    "call",
    "fill",
    "menu",
    "pick",
    "reveal",
]

Op = dict[str, Any]
"""A goal or setup operation, e.g. ``{"op": "star", "msg": 3}``; JSON-friendly."""

Template = Callable[[np.random.Generator, str], tuple[str, dict[str, Any]]]
"""A task template: ``(rng, difficulty) -> (prompt, data)``."""


class OracleStuck(RuntimeError):
    """The oracle found no action that makes progress (a bug in an app or a template)."""


class App:
    """Base class of the mock apps.

    Args:
        world: Seed of the app's initial content.
        difficulty: ``"easy"``, ``"medium"`` or ``"hard"`` (more content, deeper lists).
        setup: Operations applied after generation (the task's starting state).
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    theme: str = "light"

    def __init__(self, world: int, difficulty: str, setup: Sequence[Op] = ()):
        self.world = world
        self.difficulty = difficulty
        self.state: dict[str, Any] = self.generate(np.random.default_rng(world), difficulty)
        for op in setup:
            self.apply(op)

    # --- to implement ----------------------------------------------------------------------

    @classmethod
    def generate(cls, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        """Return the initial state for a world drawn from ``rng``."""
        raise NotImplementedError

    def view(self, screen: Screen) -> Widget:
        """Return the window's widget tree for the current state."""
        raise NotImplementedError

    def apply(self, op: Op) -> None:
        """Apply a model operation (used for setup and for computing the expected state)."""
        raise NotImplementedError

    def snapshot(self, goal: Sequence[Op]) -> Any:
        """Return the part of the state the grader compares (UI-only state excluded)."""
        raise NotImplementedError

    def op_done(self, op: Op) -> bool:
        """Return whether the goal operation ``op`` holds in the current state."""
        raise NotImplementedError

    def oracle(self, screen: Screen, goal: Sequence[Op]) -> ToolCall:
        """Return the next tool call of a perfect agent pursuing ``goal``."""
        raise NotImplementedError

    def on_key(self, name: str, screen: Screen) -> str | None:
        """Handle an app shortcut (Delete); return what happened or None if unhandled."""
        return None

    # --- shared ----------------------------------------------------------------------------

    def expected(self, goal: Sequence[Op]) -> Any:
        """Return the snapshot of the state after applying ``goal`` to a copy of this app."""
        other = copy.copy(self)
        other.state = copy.deepcopy(self.state)
        for op in goal:
            other.apply(op)
        return other.snapshot(goal)


AppT = TypeVar("AppT", bound=App)


def call(screen: Screen, tool: str, key: str, **arguments: Any) -> ToolCall:
    """Return a call of ``tool`` on the widget with ``key``, addressed by its current id.

    Raises:
        OracleStuck: If the widget is not on screen or takes no input.
    """
    w = screen.find(key)
    if w is None or not w.id:
        raise OracleStuck(f"oracle wants {key!r} but it is not on screen")
    return ToolCall(tool, {"id": w.id, **arguments})


def fill(screen: Screen, desired: dict[str, Any]) -> ToolCall | None:
    """Return the call that sets the first form field differing from ``desired``, or None.

    ``desired`` maps widget keys to a text (text box), an option (combo box), a bool
    (checkbox) or True for a radio button that must be chosen.
    """
    for key, want in desired.items():
        w = screen.find(key)
        if w is None:
            raise OracleStuck(f"form field {key!r} is not on screen")
        if w.role == "textbox" and (w.value or "") != want:
            return call(screen, "type", key, text=want)
        if w.role == "combobox" and w.value != want:
            return call(screen, "select", key, option=want)
        if w.role in ("checkbox", "radio") and bool(w.checked) != bool(want):
            return call(screen, "click", key)
    return None


def reveal(screen: Screen, area_key: str, index: int, key: str) -> ToolCall:
    """Return a click on ``key`` (row ``index`` of scrollable ``area_key``), scrolling first."""
    w = screen.find(key)
    if w is not None and w.id:
        return call(screen, "click", key)
    area = screen.find(area_key)
    if area is None or area.scroll is None:
        raise OracleStuck(f"list {area_key!r} is not on screen")
    first = area.scroll[0]
    inner = next((c for c in walk(area) if c.id), None)
    if inner is None:
        raise OracleStuck(f"list {area_key!r} has no element to scroll by")
    return call(screen, "scroll", inner.key, direction="down" if index >= first else "up")


def menu(screen: Screen, label: str, item: str) -> ToolCall:
    """Return the next call that picks ``item`` from the menu bar's menu ``label``."""
    key = f"menu:{label}"
    if screen.open_key != key:
        return call(screen, "click", key)
    opener = screen.find(key)
    assert opener is not None
    labels = [name for name, _ in opener.items]
    if item not in labels:
        raise OracleStuck(f"menu {label!r} has no item {item!r}")
    return call(screen, "click", f"{key}/{labels.index(item)}")


def new_world(cls: type[AppT], rng: np.random.Generator, difficulty: str) -> tuple[int, AppT]:
    """Draw a world seed with ``rng`` and build the app ``cls`` on it (a template's first step)."""
    seed = int(rng.integers(2**31))
    return seed, cls(seed, difficulty)


def task_data(
    cls: type[App], seed: int, goal: list[Op], setup: list[Op] | None = None
) -> dict[str, Any]:
    """The task data of a template: the app, its world seed, setup and goal operations."""
    return {"app": cls.name, "world": seed, "setup": setup or [], "goal": goal}


def pick(rng: np.random.Generator, items: Sequence[Any], k: int | None = None) -> Any:
    """Return one item (or ``k`` distinct items, as a list) chosen with ``rng``."""
    if k is None:
        return items[int(rng.integers(len(items)))]
    idx = rng.choice(len(items), size=k, replace=False)
    return [items[int(i)] for i in idx]
