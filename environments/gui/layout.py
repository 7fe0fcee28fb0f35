"""Layout: the pixel arithmetic the app views share, so that a view reads as data.

Every app window has the same frame (title bar, menu bar, content below ``CONTENT_TOP``, the
screen's status line under ``CONTENT_BOTTOM``) and is built from the same few arrangements:
a strip of buttons or tabs, a side list, a scrollable list of rows, a grid of cells, a form of
labelled fields, a radio group and a small dialog. The helpers here compute the bounds of
those; the apps say only where a block goes and what is in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from agentgym.environments.gui.screen import HEIGHT, STATUS_HEIGHT, WIDTH, Screen
from agentgym.environments.gui.widgets import Rect, Widget

__all__ = [
    "CONTENT_BOTTOM",
    "CONTENT_TOP",
    "WIDTH",
    "Entry",
    "Form",
    "Spec",
    "build",
    "dialog_buttons",
    "flow_row",
    "grid_cell",
    "menubar",
    "prompt_dialog",
    "radio_group",
    "scroll_list",
    "side_list",
    "strip",
    "window",
]

TITLE_H, MENU_H = 20, 18
CONTENT_TOP = TITLE_H + MENU_H
"""The top of an app's content, below its title and menu bars."""
CONTENT_BOTTOM = HEIGHT - STATUS_HEIGHT
"""The bottom of an app's content, above the screen's status line."""

Entry = tuple[str, str, dict[str, Any]]
"""An element of a row or list: ``(label, key, widget keyword arguments)``."""

Spec = tuple[str, str, str, Rect, dict[str, Any]]
"""A widget as data: ``(role, name, key, bounds, keyword arguments)``."""

T = TypeVar("T")


def build(*specs: Spec) -> list[Widget]:
    """Return the widgets that ``specs`` describe, in order."""
    return [Widget(role, name, key, rect, **kwargs) for role, name, key, rect, kwargs in specs]


def window(title: str) -> Widget:
    """Return the top-level window widget with its title bar."""
    root = Widget("window", title, "window", (0, 0, WIDTH, HEIGHT))
    root.children.append(Widget("heading", title, "", (0, 0, WIDTH, TITLE_H), style="titlebar"))
    return root


def menubar(menus: Sequence[tuple[str, Sequence[tuple[str, Callable[[], None]]]]]) -> Widget:
    """Return a menu bar whose menus open to show ``(label, callback)`` entries."""
    bar = Widget("menubar", "", "", (0, TITLE_H, WIDTH, MENU_H))
    x = 4
    for label, items in menus:
        w = 12 + 7 * len(label)
        bar.children.append(
            Widget(
                "menu", label, f"menu:{label}", (x, TITLE_H + 1, w, MENU_H - 2), items=tuple(items)
            )
        )
        x += w + 2
    return bar


def flow_row(
    role: str,
    entries: Sequence[Entry],
    *,
    x: int,
    y: int,
    height: int,
    pad: int,
    gap: int,
) -> tuple[list[Widget], int]:
    """Lay out buttons or tabs left to right, each as wide as its label.

    Args:
        role: ``"button"`` or ``"tab"``.
        entries: ``(label, key, widget keyword arguments)`` per element, in order.
        x: Left edge of the first element.
        y: Top edge of the row.
        height: Height of every element.
        pad: Width of an element beyond its label's 6 pixels per character.
        gap: Space between elements.

    Returns:
        The widgets and the x just past the last one (where the next element may go).
    """
    out = []
    for label, key, kwargs in entries:
        width = pad + 6 * len(label)
        out.append(Widget(role, label, key, (x, y, width, height), **kwargs))
        x += width + gap
    return out, x


def strip(
    role: str, name: str, entries: Sequence[Entry], *, x: int, pad: int, gap: int
) -> tuple[Widget, int]:
    """A full-width bar under the menu bar: a ``toolbar`` of buttons or a ``tablist`` of tabs.

    The bar is 24 pixels high; buttons are 18 high (3 below its top), tabs 22 (2 below it),
    laid out by :func:`flow_row` from ``x``.

    Returns:
        The bar and the x just past its last element (where a search field may go).
    """
    item, dy, height = {"toolbar": ("button", 3, 18), "tablist": ("tab", 2, 22)}[role]
    bar = Widget(role, name, "", (0, CONTENT_TOP, WIDTH, 24))
    row, end = flow_row(item, entries, x=x, y=CONTENT_TOP + dy, height=height, pad=pad, gap=gap)
    return bar.add(*row), end


