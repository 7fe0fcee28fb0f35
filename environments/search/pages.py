"""Render the pages of a generated world as HTML, on demand, from (world, page id).

Nothing is stored: every page is a pure function of the world arrays and its id, so a web of a
million pages costs no disk and a page looks the same in every process. Links are site-relative
(``/wiki/Name``) and resolve against the stable base URL ``http://web.sim``; a few external
links (official websites under ``.example``) lead outside the simulated web on purpose.
"""

from __future__ import annotations

import html as html_lib
import re
import threading
from urllib.parse import unquote, urlsplit

import numpy as np

from agentgym.environments.search.world import (
    CENSUS_YEAR,
    CITY,
    COUNTRY,
    EVENT_KINDS,
    INDUSTRIES,
    NEWS_OLD_HQ,
    NEWS_OLD_POPULATION,
    OCCUPATIONS,
    ORG,
    PERSON,
    TYPE_NAMES,
    WORK,
    WORK_KINDS,
    World,
    format_date,
)

__all__ = ["BASE_URL", "GENERATOR_VERSION", "SITE_HOST", "WorldPages", "html_to_plain"]

GENERATOR_VERSION = 1
SITE_HOST = "web.sim"
BASE_URL = f"http://{SITE_HOST}"
_LIST_CAP = 100
_NEWS_CAP = 12
_INLINE_TAG = re.compile(r"</?(?:a|b|i|em|strong|span)\b[^>]*>")
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"[ \t]+")
_BLANKS = re.compile(r"\s*\n\s*")

_TOPICS = (
    "river trade", "glass lenses", "folk songs", "railway maps", "tidal clocks", "salt roads",
    "mountain observatories", "paper mills", "wind engines", "harbour charts", "bell foundries",
    "silk dyes", "night markets", "lighthouse optics", "orchard grafting", "stone bridges",
)  # fmt: skip
_ADJECTIVES = (
    "early", "influential", "unusual", "patient", "careful", "ambitious", "quiet",
    "celebrated", "disputed", "experimental",
)  # fmt: skip
_NEWS_VERBS = (
    ("announces a new programme", "announced a new programme on {topic}"),
    ("opens an exhibition", "opened an exhibition about {topic}"),
    ("hosts visitors", "welcomed a delegation interested in {topic}"),
    ("marks an anniversary", "marked an anniversary with a lecture on {topic}"),
    ("receives an award", "received a regional award for work on {topic}"),
    ("plans a renovation", "outlined plans to renovate its archive of {topic}"),
)
_REMARKS = (
    "Local observers called the occasion modest but well attended.",
    "No further details were given at the time.",
    "A spokesperson declined to comment on future plans.",
    "The event drew a small crowd despite the weather.",
    "Several guests travelled from neighbouring regions.",
)


def html_to_plain(html: str) -> str:
    """Strip tags and entities from ``html`` with regular expressions (fast, for indexing)."""
    text = _TAG.sub("\n", _INLINE_TAG.sub("", html))
    text = html_lib.unescape(text)
    return _BLANKS.sub("\n", _SPACE.sub(" ", text)).strip()


