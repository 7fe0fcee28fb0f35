"""System settings: tabs of checkboxes, radio groups, drop-downs and fields, applied together."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from agentgym.environments.gui.app import (
    App,
    Op,
    Template,
    call,
    fill,
    new_world,
    pick,
    reveal,
    task_data,
)
from agentgym.environments.gui.layout import (
    CONTENT_TOP,
    Form,
    build,
    menubar,
    scroll_list,
    strip,
    window,
)
from agentgym.environments.gui.widgets import Widget
from agentgym.tools.base import ToolCall

if TYPE_CHECKING:
    from agentgym.environments.gui.screen import Screen

__all__ = ["SettingsApp", "TEMPLATES", "FIELDS"]

APPS_NOTIFY = (
    "Calendar Chat Mail Music Maps News Photos Shop Weather Files Notes Games Podcasts Stocks"
).split()
NETWORKS = "HomeNet CafeGuest Office-5G Library Airport-Free Neighbour Hotspot-7 Studio".split()
LANGUAGES = ("English", "Deutsch", "Espanol", "Francais", "Italiano", "Nederlands")
TIMEZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
)

# (tab, key, label, kind, options)
FIELDS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("Display", "dark_mode", "Dark mode", "check", ()),
    ("Display", "font_size", "Font size", "combo", ("Small", "Medium", "Large", "Extra large")),
    ("Display", "scale", "Display scale", "radio", ("100%", "125%", "150%", "200%")),
    ("Display", "night_light", "Night light", "check", ()),
    ("Display", "accent", "Accent colour", "combo", ("Blue", "Green", "Purple", "Orange", "Red")),
    ("Sound", "volume", "Volume (0-100)", "text", ()),
    ("Sound", "mute", "Mute", "check", ()),
    ("Sound", "output", "Output device", "combo", ("Speakers", "Headphones", "HDMI")),
    ("Sound", "alert", "Alert sound", "combo", ("Chime", "Bell", "Pop", "None")),
    ("Network", "wifi", "Wi-Fi", "check", ()),
    ("Network", "airplane", "Airplane mode", "check", ()),
    ("Network", "proxy", "Proxy host", "text", ()),
    ("Network", "network", "Network", "radio", tuple(NETWORKS)),
    ("Notifications", "dnd", "Do not disturb", "check", ()),
    *(("Notifications", f"notify_{a}", a, "check", ()) for a in APPS_NOTIFY),
    ("Privacy", "location", "Location services", "check", ()),
    ("Privacy", "camera", "Camera access", "check", ()),
    ("Privacy", "microphone", "Microphone access", "check", ()),
    ("Privacy", "telemetry", "Usage data", "radio", ("Off", "Basic", "Full")),
    (
        "Privacy",
        "lock_after",
        "Lock screen after",
        "combo",
        ("1 minute", "5 minutes", "15 minutes", "Never"),
    ),
    ("Account", "display_name", "Display name", "text", ()),
    ("Account", "email", "Email", "text", ()),
    ("Account", "language", "Language", "combo", LANGUAGES),
    ("Account", "timezone", "Time zone", "combo", TIMEZONES),
)
TABS = ("Display", "Sound", "Network", "Notifications", "Privacy", "Account")
BY_KEY = {f[1]: f for f in FIELDS}
NOTIFY_ROWS = 8
NOTIFY_AREA = "settings:notify"
PANEL = (10, CONTENT_TOP + 30, 620, 300)


def _radio_height(options: Sequence[str]) -> int:
    """Height of a radio group laid out four to a row, 22 pixels a row."""
    return 22 * ((len(options) + 3) // 4)


class SettingsApp(App):
    """System settings in tabs; changes are pending until Apply (Revert discards them)."""

    name = "settings"
    title = "Settings"

    def __init__(self, world: int, difficulty: str, setup: Sequence[Op] = ()):
        super().__init__(world, difficulty, setup)
        self.ui: dict[str, Any] = {
            "tab": "Display",
            "pending": dict(self.state["values"]),
            "error": "",
        }

    @property
    def theme(self) -> str:  # type: ignore[override]
        """Dark once dark mode has been applied."""
        return "dark" if self.state["values"]["dark_mode"] else "light"

    @classmethod
    def generate(cls, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        """Return random but plausible current settings."""
        values: dict[str, Any] = {}
        for _tab, key, _label, kind, options in FIELDS:
            if kind == "check":
                values[key] = bool(rng.random() < 0.5)
            elif kind in ("combo", "radio"):
                values[key] = pick(rng, options)
            else:
                values[key] = ""
        values["volume"] = str(int(rng.integers(2, 9)) * 10)
        values["proxy"] = ""
        values["display_name"] = pick(rng, ("Sam Lee", "Alex Kim", "Jo Weber", "Ria Patel"))
        values["email"] = values["display_name"].split()[0].lower() + "@example.com"
        values["airplane"] = False
        values["wifi"] = True
        return {"values": values}

    # --- model -----------------------------------------------------------------------------

    def apply(self, op: Op) -> None:
        """Apply ``{"op": "set", "key": k, "value": v}``."""
        if op["op"] != "set" or op["key"] not in BY_KEY:
            raise ValueError(f"bad settings op {op!r}")
        self.state["values"][op["key"]] = op["value"]

    def snapshot(self, goal: Sequence[Op]) -> Any:
        """All applied settings."""
        return tuple(sorted(self.state["values"].items()))

    def op_done(self, op: Op) -> bool:
        """Return whether the setting holds the value (applied, not just pending)."""
        return self.state["values"][op["key"]] == op["value"]

    # --- ui --------------------------------------------------------------------------------

    def _set(self, key: str, value: Any) -> None:
        self.ui["pending"][key] = value
        self.ui["error"] = ""

    def _apply_all(self) -> None:
        p = self.ui["pending"]
        vol = p["volume"].strip()
        if not vol.isdigit() or not 0 <= int(vol) <= 100:
            self.ui["error"] = "Volume must be a whole number from 0 to 100"
            return
        p["volume"] = str(int(vol))
        if p["airplane"] and p["wifi"] and not self.state["values"]["wifi"]:
            self.ui["error"] = "Turn off airplane mode to turn on Wi-Fi"
            return
        self.state["values"] = dict(p)
        self.ui["error"] = "Settings applied"

    def _revert(self) -> None:
        self.ui["pending"] = dict(self.state["values"])
        self.ui["error"] = ""

    def view(self, screen: Screen) -> Widget:
        """Tabs, the current tab's form and the Apply / Revert buttons."""
        ui = self.ui
        root = window("Settings")
        root.add(self._menus(), self._tabs(), self._panel(screen))
        dirty = ui["pending"] != self.state["values"]
        if ui["error"]:
            style = "muted" if ui["error"] == "Settings applied" else "error"
            root.add(Widget("label", ui["error"], "", (20, 338, 400, 16), style=style))
        apply = {"on_click": self._apply_all, "disabled": not dirty, "style": "primary"}
        revert = {"on_click": self._revert, "disabled": not dirty}
        return root.add(
            *build(
                ("button", "Apply", "settings:apply", (470, 356, 70, 22), apply),
                ("button", "Revert", "settings:revert", (548, 356, 70, 22), revert),
            )
        )

    def _menus(self) -> Widget:
        tabs = [(t, lambda t=t: self.ui.update(tab=t)) for t in TABS]
        return menubar(
            [("Settings", [("Apply", self._apply_all), ("Revert", self._revert)]), ("View", tabs)]
        )

    def _tabs(self) -> Widget:
        entries = [
            (
                t,
                f"settings:tab:{t}",
                {"selected": t == self.ui["tab"], "on_click": lambda t=t: self.ui.update(tab=t)},
            )
            for t in TABS
        ]
        bar, _ = strip("tablist", "Sections", entries, x=8, pad=18, gap=2)
        return bar

    def _panel(self, screen: Screen) -> Widget:
        tab = self.ui["tab"]
        panel = Widget("group", tab, "settings:panel", PANEL, style="card")
        y = PANEL[1] + 8
        fields = [f for f in FIELDS if f[0] == tab]
        if tab != "Notifications":
            for f in fields:
                panel.add(self._field(f, 24, y))
                y += 28 if f[3] != "radio" else _radio_height(f[4]) + 10
            return panel
        dnd, rest = fields[0], fields[1:]
        panel.add(self._field(dnd, 24, y))
        y += 28
        return panel.add(
            scroll_list(
                screen,
                (
                    "scrollarea",
                    "Apps allowed to notify",
                    NOTIFY_AREA,
                    (20, y, 300, NOTIFY_ROWS * 24 + 8),
                ),
                rest,
                lambda f, rect: self._field(f, rect[0], rect[1]),
                rows=NOTIFY_ROWS,
                first_row=(30, y + 4, 0, 0),
                pitch=24,
            )
        )

    def _field(self, f: tuple[str, str, str, str, tuple[str, ...]], x: int, y: int) -> Widget:
        _tab, key, label, kind, options = f
        value = self.ui["pending"][key]
        k = f"set:{key}"
        if kind == "check":
            return Widget(
                "checkbox",
                label,
                k,
                (x, y, 260, 20),
                checked=bool(value),
                on_click=lambda: self._set(key, not self.ui["pending"][key]),
            )
        group = Widget("group", "", "", (x, y, 580, 24))
        form = Form(label_x=x, label_w=150, field_x=x + 160)
        choose = partial(self._set, key)
        if kind == "combo":
            combo = {"value": value, "options": options, "on_input": choose}
            return group.add(*form.row(y, label, "combobox", k, 180, **combo))
        if kind == "text":
            text = {"value": value, "on_input": choose, "on_enter": self._apply_all}
            return group.add(*form.row(y, label, "textbox", k, 220, **text))
        radios = form.radios(
            y,
            label,
            k,
            options,
            group=(420, _radio_height(options)),
            value=value,
            pick=choose,
            pitch=105,
            width=100,
            columns=4,
        )
        return group.add(*radios)

    # --- oracle ----------------------------------------------------------------------------

    def oracle(self, screen: Screen, goal: Sequence[Op]) -> ToolCall:
        """Set each pending value on its tab, then Apply."""
        if screen.open_key is not None:
            return ToolCall("key", {"name": "Escape"})
        todo = [op for op in goal if not self.op_done(op)]
        if not todo:
            return ToolCall("done", {})
        p = self.ui["pending"]
        wrong = [op for op in todo if p[op["key"]] != op["value"]]
        # Values the goal does not name must end as they started: undo stray pending edits.
        stray = [
            k for k in p if p[k] != self.state["values"][k] and k not in {o["key"] for o in goal}
        ]
        if stray:
            return call(screen, "click", "settings:revert")
        if not wrong:
            return call(screen, "click", "settings:apply")
        op = wrong[0]
        tab, key, _label, kind, options = BY_KEY[op["key"]]
        if self.ui["tab"] != tab:
            return call(screen, "click", f"settings:tab:{tab}")
        if tab == "Notifications" and key != "dnd":
            rest = [f[1] for f in FIELDS if f[0] == "Notifications"][1:]
            shown = screen.find(f"set:{key}")
            if shown is None or not shown.id:
                return reveal(screen, NOTIFY_AREA, rest.index(key), f"set:{key}")
        if kind == "radio":
            return call(screen, "click", f"set:{key}:{op['value']}")
        step = fill(screen, {f"set:{key}": op["value"]})
        assert step is not None
        return step


