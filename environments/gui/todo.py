"""A to-do app: lists, an add field that submits on Enter, filters, and a task details pane."""

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
    new_world,
    pick,
    reveal,
    task_data,
)
from agentgym.environments.gui.layout import (
    CONTENT_BOTTOM,
    CONTENT_TOP,
    Form,
    build,
    grid_cell,
    menubar,
    prompt_dialog,
    scroll_list,
    side_list,
    window,
)
from agentgym.environments.gui.widgets import Rect, Widget
from agentgym.tools.base import ToolCall

if TYPE_CHECKING:
    from agentgym.environments.gui.screen import Screen

__all__ = ["TodoApp", "TEMPLATES"]

LISTS = ("Personal", "Work", "Groceries")
ITEMS = {
    "Personal": (
        "Call mum",
        "Book dentist",
        "Pay rent",
        "Renew passport",
        "Water plants",
        "Plan trip",
        "Fix bike",
    ),
    "Work": (
        "Send report",
        "Review PR",
        "Update roadmap",
        "Prepare slides",
        "Email client",
        "File expenses",
        "Team survey",
    ),
    "Groceries": ("Milk", "Eggs", "Bread", "Coffee", "Apples", "Rice", "Olive oil", "Cheese"),
}
PRIORITIES = ("Low", "Normal", "High")
FILTERS = ("All", "Active", "Completed")
FIELDS = ("list", "title", "done", "priority", "due")
ROWS = 12
LIST = "todo:tasks"
# Where the blocks of the window go (see the view).
SIDE = (0, CONTENT_TOP, 120, CONTENT_BOTTOM - CONTENT_TOP)
NEW_LIST = (8, 356, 104, 20)
TABS_AT = (126, CONTENT_TOP + 2)
ADD_Y = CONTENT_TOP + 30
CLEAR = (124, 356, 120, 20)
DETAILS_BOX = (426, CONTENT_TOP + 4, 208, 320)
DETAILS = Form(label_x=434, label_w=60, field_x=494)
COUNTS = {"easy": 4, "medium": 6, "hard": 8}
EXTRA = (
    "Buy stamps",
    "Clean desk",
    "Read paper",
    "Backup laptop",
    "Order printer ink",
    "Call plumber",
)


