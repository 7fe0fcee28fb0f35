"""A mail client: folders, a message table, a reading pane and a compose dialog."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from agentgym.environments.gui.app import (
    App,
    Op,
    OracleStuck,
    Template,
    call,
    fill,
    menu,
    new_world,
    pick,
    reveal,
    task_data,
)
from agentgym.environments.gui.content import MONTHS, TOPICS, people, wrap
from agentgym.environments.gui.layout import (
    CONTENT_BOTTOM,
    CONTENT_TOP,
    Form,
    build,
    dialog_buttons,
    menubar,
    prompt_dialog,
    scroll_list,
    side_list,
    strip,
    window,
)
from agentgym.environments.gui.widgets import Rect, Widget
from agentgym.tools.base import ToolCall

if TYPE_CHECKING:
    from agentgym.environments.gui.screen import Screen

__all__ = ["MailApp", "TEMPLATES"]

SYSTEM_FOLDERS = ("Inbox", "Sent", "Drafts", "Archive", "Trash")
ME = "you@example.com"
ROW_H = 18
TABLE = "mail:table"
COLS = "cols:10,92,204"
# Where the blocks of the window go (see the view).
BODY = CONTENT_TOP + 24
SEARCH = (440, CONTENT_TOP + 3, 194, 18)
FOLDERS_BOX = (0, BODY, 120, CONTENT_BOTTOM - BODY)
TABLE_BOX = (120, BODY, 260, CONTENT_BOTTOM - BODY)
PANE_BOX = (380, BODY, 260, CONTENT_BOTTOM - BODY)
COMPOSE = (110, 60, 420, 300)
COMPOSE_FORM = Form(
    label_x=COMPOSE[0] + 10, label_w=60, field_x=COMPOSE[0] + 70, label_dy=2, label_h=18
)
SMALL_DIALOG = (190, 130, 260, 110)
BODIES = (
    "Hi,\nplease have a look at the {topic} before Thursday. Let me know what you think.",
    "Hello,\nquick note about the {topic}: I have updated the shared document.",
    "Hi there,\ncan we talk about the {topic} tomorrow? I have a few questions.",
    "Dear team,\nthe {topic} is attached. Comments welcome until Friday.",
)
COUNTS = {"easy": 8, "medium": 18, "hard": 32}


class MailApp(App):
    """A mail client with folders, search, starring, moving, replying and forwarding."""

    name = "mail"
    title = "Mail"

    def __init__(self, world: int, difficulty: str, setup: Sequence[Op] = ()):
        super().__init__(world, difficulty, setup)
        self.ui: dict[str, Any] = {
            "folder": "Inbox",
            "selected": None,
            "search": "",
            "compose": None,
            "dialog": None,
            "dialog_value": "",
            "error": "",
        }

    @classmethod
    def generate(cls, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        """Return contacts and a mailbox of ``COUNTS[difficulty]`` inbox messages."""
        contacts = people(rng, 10)
        n = COUNTS[difficulty]
        subjects = [
            p + t for p in ("", "Update: ", "Question on ", "Draft ", "Re: ") for t in TOPICS
        ]
        chosen = pick(rng, subjects, n + 4)
        messages = []
        day, month = 28, 10
        for i in range(n + 4):
            sender = pick(rng, contacts)
            subject = chosen[i][0].upper() + chosen[i][1:]
            topic = subject.split(": ")[-1].removeprefix("Question on ").removeprefix("Draft ")
            messages.append(
                {
                    "id": i,
                    "folder": "Inbox" if i < n else "Archive",
                    "from": sender["name"],
                    "from_email": sender["email"],
                    "to": [ME],
                    "cc": [],
                    "subject": subject,
                    "body": pick(rng, BODIES).format(topic=topic),
                    "date": f"{MONTHS[month]} {day:02d}",
                    "read": bool(rng.random() < 0.5),
                    "starred": bool(rng.random() < 0.15),
                }
            )
            if rng.random() < 0.6:
                day -= 1
                if day == 0:
                    day, month = 28, month - 1
        return {"contacts": contacts, "folders": list(SYSTEM_FOLDERS), "messages": messages}

    # --- model -----------------------------------------------------------------------------

    def msg(self, mid: int) -> dict[str, Any]:
        """Return the message with id ``mid``."""
        return next(m for m in self.state["messages"] if m["id"] == mid)

    def apply(self, op: Op) -> None:
        """Apply ``star``, ``read``, ``move``, ``mkdir`` or ``send``."""
        kind = op["op"]
        if kind == "star":
            self.msg(op["msg"])["starred"] = op.get("value", True)
        elif kind == "read":
            self.msg(op["msg"])["read"] = op["value"]
        elif kind == "move":
            self.msg(op["msg"])["folder"] = op["folder"]
        elif kind == "mkdir":
            if op["folder"] not in self.state["folders"]:
                self.state["folders"].append(op["folder"])
        elif kind == "send":
            self.state["messages"].append(
                {
                    "id": len(self.state["messages"]),
                    "folder": "Sent",
                    "from": "You",
                    "from_email": ME,
                    "to": list(op["to"]),
                    "cc": list(op.get("cc", [])),
                    "subject": op["subject"],
                    "body": op.get("body", ""),
                    "date": "Nov 29",
                    "read": True,
                    "starred": False,
                }
            )
        else:
            raise ValueError(f"unknown mail op {kind!r}")

    def snapshot(self, goal: Sequence[Op]) -> Any:
        """Folders, each message's folder and star (and read flags if the goal sets them)."""
        reads = any(op["op"] == "read" for op in goal)
        msgs = tuple(
            (m["id"], m["folder"], m["starred"], m["read"] if reads else None)
            for m in self.state["messages"]
            if m["from_email"] != ME
        )
        sent = sorted(
            (tuple(sorted(m["to"])), tuple(sorted(m["cc"])), m["subject"].strip())
            for m in self.state["messages"]
            if m["from_email"] == ME
        )
        return (tuple(sorted(self.state["folders"])), msgs, tuple(sent))

    def op_done(self, op: Op) -> bool:
        """Return whether ``op`` holds now (a sent message must contain ``op["body"]``)."""
        kind = op["op"]
        if kind in ("star", "read", "move"):
            m = next((m for m in self.state["messages"] if m["id"] == op["msg"]), None)
            if m is None:  # deleted for good (from the Trash)
                return False
            if kind == "star":
                return m["starred"] == op.get("value", True)
            if kind == "read":
                return m["read"] == op["value"]
            return m["folder"] == op["folder"]
        if kind == "mkdir":
            return op["folder"] in self.state["folders"]
        return any(
            m["from_email"] == ME
            and sorted(m["to"]) == sorted(op["to"])
            and sorted(m["cc"]) == sorted(op.get("cc", []))
            and m["subject"].strip() == op["subject"]
            and op.get("body", "").lower() in m["body"].lower()
            for m in self.state["messages"]
        )

    def _resolve(self, field: str) -> list[str] | None:
        out = []
        by_name = {c["name"].lower(): c["email"] for c in self.state["contacts"]}
        for part in field.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if "@" in part and " " not in part:
                out.append(part.lower())
            elif part.lower() in by_name:
                out.append(by_name[part.lower()])
            else:
                return None
        return out

    # --- ui callbacks ----------------------------------------------------------------------

    def visible(self) -> list[dict[str, Any]]:
        """Messages of the open folder that match the search, newest first."""
        q = self.ui["search"].strip().lower()
        return [
            m
            for m in self.state["messages"]
            if m["folder"] == self.ui["folder"]
            and (not q or q in m["subject"].lower() or q in m["from"].lower())
        ]

    def _open_folder(self, folder: str) -> None:
        self.ui["folder"] = folder
        self.ui["selected"] = None

    def _select(self, mid: int) -> None:
        self.ui["selected"] = mid
        self.msg(mid)["read"] = True

    def _selected(self) -> dict[str, Any] | None:
        mid = self.ui["selected"]
        if mid is None:
            return None
        m = self.msg(mid)
        return m if m["folder"] == self.ui["folder"] else None

    def _delete(self) -> None:
        m = self._selected()
        if m is None:
            return
        if m["folder"] == "Trash":
            self.state["messages"] = [x for x in self.state["messages"] if x is not m]
            m["folder"] = None
        else:
            m["folder"] = "Trash"
        self.ui["selected"] = None

    def _move_selected(self, folder: str) -> None:
        m = self._selected()
        if m is not None:
            m["folder"] = folder
            self.ui["selected"] = None

    def _toggle_star(self) -> None:
        m = self._selected()
        if m is not None:
            m["starred"] = not m["starred"]

    def _mark_unread(self) -> None:
        m = self._selected()
        if m is not None:
            m["read"] = False
            self.ui["selected"] = None

    def _compose(self, mode: str) -> None:
        m = self._selected()
        if mode != "new" and m is None:
            self.ui["error"] = "select a message first"
            return
        draft = {"to": "", "cc": "", "subject": "", "body": "", "mode": mode}
        if mode == "reply" and m is not None:
            draft.update(to=m["from_email"], subject="Re: " + m["subject"])
            draft["body"] = "\n\n> " + m["body"].replace("\n", "\n> ")
        elif mode == "forward" and m is not None:
            draft["subject"] = "Fwd: " + m["subject"]
            draft["body"] = (
                f"\n\n---------- Forwarded message ----------\nFrom: {m['from']} "
                f"<{m['from_email']}>\nSubject: {m['subject']}\n\n{m['body']}"
            )
        self.ui["compose"] = draft
        self.ui["error"] = ""

    def _send(self) -> None:
        d = self.ui["compose"]
        to, cc = self._resolve(d["to"]), self._resolve(d["cc"])
        if not to:
            self.ui["error"] = "add at least one known recipient or address in To"
            return
        if cc is None:
            self.ui["error"] = "Cc has an unknown name; use addresses or contact names"
            return
        self.apply({"op": "send", "to": to, "cc": cc, "subject": d["subject"], "body": d["body"]})
        self.ui["compose"] = None
        self.ui["error"] = ""

    def _set_draft(self, field: str, text: str) -> None:
        self.ui["compose"][field] = text

    def _close_dialogs(self) -> None:
        self.ui["compose"] = None
        self.ui["dialog"] = None
        self.ui["error"] = ""

    def _new_folder(self) -> None:
        name = self.ui["dialog_value"].strip()
        if not name or name in self.state["folders"]:
            self.ui["error"] = "enter a new, non-empty folder name"
            return
        self.apply({"op": "mkdir", "folder": name})
        self.ui["dialog"] = None
        self.ui["error"] = ""

    def _open_dialog(self, kind: str) -> None:
        if kind == "move" and self._selected() is None:
            self.ui["error"] = "select a message first"
            return
        self.ui["dialog"] = kind
        self.ui["error"] = ""
        self.ui["dialog_value"] = "" if kind == "folder" else "Archive"

    def _set_dialog_value(self, text: str) -> None:
        self.ui["dialog_value"] = text

    def _do_move(self) -> None:
        self._move_selected(self.ui["dialog_value"])
        self.ui["dialog"] = None

    def on_key(self, name: str, screen: Screen) -> str | None:
        """Delete removes the selected message (to Trash)."""
        if name == "Delete" and self._selected() is not None and self.ui["compose"] is None:
            self._delete()
            return "deleted the selected message"
        return None

    # --- view ------------------------------------------------------------------------------

    def view(self, screen: Screen) -> Widget:
        """Menu bar, toolbar, folder list, message table, reading pane and any dialog."""
        ui = self.ui
        root = window(f"Mail - {ui['folder']}")
        root.add(self._menus(), self._toolbar(), self._folders(), self._table(screen))
        root.add(self._pane())
        if ui["compose"] is not None:
            root.add(self._compose_dialog())
        elif ui["dialog"] == "folder":
            root.add(self._small_dialog("New folder", "Folder name", "Create", self._new_folder))
        elif ui["dialog"] == "move":
            root.add(self._small_dialog("Move to folder", "Folder", "Move", self._do_move))
        return root

    def _menus(self) -> Widget:
        message = [
            ("New message", lambda: self._compose("new")),
            ("Reply", lambda: self._compose("reply")),
            ("Forward", lambda: self._compose("forward")),
            ("Star / unstar", self._toggle_star),
            ("Mark as unread", self._mark_unread),
            ("Move to folder...", lambda: self._open_dialog("move")),
            ("Delete", self._delete),
        ]
        folder = [("New folder...", lambda: self._open_dialog("folder"))]
        return menubar([("Message", message), ("Folder", folder)])

    def _toolbar(self) -> Widget:
        ui, sel = self.ui, self._selected()
        buttons = (
            ("New", lambda: self._compose("new"), False),
            ("Reply", lambda: self._compose("reply"), True),
            ("Forward", lambda: self._compose("forward"), True),
            ("Archive", lambda: self._move_selected("Archive"), True),
            ("Delete", self._delete, True),
            ("Star", self._toggle_star, True),
        )
        entries = [
            (label, f"mail:btn:{label}", {"on_click": fn, "disabled": needs and sel is None})
            for label, fn, needs in buttons
        ]
        bar, _ = strip("toolbar", "", entries, x=4, pad=14, gap=4)
        search = {"value": ui["search"], "on_input": lambda t: ui.update(search=t, selected=None)}
        return bar.add(*build(("textbox", "Search mail", "mail:search", SEARCH, search)))

    def _folders(self) -> Widget:
        unread = {
            f: sum(1 for m in self.state["messages"] if m["folder"] == f and not m["read"])
            for f in self.state["folders"]
        }
        items = [
            (
                f"{f} ({unread[f]})" if unread[f] else f,
                f"mail:folder:{f}",
                {"selected": f == self.ui["folder"], "on_click": lambda f=f: self._open_folder(f)},
            )
            for f in self.state["folders"]
        ]
        return side_list("Folders", "mail:folders", FOLDERS_BOX, items, row_h=ROW_H)

    def _table(self, screen: Screen) -> Widget:
        return scroll_list(
            screen,
            ("table", "Messages", TABLE, TABLE_BOX),
            self.visible(),
            partial(self._row, selected=self._selected()),
            rows=(TABLE_BOX[3] - 20) // ROW_H,
            first_row=(122, BODY + 20, 256, ROW_H),
            pitch=ROW_H,
            header=("From | Subject | Date", 256, "header " + COLS),
            empty=("No messages", (130, BODY + 24, 200, 18)),
        )

    def _row(self, m: dict[str, Any], rect: Rect, selected: dict[str, Any] | None) -> Widget:
        star = "* " if m["starred"] else ""
        return Widget(
            "row",
            f"{star}{m['from']} | {m['subject']} | {m['date']}",
            f"mail:msg:{m['id']}",
            rect,
            selected=selected is m,
            on_click=lambda: self._select(m["id"]),
            style=("unread " if not m["read"] else "") + COLS,
        )

    def _pane(self) -> Widget:
        pane = Widget("group", "Message", "mail:pane", PANE_BOX)
        sel = self._selected()
        if sel is None:
            hint = "No message selected"
            return pane.add(Widget("label", hint, "", (386, BODY + 8, 250, 14), style="muted"))
        y, muted = BODY + 6, {"style": "muted"}
        pane.add(
            *build(
                ("heading", sel["subject"], "", (386, y, 250, 16), {}),
                (
                    "label",
                    f"From: {sel['from']} <{sel['from_email']}>",
                    "",
                    (386, y + 18, 250, 14),
                    {},
                ),
                ("label", f"To: {', '.join(sel['to'])}", "", (386, y + 32, 250, 14), muted),
                ("label", f"Date: {sel['date']}", "", (386, y + 46, 250, 14), muted),
            )
        )
        for j, line in enumerate(wrap(sel["body"], 40)[:12]):
            pane.add(Widget("label", line, "", (386, y + 68 + j * 14, 250, 14)))
        return pane

    def _compose_dialog(self) -> Widget:
        d = self.ui["compose"]
        title = {"new": "New message", "reply": "Reply", "forward": "Forward"}[d["mode"]]
        x, y, w, h = box = COMPOSE
        dlg = Widget("dialog", title, "compose", box, on_close=self._close_dialogs)
        for i, (label, field) in enumerate((("To", "to"), ("Cc", "cc"), ("Subject", "subject"))):
            draft = {"value": d[field], "on_input": partial(self._set_draft, field)}
            dlg.add(
                *COMPOSE_FORM.row(
                    y + 28 + i * 24, label, "textbox", f"compose:{field}", w - 80, **draft
                )
            )
        body = {
            "value": d["body"],
            "on_input": partial(self._set_draft, "body"),
            "style": "multiline",
        }
        dlg.add(
            *build(("textbox", "Body", "compose:body", (x + 10, y + 104, w - 20, h - 150), body))
        )
        if self.ui["error"]:
            error = Widget(
                "label", self.ui["error"], "", (x + 10, y + h - 42, w - 20, 14), style="error"
            )
            dlg.add(error)
        return dlg.add(
            *dialog_buttons(
                box,
                ("Send", self._send),
                ("Discard", self._close_dialogs),
                keys=("compose:send", "compose:discard"),
                bottom=26,
            )
        )

    def _small_dialog(self, title: str, label: str, ok: str, fn: Any) -> Widget:
        value = self.ui["dialog_value"]
        if ok == "Move":
            options = tuple(f for f in self.state["folders"] if f != self.ui["folder"])
            if value not in options:
                value = self.ui["dialog_value"] = options[0]
            kwargs = {"value": value, "options": options, "on_input": self._set_dialog_value}
            field = ("combobox", label, kwargs)
        else:
            kwargs = {"value": value, "on_input": self._set_dialog_value, "on_enter": fn}
            field = ("textbox", label, kwargs)
        return prompt_dialog(
            title,
            SMALL_DIALOG,
            label,
            (ok, fn),
            self._close_dialogs,
            field=field,
            label_w=80,
            error=self.ui["error"],
        )

    # --- oracle ----------------------------------------------------------------------------

    def oracle(self, screen: Screen, goal: Sequence[Op]) -> ToolCall:
        """Work through the first unmet goal operation, one UI step at a time."""
        todo = [op for op in goal if not self.op_done(op)]
        if not todo:
            return ToolCall("done", {})
        op = todo[0]
        ui = self.ui
        if op["op"] == "mkdir":
            if ui["dialog"] == "folder":
                return fill(screen, {"dialog:value": op["folder"]}) or call(
                    screen, "click", "dialog:ok"
                )
            if ui["compose"] is not None or ui["dialog"]:
                return ToolCall("key", {"name": "Escape"})
            return menu(screen, "Folder", "New folder...")
        if op["op"] == "send" and ui["compose"] is not None:
            d = ui["compose"]
            want_mode = "new" if op.get("ref") is None else op.get("kind", "reply")
            if d["mode"] == want_mode:
                desired = {
                    "compose:to": ", ".join(op["to"]),
                    "compose:cc": ", ".join(op.get("cc", [])),
                    "compose:subject": op["subject"],
                }
                step = fill(screen, desired)
                if step is not None:
                    return step
                if op.get("body") and op["body"].lower() not in d["body"].lower():
                    return call(screen, "type", "compose:body", text=op["body"] + d["body"])
                return call(screen, "click", "compose:send")
        if ui["compose"] is not None or ui["dialog"] == "folder":
            return ToolCall("key", {"name": "Escape"})
        if op["op"] == "send" and op.get("ref") is None:
            return call(screen, "click", "mail:btn:New")
        mid = op.get("msg", op.get("ref"))
        if not any(x["id"] == mid for x in self.state["messages"]):
            raise OracleStuck(f"message {mid} was deleted for good; the goal cannot be reached")
        m = self.msg(mid)
        if ui["dialog"] == "move":
            return fill(screen, {"dialog:value": op["folder"]}) or call(
                screen, "click", "dialog:ok"
            )
        if m["folder"] != ui["folder"]:
            return call(screen, "click", f"mail:folder:{m['folder']}")
        if ui["search"]:
            return call(screen, "type", "mail:search", text="")
        if self._selected() is not m:
            rows = self.visible()
            return reveal(screen, TABLE, rows.index(m), f"mail:msg:{mid}")
        kind = op["op"]
        if kind == "star":
            return call(screen, "click", "mail:btn:Star")
        if kind == "read":
            if op["value"]:
                raise OracleStuck("message is selected but not read")
            return menu(screen, "Message", "Mark as unread")
        if kind == "move":
            if op["folder"] == "Trash":
                return call(screen, "click", "mail:btn:Delete")
            if op["folder"] == "Archive":
                return call(screen, "click", "mail:btn:Archive")
            return menu(screen, "Message", "Move to folder...")
        return call(screen, "click", "mail:btn:" + op.get("kind", "reply").capitalize())