def side_list(
    name: str,
    key: str,
    box: Rect,
    items: Sequence[Entry],
    *,
    row_h: int,
    inset: int = 4,
) -> Widget:
    """A vertical list (folders, places, lists) whose items are stacked rows of ``row_h``.

    Args:
        name: The list's accessible name.
        key: Its semantic key.
        box: Its bounds; items start ``inset`` pixels below its top, 2 pixels in.
        items: ``(label, key, widget keyword arguments)`` per item, top to bottom.
        row_h: Height of one item.
        inset: Space above the first item.
    """
    x, y, w, _ = box
    panel = Widget("list", name, key, box)
    for i, (label, item_key, kwargs) in enumerate(items):
        panel.add(
            Widget(
                "listitem", label, item_key, (x + 2, y + inset + i * row_h, w - 4, row_h), **kwargs
            )
        )
    return panel


def grid_cell(origin: tuple[int, int], i: int, *, columns: int, pitch: Rect) -> Rect:
    """The bounds of cell ``i`` of a grid filled row by row.

    Args:
        origin: ``(x, y)`` of the first cell.
        i: The cell's index.
        columns: Cells per row.
        pitch: ``(dx, dy, width, height)``: the step to the next column and row, and the
            cell's size.
    """
    dx, dy, w, h = pitch
    row, col = divmod(i, columns)
    return (origin[0] + col * dx, origin[1] + row * dy, w, h)


def scroll_list(
    screen: Screen,
    spec: tuple[str, str, str, Rect],
    items: Sequence[T],
    row: Callable[[T, Rect], Widget],
    *,
    rows: int,
    first_row: Rect,
    pitch: int,
    header: tuple[str, int, str] | None = None,
    empty: tuple[str, Rect] | None = None,
) -> Widget:
    """A list, table or scroll area that shows ``rows`` of ``items`` from its scroll offset.

    Args:
        screen: The screen that keeps the scroll offset (under the area's key).
        spec: ``(role, name, key, bounds)`` of the area.
        items: Everything the area could show.
        row: Makes the widget of one item in the bounds given.
        rows: How many rows fit.
        first_row: The bounds of the top row; each next row is ``pitch`` lower.
        pitch: Distance between the tops of two rows.
        header: ``(text, width, style)`` of a column header at the area's top left, 2 in.
        empty: ``(text, bounds)`` of the muted label shown when there are no items.
    """
    role, name, key, box = spec
    first = screen.scroll_window(key, len(items), rows)
    area = Widget(role, name, key, box, scroll=(first, rows, len(items)))
    if header is not None:
        text, width, style = header
        area.add(Widget("label", text, "", (box[0] + 2, box[1], width, 18), style=style))
    x, y, w, h = first_row
    for i, item in enumerate(items[first : first + rows]):
        area.add(row(item, (x, y + i * pitch, w, h)))
    if not items and empty is not None:
        area.add(Widget("label", empty[0], "", empty[1], style="muted"))
    return area


@dataclass(frozen=True)
class Form:
    """A form's two columns: where each row's label and field go.

    Attributes:
        label_x: Left edge of the labels.
        label_w: Width of a label.
        field_x: Left edge of the fields (each field is 20 high).
        label_dy: How far a label sits below its field's top.
        label_h: Height of a label.
    """

    label_x: int
    label_w: int
    field_x: int
    label_dy: int = 0
    label_h: int = 20

    def label(self, text: str, y: int) -> Widget:
        """The label of the row whose field's top is ``y``."""
        return Widget(
            "label", text, "", (self.label_x, y + self.label_dy, self.label_w, self.label_h)
        )

    def row(
        self, y: int, label: str, role: str, key: str, width: int, **kwargs: Any
    ) -> tuple[Widget, Widget]:
        """A label and its field, named like the label, ``width`` wide with its top at ``y``."""
        field = Widget(role, label, key, (self.field_x, y, width, 20), **kwargs)
        return self.label(label, y), field

    def radios(
        self,
        y: int,
        label: str,
        key: str,
        options: Iterable[str],
        *,
        group: tuple[int, int],
        **layout: Any,
    ) -> tuple[Widget, Widget]:
        """A label and a :func:`radio_group` of ``group`` ``(width, height)`` in the field column.

        ``layout`` holds the rest of :func:`radio_group`'s keyword arguments (``value``,
        ``pick``, ``pitch``, ``width``, ``columns``).
        """
        box = (self.field_x, y, *group)
        return self.label(label, y), radio_group(label, key, box, options, **layout)