class TodoApp(App):
    """Task lists with completion, priorities, due dates, filters and list management."""

    name = "todo"
    title = "Tasks"

    def __init__(self, world: int, difficulty: str, setup: Sequence[Op] = ()):
        super().__init__(world, difficulty, setup)
        self.ui: dict[str, Any] = {
            "list": "Personal",
            "filter": "All",
            "new": "",
            "new_priority": "Normal",
            "selected": None,
            "dialog": None,
            "dialog_value": "",
            "error": "",
        }

    @classmethod
    def generate(cls, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        """Return three lists of tasks, some done."""
        tasks = []
        for name in LISTS:
            for title in pick(rng, ITEMS[name], min(COUNTS[difficulty], len(ITEMS[name]))):
                tasks.append(
                    {
                        "id": len(tasks),
                        "list": name,
                        "title": title,
                        "done": bool(rng.random() < 0.3),
                        "priority": pick(rng, PRIORITIES),
                        "due": ""
                        if rng.random() < 0.5
                        else f"2026-0{int(rng.integers(1, 10))}-{int(rng.integers(10, 29))}",
                    }
                )
        return {"lists": list(LISTS), "tasks": tasks, "next_id": len(tasks)}

    # --- model -----------------------------------------------------------------------------

    def task(self, tid: int) -> dict[str, Any] | None:
        """Return the task with id ``tid`` or None."""
        return next((t for t in self.state["tasks"] if t["id"] == tid), None)

    def apply(self, op: Op) -> None:
        """Apply ``add``, ``set``, ``delete``, ``mklist`` or ``clear``."""
        kind = op["op"]
        if kind == "add":
            t = {
                "list": op["list"],
                "title": op["title"],
                "done": False,
                "priority": op.get("priority", "Normal"),
                "due": op.get("due", ""),
            }
            t["id"] = self.state["next_id"]
            self.state["next_id"] += 1
            self.state["tasks"].append(t)
        elif kind == "set":
            t = self.task(op["task"])
            assert t is not None
            t.update({k: op[k] for k in FIELDS if k in op})
        elif kind == "delete":
            self.state["tasks"] = [t for t in self.state["tasks"] if t["id"] != op["task"]]
        elif kind == "mklist":
            if op["name"] not in self.state["lists"]:
                self.state["lists"].append(op["name"])
        elif kind == "clear":
            self.state["tasks"] = [
                t for t in self.state["tasks"] if not (t["list"] == op["list"] and t["done"])
            ]
        else:
            raise ValueError(f"unknown todo op {kind!r}")

    def snapshot(self, goal: Sequence[Op]) -> Any:
        """Lists and every task's fields (ids of new tasks excluded)."""
        tasks = sorted(tuple(str(t[k]) for k in FIELDS) for t in self.state["tasks"])
        return (tuple(sorted(self.state["lists"])), tuple(tasks))

    def op_done(self, op: Op) -> bool:
        """Return whether ``op`` holds now."""
        kind = op["op"]
        if kind == "add":
            want = {
                "list": op["list"],
                "title": op["title"],
                "done": False,
                "priority": op.get("priority", "Normal"),
                "due": op.get("due", ""),
            }
            return any(all(t[k] == v for k, v in want.items()) for t in self.state["tasks"])
        if kind == "set":
            t = self.task(op["task"])
            return t is not None and all(t[k] == op[k] for k in FIELDS if k in op)
        if kind == "delete":
            return self.task(op["task"]) is None
        if kind == "mklist":
            return op["name"] in self.state["lists"]
        return not any(t["list"] == op["list"] and t["done"] for t in self.state["tasks"])

    # --- ui --------------------------------------------------------------------------------

    def shown(self) -> list[dict[str, Any]]:
        """Tasks of the open list that pass the filter: open ones first, then by id."""
        f = self.ui["filter"]
        return sorted(
            (
                t
                for t in self.state["tasks"]
                if t["list"] == self.ui["list"] and (f == "All" or (f == "Completed") == t["done"])
            ),
            key=lambda t: (t["done"], t["id"]),
        )

    def _add(self) -> None:
        title = self.ui["new"].strip()
        if not title:
            self.ui["error"] = "type a task first"
            return
        self.apply(
            {
                "op": "add",
                "list": self.ui["list"],
                "title": title,
                "priority": self.ui["new_priority"],
            }
        )
        self.ui.update(new="", error="", new_priority="Normal")

    def _edit(self, field: str, value: Any) -> None:
        t = self.task(self.ui["selected"])
        if t is not None:
            t[field] = value

    def _toggle(self, tid: int) -> None:
        t = self.task(tid)
        if t is not None:
            t["done"] = not t["done"]

    def _delete_selected(self) -> None:
        if self.ui["selected"] is not None:
            self.apply({"op": "delete", "task": self.ui["selected"]})
            self.ui["selected"] = None

    def _new_list(self) -> None:
        name = self.ui["dialog_value"].strip()
        if not name or name in self.state["lists"]:
            self.ui["error"] = "enter a new, non-empty list name"
            return
        self.apply({"op": "mklist", "name": name})
        self.ui.update(dialog=None, error="", list=name, selected=None)

    def on_key(self, name: str, screen: Screen) -> str | None:
        """Delete removes the selected task."""
        if name == "Delete" and self.ui["selected"] is not None and self.ui["dialog"] is None:
            self._delete_selected()
            return "deleted the selected task"
        return None

    def view(self, screen: Screen) -> Widget:
        """Lists, filter tabs, the add row, the task list, the details pane, any dialog."""
        ui = self.ui
        root = window(f"Tasks - {ui['list']}")
        root.add(self._menus(), self._lists(), self._filters(), *self._add_row())
        root.add(self._tasks(screen))
        root.add(
            Widget("button", "Clear completed", "todo:clear", CLEAR, on_click=self._clear_done),
            self._details(),
        )
        if ui["error"]:
            root.add(Widget("label", ui["error"], "", (254, 358, 170, 16), style="error"))
        if ui["dialog"] == "list":
            name = {
                "value": ui["dialog_value"],
                "on_input": lambda t: ui.update(dialog_value=t),
                "on_enter": self._new_list,
            }
            root.add(
                prompt_dialog(
                    "New list",
                    (190, 130, 260, 110),
                    "Name",
                    ("Create", self._new_list),
                    self._close_dialog,
                    field=("textbox", "List name", name),
                    label_w=60,
                )
            )
        return root

    def _clear_done(self) -> None:
        self.apply({"op": "clear", "list": self.ui["list"]})

    def _open_dialog(self) -> None:
        self.ui.update(dialog="list", dialog_value="", error="")

    def _close_dialog(self) -> None:
        self.ui.update(dialog=None, error="")

    def _menus(self) -> Widget:
        lists = [("New list...", self._open_dialog), ("Clear completed", self._clear_done)]
        filters = [(f, lambda f=f: self.ui.update(filter=f)) for f in FILTERS]
        return menubar([("List", lists), ("View", filters)])

    def _lists(self) -> Widget:
        ui = self.ui
        open_ = {
            name: sum(1 for t in self.state["tasks"] if t["list"] == name and not t["done"])
            for name in self.state["lists"]
        }
        items = [
            (
                f"{name} ({open_[name]})",
                f"todo:list:{name}",
                {
                    "selected": name == ui["list"],
                    "on_click": lambda name=name: ui.update(list=name, selected=None),
                },
            )
            for name in self.state["lists"]
        ]
        side = side_list("Lists", "todo:lists", SIDE, items, row_h=20, inset=6)
        return side.add(
            Widget("button", "+ New list", "todo:newlist", NEW_LIST, on_click=self._open_dialog)
        )

    def _filters(self) -> Widget:
        tabs = Widget("tablist", "Filter", "", (120, CONTENT_TOP, 300, 24))
        for i, f in enumerate(FILTERS):
            tabs.add(
                Widget(
                    "tab",
                    f,
                    f"todo:filter:{f}",
                    grid_cell(TABS_AT, i, columns=len(FILTERS), pitch=(84, 0, 80, 22)),
                    selected=self.ui["filter"] == f,
                    on_click=lambda f=f: self.ui.update(filter=f),
                )
            )
        return tabs

    def _add_row(self) -> list[Widget]:
        ui, y = self.ui, ADD_Y
        new = {"value": ui["new"], "on_input": lambda t: ui.update(new=t), "on_enter": self._add}
        prio = {
            "value": ui["new_priority"],
            "options": PRIORITIES,
            "on_input": lambda v: ui.update(new_priority=v),
        }
        return build(
            ("textbox", "Add a task", "todo:new", (128, y, 170, 20), new),
            ("combobox", "Priority", "todo:newprio", (304, y, 70, 20), prio),
            (
                "button",
                "Add",
                "todo:add",
                (380, y, 36, 20),
                {"on_click": self._add, "style": "primary"},
            ),
        )

    def _tasks(self, screen: Screen) -> Widget:
        return scroll_list(
            screen,
            ("list", "Tasks", LIST, (124, ADD_Y + 26, 296, ROWS * 22 + 6)),
            self.shown(),
            self._task_row,
            rows=ROWS,
            first_row=(126, ADD_Y + 29, 284, 20),
            pitch=22,
            empty=("Nothing here", (140, ADD_Y + 32, 200, 18)),
        )

    def _task_row(self, t: dict[str, Any], rect: Rect) -> Widget:
        x, y, _, _ = rect
        row = Widget(
            "listitem",
            f"{t['title']} | {t['priority']}" + (f" | due {t['due']}" if t["due"] else ""),
            f"todo:task:{t['id']}",
            rect,
            selected=t["id"] == self.ui["selected"],
            on_click=lambda: self.ui.update(selected=t["id"]),
            style="cols:16,150,200" + (" muted" if t["done"] else ""),
        )
        done = Widget(
            "checkbox",
            f"Done: {t['title']}",
            f"todo:done:{t['id']}",
            (x + 2, y + 4, 12, 12),
            checked=t["done"],
            on_click=lambda: self._toggle(t["id"]),
        )
        return row.add(done)

    def _details(self) -> Widget:
        pane = Widget("group", "Details", "todo:details", DETAILS_BOX, style="card")
        sel = self.task(self.ui["selected"]) if self.ui["selected"] is not None else None
        y = CONTENT_TOP + 12
        if sel is None or sel["list"] != self.ui["list"]:
            hint = "Select a task to edit it"
            return pane.add(Widget("label", hint, "", (434, y, 190, 16), style="muted"))
        pane.add(Widget("heading", "Details", "", (434, y, 190, 18)))
        for label, key, options in (
            ("Title", "title", None),
            ("Due", "due", None),
            ("Priority", "priority", PRIORITIES),
            ("List", "list", tuple(self.state["lists"])),
        ):
            y += 28
            role = "textbox" if options is None else "combobox"
            edit = {
                "value": sel[key],
                "options": options or (),
                "on_input": partial(self._edit, key),
            }
            pane.add(*DETAILS.row(y, label, role, f"todo:edit:{key}", 132, **edit))
        y += 28
        done = {"checked": sel["done"], "on_click": lambda: self._edit("done", not sel["done"])}
        delete = {"on_click": self._delete_selected, "style": "danger"}
        return pane.add(
            *build(
                ("checkbox", "Completed", "todo:edit:done", (494, y, 120, 20), done),
                ("button", "Delete task", "todo:delete", (434, y + 36, 90, 22), delete),
            )
        )

    # --- oracle ----------------------------------------------------------------------------

    def oracle(self, screen: Screen, goal: Sequence[Op]) -> ToolCall:
        """Do the first unmet operation through the UI."""
        if screen.open_key is not None:
            return ToolCall("key", {"name": "Escape"})
        todo = [op for op in goal if not self.op_done(op)]
        if not todo:
            return ToolCall("done", {})
        op, ui = todo[0], self.ui
        kind = op["op"]
        if kind == "mklist":
            if ui["dialog"] == "list":
                return fill(screen, {"dialog:value": op["name"]}) or call(
                    screen, "click", "dialog:ok"
                )
            return call(screen, "click", "todo:newlist")
        if ui["dialog"] is not None:
            return ToolCall("key", {"name": "Escape"})
        target_list = op.get("list")
        if kind in ("set", "delete"):
            t = self.task(op["task"])
            if t is None:
                raise OracleStuck(f"task {op['task']} was deleted; the goal cannot be reached")
            target_list = t["list"]
        if ui["list"] != target_list:
            return call(screen, "click", f"todo:list:{target_list}")
        if kind == "clear":
            return call(screen, "click", "todo:clear")
        if kind == "add":
            if ui["new"] != op["title"]:
                return call(screen, "type", "todo:new", text=op["title"])
            if ui["new_priority"] != op.get("priority", "Normal"):
                return call(screen, "select", "todo:newprio", option=op.get("priority", "Normal"))
            return call(screen, "click", "todo:add")
        if ui["filter"] != "All":
            return call(screen, "click", "todo:filter:All")
        t = self.task(op["task"])
        assert t is not None
        items = self.shown()
        if kind == "set" and set(op) <= {"op", "task", "done"}:
            return reveal(screen, LIST, items.index(t), f"todo:done:{t['id']}")
        if ui["selected"] != t["id"]:
            return reveal(screen, LIST, items.index(t), f"todo:task:{t['id']}")
        if kind == "delete":
            return call(screen, "click", "todo:delete")
        desired: dict[str, Any] = {
            f"todo:edit:{k}": op[k] for k in ("title", "due", "priority", "list") if k in op
        }
        if "done" in op:
            desired["todo:edit:done"] = op["done"]
        step = fill(screen, desired)
        if step is None:
            raise OracleStuck("details match but the op is not done")
        return step


# --- task templates ------------------------------------------------------------------------


def add_task(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Add a task to a list (with a priority on harder levels, two tasks on hard)."""
    seed, app = new_world(TodoApp, rng, difficulty)
    lst = pick(rng, LISTS)
    titles = pick(rng, EXTRA, 2 if difficulty == "hard" else 1)
    goal: list[Op] = []
    parts = []
    for title in titles:
        op: Op = {"op": "add", "list": lst, "title": title}
        part = f'"{title}"'
        if difficulty != "easy":
            op["priority"] = pick(rng, ("Low", "High"))
            part += f" with {op['priority'].lower()} priority"
        goal.append(op)
        parts.append(part)
    return f"In Tasks, add {' and '.join(parts)} to the {lst} list.", task_data(TodoApp, seed, goal)


def complete(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Mark one to three open tasks as done."""
    seed, app = new_world(TodoApp, rng, difficulty)
    k = {"easy": 1, "medium": 2, "hard": 3}[difficulty]
    open_tasks = [t for t in app.state["tasks"] if not t["done"]]
    chosen = pick(rng, open_tasks, min(k, len(open_tasks)))
    goal = [{"op": "set", "task": t["id"], "done": True} for t in chosen]
    what = ", ".join(f'"{t["title"]}" ({t["list"]})' for t in chosen)
    return f"In Tasks, mark these tasks as done: {what}.", task_data(TodoApp, seed, goal)


def delete_task(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Delete one task (two on hard)."""
    seed, app = new_world(TodoApp, rng, difficulty)
    chosen = pick(rng, app.state["tasks"], 2 if difficulty == "hard" else 1)
    goal = [{"op": "delete", "task": t["id"]} for t in chosen]
    what = " and ".join(f'"{t["title"]}" from {t["list"]}' for t in chosen)
    return f"In Tasks, delete {what}.", task_data(TodoApp, seed, goal)


def prioritise(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Change a task's priority (and due date on harder levels)."""
    seed, app = new_world(TodoApp, rng, difficulty)
    t = pick(rng, app.state["tasks"])
    prio = pick(rng, [p for p in PRIORITIES if p != t["priority"]])
    op: Op = {"op": "set", "task": t["id"], "priority": prio}
    prompt = f'In Tasks, set the priority of "{t["title"]}" ({t["list"]}) to {prio}'
    if difficulty != "easy":
        op["due"] = f"2026-1{int(rng.integers(0, 3))}-{int(rng.integers(10, 29))}"
        prompt += f" and its due date to {op['due']}"
    return prompt + ".", task_data(TodoApp, seed, [op])


def clear_completed(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Remove every completed task from a list (setup completes some)."""
    seed, app = new_world(TodoApp, rng, difficulty)
    lst = pick(rng, LISTS)
    in_list = [t for t in app.state["tasks"] if t["list"] == lst]
    setup = [
        {"op": "set", "task": t["id"], "done": True}
        for t in in_list[: {"easy": 1, "medium": 2, "hard": 3}[difficulty]]
    ]
    return f"In Tasks, clear all completed tasks from the {lst} list.", task_data(
        TodoApp, seed, [{"op": "clear", "list": lst}], setup
    )


def new_list(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Create a list and add tasks to it."""
    seed, app = new_world(TodoApp, rng, difficulty)
    name = pick(rng, ("Holiday", "Garden", "Move house", "Party"))
    titles = pick(rng, EXTRA, {"easy": 1, "medium": 2, "hard": 3}[difficulty])
    goal: list[Op] = [{"op": "mklist", "name": name}]
    goal += [{"op": "add", "list": name, "title": t} for t in titles]
    quoted = ", ".join(f'"{t}"' for t in titles)
    return f'In Tasks, create a list named "{name}" with the tasks {quoted}.', task_data(
        TodoApp, seed, goal
    )


def move_task(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Move a task to another list (and rename it on hard)."""
    seed, app = new_world(TodoApp, rng, difficulty)
    t = pick(rng, app.state["tasks"])
    dest = pick(rng, [x for x in LISTS if x != t["list"]])
    op: Op = {"op": "set", "task": t["id"], "list": dest}
    prompt = f'In Tasks, move "{t["title"]}" from {t["list"]} to {dest}'
    if difficulty == "hard":
        op["title"] = t["title"] + " (urgent)"
        prompt += f' and rename it to "{op["title"]}"'
    return prompt + ".", task_data(TodoApp, seed, [op])


TEMPLATES: dict[str, Template] = {
    "todo-add": add_task,
    "todo-complete": complete,
    "todo-delete": delete_task,
    "todo-priority": prioritise,
    "todo-clear-completed": clear_completed,
    "todo-new-list": new_list,
    "todo-move": move_task,
}