# --- task templates ------------------------------------------------------------------------


def _inbox(app: MailApp) -> list[dict[str, Any]]:
    return [m for m in app.state["messages"] if m["folder"] == "Inbox"]


def _target(rng: np.random.Generator, app: MailApp, difficulty: str) -> dict[str, Any]:
    inbox = _inbox(app)
    # Harder levels pick messages further down the list (scrolling needed).
    lo = {"easy": 0, "medium": len(inbox) // 3, "hard": len(inbox) // 2}[difficulty]
    return inbox[int(rng.integers(lo, len(inbox)))]


def star(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Star the message from X about Y."""
    seed, app = new_world(MailApp, rng, difficulty)
    m = _target(rng, app, difficulty)
    setup = [{"op": "star", "msg": m["id"], "value": False}]
    prompt = f'In Mail, star the message from {m["from"]} with the subject "{m["subject"]}".'
    return prompt, task_data(MailApp, seed, [{"op": "star", "msg": m["id"]}], setup)


def delete(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Delete the message from X about Y."""
    seed, app = new_world(MailApp, rng, difficulty)
    m = _target(rng, app, difficulty)
    prompt = f'In Mail, delete the message from {m["from"]} about "{m["subject"]}".'
    return prompt, task_data(MailApp, seed, [{"op": "move", "msg": m["id"], "folder": "Trash"}])


def archive_from(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Archive every inbox message from one sender."""
    seed, app = new_world(MailApp, rng, difficulty)
    m = _target(rng, app, difficulty)
    msgs = [x for x in _inbox(app) if x["from"] == m["from"]]
    goal = [{"op": "move", "msg": x["id"], "folder": "Archive"} for x in msgs]
    prompt = f"In Mail, archive every message in the Inbox from {m['from']}."
    return prompt, task_data(MailApp, seed, goal)


def mark_unread(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Mark one (or, harder, two) messages as unread."""
    seed, app = new_world(MailApp, rng, difficulty)
    k = 1 if difficulty == "easy" else 2
    msgs = pick(rng, _inbox(app), k)
    setup = [{"op": "read", "msg": m["id"], "value": True} for m in msgs]
    goal = [{"op": "read", "msg": m["id"], "value": False} for m in msgs]
    what = " and ".join(f'the message about "{m["subject"]}"' for m in msgs)
    return f"In Mail, mark {what} as unread.", task_data(MailApp, seed, goal, setup)


def compose(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Send a new message (with Cc on harder levels)."""
    seed, app = new_world(MailApp, rng, difficulty)
    to, cc = pick(rng, app.state["contacts"], 2)
    topic = pick(rng, TOPICS)
    subject = f"Question about the {topic}"
    body = f"Could you send me the latest {topic} notes?"
    op: Op = {"op": "send", "to": [to["email"]], "cc": [], "subject": subject, "body": body}
    prompt = f'In Mail, send a new message to {to["name"]} ({to["email"]}) with the subject "{subject}" and the text "{body}"'
    if difficulty != "easy":
        op["cc"] = [cc["email"]]
        prompt += f", with {cc['name']} ({cc['email']}) in Cc"
    return prompt + ".", task_data(MailApp, seed, [op])


def forward(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Forward the mail from X about Y to Z (with a note on hard)."""
    seed, app = new_world(MailApp, rng, difficulty)
    m = _target(rng, app, difficulty)
    z = pick(rng, [c for c in app.state["contacts"] if c["name"] != m["from"]])
    op: Op = {
        "op": "send",
        "to": [z["email"]],
        "subject": "Fwd: " + m["subject"],
        "ref": m["id"],
        "kind": "forward",
    }
    prompt = f'In Mail, forward the message from {m["from"]} about "{m["subject"]}" to {z["name"]} ({z["email"]})'
    if difficulty == "hard":
        op["body"] = "FYI, see below."
        prompt += ' with the note "FYI, see below."'
    return prompt + ".", task_data(MailApp, seed, [op])


def reply(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Reply to the mail from X about Y with a given text."""
    seed, app = new_world(MailApp, rng, difficulty)
    m = _target(rng, app, difficulty)
    text = pick(
        rng, ("Sounds good, thanks!", "I will take care of it today.", "Can we meet on Monday?")
    )
    op: Op = {
        "op": "send",
        "to": [m["from_email"]],
        "subject": "Re: " + m["subject"],
        "body": text,
        "ref": m["id"],
        "kind": "reply",
    }
    prompt = f'In Mail, reply to {m["from"]}\'s message about "{m["subject"]}" with "{text}"'
    return prompt + ".", task_data(MailApp, seed, [op])


def file_into_folder(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Create a folder and move one (or more) messages into it."""
    seed, app = new_world(MailApp, rng, difficulty)
    name = pick(rng, ("Projects", "Receipts", "Travel", "Team", "Later"))
    k = {"easy": 1, "medium": 1, "hard": 2}[difficulty]
    msgs = pick(rng, _inbox(app), k)
    goal: list[Op] = [{"op": "mkdir", "folder": name}]
    goal += [{"op": "move", "msg": m["id"], "folder": name} for m in msgs]
    what = " and ".join(f'the message about "{m["subject"]}"' for m in msgs)
    return f'In Mail, create a folder named "{name}" and move {what} into it.', task_data(
        MailApp, seed, goal
    )


TEMPLATES: dict[str, Template] = {
    "mail-star": star,
    "mail-delete": delete,
    "mail-archive-from": archive_from,
    "mail-mark-unread": mark_unread,
    "mail-compose": compose,
    "mail-forward": forward,
    "mail-reply": reply,
    "mail-file-into-folder": file_into_folder,
}
