"""The widget tree: what an app's view returns, what the agent reads and what is painted.

An app rebuilds its tree from its state after every change (state is the truth, widgets are a
view of it). Each widget carries a stable semantic ``key`` (used by focus, scrolling, popups,
the oracle and tests) and, once the screen numbers it, a per-observation integer ``id`` that
the agent addresses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

__all__ = ["Widget", "Rect", "INTERACTIVE_ROLES", "walk", "contains"]

Rect = tuple[int, int, int, int]
"""A rectangle ``(x, y, width, height)`` in logical pixels (a 640x400 screen)."""

INTERACTIVE_ROLES: frozenset[str] = frozenset(
    {
        "button",
        "menu",
        "menuitem",
        "listitem",
        "row",
        "textbox",
        "checkbox",
        "radio",
        "combobox",
        "option",
        "tab",
        "link",
        "cell",
    }
)


@dataclass(eq=False, slots=True)
class Widget:
    """One element of the accessibility tree.

    Attributes:
        role: ``window``, ``menubar``, ``menu``, ``menuitem``, ``toolbar``, ``button``,
            ``list``, ``listitem``, ``table``, ``row``, ``cell``, ``textbox``, ``checkbox``,
            ``radiogroup``, ``radio``, ``combobox``, ``option``, ``dialog``, ``tablist``,
            ``tab``, ``scrollarea``, ``group``, ``label``, ``heading``, ``link`` or ``status``.
        name: The accessible name (a label, a row's text).
        key: A stable semantic key, unique in the tree ("" for static decoration).
        rect: The bounds in logical pixels.
        value: A text box's text or a combo box's chosen option.
        checked: A checkbox's or radio button's state (None when not checkable).
        selected: Whether a list item, row or tab is selected.
        disabled: Whether the element ignores input.
        options: A combo box's options.
        items: A menu's entries as (label, callback) pairs, shown when the menu is open.
        children: Child widgets, in reading and painting order.
        on_click: Called when the element is clicked or activated.
        on_input: Called with the new text of a text box or the chosen option of a combo box.
        on_enter: Called when Enter is pressed in a focused text box.
        on_close: Called when a dialog is dismissed (Escape or its close button).
        scroll: ``(first, visible, total)`` rows of a scrollable area.
        style: A painting hint (``primary``, ``danger``, ``unread``, ``muted``, ``grid`` ...).
        id: The number the agent uses; 0 for elements that take no input.
    """

    role: str
    name: str = ""
    key: str = ""
    rect: Rect = (0, 0, 0, 0)
    value: str | None = None
    checked: bool | None = None
    selected: bool = False
    disabled: bool = False
    options: tuple[str, ...] = ()
    items: tuple[tuple[str, Callable[[], None]], ...] = ()
    children: list[Widget] = field(default_factory=list)
    on_click: Callable[[], None] | None = None
    on_input: Callable[[str], None] | None = None
    on_enter: Callable[[], None] | None = None
    on_close: Callable[[], None] | None = None
    scroll: tuple[int, int, int] | None = None
    style: str = ""
    id: int = 0

    @property
    def interactive(self) -> bool:
        """Whether the element takes input (and so gets an id)."""
        if self.disabled:
            return False
        if self.role in ("textbox", "combobox"):
            return self.on_input is not None
        if self.role == "menu":
            return bool(self.items)
        return self.role in INTERACTIVE_ROLES and self.on_click is not None

    def add(self, *children: Widget) -> Widget:
        """Append ``children`` and return self (for building trees inline)."""
        self.children.extend(children)
        return self


def walk(root: Widget) -> Iterator[Widget]:
    """Yield ``root`` and its descendants in pre-order (reading and tab order)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def contains(rect: Rect, x: float, y: float) -> bool:
    """Return whether the point ``(x, y)`` lies inside ``rect``."""
    rx, ry, rw, rh = rect
    return rx <= x < rx + rw and ry <= y < ry + rh
