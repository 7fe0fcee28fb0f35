"""Screenshots of the widget tree, drawn with Pillow.

Painting happens in two stages. :func:`display_list` turns the tree into drawing primitives
(hashable tuples in device pixels). :class:`Renderer` then draws them: it keeps the previous
frame, redraws only the regions whose primitives changed, and caches every text string's
rasterised glyph mask, since laying out text with FreeType is what dominates a naive redraw.
``Renderer(cached=False)`` draws every frame from scratch (the baseline of the benchmark).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from agentgym.environments.gui.screen import HEIGHT, WIDTH, Screen
from agentgym.environments.gui.widgets import Widget

__all__ = ["Renderer", "display_list", "THEMES"]

Prim = tuple[Any, ...]
Color = tuple[int, int, int]

THEMES: dict[str, dict[str, Color]] = {
    "light": {
        "bg": (246, 246, 248),
        "panel": (255, 255, 255),
        "bar": (232, 234, 238),
        "title": (52, 58, 70),
        "title_text": (240, 240, 240),
        "text": (30, 32, 36),
        "muted": (120, 124, 132),
        "border": (196, 200, 208),
        "accent": (38, 110, 220),
        "accent_text": (255, 255, 255),
        "select": (210, 226, 252),
        "button": (238, 240, 244),
        "error": (200, 40, 40),
        "shadow": (170, 172, 178),
        "unread": (20, 60, 160),
    },
    "dark": {
        "bg": (34, 36, 40),
        "panel": (44, 47, 52),
        "bar": (54, 57, 63),
        "title": (20, 21, 24),
        "title_text": (220, 220, 220),
        "text": (230, 232, 236),
        "muted": (150, 154, 162),
        "border": (80, 84, 92),
        "accent": (80, 150, 250),
        "accent_text": (255, 255, 255),
        "select": (50, 80, 130),
        "button": (64, 68, 76),
        "error": (240, 100, 100),
        "shadow": (10, 10, 12),
        "unread": (140, 180, 255),
    },
}
MARK: Color = (230, 60, 140)
CHAR_W = 5.9  # average advance of the default font at 11 px, in logical pixels


def _fit(text: str, width: float) -> str:
    n = int(width / CHAR_W)
    if len(text) <= n:
        return text
    return text[: max(0, n - 2)] + ".." if n > 2 else ""


def display_list(
    screen: Screen, scale: float, theme: str = "light", marks: bool = False
) -> list[Prim]:
    """Return the primitives that draw ``screen`` at ``scale`` device pixels per logical one.

    Primitives: ``("r", x0, y0, x1, y1, fill, outline)`` rectangles, ``("t", x, y, text,
    color, size)`` text with its top-left at ``(x, y)``, ``("p", points, fill)`` polygons.
    """
    pal = THEMES[theme]
    root = screen.refresh()
    out: list[Prim] = []
    focus = screen.focus_key
    open_key = screen.open_key
    s = scale
    fs, hs = round(11 * s), round(13 * s)

    def box(r: tuple[int, int, int, int], fill: Color | None, outline: Color | None = None) -> None:
        x, y, w, h = r
        out.append(
            (
                "r",
                round(x * s),
                round(y * s),
                round((x + w) * s) - 1,
                round((y + h) * s) - 1,
                fill,
                outline,
            )
        )

    def text(
        x: float, y: float, h: float, t: str, color: Color, size: int = fs, width: float = 600
    ) -> None:
        t = _fit(t, width)
        if t:
            out.append(("t", round(x * s), round((y + (h - size / s) / 2 - 1) * s), t, color, size))

    def columns(w: Widget, x: float, y: float, h: float, width: float, color: Color) -> None:
        spec = next((t[5:] for t in w.style.split() if t.startswith("cols:")), None)
        if spec is None:
            text(x, y, h, w.name, color, width=width)
            return
        offsets = [int(v) for v in spec.split(",")]
        cells = w.name.split(" | ")
        for i, cell in enumerate(cells[: len(offsets)]):
            end = offsets[i + 1] - 6 if i + 1 < len(offsets) else width
            text(w.rect[0] + offsets[i], y, h, cell, color, width=end - offsets[i])

    def paint(w: Widget) -> None:
        x, y, ww, hh = w.rect
        role = w.role
        sel = w.selected
        if role == "window":
            box(w.rect, pal["bg"])
        elif role == "heading":
            if w.style == "titlebar":
                box(w.rect, pal["title"])
                for i, c in enumerate(((236, 96, 90), (244, 190, 80), (98, 196, 84))):
                    box((8 + 14 * i, y + 6, 8, 8), c)
                text(56, y, hh, w.name, pal["title_text"])
            else:
                text(x, y, hh, w.name, pal["text"], hs, ww)
        elif role in ("menubar", "toolbar", "tablist"):
            box(w.rect, pal["bar"])
            out.append(
                (
                    "r",
                    round(x * s),
                    round((y + hh) * s) - 1,
                    round((x + ww) * s) - 1,
                    round((y + hh) * s) - 1,
                    pal["border"],
                    None,
                )
            )
        elif role == "menu":
            if w.key == open_key:
                box(w.rect, pal["accent"])
                text(x + 6, y, hh, w.name, pal["accent_text"])
            else:
                text(x + 6, y, hh, w.name, pal["text"])
        elif role == "button":
            if w.style == "primary" and not w.disabled:
                box(w.rect, pal["accent"], pal["accent"])
                color = pal["accent_text"]
            elif w.style == "danger" and not w.disabled:
                box(w.rect, pal["error"], pal["error"])
                color = pal["accent_text"]
            else:
                box(w.rect, pal["button"], pal["border"])
                color = pal["muted"] if w.disabled else pal["text"]
            tw = min(len(w.name) * CHAR_W, ww - 4)
            text(x + (ww - tw) / 2, y, hh, w.name, color, width=ww - 4)
        elif role == "textbox":
            box(w.rect, pal["panel"], pal["accent"] if w.key == focus else pal["border"])
            if w.value:
                if w.style == "multiline":
                    from agentgym.environments.gui.content import wrap

                    lines = wrap(w.value, int((ww - 8) / CHAR_W))
                    for i, line in enumerate(lines[: max(1, int((hh - 4) // 14))]):
                        text(x + 4, y + 2 + i * 14, 14, line, pal["text"], width=ww - 8)
                else:
                    text(
                        x + 4, y, hh, w.value[-int((ww - 8) / CHAR_W) :], pal["text"], width=ww - 8
                    )
            else:
                text(
                    x + 4,
                    y if w.style != "multiline" else y + 2,
                    hh if w.style != "multiline" else 14,
                    w.name,
                    pal["muted"],
                    width=ww - 8,
                )
        elif role in ("list", "table", "scrollarea"):
            if w.style == "popup":
                box((x + 2, y + 2, ww, hh), pal["shadow"])
            box(w.rect, pal["panel"], pal["border"])
        elif role in ("listitem", "row", "option", "menuitem"):
            if sel or (role in ("option", "menuitem") and w.key == focus):
                box(w.rect, pal["select"])
            unread = "unread" in w.style.split()
            if unread:
                box((x + 3, y + hh / 2 - 2, 4, 4), pal["accent"])
            color = pal["unread"] if unread else pal["text"]
            columns(w, x + 10, y, hh, ww - 12, color)
        elif role == "checkbox":
            by = y + (hh - 10) / 2
            if w.checked:
                box((x, by, 10, 10), pal["accent"], pal["accent"])
                pts = ((x + 2, by + 5), (x + 4.2, by + 7.5), (x + 8, by + 2.5))
                check = tuple((round(a * s), round(b * s)) for a, b in pts)
                out.append(("l", check, pal["accent_text"], max(1, round(1.5 * s))))
            else:
                box((x, by, 10, 10), pal["panel"], pal["border"])
            text(x + 15, y, hh, w.name, pal["muted"] if w.disabled else pal["text"], width=ww - 15)
        elif role == "radio":
            by = y + (hh - 10) / 2
            out.append(
                (
                    "e",
                    round(x * s),
                    round(by * s),
                    round((x + 10) * s),
                    round((by + 10) * s),
                    pal["panel"],
                    pal["accent"] if w.checked else pal["border"],
                )
            )
            if w.checked:
                out.append(
                    (
                        "e",
                        round((x + 3) * s),
                        round((by + 3) * s),
                        round((x + 7) * s),
                        round((by + 7) * s),
                        pal["accent"],
                        pal["accent"],
                    )
                )
            text(x + 15, y, hh, w.name, pal["text"], width=ww - 15)
        elif role == "combobox":
            box(w.rect, pal["panel"], pal["accent"] if w.key == focus else pal["border"])
            text(x + 4, y, hh, w.value or "", pal["text"], width=ww - 18)
            cx, cy = x + ww - 10, y + hh / 2
            out.append(
                (
                    "p",
                    (
                        (round((cx - 4) * s), round((cy - 2) * s)),
                        (round((cx + 4) * s), round((cy - 2) * s)),
                        (round(cx * s), round((cy + 3) * s)),
                    ),
                    pal["muted"],
                )
            )
        elif role == "dialog":
            box((x + 4, y + 4, ww, hh), pal["shadow"])
            box(w.rect, pal["panel"], pal["border"])
            box((x, y, ww, 20), pal["bar"])
            text(x + 8, y, 20, w.name, pal["text"], width=ww - 16)
        elif role == "tab":
            box(w.rect, pal["panel"] if sel else pal["bar"], pal["border"])
            if sel:
                box((x, y + hh - 2, ww, 2), pal["accent"])
            tw = min(len(w.name) * CHAR_W, ww - 4)
            text(
                x + (ww - tw) / 2, y, hh, w.name, pal["text"] if sel else pal["muted"], width=ww - 4
            )
        elif role == "cell":
            fill = pal["select"] if sel else pal["panel"]
            box(w.rect, fill, pal["accent"] if w.style == "today" else pal["border"])
            text(
                x + 3,
                y + 1,
                12,
                w.name.split(" ")[0],
                pal["text"] if w.on_click else pal["muted"],
                width=ww,
            )
            if w.value:
                for i, line in enumerate(w.value.split("\n")[:2]):
                    box((x + 2, y + 15 + i * 12, ww - 4, 11), pal["accent"])
                    text(x + 4, y + 15 + i * 12, 11, line, pal["accent_text"], round(9 * s), ww - 6)
        elif role == "label":
            styles = w.style.split()
            if "header" in styles:
                box(w.rect, pal["bar"])
            color = (
                pal["muted"]
                if "muted" in styles
                else pal["error"]
                if "error" in styles
                else pal["text"]
            )
            columns(w, x, y, hh, ww, color)
        elif role == "group" and w.style == "card":
            box(w.rect, pal["panel"], pal["border"])
        elif role == "status":
            box(w.rect, pal["bar"])
            text(x + 6, y, hh, w.name, pal["muted"], width=ww - 12)
        if (
            w.key
            and w.key == focus
            and role in ("button", "checkbox", "radio", "tab", "row", "listitem", "cell")
        ):
            box(w.rect, None, pal["accent"])
        for c in w.children:
            paint(c)
        if w.scroll is not None and w.scroll[2] > w.scroll[1]:
            first, visible, total = w.scroll
            track = (x + ww - 6, y + 2, 4, hh - 4)
            box(track, pal["bar"])
            th = max(10, (hh - 4) * visible / total)
            ty = y + 2 + (hh - 4 - th) * first / max(1, total - visible)
            box((x + ww - 6, ty, 4, th), pal["muted"])

    paint(root)
    if marks:
        for w in screen.interactive:
            x, y, ww, hh = w.rect
            box(w.rect, None, MARK)
            label = str(w.id)
            lw = 4 + CHAR_W * 0.8 * len(label)
            box((x, y, lw, 10), MARK)
            out.append(
                ("t", round((x + 2) * s), round(y * s), label, (255, 255, 255), round(9 * s))
            )
    return out


class Renderer:
    """Draws display lists into an RGB frame, redrawing only what changed.

    Args:
        size: Device size ``(width, height)``; must have the 16:10 shape of the logical
            640x400 screen (e.g. ``(640, 400)`` or ``(1280, 800)``).
        cached: Keep the last frame and glyph masks (False redraws everything each time).
    """

    full_redraw_fraction = 0.55

    def __init__(self, size: tuple[int, int] = (WIDTH, HEIGHT), cached: bool = True):
        from PIL import Image, ImageDraw, ImageFont

        width, height = size
        self.scale = width / WIDTH
        if round(HEIGHT * self.scale) != height:
            raise ValueError(f"screen size {size} must have the 16:10 shape of {WIDTH}x{HEIGHT}")
        self.size = (int(width), int(height))
        self.cached = cached
        self._Image, self._ImageDraw, self._ImageFont = Image, ImageDraw, ImageFont
        self._fonts: dict[int, Any] = {}
        self._masks: dict[tuple[str, int], tuple[Any, int, int, int, int]] = {}
        self._prev: list[Prim] = []
        self._prev_set: set[Prim] = set()
        self._arr = np.zeros((self.size[1], self.size[0], 3), np.uint8)
        self.last_dirty_fraction = 1.0

    def font(self, size: int) -> Any:
        """Return Pillow's built-in font at ``size`` pixels."""
        f = self._fonts.get(size)
        if f is None:
            f = self._fonts[size] = self._ImageFont.load_default(size=size)
        return f

    def render(self, screen: Screen, theme: str = "light", marks: bool = False) -> np.ndarray:
        """Return the screenshot of ``screen`` as a ``(height, width, 3)`` uint8 array.

        With ``cached=True`` the array is the renderer's own frame buffer, which the next
        call updates in place: copy it to keep it.
        """
        prims = display_list(screen, self.scale, theme, marks)
        if not self.cached:
            img = self._Image.new("RGB", self.size)
            self._draw(img, prims, 0, 0)
            return np.asarray(img).copy()
        new_set = set(prims)
        changed = [p for p in prims if p not in self._prev_set]
        changed += [p for p in self._prev if p not in new_set]
        regions = _merge([self._bbox(p) for p in changed], self.size)
        area = sum((r[2] - r[0]) * (r[3] - r[1]) for r in regions)
        total = self.size[0] * self.size[1]
        self.last_dirty_fraction = area / total
        if not self._prev or area > self.full_redraw_fraction * total:
            # Only the numpy frame is kept between calls; Pillow images are scratch space.
            img = self._Image.new("RGB", self.size)
            self._draw(img, prims, 0, 0)
            self._arr = np.array(img)
            self.last_dirty_fraction = 1.0
        else:
            boxes = [self._bbox(p) for p in prims]  # once, not once per region
            for region in regions:
                x0, y0, x1, y1 = region
                sub = self._Image.new("RGB", (x1 - x0, y1 - y0))
                inside = [p for p, box in zip(prims, boxes, strict=True) if _overlaps(box, region)]
                self._draw(sub, inside, x0, y0)
                self._arr[y0:y1, x0:x1] = np.asarray(sub)
        self._prev, self._prev_set = prims, new_set
        return self._arr

    def _mask(self, text: str, size: int) -> tuple[Any, int, int, int, int]:
        key = (text, size)
        m = self._masks.get(key)
        if m is None:
            font = self.font(size)
            x0, y0, x1, y1 = font.getbbox(text)
            img = self._Image.new("L", (max(1, x1 - x0), max(1, y1 - y0)))
            self._ImageDraw.Draw(img).text((-x0, -y0), text, font=font, fill=255)
            if len(self._masks) > 20_000:
                self._masks.clear()
            m = self._masks[key] = (img, x0, y0, x1 - x0, y1 - y0)
        return m

    def _bbox(self, p: Prim) -> tuple[int, int, int, int]:
        kind = p[0]
        if kind in ("r", "e"):
            return (p[1], p[2], p[3] + 1, p[4] + 1)
        if kind == "t":
            _, dx, dy, w, h = self._mask(p[3], p[5])
            return (p[1] + dx, p[2] + dy, p[1] + dx + w, p[2] + dy + h)
        xs = [q[0] for q in p[1]]
        ys = [q[1] for q in p[1]]
        pad = p[3] if kind == "l" else 0
        return (min(xs) - pad, min(ys) - pad, max(xs) + 1 + pad, max(ys) + 1 + pad)

    def _draw(self, img: Any, prims: Iterable[Prim], ox: int, oy: int) -> None:
        draw = self._ImageDraw.Draw(img)
        for p in prims:
            kind = p[0]
            if kind == "r":
                draw.rectangle(
                    (p[1] - ox, p[2] - oy, p[3] - ox, p[4] - oy), fill=p[5], outline=p[6]
                )
            elif kind == "t":
                if self.cached:
                    mask, dx, dy, _, _ = self._mask(p[3], p[5])
                    draw.bitmap((p[1] + dx - ox, p[2] + dy - oy), mask, fill=p[4])
                else:
                    draw.text((p[1] - ox, p[2] - oy), p[3], font=self.font(p[5]), fill=p[4])
            elif kind == "e":
                draw.ellipse((p[1] - ox, p[2] - oy, p[3] - ox, p[4] - oy), fill=p[5], outline=p[6])
            elif kind == "l":
                draw.line([(a - ox, b - oy) for a, b in p[1]], fill=p[2], width=p[3])
            else:
                draw.polygon([(a - ox, b - oy) for a, b in p[1]], fill=p[2])


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _merge(
    boxes: list[tuple[int, int, int, int]], size: tuple[int, int]
) -> list[tuple[int, int, int, int]]:
    """Merge dirty boxes into a few rectangles, clipped to the frame."""
    w, h = size
    out: list[list[int]] = []
    for x0, y0, x1, y1 in boxes:
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        if x1 <= x0 or y1 <= y0:
            continue
        for r in out:
            ux0, uy0, ux1, uy1 = min(r[0], x0), min(r[1], y0), max(r[2], x1), max(r[3], y1)
            union = (ux1 - ux0) * (uy1 - uy0)
            if union <= (r[2] - r[0]) * (r[3] - r[1]) + (x1 - x0) * (y1 - y0) + w * h // 50:
                r[:] = [ux0, uy0, ux1, uy1]
                break
        else:
            out.append([x0, y0, x1, y1])
    # Merged boxes may now overlap each other; overlapping redraws are harmless.
    return [tuple(r) for r in out]  # type: ignore[misc]
