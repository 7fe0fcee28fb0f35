"""A calendar: a month grid, the selected day's events and an event dialog."""

from __future__ import annotations

import datetime as dt
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
    new_world,
    pick,
    reveal,
    task_data,
)
from agentgym.environments.gui.content import people
from agentgym.environments.gui.layout import (
    CONTENT_TOP,
    WIDTH,
    Form,
    build,
    dialog_buttons,
    grid_cell,
    menubar,
    scroll_list,
    window,
)
from agentgym.environments.gui.widgets import Rect, Widget
from agentgym.tools.base import ToolCall

if TYPE_CHECKING:
    from agentgym.environments.gui.screen import Screen

__all__ = ["CalendarApp", "TEMPLATES"]

MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()
WEEKDAYS = "Mon Tue Wed Thu Fri Sat Sun".split()
STARTS = tuple(f"{h:02d}:{m:02d}" for h in range(7, 20) for m in (0, 30))
DURATIONS = ("15 min", "30 min", "45 min", "1 h", "1.5 h", "2 h", "3 h")
REMINDERS = ("None", "10 min", "1 h", "1 day")
TITLES = (
    "Standup",
    "Design review",
    "Lunch with Sam",
    "Dentist",
    "Budget meeting",
    "1:1 with manager",
    "Yoga",
    "Team retro",
    "Client call",
    "Interview",
    "Planning poker",
    "Book club",
    "Gym",
    "Parent evening",
    "Release party",
)
NEW_TITLES = ("Project kickoff", "Coffee chat", "Board prep", "Hackathon", "Vendor demo", "Offsite")
LOCATIONS = ("Room 101", "Cafe Central", "Online", "Main hall", "Office 3B")
FIELDS = ("title", "date", "start", "duration", "location", "reminder", "invitees")
DEFAULTS: dict[str, Any] = {
    "start": "09:00",
    "duration": "1 h",
    "location": "",
    "reminder": "None",
    "invitees": (),
}
COUNTS = {"easy": 10, "medium": 20, "hard": 32}
LIST_ROWS = 10
MIN_YEAR, MAX_YEAR = 1900, 2100  # the month grid needs dates either side of the month
DAY_LIST = "cal:daylist"
# Where the blocks of the window go (see the view).
GRID_Y = CONTENT_TOP + 30
PANE_X = 446
HEADS = [grid_cell((30, GRID_Y), i, columns=7, pitch=(61, 0, 61, 14)) for i in range(7)]
CELLS = [grid_cell((10, GRID_Y + 16), k, columns=7, pitch=(61, 50, 60, 49)) for k in range(42)]
"""The month grid: weekday headings, and six weeks of day cells from the Monday on or before
the first of the month."""
DIALOG = (90, 50, 460, 330)
EVENT_FIELDS: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("Title", "title", None),
    ("Date", "date", None),
    ("Starts", "start", STARTS),
    ("Duration", "duration", DURATIONS),
    ("Location", "location", None),
)
"""The event form's fields above the reminder: label, key and drop-down options (None: text)."""
DIALOG_FORM = Form(
    label_x=DIALOG[0] + 12, label_w=70, field_x=DIALOG[0] + 90, label_dy=2, label_h=18
)


