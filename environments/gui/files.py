"""A file manager: places, a file table with selection, cut/copy/paste, rename and delete."""

from __future__ import annotations

from collections.abc import Sequence
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
from agentgym.environments.gui.content import MONTHS, TOPICS
from agentgym.environments.gui.layout import (
    CONTENT_BOTTOM,
    CONTENT_TOP,
    WIDTH,
    build,
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

__all__ = ["FilesApp", "TEMPLATES"]

PLACES = ("Documents", "Downloads", "Pictures", "Music", "Projects", "Reports", "Archive")
EXTS = ("pdf", "docx", "xlsx", "png", "jpg", "mp3", "txt", "tmp", "zip", "csv")
KINDS = {
    "pdf": "PDF document",
    "docx": "Word document",
    "xlsx": "Spreadsheet",
    "png": "PNG image",
    "jpg": "JPEG image",
    "mp3": "Audio",
    "txt": "Text",
    "tmp": "Temporary file",
    "zip": "Archive",
    "csv": "CSV table",
}
COUNTS = {"easy": (5, 8), "medium": (9, 14), "hard": (16, 24)}
ROW_H = 18
TABLE = "files:table"
COLS = "cols:22,250,370,450"
# Where the blocks of the window go (see the view).
BAR_Y = CONTENT_TOP + 3
BODY = CONTENT_TOP + 24
PLACES_BOX = (0, BODY, 110, CONTENT_BOTTOM - BODY)
TABLE_BOX = (110, BODY, 530, CONTENT_BOTTOM - BODY - 20)
DIALOG = (180, 130, 280, 110)


def _dirname(path: str) -> str:
    return path.rsplit("/", 1)[0] or "/"


def _basename(path: str) -> str:
    return path.rsplit("/", 1)[1]


def _join(folder: str, name: str) -> str:
    return f"{folder.rstrip('/')}/{name}"


def _size(n: int) -> str:
    return f"{n} KB" if n < 1024 else f"{n / 1024:.1f} MB"


class FilesApp(App):
    """A file manager over an in-memory tree of folders and files."""

    name = "files"
    title = "Files"

    def __init__(self, world: int, difficulty: str, setup: Sequence[Op] = ()):
        super().__init__(world, difficulty, setup)
        self.ui: dict[str, Any] = {
            "cwd": "/Documents",
            "path_input": "/Documents",
            "selection": [],
            "clipboard": None,
            "dialog": None,
            "dialog_value": "",
            "error": "",
        }

    @classmethod
    def generate(cls, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        """Return folders with a difficulty-dependent number of files each."""
        entries: dict[str, dict[str, Any]] = {
            "/Trash": {"kind": "folder", "size": 0, "modified": ""}
        }
        lo, hi = COUNTS[difficulty]
        stems = [t.replace(" ", "_") for t in TOPICS]
        for place in PLACES:
            folder = f"/{place}"
            entries[folder] = {"kind": "folder", "size": 0, "modified": "Nov 01"}
            for _ in range(int(rng.integers(lo, hi + 1))):
                for _attempt in range(20):
                    stem = pick(rng, stems)
                    if rng.random() < 0.5:
                        stem += f"_{int(rng.integers(1, 40))}"
                    path = f"{folder}/{stem}.{pick(rng, EXTS)}"
                    if path not in entries:
                        break
                entries[path] = {
                    "kind": "file",
                    "size": int(rng.integers(2, 4000)),
                    "modified": f"{MONTHS[int(rng.integers(0, 11))]} {int(rng.integers(1, 29)):02d}",
                }
        return {"entries": entries}

    # --- model -----------------------------------------------------------------------------

    def exists(self, path: str) -> bool:
        """Return whether ``path`` exists."""
        return path in self.state["entries"]

    def children(self, folder: str) -> list[str]:
        """Return the paths directly inside ``folder``: folders first, then files, by name."""
        prefix = folder.rstrip("/") + "/"
        out = [
            p for p in self.state["entries"] if p.startswith(prefix) and "/" not in p[len(prefix) :]
        ]
        return sorted(out, key=lambda p: (self.state["entries"][p]["kind"] != "folder", p.lower()))

    def _relocate(self, src: str, dst: str, keep: bool = False) -> None:
        entries = self.state["entries"]
        moved = {p: v for p, v in entries.items() if p == src or p.startswith(src + "/")}
        for p, v in moved.items():
            if not keep:
                del entries[p]
            entries[dst + p[len(src) :]] = dict(v)

    def _free_name(self, folder: str, name: str) -> str:
        if not self.exists(_join(folder, name)):
            return _join(folder, name)
        stem, dot, ext = name.rpartition(".")
        if not dot or not stem:
            stem, ext = name, ""
        i = 2
        while True:
            cand = f"{stem} ({i}).{ext}" if ext else f"{stem} ({i})"
            if not self.exists(_join(folder, cand)):
                return _join(folder, cand)
            i += 1

    def apply(self, op: Op) -> None:
        """Apply ``mkdir``, ``delete``, ``move``, ``copy``, ``rename`` or ``add``."""
        kind = op["op"]
        if kind == "mkdir":
            self.state["entries"][op["path"]] = {"kind": "folder", "size": 0, "modified": "Nov 29"}
        elif kind == "add":
            self.state["entries"][op["path"]] = {
                "kind": "file",
                "size": op.get("size", 10),
                "modified": "Nov 20",
            }
        elif kind == "delete":
            self._relocate(op["path"], self._free_name("/Trash", _basename(op["path"])))
        elif kind in ("move", "copy"):
            self._relocate(
                op["path"], _join(op["dest"], _basename(op["path"])), keep=kind == "copy"
            )
        elif kind == "rename":
            self._relocate(op["path"], _join(_dirname(op["path"]), op["name"]))
        else:
            raise ValueError(f"unknown files op {kind!r}")

    def snapshot(self, goal: Sequence[Op]) -> Any:
        """Every path with its kind and size."""
        return tuple(sorted((p, v["kind"], v["size"]) for p, v in self.state["entries"].items()))

    def op_done(self, op: Op) -> bool:
        """Return whether ``op`` holds now."""
        kind, path = op["op"], op["path"]
        if kind in ("mkdir", "add"):
            return self.exists(path)
        if kind == "delete":
            return not self.exists(path) and self.exists(_join("/Trash", _basename(path)))
        if kind == "move":
            return not self.exists(path) and self.exists(_join(op["dest"], _basename(path)))
        if kind == "copy":
            return self.exists(path) and self.exists(_join(op["dest"], _basename(path)))
        return not self.exists(path) and self.exists(_join(_dirname(path), op["name"]))

    # --- ui callbacks ----------------------------------------------------------------------

    def _go(self, folder: str) -> None:
        if folder in self.state["entries"] and self.state["entries"][folder]["kind"] == "folder":
            self.ui.update(cwd=folder, path_input=folder, selection=[], error="")
        else:
            self.ui["error"] = f"no folder {folder}"

    def _go_input(self) -> None:
        self._go(self.ui["path_input"].strip().rstrip("/") or "/")

    def _up(self) -> None:
        if self.ui["cwd"].count("/") > 1:
            self._go(_dirname(self.ui["cwd"]))

    def _select_only(self, path: str) -> None:
        self.ui["selection"] = [path]

    def _toggle(self, path: str) -> None:
        sel = self.ui["selection"]
        if path in sel:
            sel.remove(path)
        else:
            sel.append(path)

    def _open(self) -> None:
        sel = self.ui["selection"]
        if len(sel) == 1 and self.state["entries"][sel[0]]["kind"] == "folder":
            self._go(sel[0])
        else:
            self.ui["error"] = "select one folder to open"

    def _clip(self, mode: str) -> None:
        if not self.ui["selection"]:
            self.ui["error"] = "select files first"
            return
        self.ui["clipboard"] = {"mode": mode, "paths": list(self.ui["selection"])}
        self.ui["error"] = f"{len(self.ui['selection'])} item(s) ready to paste"

    def _paste(self) -> None:
        clip = self.ui["clipboard"]
        cwd = self.ui["cwd"]
        if not clip:
            self.ui["error"] = "nothing to paste"
            return
        for p in clip["paths"]:
            if not self.exists(p):
                continue
            if cwd == p or cwd.startswith(p + "/"):
                self.ui["error"] = "cannot paste a folder into itself"
                return
            if clip["mode"] == "cut":
                if _dirname(p) == cwd:
                    continue
                if self.exists(_join(cwd, _basename(p))):
                    self.ui["error"] = f"{_basename(p)} already exists here"
                    return
                self._relocate(p, _join(cwd, _basename(p)))
            else:
                self._relocate(p, self._free_name(cwd, _basename(p)), keep=True)
        if clip["mode"] == "cut":
            self.ui["clipboard"] = None
        self.ui["selection"] = []
        self.ui["error"] = "pasted"

    def _dialog(self, kind: str) -> None:
        sel = self.ui["selection"]
        if kind == "rename" and len(sel) != 1:
            self.ui["error"] = "select exactly one item to rename"
            return
        if kind == "delete" and not sel:
            self.ui["error"] = "select items to delete"
            return
        value = _basename(sel[0]) if kind == "rename" else ""
        self.ui.update(dialog=kind, dialog_value=value, error="")

    def _confirm(self) -> None:
        kind, value, cwd = self.ui["dialog"], self.ui["dialog_value"].strip(), self.ui["cwd"]
        if kind == "delete":
            for p in list(self.ui["selection"]):
                if self.exists(p):
                    self.apply({"op": "delete", "path": p})
            self.ui["selection"] = []
        else:
            if not value or "/" in value:
                self.ui["error"] = "enter a name without '/'"
                return
            target = _join(cwd, value)
            if self.exists(target):
                self.ui["error"] = f"{value} already exists"
                return
            if kind == "mkdir":
                self.apply({"op": "mkdir", "path": target})
            else:
                self.apply({"op": "rename", "path": self.ui["selection"][0], "name": value})
                self.ui["selection"] = [target]
        self.ui.update(dialog=None, error="")

    def _cancel(self) -> None:
        self.ui.update(dialog=None, error="")

    def on_key(self, name: str, screen: Screen) -> str | None:
        """Delete asks to delete the selection."""
        if name == "Delete" and self.ui["selection"] and self.ui["dialog"] is None:
            self._dialog("delete")
            return "asked to delete the selection"
        return None

    # --- view ------------------------------------------------------------------------------

    def view(self, screen: Screen) -> Widget:
        """Toolbar, path bar, places, the file table and any dialog."""
        ui = self.ui
        root = window(f"Files - {ui['cwd']}")
        items, sel = self.children(ui["cwd"]), ui["selection"]
        root.add(self._menus(), self._toolbar(), self._places(), self._table(screen, items))
        info = f"{len(items)} items, {len(sel)} selected"
        if ui["clipboard"]:
            info += f"; clipboard: {len(ui['clipboard']['paths'])} to {ui['clipboard']['mode']}"
        style = "error" if ui["error"] and "exist" in ui["error"] else "muted"
        root.add(Widget("label", ui["error"] or info, "", (116, 366, 520, 16), style=style))
        if ui["dialog"] is not None:
            root.add(self._dialog_widget())
        return root

    def _menus(self) -> Widget:
        ui = self.ui
        file = [
            ("New folder...", lambda: self._dialog("mkdir")),
            ("Open", self._open),
            ("Rename...", lambda: self._dialog("rename")),
            ("Delete...", lambda: self._dialog("delete")),
        ]
        edit = [
            ("Cut", lambda: self._clip("cut")),
            ("Copy", lambda: self._clip("copy")),
            ("Paste", self._paste),
            ("Select all", lambda: ui.update(selection=self.children(ui["cwd"]))),
            ("Select none", lambda: ui.update(selection=[])),
        ]
        return menubar([("File", file), ("Edit", edit)])

    def _toolbar(self) -> Widget:
        ui, sel = self.ui, self.ui["selection"]
        buttons = (
            ("Up", self._up, ui["cwd"].count("/") > 1),
            ("Open", self._open, len(sel) == 1),
            ("New folder", lambda: self._dialog("mkdir"), True),
            ("Rename", lambda: self._dialog("rename"), len(sel) == 1),
            ("Delete", lambda: self._dialog("delete"), bool(sel)),
            ("Cut", lambda: self._clip("cut"), bool(sel)),
            ("Copy", lambda: self._clip("copy"), bool(sel)),
            ("Paste", self._paste, ui["clipboard"] is not None),
        )
        entries = [
            (label, f"files:btn:{label}", {"on_click": fn, "disabled": not enabled})
            for label, fn, enabled in buttons
        ]
        bar, x = strip("toolbar", "", entries, x=4, pad=12, gap=3)
        path = {
            "value": ui["path_input"],
            "on_input": lambda t: ui.update(path_input=t),
            "on_enter": self._go_input,
        }
        return bar.add(
            *build(("textbox", "Path", "files:path", (x + 6, BAR_Y, WIDTH - x - 10, 18), path))
        )

    def _places(self) -> Widget:
        cwd = self.ui["cwd"]
        items = [
            (
                place,
                f"files:place:/{place}",
                {"selected": cwd == f"/{place}", "on_click": lambda p=f"/{place}": self._go(p)},
            )
            for place in (*PLACES, "Trash")
        ]
        return side_list("Places", "files:places", PLACES_BOX, items, row_h=ROW_H)

    def _table(self, screen: Screen, items: list[str]) -> Widget:
        return scroll_list(
            screen,
            ("table", self.ui["cwd"], TABLE, TABLE_BOX),
            items,
            self._row,
            rows=(TABLE_BOX[3] - 20) // ROW_H,
            first_row=(112, BODY + 20, 516, ROW_H),
            pitch=ROW_H,
            header=("Name | Type | Size | Modified", 520, "header " + COLS),
            empty=("This folder is empty", (130, BODY + 24, 200, 18)),
        )

    def _row(self, p: str, rect: Rect) -> Widget:
        e = self.state["entries"][p]
        name = _basename(p)
        kind = "Folder" if e["kind"] == "folder" else KINDS.get(name.rpartition(".")[2], "File")
        size = "" if e["kind"] == "folder" else _size(e["size"])
        chosen = p in self.ui["selection"]
        row = Widget(
            "row",
            f"{name} | {kind} | {size} | {e['modified']}",
            f"files:row:{p}",
            rect,
            selected=chosen,
            on_click=lambda: self._select_only(p),
            style=COLS,
        )
        x, y, _, h = rect
        check = {"checked": chosen, "on_click": lambda: self._toggle(p)}
        return row.add(
            *build(
                ("checkbox", f"Select {name}", f"files:check:{p}", (x + 2, y + 1, 14, h - 2), check)
            )
        )

    def _dialog_widget(self) -> Widget:
        kind, ui = self.ui["dialog"], self.ui
        title = {"mkdir": "New folder", "rename": "Rename", "delete": "Delete"}[kind]
        if kind == "delete":
            n = len(ui["selection"])
            message = f"Move {n} item(s) to the Trash?"
            return prompt_dialog(
                title,
                DIALOG,
                message,
                ("Delete", self._confirm),
                self._cancel,
                error=ui["error"],
                ok_style="danger",
            )
        name = {
            "value": ui["dialog_value"],
            "on_input": lambda t: ui.update(dialog_value=t),
            "on_enter": self._confirm,
        }
        ok = ("Create" if kind == "mkdir" else "Rename", self._confirm)
        return prompt_dialog(
            title,
            DIALOG,
            "Name",
            ok,
            self._cancel,
            field=("textbox", "Name", name),
            label_w=50,
            error=ui["error"],
        )

    # --- oracle ----------------------------------------------------------------------------

    def _navigate(self, screen: Screen, folder: str) -> ToolCall:
        if folder.count("/") == 1:
            return call(screen, "click", f"files:place:{folder}")
        if self.ui["path_input"] != folder:
            return call(screen, "type", "files:path", text=folder)
        if screen.focus_key != "files:path":
            return call(screen, "click", "files:path")
        return ToolCall("key", {"name": "Enter"})

    def _select(self, screen: Screen, paths: list[str]) -> ToolCall | None:
        sel = self.ui["selection"]
        if sorted(sel) == sorted(paths):
            return None
        items = self.children(self.ui["cwd"])
        gone = [p for p in paths if p not in items]
        if gone:
            raise OracleStuck(
                f"{gone[0]} is no longer in {self.ui['cwd']}; the goal cannot be reached"
            )
        if any(p not in paths for p in sel) or not sel:
            return reveal(screen, TABLE, items.index(paths[0]), f"files:row:{paths[0]}")
        missing = next(p for p in paths if p not in sel)
        return reveal(screen, TABLE, items.index(missing), f"files:check:{missing}")

    def oracle(self, screen: Screen, goal: Sequence[Op]) -> ToolCall:
        """Carry out the first unmet operation (batching ops on the same folder)."""
        if screen.open_key is not None:
            return ToolCall("key", {"name": "Escape"})
        todo = [op for op in goal if not self.op_done(op)]
        if not todo:
            return ToolCall("done", {})
        op = todo[0]
        ui = self.ui
        kind = op["op"]
        if kind == "mkdir":
            parent = _dirname(op["path"])
            if ui["dialog"] == "mkdir" and ui["cwd"] == parent:
                return fill(screen, {"dialog:value": _basename(op["path"])}) or call(
                    screen, "click", "dialog:ok"
                )
            if ui["dialog"] is not None:
                return ToolCall("key", {"name": "Escape"})
            if ui["cwd"] != parent:
                return self._navigate(screen, parent)
            return call(screen, "click", "files:btn:New folder")
        clip = ui["clipboard"]
        if kind in ("move", "copy") and clip and op["path"] in clip["paths"]:
            if clip["mode"] == ("cut" if kind == "move" else "copy"):
                if ui["dialog"] is not None:
                    return ToolCall("key", {"name": "Escape"})
                if ui["cwd"] != op["dest"]:
                    return self._navigate(screen, op["dest"])
                return call(screen, "click", "files:btn:Paste")
        src = _dirname(op["path"])
        batch = [
            o["path"]
            for o in todo
            if o["op"] == kind and _dirname(o["path"]) == src and o.get("dest") == op.get("dest")
        ]
        if kind == "rename":
            batch = [op["path"]]
        if ui["dialog"] is not None:
            if ui["dialog"] == kind and sorted(ui["selection"]) == sorted(batch):
                if kind == "rename":
                    return fill(screen, {"dialog:value": op["name"]}) or call(
                        screen, "click", "dialog:ok"
                    )
                return call(screen, "click", "dialog:ok")
            return ToolCall("key", {"name": "Escape"})
        if ui["cwd"] != src:
            return self._navigate(screen, src)
        step = self._select(screen, batch)
        if step is not None:
            return step
        button = {"delete": "Delete", "rename": "Rename", "move": "Cut", "copy": "Copy"}.get(kind)
        if button is None:
            raise OracleStuck(f"no UI for op {kind!r}")
        return call(screen, "click", f"files:btn:{button}")


# --- task templates ------------------------------------------------------------------------


def _files(app: FilesApp, folder: str) -> list[str]:
    return [p for p in app.children(folder) if app.state["entries"][p]["kind"] == "file"]


def _two_places(rng: np.random.Generator) -> tuple[str, str]:
    a, b = pick(rng, PLACES, 2)
    return f"/{a}", f"/{b}"


def _ensure_ext(app: FilesApp, folder: str, ext: str, n: int, rng: np.random.Generator) -> list[Op]:
    """Setup ops adding files so that ``folder`` holds at least ``n`` files ending in ``ext``."""
    have = [p for p in _files(app, folder) if p.endswith("." + ext)]
    ops: list[Op] = []
    stems = [t.replace(" ", "_") for t in TOPICS]
    while len(have) + len(ops) < n:
        path = f"{folder}/{pick(rng, stems)}_{int(rng.integers(100, 999))}.{ext}"
        if not app.exists(path) and all(o["path"] != path for o in ops):
            ops.append({"op": "add", "path": path, "size": int(rng.integers(5, 900))})
    return ops


def delete_file(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Delete one file."""
    seed, app = new_world(FilesApp, rng, difficulty)
    folder, _ = _two_places(rng)
    f = pick(rng, _files(app, folder))
    return f"In Files, delete {f}.", task_data(FilesApp, seed, [{"op": "delete", "path": f}])


def rename_file(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Rename one file."""
    seed, app = new_world(FilesApp, rng, difficulty)
    folder, _ = _two_places(rng)
    f = pick(rng, _files(app, folder))
    ext = f.rpartition(".")[2]
    new = f"{pick(rng, ('final', 'old', 'draft', 'v2', 'shared'))}_{_basename(f).rpartition('.')[0]}.{ext}"
    prompt = f'In Files, rename {f} to "{new}".'
    return prompt, task_data(FilesApp, seed, [{"op": "rename", "path": f, "name": new}])


def make_folder(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Create a folder (two nested ones on hard)."""
    seed, app = new_world(FilesApp, rng, difficulty)
    folder, _ = _two_places(rng)
    name = pick(rng, ("2024", "Clients", "Scans", "Old", "Shared", "Backups"))
    goal: list[Op] = [{"op": "mkdir", "path": f"{folder}/{name}"}]
    prompt = f'In Files, create a folder named "{name}" in {folder}'
    if difficulty == "hard":
        sub = pick(rng, ("Q1", "Q2", "Drafts", "Final"))
        goal.append({"op": "mkdir", "path": f"{folder}/{name}/{sub}"})
        prompt += f', and inside it a folder named "{sub}"'
    return prompt + ".", task_data(FilesApp, seed, goal)


def move_by_ext(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Move every file of one type from one folder to another."""
    seed, app = new_world(FilesApp, rng, difficulty)
    src, dest = _two_places(rng)
    ext = pick(rng, ("pdf", "docx", "png", "csv"))
    setup = _ensure_ext(app, src, ext, {"easy": 1, "medium": 2, "hard": 3}[difficulty], rng)
    for op in setup:
        app.apply(op)
    paths = [
        p
        for p in _files(app, src)
        if p.endswith("." + ext) and not app.exists(_join(dest, _basename(p)))
    ]
    goal = [{"op": "move", "path": p, "dest": dest} for p in paths]
    prompt = f"In Files, move every .{ext} file in {src} to {dest}."
    return prompt, task_data(FilesApp, seed, goal, setup)


def copy_file(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Copy one (or two on hard) files to another folder."""
    seed, app = new_world(FilesApp, rng, difficulty)
    src, dest = _two_places(rng)
    names = [p for p in _files(app, src) if not app.exists(_join(dest, _basename(p)))]
    chosen = pick(rng, names, 2 if difficulty == "hard" else 1)
    goal = [{"op": "copy", "path": p, "dest": dest} for p in chosen]
    return f"In Files, copy {' and '.join(chosen)} to {dest}.", task_data(FilesApp, seed, goal)


def move_file(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Move one file to another folder."""
    seed, app = new_world(FilesApp, rng, difficulty)
    src, dest = _two_places(rng)
    names = [p for p in _files(app, src) if not app.exists(_join(dest, _basename(p)))]
    f = pick(rng, names)
    return f"In Files, move {f} to {dest}.", task_data(
        FilesApp, seed, [{"op": "move", "path": f, "dest": dest}]
    )


def delete_by_ext(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Delete every temporary (.tmp) file in a folder."""
    seed, app = new_world(FilesApp, rng, difficulty)
    folder, _ = _two_places(rng)
    setup = _ensure_ext(app, folder, "tmp", {"easy": 1, "medium": 2, "hard": 3}[difficulty], rng)
    for op in setup:
        app.apply(op)
    paths = [p for p in _files(app, folder) if p.endswith(".tmp")]
    goal = [{"op": "delete", "path": p} for p in paths]
    return f"In Files, delete every .tmp file in {folder}.", task_data(FilesApp, seed, goal, setup)


def organize(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Create a folder and move every file of one type into it."""
    seed, app = new_world(FilesApp, rng, difficulty)
    folder, _ = _two_places(rng)
    ext = pick(rng, ("jpg", "xlsx", "txt", "zip"))
    setup = _ensure_ext(app, folder, ext, {"easy": 1, "medium": 2, "hard": 3}[difficulty], rng)
    for op in setup:
        app.apply(op)
    name = {"jpg": "Photos", "xlsx": "Sheets", "txt": "Notes", "zip": "Archives"}[ext]
    dest = f"{folder}/{name}"
    paths = [p for p in _files(app, folder) if p.endswith("." + ext)]
    goal: list[Op] = [{"op": "mkdir", "path": dest}]
    goal += [{"op": "move", "path": p, "dest": dest} for p in paths]
    prompt = f'In Files, create a folder "{name}" in {folder} and move every .{ext} file of {folder} into it.'
    return prompt, task_data(FilesApp, seed, goal, setup)


TEMPLATES: dict[str, Template] = {
    "files-delete": delete_file,
    "files-rename": rename_file,
    "files-mkdir": make_folder,
    "files-move-by-type": move_by_ext,
    "files-copy": copy_file,
    "files-move": move_file,
    "files-delete-by-type": delete_by_ext,
    "files-organize": organize,
}
