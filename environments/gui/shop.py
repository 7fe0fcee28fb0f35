"""A web shop: catalogue with category tabs and search, product page, cart and checkout form."""

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
from agentgym.environments.gui.widgets import Rect, Widget
from agentgym.tools.base import ToolCall

if TYPE_CHECKING:
    from agentgym.environments.gui.screen import Screen

__all__ = ["ShopApp", "TEMPLATES"]

CATEGORIES = {
    "Shirts": (
        "Oxford Shirt",
        "Linen Shirt",
        "Flannel Shirt",
        "Polo Shirt",
        "Denim Shirt",
        "T-Shirt",
    ),
    "Trousers": ("Chinos", "Cargo Pants", "Slim Jeans", "Joggers", "Shorts"),
    "Shoes": ("Running Shoes", "Leather Boots", "Canvas Sneakers", "Sandals", "Loafers"),
    "Hats": ("Wool Beanie", "Baseball Cap", "Sun Hat", "Bucket Hat"),
    "Bags": ("Tote Bag", "Backpack", "Messenger Bag", "Duffel Bag"),
}
VARIANTS = {"easy": ("",), "medium": ("", "Classic "), "hard": ("", "Classic ", "Premium ")}
COLORS = ("Red", "Blue", "Black", "White", "Green", "Grey")
SIZES = {
    "Shirts": ("S", "M", "L", "XL"),
    "Trousers": ("S", "M", "L", "XL"),
    "Shoes": ("38", "39", "40", "41", "42", "43", "44"),
    "Hats": ("One size",),
    "Bags": ("One size",),
}
SIZE_WORDS = {"S": "small", "M": "medium", "L": "large", "XL": "extra large"}
COUNTRIES = (
    "Germany",
    "France",
    "Spain",
    "Italy",
    "Netherlands",
    "United Kingdom",
    "United States",
)
TABS = ("All", *CATEGORIES)
LIST = "shop:list"
ROWS = 13
# Where the blocks of the window go (see the view).
BODY = CONTENT_TOP + 28
CART_COLS = "cols:10,220,300,380,470"
PRODUCT_FORM = Form(label_x=24, label_w=80, field_x=110)
CHECKOUT_FORM = Form(label_x=24, label_w=90, field_x=120)
FORM = ("name", "street", "city", "zip", "country")
STREETS = ("12 Elm Street", "7 Harbour Road", "301 Main Avenue", "45 Station Lane", "9 Mill Court")
CITIES = ("Springfield", "Riverton", "Lakeside", "Hillview", "Oakdale")


def _norm(items: Sequence[Sequence[Any]]) -> tuple[tuple[Any, ...], ...]:
    """Merge identical lines and sort: ``(pid, color, size, qty)`` tuples."""
    merged: dict[tuple[Any, ...], int] = {}
    for pid, color, size, qty in items:
        merged[(pid, color, size)] = merged.get((pid, color, size), 0) + int(qty)
    return tuple(sorted((*k, q) for k, q in merged.items() if q > 0))