def _parse(date: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(date.strip())
    except ValueError:
        return None


class CalendarApp(App):
    """A month-view calendar with an event editor (title, time, invitees, reminder)."""

    name = "calendar"
    title = "Calendar"

    def __init__(self, world: int, difficulty: str, setup: Sequence[Op] = ()):
        super().__init__(world, difficulty, setup)
        today = _parse(self.state["today"])
        assert today is not None
        self.ui: dict[str, Any] = {
            "year": today.year,
            "month": today.month,
            "day": today.isoformat(),
            "form": None,
            "error": "",
        }

    @classmethod
    def generate(cls, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        """Return contacts and events spread over three months around "today"."""
        today = dt.date(2026, int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        contacts = people(rng, 10)
        events = []
        for i in range(COUNTS[difficulty]):
            spread = 20 if difficulty == "easy" else 60
            day = today + dt.timedelta(days=int(rng.integers(-spread // 2, spread)))
            invitees = sorted(c["email"] for c in pick(rng, contacts, int(rng.integers(0, 3))))
            events.append(
                {
                    "id": i,
                    "title": pick(rng, TITLES),
                    "date": day.isoformat(),
                    "start": pick(rng, STARTS[2:22]),
                    "duration": pick(rng, DURATIONS[1:6]),
                    "location": pick(rng, ("", *LOCATIONS)),
                    "reminder": pick(rng, REMINDERS),
                    "invitees": invitees,
                }
            )
        return {
            "today": today.isoformat(),
            "contacts": contacts,
            "events": events,
            "next_id": len(events),
        }

    # --- model -----------------------------------------------------------------------------

    def event(self, eid: int) -> dict[str, Any] | None:
        """Return the event with id ``eid`` or None."""
        return next((e for e in self.state["events"] if e["id"] == eid), None)

    def apply(self, op: Op) -> None:
        """Apply ``create``, ``update`` or ``delete``."""
        kind = op["op"]
        if kind == "create":
            e = {**DEFAULTS, **{k: op[k] for k in FIELDS if k in op}}
            e["invitees"] = sorted(e["invitees"])
            e["id"] = self.state["next_id"]
            self.state["next_id"] += 1
            self.state["events"].append(e)
        elif kind == "update":
            e = self.event(op["event"])
            assert e is not None
            e.update({k: op[k] for k in FIELDS if k in op})
            e["invitees"] = sorted(e["invitees"])
        elif kind == "delete":
            self.state["events"] = [e for e in self.state["events"] if e["id"] != op["event"]]
        else:
            raise ValueError(f"unknown calendar op {kind!r}")

    def snapshot(self, goal: Sequence[Op]) -> Any:
        """Every event's fields (ids of new events excluded)."""
        return tuple(sorted(tuple(str(e[k]) for k in FIELDS) for e in self.state["events"]))

    def _matches(self, e: dict[str, Any], op: Op) -> bool:
        return all(
            (sorted(e[k]) == sorted(op[k]) if k == "invitees" else e[k] == op[k])
            for k in FIELDS
            if k in op
        )

    def op_done(self, op: Op) -> bool:
        """Return whether ``op`` holds now."""
        if op["op"] == "create":
            full = {**DEFAULTS, **op}
            return any(self._matches(e, full) for e in self.state["events"])
        e = self.event(op["event"])
        if op["op"] == "delete":
            return e is None
        return e is not None and self._matches(e, op)

    # --- ui --------------------------------------------------------------------------------

    def _shift(self, months: int) -> None:
        m = self.ui["month"] - 1 + months
        year = self.ui["year"] + m // 12
        if MIN_YEAR <= year <= MAX_YEAR:
            self.ui["year"], self.ui["month"] = year, m % 12 + 1

    def _open_form(self, eid: int | None) -> None:
        if eid is None:
            form = {**DEFAULTS, "title": "", "date": self.ui["day"], "id": None, "invitees": []}
        else:
            e = self.event(eid)
            assert e is not None
            form = {**e, "invitees": list(e["invitees"])}
        self.ui["form"] = form
        self.ui["error"] = ""

    def _save(self) -> None:
        f = self.ui["form"]
        if not f["title"].strip():
            self.ui["error"] = "Title is required"
            return
        day = _parse(f["date"])
        if day is None or not MIN_YEAR <= day.year <= MAX_YEAR:
            self.ui["error"] = f"Date must look like 2026-03-14, years {MIN_YEAR}-{MAX_YEAR}"
            return
        fields = {k: f[k] for k in FIELDS}
        fields["title"], fields["date"] = f["title"].strip(), day.isoformat()
        if f["id"] is None:
            self.apply({"op": "create", **fields})
        else:
            self.apply({"op": "update", "event": f["id"], **fields})
        self.ui.update(form=None, error="", day=day.isoformat(), year=day.year, month=day.month)

    def _delete(self) -> None:
        f = self.ui["form"]
        if f and f["id"] is not None:
            self.apply({"op": "delete", "event": f["id"]})
        self.ui.update(form=None, error="")

    def _toggle_invitee(self, email: str) -> None:
        inv = self.ui["form"]["invitees"]
        if email in inv:
            inv.remove(email)
        else:
            inv.append(email)

    def day_events(self, day: str) -> list[dict[str, Any]]:
        """Events on ``day`` in start order."""
        return sorted(
            (e for e in self.state["events"] if e["date"] == day),
            key=lambda e: (e["start"], e["id"]),
        )

    def on_key(self, name: str, screen: Screen) -> str | None:
        """Delete removes the event being edited."""
        f = self.ui["form"]
        if (
            name == "Delete"
            and f is not None
            and f["id"] is not None
            and screen.focus_key == "cal:delete"
        ):
            self._delete()
            return "deleted the event"
        return None

    def view(self, screen: Screen) -> Widget:
        """Month header, grid, the selected day's event list and the event dialog."""
        ui = self.ui
        day = _parse(ui["day"])
        assert day is not None
        root = window("Calendar")
        root.add(self._menus(), self._toolbar(), self._grid())
        title = f"{WEEKDAYS[day.weekday()]}, {MONTH_NAMES[day.month - 1][:3]} {day.day}"
        root.add(Widget("heading", title, "", (PANE_X, GRID_Y, 186, 18)), self._day_list(screen))
        if ui["form"] is not None:
            root.add(self._dialog())
        return root

    def _menus(self) -> Widget:
        event = [("New event...", lambda: self._open_form(None))]
        view = [
            ("Previous month", lambda: self._shift(-1)),
            ("Next month", lambda: self._shift(1)),
            ("Today", self._today),
        ]
        return menubar([("Event", event), ("View", view)])

    def _toolbar(self) -> Widget:
        month = f"{MONTH_NAMES[self.ui['month'] - 1]} {self.ui['year']}"
        y = CONTENT_TOP + 3
        bar = Widget("toolbar", "", "", (0, CONTENT_TOP, WIDTH, 26))
        return bar.add(
            *build(
                ("button", "<", "cal:prev", (8, y, 24, 20), {"on_click": lambda: self._shift(-1)}),
                ("heading", month, "cal:month", (40, y, 150, 20), {}),
                ("button", ">", "cal:next", (196, y, 24, 20), {"on_click": lambda: self._shift(1)}),
                ("button", "Today", "cal:today", (228, y, 50, 20), {"on_click": self._today}),
                (
                    "button",
                    "New event",
                    "cal:new",
                    (540, y, 92, 20),
                    {"on_click": lambda: self._open_form(None), "style": "primary"},
                ),
            )
        )

    def _grid(self) -> Widget:
        ui, y0, m0 = self.ui, self.ui["year"], self.ui["month"]
        grid = Widget("table", f"{MONTH_NAMES[m0 - 1]} {y0}", "cal:grid", (8, GRID_Y, 430, 334))
        grid.add(
            *(
                Widget("label", wd, "", r, style="muted")
                for wd, r in zip(WEEKDAYS, HEADS, strict=True)
            )
        )
        first = dt.date(y0, m0, 1)
        start = first - dt.timedelta(days=first.weekday())
        by_day: dict[str, list[str]] = {}
        for e in sorted(self.state["events"], key=lambda e: e["start"]):
            by_day.setdefault(e["date"], []).append(e["title"])
        for k, rect in enumerate(CELLS):
            d = start + dt.timedelta(days=k)
            iso = d.isoformat()
            titles, inside = by_day.get(iso, []), d.month == m0
            label = f"{d.day} {MONTH_NAMES[d.month - 1]}"
            if titles:
                label += f" ({len(titles)} event{'s' if len(titles) > 1 else ''})"
            grid.add(
                Widget(
                    "cell",
                    label,
                    f"cal:day:{iso}",
                    rect,
                    value="\n".join(titles) if inside else None,
                    selected=iso == ui["day"],
                    on_click=(lambda iso=iso: ui.update(day=iso)) if inside else None,
                    style="today" if iso == self.state["today"] else "",
                )
            )
        return grid

    def _day_list(self, screen: Screen) -> Widget:
        return scroll_list(
            screen,
            ("list", "Events", DAY_LIST, (PANE_X, GRID_Y + 22, 186, LIST_ROWS * 20 + 6)),
            self.day_events(self.ui["day"]),
            lambda e, rect: Widget(
                "listitem",
                f"{e['start']} {e['title']}",
                f"cal:event:{e['id']}",
                rect,
                on_click=lambda: self._open_form(e["id"]),
            ),
            rows=LIST_ROWS,
            first_row=(PANE_X + 2, GRID_Y + 25, 176, 20),
            pitch=20,
            empty=("No events", (PANE_X + 8, GRID_Y + 28, 160, 16)),
        )

    def _today(self) -> None:
        today = _parse(self.state["today"])
        assert today is not None
        self.ui.update(year=today.year, month=today.month, day=today.isoformat())

    def _close_form(self) -> None:
        self.ui.update(form=None, error="")

    def _dialog(self) -> Widget:
        f = self.ui["form"]
        x, y, w, h = box = DIALOG
        title = "New event" if f["id"] is None else "Edit event"
        dlg = Widget("dialog", title, "cal:dialog", box, on_close=self._close_form)
        dlg.add(*self._event_fields(f))
        row = y + 28 + 26 * len(EVENT_FIELDS)
        dlg.add(
            *DIALOG_FORM.radios(
                row,
                "Reminder",
                "cal:reminder",
                REMINDERS,
                group=(300, 20),
                value=f["reminder"],
                pick=partial(f.__setitem__, "reminder"),
                pitch=75,
                width=72,
            )
        )
        row += 26
        dlg.add(DIALOG_FORM.label("Invitees", row), self._invitees(f, (x + 90, row, w - 100, 100)))
        if self.ui["error"]:
            error = (x + 12, y + h - 50, w - 24, 14)
            dlg.add(Widget("label", self.ui["error"], "", error, style="error"))
        dlg.add(
            *dialog_buttons(
                box,
                ("Save", self._save),
                ("Cancel", self._close_form),
                keys=("cal:save", "cal:cancel"),
                bottom=30,
                geometry=(160, 70, 82, 70, 22),
            )
        )
        if f["id"] is not None:
            delete = {"on_click": self._delete, "style": "danger"}
            dlg.add(
                *build(("button", "Delete", "cal:delete", (x + 12, y + h - 30, 70, 22), delete))
            )
        return dlg

    def _event_fields(self, f: dict[str, Any]) -> list[Widget]:
        """The form's rows of text fields and drop-downs (Enter in a text field saves)."""
        out: list[Widget] = []
        for i, (label, key, options) in enumerate(EVENT_FIELDS):
            text = options is None
            field = {
                "value": f[key],
                "options": options or (),
                "on_input": partial(f.__setitem__, key),
                "on_enter": self._save if text else None,
            }
            role, wide = ("textbox", DIALOG[2] - 110) if text else ("combobox", 200)
            y = DIALOG[1] + 28 + 26 * i
            out.extend(DIALOG_FORM.row(y, label, role, f"cal:{key}", wide, **field))
        return out

    def _invitees(self, f: dict[str, Any], box: Rect) -> Widget:
        group = Widget("group", "Invitees", "cal:invitees", box)
        for i, c in enumerate(self.state["contacts"]):
            group.add(
                Widget(
                    "checkbox",
                    c["name"],
                    f"cal:inv:{c['email']}",
                    grid_cell(box[:2], i, columns=2, pitch=(180, 20, 170, 20)),
                    checked=c["email"] in f["invitees"],
                    on_click=lambda e=c["email"]: self._toggle_invitee(e),
                )
            )
        return group

    # --- oracle ----------------------------------------------------------------------------

    def oracle(self, screen: Screen, goal: Sequence[Op]) -> ToolCall:
        """Open the right event (or a new one), fill the form, save."""
        if screen.open_key is not None:
            return ToolCall("key", {"name": "Escape"})
        todo = [op for op in goal if not self.op_done(op)]
        if not todo:
            return ToolCall("done", {})
        op = todo[0]
        form = self.ui["form"]
        target = None if op["op"] == "create" else op["event"]
        if form is not None:
            if form["id"] != target:
                return ToolCall("key", {"name": "Escape"})
            if op["op"] == "delete":
                return call(screen, "click", "cal:delete")
            desired: dict[str, Any] = {}
            for k in ("title", "date", "start", "duration", "location"):
                if k in op:
                    desired[f"cal:{k}"] = op[k]
            if "reminder" in op:
                desired[f"cal:reminder:{op['reminder']}"] = True
            if "invitees" in op:
                for c in self.state["contacts"]:
                    desired[f"cal:inv:{c['email']}"] = c["email"] in op["invitees"]
            return fill(screen, desired) or call(screen, "click", "cal:save")
        if op["op"] == "create":
            return call(screen, "click", "cal:new")
        e = self.event(op["event"])
        if e is None:
            raise OracleStuck(f"event {op['event']} was deleted; the goal cannot be reached")
        day = _parse(e["date"])
        assert day is not None
        shown = self.ui["year"] * 12 + self.ui["month"]
        want = day.year * 12 + day.month
        if shown != want:
            return call(screen, "click", "cal:next" if want > shown else "cal:prev")
        if self.ui["day"] != e["date"]:
            return call(screen, "click", f"cal:day:{e['date']}")
        events = self.day_events(e["date"])
        return reveal(screen, DAY_LIST, events.index(e), f"cal:event:{e['id']}")


# --- task templates ------------------------------------------------------------------------


def _date(rng: np.random.Generator, app: CalendarApp, difficulty: str) -> str:
    today = _parse(app.state["today"])
    assert today is not None
    spread = {"easy": (0, 10), "medium": (5, 40), "hard": (20, 70)}[difficulty]
    return (today + dt.timedelta(days=int(rng.integers(*spread)))).isoformat()


def _nice(iso: str) -> str:
    d = _parse(iso)
    assert d is not None
    return f"{WEEKDAYS[d.weekday()]} {d.day} {MONTH_NAMES[d.month - 1]} {d.year} ({iso})"


def _existing(rng: np.random.Generator, app: CalendarApp, difficulty: str) -> dict[str, Any]:
    """An event whose title is unique on its day; harder levels prefer other months."""
    today = app.state["today"][:7]
    events = [
        e
        for e in app.state["events"]
        if sum(x["title"] == e["title"] and x["date"] == e["date"] for x in app.state["events"])
        == 1
    ]
    if difficulty == "hard":
        events = [e for e in events if e["date"][:7] != today] or events
    return pick(rng, events)


def create(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Create an event (with a time, duration and location on harder levels)."""
    seed, app = new_world(CalendarApp, rng, difficulty)
    title, date = pick(rng, NEW_TITLES), _date(rng, app, difficulty)
    op: Op = {"op": "create", "title": title, "date": date}
    prompt = f'In Calendar, create an event "{title}" on {_nice(date)}'
    if difficulty != "easy":
        op["start"] = pick(rng, STARTS)
        prompt += f" starting at {op['start']}"
    if difficulty == "hard":
        op["duration"], op["location"] = pick(rng, DURATIONS), pick(rng, LOCATIONS)
        prompt += f", lasting {op['duration']}, at {op['location']}"
    return prompt + ".", task_data(CalendarApp, seed, [op])


def create_with_invitees(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Create an event with two (three on hard) invitees."""
    seed, app = new_world(CalendarApp, rng, difficulty)
    title, date = pick(rng, NEW_TITLES), _date(rng, app, difficulty)
    k = 3 if difficulty == "hard" else 2
    guests = pick(rng, app.state["contacts"], k)
    start = pick(rng, STARTS)
    op: Op = {"op": "create", "title": title, "date": date, "start": start}
    op["invitees"] = sorted(g["email"] for g in guests)
    prompt = (
        f'In Calendar, create an event "{title}" on {_nice(date)} at {start} and invite '
        + " and ".join(g["name"] for g in guests)
    )
    if difficulty == "hard":
        op["reminder"] = pick(rng, REMINDERS[1:])
        prompt += f", with a reminder {op['reminder']} before"
    return prompt + ".", task_data(CalendarApp, seed, [op])


def delete(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Delete one event."""
    seed, app = new_world(CalendarApp, rng, difficulty)
    e = _existing(rng, app, difficulty)
    prompt = f'In Calendar, delete the event "{e["title"]}" on {_nice(e["date"])}.'
    return prompt, task_data(CalendarApp, seed, [{"op": "delete", "event": e["id"]}])


def reschedule(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Move an event to another date (and time on harder levels)."""
    seed, app = new_world(CalendarApp, rng, difficulty)
    e = _existing(rng, app, difficulty)
    new = _date(rng, app, difficulty)
    if new == e["date"]:
        new = (dt.date.fromisoformat(new) + dt.timedelta(days=1)).isoformat()
    op: Op = {"op": "update", "event": e["id"], "date": new}
    prompt = f'In Calendar, move "{e["title"]}" from {_nice(e["date"])} to {_nice(new)}'
    if difficulty != "easy":
        op["start"] = pick(rng, [s for s in STARTS if s != e["start"]])
        prompt += f", starting at {op['start']}"
    return prompt + ".", task_data(CalendarApp, seed, [op])


def rename(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Rename an event."""
    seed, app = new_world(CalendarApp, rng, difficulty)
    e = _existing(rng, app, difficulty)
    new = pick(rng, [t for t in NEW_TITLES if t != e["title"]])
    prompt = f'In Calendar, rename the event "{e["title"]}" on {_nice(e["date"])} to "{new}".'
    return prompt, task_data(CalendarApp, seed, [{"op": "update", "event": e["id"], "title": new}])


def add_invitee(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Invite one (two on hard) more people to an event."""
    seed, app = new_world(CalendarApp, rng, difficulty)
    e = _existing(rng, app, difficulty)
    others = [c for c in app.state["contacts"] if c["email"] not in e["invitees"]]
    guests = pick(rng, others, 2 if difficulty == "hard" else 1)
    invitees = sorted(e["invitees"] + [g["email"] for g in guests])
    prompt = (
        f"In Calendar, add {' and '.join(g['name'] for g in guests)} to the invitees of "
        f'"{e["title"]}" on {_nice(e["date"])}.'
    )
    return prompt, task_data(
        CalendarApp, seed, [{"op": "update", "event": e["id"], "invitees": invitees}]
    )


def set_reminder(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Change the reminder (and the duration on harder levels) of an event."""
    seed, app = new_world(CalendarApp, rng, difficulty)
    e = _existing(rng, app, difficulty)
    rem = pick(rng, [r for r in REMINDERS if r != e["reminder"]])
    op: Op = {"op": "update", "event": e["id"], "reminder": rem}
    prompt = f'In Calendar, set the reminder of "{e["title"]}" on {_nice(e["date"])} to "{rem}"'
    if difficulty != "easy":
        op["duration"] = pick(rng, [d for d in DURATIONS if d != e["duration"]])
        prompt += f" and its duration to {op['duration']}"
    return prompt + ".", task_data(CalendarApp, seed, [op])


def set_location(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Set the location of an event."""
    seed, app = new_world(CalendarApp, rng, difficulty)
    e = _existing(rng, app, difficulty)
    loc = pick(rng, [x for x in LOCATIONS if x != e["location"]])
    prompt = f'In Calendar, set the location of "{e["title"]}" on {_nice(e["date"])} to "{loc}".'
    return prompt, task_data(
        CalendarApp, seed, [{"op": "update", "event": e["id"], "location": loc}]
    )


def clear_day(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Delete every event on one day (setup adds some so the day has 1-3 events)."""
    seed, app = new_world(CalendarApp, rng, difficulty)
    date = _date(rng, app, difficulty)
    n = {"easy": 1, "medium": 2, "hard": 3}[difficulty]
    have = [e for e in app.state["events"] if e["date"] == date]
    setup: list[Op] = []
    for i in range(max(0, n - len(have))):
        setup.append(
            {"op": "create", "title": pick(rng, TITLES), "date": date, "start": STARTS[4 + 3 * i]}
        )
    next_id = app.state["next_id"]
    ids = [e["id"] for e in have] + list(range(next_id, next_id + len(setup)))
    goal = [{"op": "delete", "event": i} for i in ids]
    return f"In Calendar, delete every event on {_nice(date)}.", task_data(
        CalendarApp, seed, goal, setup
    )


TEMPLATES: dict[str, Template] = {
    "calendar-create": create,
    "calendar-create-invitees": create_with_invitees,
    "calendar-delete": delete,
    "calendar-reschedule": reschedule,
    "calendar-rename": rename,
    "calendar-add-invitee": add_invitee,
    "calendar-reminder": set_reminder,
    "calendar-location": set_location,
    "calendar-clear-day": clear_day,
}