def radio_group(
    name: str,
    key: str,
    box: Rect,
    options: Iterable[str],
    *,
    value: Any,
    pick: Callable[[str], None],
    pitch: int,
    width: int,
    columns: int = 0,
) -> Widget:
    """A radio group whose buttons (keyed ``key:option``) run in rows of ``columns`` from ``box``.

    Args:
        name: The group's accessible name.
        key: Its semantic key.
        box: Its bounds; the first button is at its top left.
        options: The choices, in order.
        value: The chosen option.
        pick: Called with the option clicked.
        pitch: Distance between two buttons' left edges (rows are 22 apart).
        width: Width of a button (each is 20 high).
        columns: Buttons per row; 0 puts all in one row.
    """
    options = tuple(options)
    group = Widget("radiogroup", name, key, box)
    for i, opt in enumerate(options):
        group.add(
            Widget(
                "radio",
                opt,
                f"{key}:{opt}",
                grid_cell(
                    box[:2], i, columns=columns or len(options), pitch=(pitch, 22, width, 20)
                ),
                checked=value == opt,
                on_click=lambda o=opt: pick(o),
            )
        )
    return group


def dialog_buttons(
    box: Rect,
    ok: tuple[str, Callable[[], None]],
    cancel: tuple[str, Callable[[], None]],
    *,
    keys: tuple[str, str] = ("dialog:ok", "dialog:cancel"),
    ok_style: str = "primary",
    bottom: int = 28,
    geometry: tuple[int, int, int, int, int] = (150, 64, 80, 70, 20),
) -> tuple[Widget, Widget]:
    """Return a dialog's OK and Cancel buttons, at its bottom right.

    Args:
        box: The dialog's bounds.
        ok: Label and callback of the confirming button.
        cancel: Label and callback of the dismissing button.
        keys: The two buttons' keys.
        ok_style: The confirming button's style.
        bottom: How far the buttons' tops sit above the dialog's bottom.
        geometry: ``(ok_right, ok_width, cancel_right, cancel_width, height)``, where a
            ``right`` is the distance of the button's left edge from the dialog's right edge.
    """
    x, y, w, h = box
    ok_right, ok_w, cancel_right, cancel_w, height = geometry
    top = y + h - bottom
    return (
        Widget(
            "button",
            ok[0],
            keys[0],
            (x + w - ok_right, top, ok_w, height),
            on_click=ok[1],
            style=ok_style,
        ),
        Widget(
            "button",
            cancel[0],
            keys[1],
            (x + w - cancel_right, top, cancel_w, height),
            on_click=cancel[1],
        ),
    )


def prompt_dialog(
    title: str,
    box: Rect,
    label: str,
    ok: tuple[str, Callable[[], None]],
    cancel: Callable[[], None],
    *,
    field: tuple[str, str, dict[str, Any]] | None = None,
    label_w: int = 0,
    error: str | None = None,
    ok_style: str = "primary",
) -> Widget:
    """A small dialog: a label and one field (``dialog:value``) or a message, OK and Cancel.

    Args:
        title: The dialog's title.
        box: Its bounds.
        label: The field's label, or the message when there is no field.
        ok: Label and callback of the confirming button (Enter in a text field too).
        cancel: Called by Cancel and Escape.
        field: ``(role, name, keyword arguments)`` of the field, right of the label.
        label_w: Width of the label when there is a field.
        error: A line in red under the field, if any.
        ok_style: The confirming button's style.
    """
    x, y, w, h = box
    dlg = Widget("dialog", title, "dialog", box, on_close=cancel)
    if field is None:
        dlg.add(Widget("label", label, "", (x + 10, y + 32, w - 20, 18)))
    else:
        role, name, kwargs = field
        dlg.add(
            Widget("label", label, "", (x + 10, y + 32, label_w, 18)),
            Widget(
                role,
                name,
                "dialog:value",
                (x + label_w + 10, y + 30, w - label_w - 20, 20),
                **kwargs,
            ),
        )
    if error:
        dlg.add(Widget("label", error, "", (x + 10, y + 56, w - 20, 14), style="error"))
    return dlg.add(*dialog_buttons(box, ok, ("Cancel", cancel), ok_style=ok_style))
