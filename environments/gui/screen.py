"""The screen: turns an app's view into a numbered tree and carries out clicks, typing and keys.

The screen owns what a window system owns (focus, open menus and drop-downs, scroll offsets,
modal dialogs, the status line) so that apps only describe their state as widgets and react
to callbacks. Element ids are numbered afresh in reading order each time the tree is built;
the semantic ``key`` of a widget stays the same across rebuilds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from agentgym.environments.gui.widgets import Widget, contains, walk

if TYPE_CHECKING:
    from agentgym.environments.gui.app import App

__all__ = ["Screen", "GUIError", "KEYS", "WIDTH", "HEIGHT"]

WIDTH, HEIGHT = 640, 400
"""The logical screen size in pixels; screenshots scale it."""

STATUS_HEIGHT = 16
POPUP_ROW = 16

KEYS: tuple[str, ...] = (
    "Tab",
    "Shift+Tab",
    "Enter",
    "Escape",
    "Space",
    "Up",
    "Down",
    "Left",
    "Right",
    "Home",
    "End",
    "PageUp",
    "PageDown",
    "Backspace",
    "Delete",
)
"""Named keys ``key()`` accepts; any single printable character is accepted as well."""


class GUIError(Exception):
    """An action that cannot be carried out (unknown id, wrong element kind, bad option)."""

    def __init__(self, message: str, *, invalid_id: bool = False):
        super().__init__(message)
        self.invalid_id = invalid_id


def quote(text: str) -> str:
    r"""``text`` in double quotes, with quotes and backslashes inside escaped (JSON style).

    The tree and the messages quote names and values an agent may have typed; ``say "hi"``
    must read ``"say \"hi\""``, not ``"say "hi""``, or nested quotes are ambiguous.
    """
    return json.dumps(text, ensure_ascii=False)


def _describe(w: Widget) -> str:
    return f"{w.role} {quote(w.name)}" if w.name else w.role


class Screen:
    """The window system around one app.

    Args:
        app: The app whose view is shown.
    """

    def __init__(self, app: App):
        self.app = app
        self.focus_key: str | None = None
        self.open_key: str | None = None
        self.scroll_offsets: dict[str, int] = {}
        self.status = ""
        self.version = 0
        self.root: Widget = Widget("window")
        self.scope: Widget = self.root
        self.by_id: dict[int, Widget] = {}
        self.by_key: dict[str, Widget] = {}
        self.scroll_parent: dict[str, str] = {}
        self.interactive: list[Widget] = []
        self._dirty = True
        self.refresh()

    # --- building --------------------------------------------------------------------------

    def invalidate(self) -> None:
        """Mark the tree stale; the next :meth:`refresh` rebuilds it from the app state."""
        self._dirty = True

    def scroll_window(self, key: str, total: int, visible: int) -> int:
        """Return the first visible row of the scrollable area ``key`` (clamped to the data)."""
        first = max(0, min(self.scroll_offsets.get(key, 0), total - visible))
        self.scroll_offsets[key] = first
        return first

    def refresh(self) -> Widget:
        """Rebuild the tree if the state changed; number interactive elements; return the root."""
        if not self._dirty:
            return self.root
        self._dirty = False
        self.version += 1
        root = self.app.view(self)
        dialogs = [c for c in root.children if c.role == "dialog"]
        scope = dialogs[-1] if dialogs else root
        self.by_key = {}
        for w in walk(root):
            if w.key:
                self.by_key[w.key] = w
        if self.open_key is not None:
            opener = self.by_key.get(self.open_key)
            if opener is None or not opener.interactive:
                self.open_key = None
            else:
                popup = self._popup(opener)
                scope.children.append(popup)
                for w in walk(popup):
                    self.by_key[w.key] = w
        root.children.append(
            Widget(
                "status", self.status, "status", (0, HEIGHT - STATUS_HEIGHT, WIDTH, STATUS_HEIGHT)
            )
        )
        if self.focus_key is not None and self.focus_key not in self.by_key:
            self.focus_key = None
        self.root, self.scope = root, scope
        self.by_id = {}
        self.interactive = []
        self.scroll_parent = {}
        self._number(scope, None)
        return root

    def _number(self, node: Widget, scroller: str | None) -> None:
        if node.interactive:
            node.id = len(self.interactive) + 1
            self.by_id[node.id] = node
            self.interactive.append(node)
        if node.scroll is not None and node.key:
            scroller = node.key
        if scroller is not None and node.key:
            self.scroll_parent[node.key] = scroller
        for child in node.children:
            self._number(child, scroller)

    def _popup(self, opener: Widget) -> Widget:
        x, y, w, h = opener.rect
        if opener.role == "menu":
            entries: list[tuple[str, Callable[[], None], bool]] = [
                (label, fn, False) for label, fn in opener.items
            ]
            role = "menuitem"
        else:
            entries = [
                (opt, (lambda o=opt: opener.on_input(o)), opt == opener.value)  # type: ignore[misc]
                for opt in opener.options
            ]
            role = "option"
        width = max(w, 12 + 6 * max((len(e[0]) for e in entries), default=4))
        height = POPUP_ROW * len(entries) + 4
        top = y + h
        if top + height > HEIGHT - STATUS_HEIGHT:
            top = max(0, y - height)
        left = min(x, WIDTH - width)
        popup = Widget("list", opener.name, opener.key + "/popup", (left, top, width, height))
        popup.style = "popup"
        for i, (label, fn, chosen) in enumerate(entries):
            popup.children.append(
                Widget(
                    role,
                    label,
                    f"{opener.key}/{i}",
                    (left + 2, top + 2 + i * POPUP_ROW, width - 4, POPUP_ROW),
                    selected=chosen,
                    on_click=self._closing(fn),
                )
            )
        return popup

    def _closing(self, fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            self.open_key = None
            fn()

        return run

    # --- queries ---------------------------------------------------------------------------

    def element(self, element_id: object) -> Widget:
        """Return the interactive element numbered ``element_id``.

        Raises:
            GUIError: If no element on screen has that id.
        """
        self.refresh()
        if isinstance(element_id, bool) or not isinstance(element_id, int):
            raise GUIError(f"element id must be an integer, got {element_id!r}", invalid_id=True)
        w = self.by_id.get(element_id)
        if w is None:
            n = len(self.interactive)
            hint = f"ids on screen: 1-{n}" if n else "no element takes input"
            raise GUIError(f"no element with id {element_id} ({hint})", invalid_id=True)
        return w

    def find(self, key: str) -> Widget | None:
        """Return the widget with semantic ``key`` in the current tree, or None."""
        self.refresh()
        return self.by_key.get(key)

    @property
    def focused(self) -> Widget | None:
        """The focused widget, or None."""
        self.refresh()
        return self.by_key.get(self.focus_key) if self.focus_key else None

    @property
    def modal(self) -> Widget | None:
        """The open dialog that takes all input, or None."""
        self.refresh()
        return self.scope if self.scope.role == "dialog" else None

    # --- actions ---------------------------------------------------------------------------

    def click(self, element_id: int) -> str:
        """Click the element ``element_id`` and return what happened."""
        return self._click(self.element(element_id))

    def click_xy(self, x: float, y: float) -> str:
        """Click the topmost interactive element at logical point ``(x, y)``."""
        self.refresh()
        if not (0 <= x < WIDTH and 0 <= y < HEIGHT):
            raise GUIError(f"point ({x:g}, {y:g}) is off the screen ({WIDTH}x{HEIGHT})")
        hit = None
        for w in self.interactive:
            if contains(w.rect, x, y):
                hit = w
        if hit is None:
            if self.open_key is not None:
                self.open_key = None
                self.invalidate()
                return "closed the open menu"
            if self.scope.role == "dialog" and not contains(self.scope.rect, x, y):
                return f"nothing happened: the dialog {quote(self.scope.name)} is open"
            return f"nothing to click at ({x:g}, {y:g})"
        return self._click(hit)

    def _click(self, w: Widget) -> str:
        if w.role in ("menu", "combobox"):
            self.focus_key = w.key
            self.open_key = None if self.open_key == w.key else w.key
            self.invalidate()
            state = "opened" if self.open_key else "closed"
            return f"{state} {_describe(w)}"
        if self.open_key is not None and not w.key.startswith(self.open_key + "/"):
            self.open_key = None
        self.focus_key = w.key
        if w.role == "textbox":
            self.invalidate()
            return f"focused {_describe(w)}"
        assert w.on_click is not None
        w.on_click()
        self.invalidate()
        return f"clicked {_describe(w)}"

    def type(self, element_id: int, text: str) -> str:
        """Replace the text of text box ``element_id`` with ``text`` (and focus it)."""
        w = self.element(element_id)
        if w.role != "textbox":
            raise GUIError(f"element {element_id} is a {w.role}, not a text box; type needs one")
        if "\n" in text and w.style != "multiline":
            raise GUIError(f'text box {quote(w.name)} is a single line; use key("Enter") to submit')
        self.focus_key = w.key
        self.open_key = None
        assert w.on_input is not None
        w.on_input(text)
        self.invalidate()
        return f"typed {quote(_short(text))} into {_describe(w)}"

    def select(self, element_id: int, option: str) -> str:
        """Choose ``option`` in combo box or radio group ``element_id``."""
        w = self.element(element_id)
        if w.role == "combobox":
            if option not in w.options:
                raise GUIError(
                    f"{_describe(w)} has no option {quote(option)}; options: "
                    + ", ".join(w.options)
                )
            self.focus_key = w.key
            self.open_key = None
            assert w.on_input is not None
            w.on_input(option)
            self.invalidate()
            return f"selected {quote(option)} in {_describe(w)}"
        if w.role in ("radio", "option", "listitem", "tab"):
            group = self._siblings(w)
            match = [s for s in group if s.name == option and s.interactive]
            if not match:
                names = ", ".join(s.name for s in group if s.interactive)
                raise GUIError(
                    f"no option {quote(option)} next to element {element_id}; options: {names}"
                )
            return self._click(match[0])
        raise GUIError(f"element {element_id} is a {w.role}; select needs a combo box or radio")

    def scroll(self, element_id: int, direction: str) -> str:
        """Scroll the scrollable area that holds ``element_id`` by a page up or down."""
        w = self.element(element_id)
        key = self.scroll_parent.get(w.key) if w.key else None
        if key is None:
            raise GUIError(f"{_describe(w)} (id {element_id}) is not in a scrollable area")
        return self._scroll(key, direction)

    def _scroll(self, key: str, direction: str, rows: int | None = None) -> str:
        area = self.by_key[key]
        assert area.scroll is not None
        first, visible, total = area.scroll
        step = rows if rows is not None else max(1, visible - 1)
        sign = {"down": 1, "up": -1}.get(direction)
        if sign is None:
            raise GUIError(f'direction must be "up" or "down", got {direction!r}')
        new = max(0, min(first + sign * step, total - visible))
        if new == first:
            return f"{_describe(area)} is already at the {'bottom' if sign > 0 else 'top'}"
        self.scroll_offsets[key] = new
        self.invalidate()
        return f"scrolled {_describe(area)} {direction}: rows {new + 1}-{min(new + visible, total)} of {total}"

    def key(self, name: str) -> str:
        """Press the key ``name`` (see :data:`KEYS`) or type one printable character."""
        self.refresh()
        focused = self.focused
        if name == "Escape":
            return self._escape()
        if name in ("Tab", "Shift+Tab"):
            return self._tab(-1 if name == "Shift+Tab" else 1)
        if name == "Enter":
            return self._enter(focused)
        if name == "Space":
            if focused is not None and focused.role == "textbox":
                return self._append(focused, " ")
            if focused is None:
                raise GUIError("nothing has focus; click an element or press Tab first")
            return self._click(focused)
        if name in ("Up", "Down", "Left", "Right", "Home", "End", "PageUp", "PageDown"):
            return self._arrow(focused, name)
        if name == "Backspace":
            if focused is None or focused.role != "textbox":
                raise GUIError("Backspace needs a focused text box")
            assert focused.on_input is not None
            focused.on_input((focused.value or "")[:-1])
            self.invalidate()
            return f"deleted a character in {_describe(focused)}"
        if name == "Delete":
            done = self.app.on_key("Delete", self)
            if done is None:
                raise GUIError("Delete does nothing here: select an item first")
            self.invalidate()
            return done
        if len(name) == 1 and name.isprintable():
            if focused is None or focused.role != "textbox":
                raise GUIError(f"no text box has focus to type {name!r} into")
            return self._append(focused, name)
        raise GUIError(
            f"unknown key {_short(name, 40)!r}; keys: {', '.join(KEYS)} or one printable character"
        )

    def _append(self, w: Widget, ch: str) -> str:
        assert w.on_input is not None
        w.on_input((w.value or "") + ch)
        self.invalidate()
        return f"typed {quote(ch)} into {_describe(w)}"

    def _escape(self) -> str:
        if self.open_key is not None:
            self.open_key = None
            self.invalidate()
            return "closed the open menu"
        dialog = self.modal
        if dialog is not None and dialog.on_close is not None:
            dialog.on_close()
            self.invalidate()
            return f"closed dialog {quote(dialog.name)}"
        return "Escape: nothing to close"

    def _tab(self, step: int) -> str:
        order = [w for w in self.interactive if w.role not in ("menuitem", "option")]
        if not order:
            raise GUIError("no element can take focus")
        keys = [w.key for w in order]
        if self.focus_key in keys:
            i = (keys.index(self.focus_key) + step) % len(order)
        else:
            i = 0 if step > 0 else len(order) - 1
        self.focus_key = order[i].key
        self.open_key = None
        self.invalidate()
        return f"focus moved to {_describe(order[i])} (id {order[i].id})"

    def _enter(self, focused: Widget | None) -> str:
        if focused is not None:
            if focused.role == "textbox":
                if focused.style == "multiline":
                    return self._append(focused, "\n")
                if focused.on_enter is not None:
                    focused.on_enter()
                    self.invalidate()
                    return f"submitted {_describe(focused)}"
            else:
                return self._click(focused)
        dialog = self.modal
        if dialog is not None:
            default = [w for w in walk(dialog) if w.style == "primary" and w.interactive]
            if default:
                return self._click(default[0])
        raise GUIError("Enter does nothing here: focus a button or a field first")

    def _siblings(self, w: Widget) -> list[Widget]:
        for node in walk(self.root):
            if any(c is w for c in node.children):
                return node.children
        return [w]

    def _arrow(self, focused: Widget | None, name: str) -> str:
        if focused is None:
            raise GUIError(f"{name} needs a focused element; click one or press Tab first")
        forward = name in ("Down", "Right", "End", "PageDown")
        if focused.role == "combobox":
            opts = list(focused.options)
            i = opts.index(focused.value) if focused.value in opts else -1
            j = max(0, min(len(opts) - 1, i + (1 if forward else -1)))
            if name in ("Home", "End"):
                j = len(opts) - 1 if forward else 0
            assert focused.on_input is not None
            focused.on_input(opts[j])
            self.invalidate()
            return f"{_describe(focused)} set to {quote(opts[j])}"
        if focused.role == "menu" and name in ("Up", "Down"):
            # Arrow keys on a menu title open it and move into its entries.
            self.open_key = focused.key
            self.invalidate()
            self.refresh()
            entries = [w for w in self.interactive if w.role == "menuitem"]
            target = entries[0] if forward else entries[-1]
            self.focus_key = target.key
            self.invalidate()
            return f"focus moved to {_describe(target)}"
        key = self.scroll_parent.get(focused.key)
        if name in ("PageUp", "PageDown") and key is not None:
            return self._scroll(key, "down" if forward else "up")
        if focused.role in ("radio", "tab", "row", "listitem", "option", "menuitem", "cell"):
            group = [s for s in self._siblings(focused) if s.interactive and s.role == focused.role]
            i = next(k for k, s in enumerate(group) if s is focused)
            j = i + (1 if forward else -1)
            if 0 <= j < len(group):
                return self._click_or_focus(group[j])
            if key is not None and name in ("Up", "Down"):
                old = self.focus_key
                msg = self._scroll(key, "down" if forward else "up", rows=1)
                self.refresh()
                focused = self.by_key.get(old or "")
                if focused is not None:
                    group = [s for s in self._siblings(focused) if s.interactive]
                    i = next(k for k, s in enumerate(group) if s is focused)
                    if 0 <= i + (1 if forward else -1) < len(group):
                        return self._click_or_focus(group[i + (1 if forward else -1)])
                return msg
            return f"{_describe(focused)} is already the {'last' if forward else 'first'}"
        raise GUIError(f"{name} does nothing on {_describe(focused)}")

    def _click_or_focus(self, w: Widget) -> str:
        if w.role in ("option", "menuitem"):
            self.focus_key = w.key
            self.invalidate()
            return f"focus moved to {_describe(w)}"
        return self._click(w)

    # --- text ------------------------------------------------------------------------------

    def text(self) -> str:
        """Return the accessibility tree as indented text; interactive elements carry ids."""
        root = self.refresh()
        lines: list[str] = []
        self._lines(root, 0, lines)
        return "\n".join(lines)

    def _lines(self, w: Widget, depth: int, out: list[str]) -> None:
        if w.role == "group" and not w.name:
            for c in w.children:
                self._lines(c, depth, out)
            return
        if w.role == "status" and not w.name:
            return
        parts = ["  " * depth]
        if w.id:
            parts.append(f"[{w.id}] ")
        parts.append(w.role)
        if w.name:
            parts.append(f" {quote(_short(w.name, 80))}")
        if w.role == "textbox":
            parts.append(f" value={quote(_short(w.value or '', 200))}")
        elif w.role == "combobox":
            parts.append(f" value={quote(w.value or '')} options=[{'|'.join(w.options)}]")
        if w.checked is not None:
            parts.append(" checked" if w.checked else " unchecked")
        if w.selected:
            parts.append(" selected")
        if w.role in ("menu", "combobox") and w.key == self.open_key:
            parts.append(" expanded")
        if w.key and w.key == self.focus_key:
            parts.append(" focused")
        if w.disabled:
            parts.append(" disabled")
        if "unread" in w.style.split():
            parts.append(" unread")
        if w.scroll is not None:
            first, visible, total = w.scroll
            if total > visible:
                parts.append(
                    f" (rows {first + 1}-{min(first + visible, total)} of {total}, scrollable)"
                )
        out.append("".join(parts))
        for c in w.children:
            self._lines(c, depth + 1, out)


def _short(text: str, limit: int = 60) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 3] + "..."