class ShopApp(App):
    """A shop with a catalogue, product options, a cart and a validated checkout form."""

    name = "shop"
    title = "Shop"

    def __init__(self, world: int, difficulty: str, setup: Sequence[Op] = ()):
        super().__init__(world, difficulty, setup)
        self.ui: dict[str, Any] = {
            "page": "catalog",
            "tab": "All",
            "search": "",
            "product": None,
            "choice": {"color": "", "size": "", "qty": "1"},
            "form": {
                "name": "",
                "street": "",
                "city": "",
                "zip": "",
                "country": COUNTRIES[0],
                "shipping": "Standard",
                "gift": False,
            },
            "error": "",
            "last_order": None,
        }

    @classmethod
    def generate(cls, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        """Return a catalogue whose size grows with the difficulty."""
        products = []
        for cat, names in CATEGORIES.items():
            for variant in VARIANTS[difficulty]:
                for name in names:
                    colors = sorted(pick(rng, COLORS, int(rng.integers(2, 5))), key=COLORS.index)
                    price = int(rng.integers(8, 120)) + (40 if variant == "Premium " else 0)
                    products.append(
                        {
                            "id": len(products),
                            "name": variant + name,
                            "category": cat,
                            "price": price * 100 + int(rng.choice([0, 50, 99])),
                            "colors": colors,
                            "sizes": list(SIZES[cat]),
                        }
                    )
        return {"products": products, "cart": [], "orders": []}

    # --- model -----------------------------------------------------------------------------

    def product(self, pid: int) -> dict[str, Any]:
        """Return product ``pid``."""
        return self.state["products"][pid]

    def apply(self, op: Op) -> None:
        """Apply ``cart`` (set the cart) or ``order`` (place an order, emptying the cart)."""
        if op["op"] == "cart":
            self.state["cart"] = [list(i) for i in _norm(op["items"])]
        elif op["op"] == "order":
            self.state["orders"].append(
                {
                    "items": [list(i) for i in _norm(op["items"])],
                    **{k: op["address"][k] for k in FORM},
                    "shipping": op["shipping"],
                    "gift": op.get("gift", False),
                }
            )
            self.state["cart"] = []
        else:
            raise ValueError(f"unknown shop op {op['op']!r}")

    def snapshot(self, goal: Sequence[Op]) -> Any:
        """The cart and every order."""
        orders = tuple(
            (_norm(o["items"]), *(o[k] for k in FORM), o["shipping"], o["gift"])
            for o in self.state["orders"]
        )
        return (_norm(self.state["cart"]), orders)

    def op_done(self, op: Op) -> bool:
        """Return whether the cart holds ``op["items"]`` or such an order was placed."""
        if op["op"] == "cart":
            return _norm(self.state["cart"]) == _norm(op["items"])
        want = (
            _norm(op["items"]),
            *(op["address"][k] for k in FORM),
            op["shipping"],
            op.get("gift", False),
        )
        return any(
            (_norm(o["items"]), *(o[k] for k in FORM), o["shipping"], o["gift"]) == want
            for o in self.state["orders"]
        )

    # --- ui --------------------------------------------------------------------------------

    def _go(self, page: str) -> None:
        if page == "checkout" and not self.state["cart"]:
            self.ui["error"] = "your cart is empty"
            return
        self.ui.update(page=page, error="")

    def _open_product(self, pid: int) -> None:
        p = self.product(pid)
        self.ui.update(page="product", product=pid, error="")
        self.ui["choice"] = {"color": p["colors"][0], "size": p["sizes"][0], "qty": "1"}

    def _add(self) -> None:
        c = self.ui["choice"]
        q = c["qty"].strip()
        if not q.isdigit() or not 1 <= int(q) <= 20:
            self.ui["error"] = "Quantity must be a number from 1 to 20"
            return
        cart = self.state["cart"] + [[self.ui["product"], c["color"], c["size"], int(q)]]
        self.state["cart"] = [list(i) for i in _norm(cart)]
        self.ui["error"] = f"Added {q} to the cart"

    def _set_qty(self, i: int, text: str) -> None:
        t = text.strip()
        if t.isdigit() and 1 <= int(t) <= 20:
            self.state["cart"][i][3] = int(t)
            self.ui["error"] = ""
        else:
            self.ui["error"] = "Quantity must be a number from 1 to 20"

    def _remove(self, i: int) -> None:
        del self.state["cart"][i]

    def _place(self) -> None:
        f = self.ui["form"]
        missing = [k for k in FORM if not str(f[k]).strip()]
        if missing:
            self.ui["error"] = f"Please fill in: {', '.join(missing)}"
            return
        if not f["zip"].strip().isdigit():
            self.ui["error"] = "ZIP code must be digits"
            return
        self.apply(
            {
                "op": "order",
                "items": self.state["cart"],
                "address": {k: f[k].strip() for k in FORM},
                "shipping": f["shipping"],
                "gift": f["gift"],
            }
        )
        self.ui.update(page="confirm", error="", last_order=1000 + len(self.state["orders"]))

    def cart_total(self) -> int:
        """The cart's total in cents."""
        return sum(self.product(p)["price"] * q for p, _c, _s, q in self.state["cart"])

    def listed(self) -> list[dict[str, Any]]:
        """Products of the current tab matching the search, by name."""
        q = self.ui["search"].strip().lower()
        tab = self.ui["tab"]
        return sorted(
            (
                p
                for p in self.state["products"]
                if (tab == "All" or p["category"] == tab) and (not q or q in p["name"].lower())
            ),
            key=lambda p: p["name"],
        )

    def view(self, screen: Screen) -> Widget:
        """Header (tabs, search, cart) and the current page."""
        ui, page = self.ui, self.ui["page"]
        root = window("Shop")
        pages = [("Catalogue", "catalog"), ("Cart", "cart"), ("Checkout", "checkout")]
        root.add(menubar([("Shop", [(label, partial(self._go, p)) for label, p in pages])]))
        root.add(self._header())
        if page == "catalog":
            root.add(self._catalog(screen))
        elif page == "product":
            root.add(self._product_page())
        elif page == "cart":
            root.add(self._cart_page(), *self._cart_footer())
        else:
            root.add(self._checkout_page())
        if ui["error"]:
            style = "muted" if ui["error"].startswith("Added") else "error"
            root.add(Widget("label", ui["error"], "shop:message", (20, 364, 420, 16), style=style))
        if page == "confirm":
            root.add(self._confirmation())
        return root

    def _header(self) -> Widget:
        ui = self.ui
        entries = [
            (
                t,
                f"shop:tab:{t}",
                {
                    "selected": ui["page"] == "catalog" and ui["tab"] == t,
                    "on_click": lambda t=t: ui.update(tab=t, page="catalog", error=""),
                },
            )
            for t in TABS
        ]
        head, x = strip("tablist", "Categories", entries, x=6, pad=14, gap=2)
        search = {
            "value": ui["search"],
            "on_input": lambda t: ui.update(search=t),
            "on_enter": lambda: ui.update(page="catalog", error=""),
        }
        n = sum(i[3] for i in self.state["cart"])
        cart = {"on_click": partial(self._go, "cart")}
        y = CONTENT_TOP + 3
        return head.add(
            *build(
                ("textbox", "Search products", "shop:search", (x + 8, y, 150, 18), search),
                ("button", f"Cart ({n})", "shop:cart", (560, y, 74, 18), cart),
            )
        )

    def _confirmation(self) -> Widget:
        to_catalog = partial(self._go, "catalog")
        box = (200, 140, 240, 100)
        dlg = Widget("dialog", "Order placed", "shop:confirm", box, on_close=to_catalog)
        thanks = f"Thank you! Order #{self.ui['last_order']} is on its way."
        ok = {"on_click": to_catalog, "style": "primary"}
        return dlg.add(
            *build(
                ("label", thanks, "", (210, 170, 220, 18), {}),
                ("button", "OK", "shop:ok", (360, 210, 64, 20), ok),
            )
        )

    def _catalog(self, screen: Screen) -> Widget:
        return scroll_list(
            screen,
            ("list", "Products", LIST, (10, BODY, 620, ROWS * 24 + 8)),
            self.listed(),
            self._product_row,
            rows=ROWS,
            first_row=(12, BODY + 4, 600, 22),
            pitch=24,
            empty=("No products match", (20, BODY + 8, 300, 18)),
        )

    def _product_row(self, p: dict[str, Any], rect: Rect) -> Widget:
        return Widget(
            "listitem",
            f"{p['name']} | {p['category']} | ${p['price'] / 100:.2f} | {', '.join(p['colors'])}",
            f"shop:product:{p['id']}",
            rect,
            on_click=lambda: self._open_product(p["id"]),
            style="cols:10,200,300,380",
        )

    def _product_page(self) -> Widget:
        p = self.product(self.ui["product"])
        c = self.ui["choice"]
        card = Widget("group", p["name"], "shop:productcard", (10, BODY, 620, 320), style="card")
        price = f"${p['price'] / 100:.2f}  -  {p['category']}"
        card.add(
            Widget("heading", p["name"], "", (24, BODY + 8, 400, 20)),
            Widget("label", price, "", (24, BODY + 30, 300, 16), style="muted"),
            *PRODUCT_FORM.radios(
                BODY + 60,
                "Colour",
                "shop:color",
                p["colors"],
                group=(500, 20),
                value=c["color"],
                pick=partial(c.__setitem__, "color"),
                pitch=80,
                width=76,
            ),
        )
        size = {
            "value": c["size"],
            "options": tuple(p["sizes"]),
            "on_input": partial(c.__setitem__, "size"),
        }
        qty = {"value": c["qty"], "on_input": partial(c.__setitem__, "qty"), "on_enter": self._add}
        card.add(*PRODUCT_FORM.row(BODY + 90, "Size", "combobox", "shop:size", 120, **size))
        card.add(*PRODUCT_FORM.row(BODY + 120, "Quantity", "textbox", "shop:qty", 60, **qty))
        add = {"on_click": self._add, "style": "primary"}
        back = {"on_click": partial(self._go, "catalog")}
        return card.add(
            *build(
                ("button", "Add to cart", "shop:add", (110, BODY + 156, 100, 24), add),
                ("button", "Back", "shop:back", (220, BODY + 156, 60, 24), back),
            )
        )

    def _cart_page(self) -> Widget:
        cart = self.state["cart"]
        table = Widget("table", "Cart", "shop:carttable", (10, BODY, 620, 300))
        header = "Item | Colour | Size | Qty | Price"
        table.add(Widget("label", header, "", (12, BODY + 2, 616, 18), style="header " + CART_COLS))
        for i, (pid, color, size, qty) in enumerate(cart):
            p = self.product(pid)
            y = BODY + 24 + i * 26
            row = Widget(
                "row",
                f"{p['name']} | {color} | {size} | | ${p['price'] * qty / 100:.2f}",
                f"shop:line:{i}",
                (12, y, 616, 24),
                style=CART_COLS,
            )
            quantity = {"value": str(qty), "on_input": partial(self._set_qty, i)}
            remove = {"on_click": partial(self._remove, i)}
            row.add(
                *build(
                    (
                        "textbox",
                        f"Quantity of {p['name']}",
                        f"shop:qty:{i}",
                        (390, y + 2, 50, 20),
                        quantity,
                    ),
                    ("button", "Remove", f"shop:remove:{i}", (550, y + 2, 70, 20), remove),
                )
            )
            table.add(row)
        if not cart:
            empty = (24, BODY + 28, 300, 18)
            table.add(Widget("label", "Your cart is empty", "", empty, style="muted"))
        return table

    def _cart_footer(self) -> list[Widget]:
        total = f"Total: ${self.cart_total() / 100:.2f}"
        back = {"on_click": partial(self._go, "catalog")}
        checkout = {
            "on_click": partial(self._go, "checkout"),
            "disabled": not self.state["cart"],
            "style": "primary",
        }
        return build(
            ("label", total, "shop:total", (380, 340, 120, 18), {}),
            ("button", "Continue shopping", "shop:continue", (12, 340, 130, 22), back),
            ("button", "Checkout", "shop:checkout", (530, 338, 96, 24), checkout),
        )

    def _checkout_page(self) -> Widget:
        f = self.ui["form"]
        form = Widget("group", "Shipping address", "shop:form", (10, BODY, 620, 300), style="card")
        form.add(Widget("heading", "Checkout", "", (24, BODY + 6, 200, 20)))
        y = BODY + 34
        for label, key in (
            ("Full name", "name"),
            ("Street", "street"),
            ("City", "city"),
            ("ZIP code", "zip"),
        ):
            text = {
                "value": f[key],
                "on_input": partial(f.__setitem__, key),
                "on_enter": self._place,
            }
            form.add(*CHECKOUT_FORM.row(y, label, "textbox", f"shop:f:{key}", 260, **text))
            y += 26
        country = {
            "value": f["country"],
            "options": COUNTRIES,
            "on_input": partial(f.__setitem__, "country"),
        }
        form.add(*CHECKOUT_FORM.row(y, "Country", "combobox", "shop:f:country", 180, **country))
        y += 28
        form.add(
            *CHECKOUT_FORM.radios(
                y,
                "Shipping",
                "shop:f:shipping",
                ("Standard", "Express"),
                group=(300, 20),
                value=f["shipping"],
                pick=partial(f.__setitem__, "shipping"),
                pitch=110,
                width=100,
            )
        )
        y += 26
        gift = {"checked": f["gift"], "on_click": lambda: f.__setitem__("gift", not f["gift"])}
        total = f"Total: ${self.cart_total() / 100:.2f}"
        back = {"on_click": partial(self._go, "cart")}
        place = {"on_click": self._place, "style": "primary"}
        return form.add(
            *build(
                ("checkbox", "Gift wrap", "shop:f:gift", (120, y, 150, 20), gift),
                ("label", total, "", (400, BODY + 34, 200, 18), {}),
                ("button", "Back to cart", "shop:tocart", (24, BODY + 270, 100, 22), back),
                ("button", "Place order", "shop:place", (510, BODY + 268, 100, 24), place),
            )
        )

    # --- oracle ----------------------------------------------------------------------------

    def _fix_cart(self, screen: Screen, target: tuple[tuple[Any, ...], ...]) -> ToolCall:
        ui = self.ui
        want = {t[:3]: t[3] for t in target}
        cart = self.state["cart"]
        for i, (pid, color, size, qty) in enumerate(cart):
            key = (pid, color, size)
            if key not in want or want[key] < qty or (want[key] > qty and ui["page"] == "cart"):
                if ui["page"] != "cart":
                    return call(screen, "click", "shop:cart")
                if key not in want:
                    return call(screen, "click", f"shop:remove:{i}")
                return call(screen, "type", f"shop:qty:{i}", text=str(want[key]))
        have = {tuple(i[:3]): i[3] for i in cart}
        for (pid, color, size), qty in want.items():
            missing = qty - have.get((pid, color, size), 0)
            if missing <= 0:
                continue
            if ui["page"] == "product" and ui["product"] == pid:
                step = fill(
                    screen,
                    {f"shop:color:{color}": True, "shop:size": size, "shop:qty": str(missing)},
                )
                return step or call(screen, "click", "shop:add")
            p = self.product(pid)
            if ui["page"] != "catalog":
                return call(screen, "click", f"shop:tab:{p['category']}")
            if ui["search"] and ui["search"].lower() not in p["name"].lower():
                return call(screen, "type", "shop:search", text="")
            if ui["tab"] not in ("All", p["category"]):
                return call(screen, "click", f"shop:tab:{p['category']}")
            items = self.listed()
            return reveal(screen, LIST, items.index(p), f"shop:product:{pid}")
        raise AssertionError("cart already matches")

    def oracle(self, screen: Screen, goal: Sequence[Op]) -> ToolCall:
        """Fix the cart line by line, then fill the checkout form and place the order."""
        if screen.open_key is not None:
            return ToolCall("key", {"name": "Escape"})
        todo = [op for op in goal if not self.op_done(op)]
        if not todo:
            if self.ui["page"] == "confirm":
                return call(screen, "click", "shop:ok")
            return ToolCall("done", {})
        op = todo[0]
        if self.ui["page"] == "confirm":
            return call(screen, "click", "shop:ok")
        target = _norm(op["items"])
        if _norm(self.state["cart"]) != target:
            return self._fix_cart(screen, target)
        if op["op"] == "cart":
            raise AssertionError("cart op not done but cart matches")
        if self.ui["page"] != "checkout":
            if self.ui["page"] != "cart":
                return call(screen, "click", "shop:cart")
            return call(screen, "click", "shop:checkout")
        desired: dict[str, Any] = {f"shop:f:{k}": op["address"][k] for k in FORM}
        desired[f"shop:f:shipping:{op['shipping']}"] = True
        desired["shop:f:gift"] = op.get("gift", False)
        return fill(screen, desired) or call(screen, "click", "shop:place")


# --- task templates ------------------------------------------------------------------------


def _line(
    rng: np.random.Generator, app: ShopApp, qty: int = 1, category: str | None = None
) -> list[Any]:
    products = [p for p in app.state["products"] if category is None or p["category"] == category]
    p = pick(rng, products)
    return [p["id"], pick(rng, p["colors"]), pick(rng, p["sizes"]), qty]


def _say(app: ShopApp, line: Sequence[Any]) -> str:
    p = app.product(line[0])
    size = line[2]
    what = f'{line[3]} x "{p["name"]}" in {line[1]}'
    return what + ("" if size == "One size" else f", size {size}")


def _address(rng: np.random.Generator) -> dict[str, str]:
    first, last = (
        pick(rng, ("Mara", "Jon", "Aiko", "Pavel", "Lucia")),
        pick(rng, ("Klein", "Moreau", "Sato", "Novak")),
    )
    return {
        "name": f"{first} {last}",
        "street": pick(rng, STREETS),
        "city": pick(rng, CITIES),
        "zip": str(int(rng.integers(10000, 99999))),
        "country": pick(rng, COUNTRIES),
    }


def _say_address(a: dict[str, str]) -> str:
    return f"{a['name']}, {a['street']}, {a['zip']} {a['city']}, {a['country']}"


def add_to_cart(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Add one item (two on hard) to the cart."""
    seed, app = new_world(ShopApp, rng, difficulty)
    lines = [_line(rng, app, 1 if difficulty == "easy" else int(rng.integers(2, 4)))]
    if difficulty == "hard":
        lines.append(_line(rng, app, 1))
    prompt = (
        "In the Shop, add "
        + " and ".join(_say(app, ln) for ln in lines)
        + " to the cart. Do not check out."
    )
    return prompt, task_data(ShopApp, seed, [{"op": "cart", "items": lines}])


def buy_shirts(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Buy two shirts of a colour and size and check out with an address."""
    seed, app = new_world(ShopApp, rng, difficulty)
    shirts = [p for p in app.state["products"] if p["category"] == "Shirts"]
    p = pick(rng, shirts)
    color, size = pick(rng, p["colors"]), pick(rng, ("S", "M", "L", "XL"))
    qty = 2 if difficulty != "hard" else 3
    addr = _address(rng)
    shipping = "Standard" if difficulty == "easy" else "Express"
    op = {
        "op": "order",
        "items": [[p["id"], color, size, qty]],
        "address": addr,
        "shipping": shipping,
        "gift": False,
    }
    prompt = (
        f'In the Shop, buy {qty} {SIZE_WORDS[size]} {color.lower()} "{p["name"]}" and check out with the '
        f"address {_say_address(addr)} and {shipping.lower()} shipping."
    )
    return prompt, task_data(ShopApp, seed, [op])


def buy_two(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Buy two different products and check out (gift wrapped on hard)."""
    seed, app = new_world(ShopApp, rng, difficulty)
    a = _line(rng, app, 1)
    b = _line(rng, app, 1 + int(difficulty != "easy"))
    while b[0] == a[0]:
        b = _line(rng, app, b[3])
    addr = _address(rng)
    gift = difficulty == "hard"
    op = {"op": "order", "items": [a, b], "address": addr, "shipping": "Express", "gift": gift}
    prompt = (
        f"In the Shop, buy {_say(app, a)} and {_say(app, b)}; check out to {_say_address(addr)} with express shipping"
        + (" and gift wrap" if gift else "")
        + "."
    )
    return prompt, task_data(ShopApp, seed, [op])


def _prefill(rng: np.random.Generator, app: ShopApp, n: int) -> list[list[Any]]:
    lines: list[list[Any]] = []
    while len(lines) < n:
        ln = _line(rng, app, int(rng.integers(1, 3)))
        if all(ln[0] != x[0] for x in lines):
            lines.append(ln)
    return lines


def remove_item(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Remove one item from a pre-filled cart (and check out on hard)."""
    seed, app = new_world(ShopApp, rng, difficulty)
    lines = _prefill(rng, app, 2 if difficulty == "easy" else 3)
    gone = pick(rng, lines)
    rest = [ln for ln in lines if ln is not gone]
    name = app.product(gone[0])["name"]
    setup = [{"op": "cart", "items": lines}]
    if difficulty == "hard":
        addr = _address(rng)
        goal = [
            {"op": "order", "items": rest, "address": addr, "shipping": "Standard", "gift": False}
        ]
        prompt = f'In the Shop, remove "{name}" from the cart and check out to {_say_address(addr)} with standard shipping.'
    else:
        goal = [{"op": "cart", "items": rest}]
        prompt = f'In the Shop, remove "{name}" from the cart. Do not check out.'
    return prompt, task_data(ShopApp, seed, goal, setup)


def change_quantity(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Change the quantity of a cart line (two lines on hard)."""
    seed, app = new_world(ShopApp, rng, difficulty)
    lines = _prefill(rng, app, 3)
    k = 2 if difficulty == "hard" else 1
    chosen = pick(rng, list(range(3)), k)
    new = [list(ln) for ln in lines]
    parts = []
    for i in chosen:
        q = int(rng.integers(3, 7))
        new[i][3] = q
        parts.append(f'"{app.product(lines[i][0])["name"]}" to {q}')
    prompt = (
        "In the Shop, change the quantity of "
        + " and ".join(parts)
        + " in the cart. Do not check out."
    )
    return prompt, task_data(
        ShopApp, seed, [{"op": "cart", "items": new}], [{"op": "cart", "items": lines}]
    )


def cheapest(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Add the cheapest product of a category to the cart."""
    seed, app = new_world(ShopApp, rng, difficulty)
    cat = pick(rng, list(CATEGORIES))
    p = min(
        (x for x in app.state["products"] if x["category"] == cat),
        key=lambda x: (x["price"], x["name"]),
    )
    color, size = p["colors"][0], p["sizes"][-1]
    prompt = f"In the Shop, add the cheapest item in {cat} to the cart, in {color}" + (
        "" if size == "One size" else f", size {size}"
    )
    return prompt + ". Do not check out.", task_data(
        ShopApp, seed, [{"op": "cart", "items": [[p["id"], color, size, 1]]}]
    )


def checkout_cart(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Check out a pre-filled cart with an address and shipping option."""
    seed, app = new_world(ShopApp, rng, difficulty)
    lines = _prefill(rng, app, {"easy": 1, "medium": 2, "hard": 3}[difficulty])
    addr = _address(rng)
    shipping = pick(rng, ("Standard", "Express"))
    gift = difficulty == "hard"
    op = {"op": "order", "items": lines, "address": addr, "shipping": shipping, "gift": gift}
    prompt = (
        f"In the Shop, check out the items in the cart to {_say_address(addr)} with {shipping.lower()} shipping"
        + (" and gift wrap" if gift else "")
    )
    return prompt + ".", task_data(ShopApp, seed, [op], [{"op": "cart", "items": lines}])


def search_add(rng: np.random.Generator, difficulty: str) -> tuple[str, dict[str, Any]]:
    """Find a product (a large catalogue on harder levels) and add several to the cart."""
    seed, app = new_world(ShopApp, rng, difficulty)
    ln = _line(rng, app, int(rng.integers(2, 5)))
    prompt = f"In the Shop, find and add {_say(app, ln)} to the cart. Do not check out."
    return prompt, task_data(ShopApp, seed, [{"op": "cart", "items": [ln]}])


TEMPLATES: dict[str, Template] = {
    "shop-add": add_to_cart,
    "shop-buy-shirts": buy_shirts,
    "shop-buy-two": buy_two,
    "shop-remove": remove_item,
    "shop-quantity": change_quantity,
    "shop-cheapest": cheapest,
    "shop-checkout-cart": checkout_cart,
    "shop-search-add": search_add,
}