# --- task templates ------------------------------------------------------------------------


def _task(
    rng: np.random.Generator,
    difficulty: str,
    wants: list[tuple[str, Any]],
    setup: list[tuple[str, Any]],
    prompt: str,
) -> tuple[str, dict[str, Any]]:
    seed, app = new_world(SettingsApp, rng, difficulty)
    setup_ops = [{"op": "set", "key": k, "value": v} for k, v in setup]
    for op in setup_ops:
        app.apply(op)
    goal = [{"op": "set", "key": k, "value": v} for k, v in wants]
    # Make every goal operation a real change from the starting state.
    for k, v in wants:
        if app.state["values"][k] == v:
            if isinstance(v, bool):
                setup_ops.append({"op": "set", "key": k, "value": not v})
            else:
                other = next(o for o in (BY_KEY[k][4] or ("", "x")) if o != v)
                setup_ops.append({"op": "set", "key": k, "value": other})
    return "In Settings, " + prompt + " Apply the changes.", task_data(
        SettingsApp, seed, goal, setup_ops
    )


def dark_font(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Turn on dark mode and set the font size (and the scale on hard)."""
    size = pick(rng, BY_KEY["font_size"][4])
    wants: list[tuple[str, Any]] = [("dark_mode", True), ("font_size", size)]
    prompt = f'turn on dark mode and set the font size to "{size}".'
    if difficulty == "hard":
        scale = pick(rng, BY_KEY["scale"][4])
        wants.append(("scale", scale))
        prompt = prompt[:-1] + f", and set the display scale to {scale}."
    return _task(rng, difficulty, wants, [], prompt)


def volume(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Set the volume and unmute (and choose the output device on harder levels)."""
    vol = str(int(rng.integers(1, 20)) * 5)
    wants: list[tuple[str, Any]] = [("volume", vol), ("mute", False)]
    prompt = f"unmute the sound and set the volume to {vol}."
    if difficulty != "easy":
        out = pick(rng, BY_KEY["output"][4])
        wants.append(("output", out))
        prompt = prompt[:-1] + f", with {out} as the output device."
    return _task(rng, difficulty, wants, [("mute", True)], prompt)


def wifi(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Connect to a Wi-Fi network (Wi-Fi off, and airplane mode on for hard)."""
    net = pick(rng, NETWORKS)
    setup: list[tuple[str, Any]] = []
    wants: list[tuple[str, Any]] = [("network", net)]
    if difficulty != "easy":
        setup.append(("wifi", False))
        wants.insert(0, ("wifi", True))
    if difficulty == "hard":
        setup.append(("airplane", True))
        wants.insert(0, ("airplane", False))
    return _task(rng, difficulty, wants, setup, f'connect to the Wi-Fi network "{net}".')


def notifications(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Turn off notifications for one to three apps (later apps need scrolling)."""
    k = {"easy": 1, "medium": 2, "hard": 3}[difficulty]
    pool = APPS_NOTIFY[:8] if difficulty == "easy" else APPS_NOTIFY
    apps = sorted(pick(rng, pool, k), key=APPS_NOTIFY.index)
    wants = [(f"notify_{a}", False) for a in apps]
    return _task(rng, difficulty, wants, [], f"turn off notifications from {', '.join(apps)}.")


def privacy(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Tighten privacy: location, camera, microphone and usage data."""
    wants: list[tuple[str, Any]] = [("location", False), ("camera", False)]
    prompt = "turn off location services and camera access"
    if difficulty != "easy":
        wants.append(("telemetry", "Off"))
        prompt += ", and set usage data to Off"
    if difficulty == "hard":
        wants += [("microphone", False), ("lock_after", "1 minute")]
        prompt += '; also turn off microphone access and lock the screen after "1 minute"'
    return _task(rng, difficulty, wants, [], prompt + ".")


def account(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Change the display name (and language, email on harder levels)."""
    first, last = (
        pick(rng, ("Maya", "Tom", "Ines", "Kofi", "Lena")),
        pick(rng, ("Ross", "Berg", "Sato")),
    )
    name = f"{first} {last}"
    wants: list[tuple[str, Any]] = [("display_name", name)]
    prompt = f'change the display name to "{name}"'
    if difficulty != "easy":
        lang = pick(rng, LANGUAGES[1:])
        wants.append(("language", lang))
        prompt += f" and the language to {lang}"
    if difficulty == "hard":
        email = f"{first}.{last}@example.org".lower()
        wants.append(("email", email))
        prompt += f", and the email to {email}"
    return _task(rng, difficulty, wants, [], prompt + ".")


def timezone(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Set the time zone (and the screen lock delay on harder levels)."""
    tz = pick(rng, TIMEZONES)
    wants: list[tuple[str, Any]] = [("timezone", tz)]
    prompt = f"set the time zone to {tz}"
    if difficulty != "easy":
        lock = pick(rng, BY_KEY["lock_after"][4])
        wants.append(("lock_after", lock))
        prompt += f' and lock the screen after "{lock}"'
    return _task(rng, difficulty, wants, [], prompt + ".")


def focus_mode(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Changes across tabs: do not disturb, mute, night light (more on harder levels)."""
    wants: list[tuple[str, Any]] = [("dnd", True), ("mute", True)]
    prompt = "turn on do not disturb and mute the sound"
    if difficulty != "easy":
        wants.append(("night_light", True))
        prompt += ", and turn on night light"
    if difficulty == "hard":
        alert = pick(rng, BY_KEY["alert"][4])
        accent = pick(rng, BY_KEY["accent"][4])
        wants += [("alert", alert), ("accent", accent)]
        prompt += f'; set the alert sound to "{alert}" and the accent colour to {accent}'
    return _task(rng, difficulty, wants, [], prompt + ".")


def proxy(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Set a proxy host (and turn Wi-Fi back on at harder levels)."""
    host = f"proxy{int(rng.integers(1, 99))}.corp.example:8080"
    wants: list[tuple[str, Any]] = [("proxy", host)]
    setup: list[tuple[str, Any]] = []
    prompt = f"set the proxy host to {host}"
    if difficulty != "easy":
        setup.append(("wifi", False))
        wants.insert(0, ("wifi", True))
        prompt += " and turn Wi-Fi on"
    return _task(rng, difficulty, wants, setup, prompt + ".")


TEMPLATES: dict[str, Template] = {
    "settings-dark-font": dark_font,
    "settings-volume": volume,
    "settings-wifi": wifi,
    "settings-notifications": notifications,
    "settings-privacy": privacy,
    "settings-account": account,
    "settings-timezone": timezone,
    "settings-focus-mode": focus_mode,
    "settings-proxy": proxy,
}