def _an(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _slug(name: str) -> str:
    return name.replace(" ", "_")


def _mix(*values: int) -> int:
    """A cheap deterministic hash of ints (no Python ``hash``, which is salted per process)."""
    h = 0x9E3779B1
    for v in values:
        h = ((h ^ (int(v) & 0xFFFFFFFF)) * 0x01000193) & 0xFFFFFFFF
        h ^= h >> 15
    return h


class WorldPages:
    """The pages of a :class:`~agentgym.environments.search.world.World`.

    Args:
        world: The world to render.
    """

    def __init__(self, world: World):
        self.world = world
        self.num_pages = world.num_pages
        self.key = f"world-v{GENERATOR_VERSION}-s{world.seed}-n{world.num_pages}"
        self._paths: dict[str, int] | None = None
        self._lock = threading.Lock()
        self._pair_row = {
            int(e): row for row, pair in enumerate(world.twin_pairs) for e in pair.tolist()
        }

    # --- addressing ------------------------------------------------------------------------

    def path(self, pid: int) -> str:
        """Return the site-relative path of page ``pid`` (``/wiki/Name``)."""
        w = self.world
        if pid < w.first_disambiguation:
            return "/wiki/" + _slug(w.names[pid])
        if pid < w.first_list:
            a = int(w.twin_pairs[pid - w.first_disambiguation, 0])
            return "/wiki/" + _slug(w.names[a]) + "_(disambiguation)"
        if pid < w.first_news:
            return "/list/" + _slug(self.title(pid))
        n = pid - w.first_news
        d = int(w.news["date"][n])
        return f"/news/{d // 10_000:04d}-{d // 100 % 100:02d}-{d % 100:02d}/{n}"

    def url(self, pid: int) -> str:
        """Return the absolute URL of page ``pid`` on the simulated web."""
        return BASE_URL + self.path(pid)

    def title(self, pid: int) -> str:
        """Return the title of page ``pid``."""
        w = self.world
        if pid < w.first_disambiguation:
            return w.names[pid]
        if pid < w.first_list:
            return w.names[int(w.twin_pairs[pid - w.first_disambiguation, 0])] + (
                " (disambiguation)"
            )
        if pid < w.first_news:
            i = pid - w.first_list
            kind, key, part = (int(w.lists[f][i]) for f in ("kind", "key", "part"))
            if kind == 0:
                return f"People born in {w.names[key]}"
            if kind == 1:
                return f"Cities in {w.names[key]}"
            split = part > 0 or (
                i + 1 < len(w.lists["kind"])
                and int(w.lists["kind"][i + 1]) == 2
                and int(w.lists["key"][i + 1]) == key
            )
            suffix = f" (part {part + 1})" if split else ""
            return f"Organisations founded in the {key}s{suffix}"
        return self._news_headline(pid - w.first_news)

    def resolve(self, path: str) -> int | None:
        """Return the page id of a site-relative ``path``, or None if there is no such page."""
        if path.startswith("/news/"):
            parts = path.split("/")
            if len(parts) == 4 and parts[3].isdigit():
                n = int(parts[3])
                pid = self.world.first_news + n
                if n < len(self.world.news["kind"]) and self.path(pid) == path:
                    return pid
            return None
        if self._paths is None:
            with self._lock:
                if self._paths is None:
                    self._paths = {self.path(i): i for i in range(self.world.first_news)}
        return self._paths.get(path)

    def server_path(self, pid: int) -> str:
        """Return the path the local server serves page ``pid`` at (its public path)."""
        return self.path(pid)

    def resolve_path(self, path: str) -> int | None:
        """Return the page served at ``path`` (same as :meth:`resolve`)."""
        return self.resolve(path)

    def resolve_url(self, url: str) -> int | None:
        """Return the page id of an absolute ``http://web.sim/...`` URL, or None.

        Any other host, a port, or a query string is not part of the simulated web.
        """
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in ("http", "https") or parts.netloc.lower() != SITE_HOST:
            return None
        if parts.query:
            return None
        return self.resolve(unquote(parts.path))

    def entity_url(self, entity: int) -> str:
        """Return the URL of an entity's own page."""
        return BASE_URL + "/wiki/" + _slug(self.world.names[entity])

    # --- rendering -------------------------------------------------------------------------

    def html(self, pid: int) -> str:
        """Return the full HTML document of page ``pid``.

        Raises:
            IndexError: If ``pid`` is not a page of this web.
        """
        if not 0 <= pid < self.num_pages:
            raise IndexError(f"page id {pid} out of range")
        w = self.world
        if pid < w.first_disambiguation:
            body = self._entity(pid)
        elif pid < w.first_list:
            body = self._disambiguation(pid - w.first_disambiguation)
        elif pid < w.first_news:
            body = self._list(pid - w.first_list)
        else:
            body = self._news(pid - w.first_news)
        title = self.title(pid)
        return (
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h1>{title}</h1>{body}</body></html>"
        )

    def text(self, pid: int) -> str:
        """Return the readable text of page ``pid`` (title, then body) for indexing."""
        return html_to_plain(self.html(pid))

    def _a(self, entity: int) -> str:
        name = self.world.names[entity]
        return f'<a href="/wiki/{_slug(name)}">{name}</a>'

    def _items(self, ids: np.ndarray, fmt) -> str:
        shown = ids[:_LIST_CAP].tolist()
        rows = "".join(f"<li>{fmt(i)}</li>" for i in shown)
        more = f"<p>... and {len(ids) - len(shown)} more.</p>" if len(ids) > len(shown) else ""
        return f"<ul>{rows}</ul>{more}"

    def _section(self, heading: str, ids: np.ndarray, fmt) -> str:
        if len(ids) == 0:
            return ""
        return f"<h2>{heading}</h2>" + self._items(ids, fmt)

    def _entity(self, e: int) -> str:
        w = self.world
        t = int(w.etype[e])
        name = w.names[e]
        h = _mix(w.seed, e)
        rel = w.rel
        inv = w.inverse
        year = lambda i: int(w.date[i]) // 10_000  # noqa: E731
        rows: list[tuple[str, str]] = [("Type", TYPE_NAMES[t])]
        prose: list[str] = []
        sections: list[str] = []
        external = False
        if t == PERSON:
            occ = OCCUPATIONS[w.kind[e]]
            city, org = int(rel["born_in"][e]), int(rel["member_of"][e])
            rows += [
                ("Occupation", occ),
                ("Born", f"{format_date(w.date[e])}, {self._a(city)}"),
                ("Employer", self._a(org)),
            ]
            prose.append(
                f"{name} (born {format_date(w.date[e])} in {self._a(city)}) is {_an(occ)}. "
                f"{name.split()[0]} works for {self._a(org)}."
            )
            prose.append(
                f"{name} is known for {_ADJECTIVES[h % 10]} work on {_TOPICS[h // 10 % 16]}."
            )
            sections.append(
                self._section(
                    "Works",
                    inv["creator"].get(e),
                    lambda i: f"{self._a(i)} ({WORK_KINDS[w.kind[i]]}, {year(i)})",
                )
            )
            sections.append(
                self._section(
                    "Organisations founded", inv["founded_by"].get(e), lambda i: self._a(i)
                )
            )
            external = True
        elif t == ORG:
            industry = INDUSTRIES[w.kind[e]]
            founder, hq = int(rel["founded_by"][e]), int(rel["hq"][e])
            former = int(rel["former_hq"][e])
            since = f" (since {w.moved_year[e]})" if former >= 0 else ""
            rows += [
                ("Industry", industry),
                ("Founded", format_date(w.date[e])),
                ("Founder", self._a(founder)),
                ("Headquarters", self._a(hq) + since),
                ("Employees", f"{w.number[e]:,}"),
            ]
            prose.append(
                f"{name} is {_an(industry)} organisation founded on {format_date(w.date[e])} by "
                f"{self._a(founder)}. It is headquartered in {self._a(hq)}."
            )
            if former >= 0:
                prose.append(
                    f"Originally based in {self._a(former)}, it moved its headquarters to "
                    f"{self._a(hq)} in {w.moved_year[e]}."
                )
            sections.append(
                self._section(
                    "Published works",
                    inv["publisher"].get(e),
                    lambda i: f"{self._a(i)} ({year(i)})",
                )
            )
            sections.append(
                self._section(
                    "Events organised",
                    inv["organiser"].get(e),
                    lambda i: f"{self._a(i)} ({year(i)})",
                )
            )
            sections.append(
                self._section("Notable staff", inv["member_of"].get(e), lambda i: self._a(i))
            )
            external = True
        elif t == CITY:
            country = int(rel["country"][e])
            rows += [
                ("Country", self._a(country)),
                ("Population", f"{w.number[e]:,} ({CENSUS_YEAR} census)"),
            ]
            prose.append(
                f"{name} is a city in {self._a(country)}. At the {CENSUS_YEAR} census it had "
                f"{w.number[e]:,} inhabitants."
            )
            if int(rel["capital"][country]) == e:
                prose.append(f"It is the capital of {self._a(country)}.")
            sections.append(
                self._section(
                    "Organisations headquartered here", inv["hq"].get(e), lambda i: self._a(i)
                )
            )
            sections.append(
                self._section(
                    "Events held here",
                    inv["location"].get(e),
                    lambda i: f"{self._a(i)} ({year(i)})",
                )
            )
            born = inv["born_in"].get(e)
            if len(born):
                shown = ", ".join(self._a(i) for i in born[:8].tolist())
                sections.append(
                    f"<h2>People</h2><p>Notable people born here include {shown}. See "
                    f'<a href="/list/People_born_in_{_slug(name)}">People born in {name}</a>.</p>'
                )
        elif t == COUNTRY:
            capital = int(rel["capital"][e])
            rows += [
                ("Capital", self._a(capital)),
                ("Independence", format_date(w.date[e])),
                ("Population", f"{w.number[e]:,}"),
            ]
            prose.append(
                f"{name} is a country whose capital is {self._a(capital)}. It became "
                f"independent on {format_date(w.date[e])}."
            )
            cities = inv["country"].get(e)
            sections.append(
                self._section("Cities", cities, lambda i: self._a(i))
                + f'<p>See <a href="/list/Cities_in_{_slug(name)}">Cities in {name}</a>.</p>'
            )
        elif t == WORK:
            kind = WORK_KINDS[w.kind[e]]
            creator, publisher = int(rel["creator"][e]), int(rel["publisher"][e])
            event = int(rel["premiere"][e])
            rows += [
                ("Kind", kind),
                ("Creator", self._a(creator)),
                ("Publisher", self._a(publisher)),
                ("Released", format_date(w.date[e])),
                ("Premiere", self._a(event)),
            ]
            prose.append(
                f"{name} is {_an(kind)} by {self._a(creator)}, published by "
                f"{self._a(publisher)}, released in {year(e)}. It premiered at {self._a(event)} on "
                f"{format_date(w.date[e])}."
            )
            prose.append(f"Critics noted its {_ADJECTIVES[h % 10]} treatment of {_TOPICS[h % 16]}.")
        else:  # EVENT
            city, org = int(rel["location"][e]), int(rel["organiser"][e])
            rows += [
                ("Kind", EVENT_KINDS[w.kind[e]].lower()),
                ("Date", format_date(w.date[e])),
                ("Location", self._a(city)),
                ("Organiser", self._a(org)),
                ("Attendance", f"{w.number[e]:,}"),
            ]
            prose.append(
                f"{name} took place on {format_date(w.date[e])} in {self._a(city)}, organised by "
                f"{self._a(org)}. About {w.number[e]:,} people attended."
            )
            sections.append(
                self._section("Premieres", inv["premiere"].get(e), lambda i: self._a(i))
            )
        news = inv["news"].get(e)[-_NEWS_CAP:][::-1]
        if len(news):
            first = w.first_news
            sections.append(
                "<h2>In the news</h2><ul>"
                + "".join(
                    f'<li><a href="{self.path(first + n)}">{self._news_headline(n)}</a></li>'
                    for n in news.tolist()
                )
                + "</ul>"
            )
        twin = int(w.twin[e])
        if twin >= 0:
            pid = w.first_disambiguation + self._pair_row[e]
            sections.append(
                f"<h2>See also</h2><p>Not to be confused with {self._a(twin)}; see "
                f'<a href="{self.path(pid)}">{self.title(pid)}</a>.</p>'
            )
        if external:
            site = name.replace(" ", "").lower()
            sections.append(
                '<h2>External links</h2><ul><li><a href="http://www.'
                f'{site}.example/">Official website</a></li></ul>'
            )
        infobox = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
        paragraphs = "".join(f"<p>{p}</p>" for p in prose)
        return f'<table class="infobox">{infobox}</table>{paragraphs}{"".join(sections)}'

    def _describe(self, e: int) -> str:
        w = self.world
        t = int(w.etype[e])
        year = int(w.date[e]) // 10_000
        if t == PERSON:
            return f"{OCCUPATIONS[w.kind[e]]}, born {year}"
        if t == ORG:
            return f"{INDUSTRIES[w.kind[e]]} organisation founded in {year}"
        if t == CITY:
            return f"city in {w.names[int(w.rel['country'][e])]}"
        return f"{WORK_KINDS[w.kind[e]]} from {year}"

    def _disambiguation(self, row: int) -> str:
        a, b = (int(x) for x in self.world.twin_pairs[row])
        items = "".join(f"<li>{self._a(e)}, {self._describe(e)}</li>" for e in (a, b))
        return f"<p>{self.world.names[a]} may refer to:</p><ul>{items}</ul>"

    def _list(self, i: int) -> str:
        w = self.world
        kind, key = int(w.lists["kind"][i]), int(w.lists["key"][i])
        if kind == 0:
            ids = w.inverse["born_in"].get(key)
            head = f"<p>People born in {self._a(key)}, by name.</p>"
            rows = "".join(f"<li>{self._a(e)}</li>" for e in ids.tolist())
        elif kind == 1:
            ids = w.inverse["country"].get(key)
            head = f"<p>Cities of {self._a(key)}.</p>"
            rows = "".join(f"<li>{self._a(e)}</li>" for e in ids.tolist())
        else:
            lo, hi = int(w.lists["lo"][i]), int(w.lists["hi"][i])
            ids = w.decade_orgs[lo:hi]
            head = f"<p>Organisations founded between {key} and {key + 9}.</p>"
            rows = "".join(
                f"<li>{self._a(e)} ({int(w.date[e]) // 10_000})</li>" for e in ids.tolist()
            )
        return f"{head}<ul>{rows}</ul>"

    def _news_headline(self, n: int) -> str:
        w = self.world
        kind, e1 = int(w.news["kind"][n]), int(w.news["e1"][n])
        if kind == NEWS_OLD_HQ:
            return f"{w.names[e1]} expands its offices"
        if kind == NEWS_OLD_POPULATION:
            return f"{w.names[e1]} publishes census figures"
        return f"{w.names[e1]} {_NEWS_VERBS[int(w.news['template'][n]) % len(_NEWS_VERBS)][0]}"

    def _news(self, n: int) -> str:
        w = self.world
        kind, e1, e2 = (int(w.news[f][n]) for f in ("kind", "e1", "e2"))
        tpl = int(w.news["template"][n])
        when = format_date(w.news["date"][n])
        if kind == NEWS_OLD_HQ:
            body = (
                f"<p>{when}. The {self._a(e2)}-based {self._a(e1)} announced that it will add "
                f"two floors to its offices in {self._a(e2)}.</p>"
            )
        elif kind == NEWS_OLD_POPULATION:
            body = (
                f"<p>{when}. According to figures published this year, {self._a(e1)} has "
                f"{w.old_number[e1]:,} inhabitants.</p>"
            )
        else:
            verb = _NEWS_VERBS[tpl % len(_NEWS_VERBS)][1].format(topic=_TOPICS[tpl // 7 % 16])
            body = f"<p>{when}. {self._a(e1)} {verb}."
            if e2 >= 0:
                body += f" Representatives of {self._a(e2)} were also present."
            body += f" {_REMARKS[tpl // 131 % len(_REMARKS)]}</p>"
        return f'<p class="dateline">Published {when}</p>{body}'
