"""Fetch pages of the simulated web over HTTP and turn them into readable, paged text.

The browser only ever talks to the local server: a URL is first resolved against the corpus
(``http://web.sim/...`` or a user corpus's own URLs), and only a URL that names a page of the
corpus becomes a request to ``127.0.0.1:<port>``. Anything else is refused before any
network call. HTML is converted with BeautifulSoup (lxml parser) into text in which each link
is followed by its number, ``[3]``, so the agent can open it by number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

from agentgym.environments.search.corpus import Corpus

__all__ = ["Browser", "FetchError", "Link", "PageView", "html_to_view"]

_BLOCKS = frozenset(
    "p div ul ol table tr h1 h2 h3 h4 h5 h6 li section article header footer br".split()
)
_HEADING = {"h1": "# ", "h2": "## ", "h3": "### "}
_SKIP = frozenset({"script", "style", "noscript", "head", "template"})


class FetchError(Exception):
    """A page could not be opened; the message is what the agent reads."""


@dataclass(frozen=True)
class Link:
    """A numbered link of a page: ``number`` as shown in the text, absolute ``url``, anchor."""

    number: int
    url: str
    text: str


@dataclass(frozen=True)
class PageView:
    """A page as the agent reads it.

    Attributes:
        url: The public URL.
        title: The page title.
        text: The whole readable text, links marked ``[n]``.
        links: The numbered links, in order of first appearance.
        parts: ``text`` cut at line boundaries into parts of at most the browser's size.
    """

    url: str
    title: str
    text: str
    links: tuple[Link, ...]
    parts: tuple[str, ...]


def _split(text: str, size: int) -> tuple[str, ...]:
    parts: list[str] = []
    cur: list[str] = []
    n = 0
    for line in text.split("\n"):
        while len(line) > size:  # a single huge line is cut hard
            if cur:
                parts.append("\n".join(cur))
                cur, n = [], 0
            parts.append(line[:size])
            line = line[size:]
        if n + len(line) + 1 > size and cur:
            parts.append("\n".join(cur))
            cur, n = [], 0
        cur.append(line)
        n += len(line) + 1
    if cur or not parts:
        parts.append("\n".join(cur))
    return tuple(parts)


def html_to_view(html: str, url: str, part_chars: int = 3_000) -> PageView:
    """Convert an HTML document at ``url`` into a :class:`PageView` (BeautifulSoup + lxml)."""
    from bs4 import BeautifulSoup, Comment, NavigableString, Tag

    soup = BeautifulSoup(html, "lxml")
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else ""
    links: list[Link] = []
    numbers: dict[str, int] = {}
    out: list[str] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                out.append(str(child))
                continue
            if not isinstance(child, Tag) or child.name in _SKIP:
                continue
            name = child.name
            if name == "a":
                walk(child)
                href = child.get("href")
                if isinstance(href, str) and href.strip() and not href.startswith("#"):
                    target = urljoin(url, href.strip())
                    if target not in numbers:
                        numbers[target] = len(links) + 1
                        links.append(Link(numbers[target], target, child.get_text(" ", strip=True)))
                    out.append(f" [{numbers[target]}]")
            elif name in ("th", "td"):
                walk(child)
                out.append(": " if name == "th" else " ")
            elif name in _BLOCKS:
                out.append("\n" + _HEADING.get(name, "- " if name == "li" else ""))
                walk(child)
                out.append("\n")
            else:
                walk(child)

    body = soup.body or soup
    walk(body)
    lines = (" ".join(line.split()) for line in "".join(out).split("\n"))
    text = "\n".join(line for line in lines if line)
    return PageView(url, title or url, text, tuple(links), _split(text, part_chars))


class Browser:
    """Opens pages of one corpus through its local HTTP server.

    Args:
        corpus: The corpus whose URLs may be opened.
        origin: Returns the server origin (``http://127.0.0.1:<port>``), starting the server
            on first use.
        part_chars: Characters per part of a long page.
        timeout_s: HTTP timeout in seconds.
    """

    def __init__(
        self,
        corpus: Corpus,
        origin: Callable[[], str],
        *,
        part_chars: int = 3_000,
        timeout_s: float = 10.0,
    ):
        self.corpus = corpus
        self._origin = origin
        self.part_chars = part_chars
        self.timeout_s = timeout_s
        self._session = None

    def open(self, url: str) -> PageView:
        """Fetch and convert the page at the public ``url``.

        Raises:
            FetchError: If the URL is not a page of the simulated web (no request is sent) or
                the server does not return it.
        """
        pid = self.corpus.resolve_url(url)
        if pid is None:
            raise FetchError(
                f"{url} is not a page of the simulated web, so it was not fetched. Only pages "
                "found by search or linked from opened pages can be opened."
            )
        target = self._origin() + self.corpus.server_path(pid)
        import requests

        if self._session is None:
            session = requests.Session()
            session.trust_env = False  # never route through proxies from the environment
            self._session = session
        try:
            resp = self._session.get(target, timeout=self.timeout_s, allow_redirects=False)
        except requests.RequestException as e:
            raise FetchError(f"could not fetch {url}: {type(e).__name__}") from None
        if resp.status_code != 200:
            raise FetchError(f"could not fetch {url}: HTTP {resp.status_code}")
        html = resp.content.decode("utf-8", errors="replace")
        return html_to_view(html, self.corpus.url(pid), self.part_chars)

    def close(self) -> None:
        """Close the HTTP session and its connections."""
        if self._session is not None:
            self._session.close()
            self._session = None
