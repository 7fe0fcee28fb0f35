"""AgentGUI-v0: mock desktop apps driven through an accessibility tree and screenshots."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces

from agentgym.core import AgentEnv
from agentgym.environments.gui.app import App, Op, OracleStuck
from agentgym.environments.gui.catalog import APPS
from agentgym.environments.gui.screen import HEIGHT, KEYS, WIDTH, GUIError, Screen
from agentgym.environments.gui.tasks import FAMILY
from agentgym.spaces import UnicodeText
from agentgym.tasks import Task, TaskFamily
from agentgym.tools.base import Tool, ToolCall, ToolOutput

__all__ = ["GUIEnv", "OBS_MODES"]

OBS_MODES: tuple[str, ...] = ("text", "screenshot", "both")


@functools.lru_cache(maxsize=8)
def _screenshot_space(height: int, width: int) -> spaces.Box:
    """Return the screenshot space, shared by envs of one size.

    A ``Box`` stores its bounds as full arrays (about 12 MiB at 1280x800); the space is never
    mutated, so envs share one (and its sampling generator) instead of each holding a copy.
    """
    return spaces.Box(0, 255, (height, width, 3), np.uint8)


class GUIEnv(AgentEnv):
    """Operate mock desktop apps (mail, calendar, files, settings, shop, tasks) to reach a goal.

    ## Description

    Each episode opens one app in a given state and asks for a change ("forward the mail from
    X about Y to Z", "move every PDF in Reports to Archive", "buy two medium red shirts and
    check out"). Apps are widget trees with real state: windows, menus, lists, tables, text
    fields, checkboxes, radio groups, drop-downs, dialogs, tabs and scrollable areas, with the
    focus and keyboard behaviour a person expects (Tab order, Enter submits or activates,
    Escape closes menus and dialogs, typed characters go to the focused field). Success is
    judged on the app's final state, not on the actions taken. 49 task templates over six
    apps, each generated from a seed at three difficulty levels.

    ## Action Space

    The assistant's completion (:class:`~agentgym.spaces.UnicodeText`), parsed into tool calls
    in ``action_format``, e.g. ``<click id="7"/>``, ``<type id="3">Hello</type>``,
    ``<key>Enter</key>``.

    ## Observation Space

    ``obs_mode="text"``: the accessibility tree as indented text (each interactive element
    carries ``[id]``), after the results of the step's calls (:class:`UnicodeText`).
    ``"screenshot"``: an RGB ``Box(0, 255, (H, W, 3), uint8)`` drawn with Pillow, with
    optional set-of-marks boxes numbering the elements; the status bar at the bottom shows the
    last call's result. ``"both"``: ``Dict(text=UnicodeText, screenshot=Box)``. The reset
    info always carries the task prompt in ``messages``.

    ## Rewards

    Sparse: the score (1 if the final state is the goal state, else 0) on the last step.
    Dense adds potential-based progress (fraction of goal operations holding) and penalties.

    ## Starting State

    The task's app, generated from the task's world seed plus setup operations; nothing
    selected or focused.

    ## Episode End

    Terminated by ``done()``; truncated at ``max_turns``.

    ## Arguments

    | argument | default | meaning |
    |---|---|---|
    | ``obs_mode`` | ``"text"`` | ``"text"``, ``"screenshot"`` or ``"both"`` |
    | ``screen_size`` | ``(640, 400)`` | screenshot size; any 16:10 size, e.g. ``(1280, 800)`` |
    | ``set_of_marks`` | ``False`` | draw numbered boxes over interactive elements |
    | ``reward_mode`` | ``"sparse"`` | ``"sparse"`` or ``"dense"`` |
    | ``max_turns`` | 50 | steps before truncation |
    | ``action_format`` | ``"xml"`` | ``"xml"``, ``"json"`` or ``"openai"`` |
    | ``task_source`` | None | None (all templates) or a JSONL file of tasks |
    | ``difficulty`` | None | ``"easy"``, ``"medium"``, ``"hard"`` or None |
    | ``render_mode`` | None | ``"ansi"`` (the tree) or ``"rgb_array"`` (a screenshot) |

    >>> import gymnasium as gym
    >>> import agentgym
    >>> env = gym.make("AgentGUI-v0", obs_mode="text")
    >>> obs, info = env.reset(seed=0, options={"task_id": "settings-dark-font/easy/0"})
    >>> "Settings" in obs
    True
    >>> while True:
    ...     obs, reward, terminated, truncated, info = env.step(env.unwrapped.oracle_action())
    ...     if terminated or truncated:
    ...         break
    >>> info["success"]
    True

    ## Tools

    ``click(id)``, ``click_xy(x, y)`` (screenshot pixels, hit-tested against the layout),
    ``type(id, text)`` (replaces the field's text), ``select(id, option)`` (combo box or radio
    group), ``scroll(id, direction)`` (the scrollable area holding the element, by a page),
    ``key(name)`` (Tab, Shift+Tab, Enter, Escape, Space, arrows, Backspace, Delete or one
    printable character typed into the focused field) and ``done()`` (ends the episode).

    ## Reward components

    ``outcome``, ``progress``, ``format`` (see :class:`AgentEnv`), ``repeat`` (always 0 here:
    pressing Tab or scrolling twice is normal use of a GUI, not a loop) and ``invalid`` (-0.05
    for each call naming an element id that is not on screen).

    ## Version History

    * v0: Initial version.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}
    default_max_turns: ClassVar[int] = 50
    extra_reward_components: ClassVar[tuple[str, ...]] = ("invalid",)
    invalid_penalty: ClassVar[float] = -0.05
    task_family: ClassVar[TaskFamily] = FAMILY
    description: ClassVar[str] = (
        "You operate a desktop app through its accessibility tree or screenshots. Elements "
        "that take input are numbered [id]. Change the app's state as the user asks, then "
        "call done()."
    )

    def __init__(
        self,
        *,
        obs_mode: str = "text",
        screen_size: tuple[int, int] = (WIDTH, HEIGHT),
        set_of_marks: bool = False,
        **config: Any,
    ):
        super().__init__(**config)
        if obs_mode not in OBS_MODES:
            raise ValueError(f"obs_mode must be one of {OBS_MODES}, got {obs_mode!r}")
        if (
            not isinstance(screen_size, tuple | list)
            or len(screen_size) != 2
            or not all(
                isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in screen_size
            )
        ):
            raise ValueError(
                f"screen_size must be (width, height) positive ints, got {screen_size!r}"
            )
        w, h = screen_size
        if w * HEIGHT != h * WIDTH or w < 320:
            raise ValueError(
                f"screen_size must have the 16:10 shape of {WIDTH}x{HEIGHT} and width >= 320, "
                f"got {tuple(screen_size)}"
            )
        self.obs_mode = obs_mode
        self.screen_size = (w, h)
        self.set_of_marks = bool(set_of_marks)
        self.app: App | None = None
        self.screen: Screen | None = None
        self.goal: list[Op] = []
        self._expected: Any = None
        self._renderer: Any = None
        self._frame: tuple[tuple[int, bool, str], np.ndarray] | None = None
        shot = _screenshot_space(h, w)
        if obs_mode == "screenshot":
            self.observation_space = shot
        elif obs_mode == "both":
            self.observation_space = spaces.Dict(
                {"text": UnicodeText(self.max_observation_chars), "screenshot": shot}
            )

    def render(self) -> Any:
        """Return the tree as text (``"ansi"``) or a screenshot array (``"rgb_array"``)."""
        if self.render_mode == "rgb_array":
            return self.screenshot() if self.screen is not None else None
        return super().render()

    # --- public helpers --------------------------------------------------------------------

    def screenshot(self, set_of_marks: bool | None = None) -> np.ndarray:
        """Return the current screen as an ``(H, W, 3)`` uint8 array (a fresh copy)."""
        if self.screen is None or self.app is None:
            raise RuntimeError("call reset() before screenshot()")
        marks = self.set_of_marks if set_of_marks is None else set_of_marks
        self.screen.refresh()
        key = (self.screen.version, marks, self.app.theme)
        if self._frame is not None and self._frame[0] == key:
            return self._frame[1].copy()
        if self._renderer is None:
            from agentgym.environments.gui.render import Renderer

            self._renderer = Renderer(self.screen_size)
        # The renderer's buffer stays valid until the next render, which only happens here.
        frame = self._renderer.render(self.screen, self.app.theme, marks)
        self._frame = (key, frame)
        return frame.copy()

    def accessibility_tree(self) -> str:
        """Return the current accessibility tree as text."""
        if self.screen is None:
            raise RuntimeError("call reset() before accessibility_tree()")
        return self.screen.text()

    # --- hooks -----------------------------------------------------------------------------

    def _make_tools(self) -> Sequence[Tool]:
        def obj(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
            return {"type": "object", "properties": props, "required": required}

        eid = {"type": "integer", "description": "the element's [id] in the tree"}
        # Pressing Tab or scrolling twice is normal use of a GUI, not a loop: no repeat penalty.
        return [
            Tool(
                "click",
                "Click the element with this id.",
                obj({"id": eid}, ["id"]),
                self._click,
                main_arg="id",
                repeatable=True,
            ),
            Tool(
                "click_xy",
                "Click at pixel (x, y) of the screenshot.",
                obj({"x": {"type": "number"}, "y": {"type": "number"}}, ["x", "y"]),
                self._click_xy,
                repeatable=True,
            ),
            Tool(
                "type",
                "Replace the text of the text field with this id.",
                obj({"id": eid, "text": {"type": "string"}}, ["id", "text"]),
                self._type,
                main_arg="text",
                repeatable=True,
            ),
            Tool(
                "select",
                "Choose an option of a drop-down or radio group by its label.",
                obj({"id": eid, "option": {"type": "string"}}, ["id", "option"]),
                self._select,
                main_arg="option",
                repeatable=True,
            ),
            Tool(
                "scroll",
                "Scroll the list holding this element by a page.",
                obj(
                    {"id": eid, "direction": {"type": "string", "enum": ["up", "down"]}},
                    ["id", "direction"],
                ),
                self._scroll,
                main_arg="direction",
                repeatable=True,
            ),
            Tool(
                "key",
                "Press a key: " + ", ".join(KEYS) + ", or one character to type.",
                obj({"name": {"type": "string"}}, ["name"]),
                self._key,
                main_arg="name",
                repeatable=True,
            ),
            Tool(
                "done",
                "Finish the task; the app's state is then graded.",
                obj({}, []),
                self._finish,
                terminal=True,
            ),
        ]

    def _begin(self, task: Task) -> str:
        data = task.data  # a GUITaskData: the app name and the field types are checked
        try:
            self.app = APPS[data["app"]](int(data["world"]), task.difficulty, list(data["setup"]))
            self.goal = [dict(op) for op in data["goal"]]
            self._expected = self.app.expected(self.goal)
        except (KeyError, ValueError, TypeError, StopIteration) as e:
            raise ValueError(f"task {task.task_id!r}: invalid setup or goal ({e!r})") from None
        self.screen = Screen(self.app)
        self._frame = None
        return f"{task.prompt}\n\n{self.screen.text()}"

    def _score(self) -> float:
        assert self.app is not None
        ok = self.app.snapshot(self.goal) == self._expected and all(
            self.app.op_done(op) for op in self.goal
        )
        return 1.0 if ok else 0.0

    def _potential(self) -> float:
        if self.app is None or not self.goal:
            return 0.0
        return sum(self.app.op_done(op) for op in self.goal) / len(self.goal)

    def _oracle_calls(self) -> Sequence[ToolCall]:
        assert self.app is not None and self.screen is not None
        try:
            return [self.app.oracle(self.screen, self.goal)]
        except OracleStuck:
            # Earlier actions destroyed what the goal needs (e.g. deleted the event to edit):
            # no action reaches the goal any more, so the best remaining one is to stop.
            return [ToolCall("done", {})]

    def _observation(
        self,
        error: str | None,
        calls: Sequence[ToolCall],
        outputs: Sequence[ToolOutput],
        truncated: bool,
    ) -> str:
        text = super()._observation(error, calls, outputs, truncated)
        if self.screen is None:
            return text
        if error is not None:
            self._set_status(f"Error: {error}")
        return self._clip(f"{text}\n\n{self.screen.text()}")

    # --- internals -------------------------------------------------------------------------

    def _present(self, text: str) -> Any:
        if self.obs_mode == "text":
            return text
        shot = self.screenshot()
        if self.obs_mode == "screenshot":
            return shot
        return {"text": text, "screenshot": shot}

    def _set_status(self, message: str) -> None:
        assert self.screen is not None
        self.screen.status = message.split("\n", 1)[0][:120]
        self.screen.invalidate()

    def _act(self, fn: Any, *args: Any) -> ToolOutput:
        try:
            message = fn(*args)
        except GUIError as e:
            self._set_status(f"Error: {e}")
            rewards = {"invalid": self.invalid_penalty} if e.invalid_id else {}
            return ToolOutput(f"error: {e}", ok=False, rewards=rewards)
        self._set_status(message)
        return ToolOutput(message)

    def _click(self, id: int) -> ToolOutput:
        assert self.screen is not None
        return self._act(self.screen.click, id)

    def _click_xy(self, x: float, y: float) -> ToolOutput:
        assert self.screen is not None
        scale = self.screen_size[0] / WIDTH
        return self._act(self.screen.click_xy, x / scale, y / scale)

    def _type(self, id: int, text: str) -> ToolOutput:
        assert self.screen is not None
        return self._act(self.screen.type, id, text)

    def _select(self, id: int, option: str) -> ToolOutput:
        assert self.screen is not None
        return self._act(self.screen.select, id, option)

    def _scroll(self, id: int, direction: str) -> ToolOutput:
        assert self.screen is not None
        return self._act(self.screen.scroll, id, direction)

    def _key(self, name: str) -> ToolOutput:
        assert self.screen is not None
        return self._act(self.screen.key, name)

    def _finish(self) -> ToolOutput:
        return ToolOutput("done: the app state will be graded")
