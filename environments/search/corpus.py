"""Corpora of the simulated web: the protocol, and a corpus a user brings as JSONL.

A corpus numbers its pages ``0..num_pages-1`` and gives each a URL (what the agent sees), a
server path (where the local HTTP server serves it), a title, HTML and plain text. Generated
worlds implement it in :mod:`~agentgym.environments.search.pages`; :class:`JsonlCorpus` wraps
a user's file of ``{"url", "title", "text"}`` records.
"""

from __future__ import annotations

import hashlib
import html as html_lib
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from agentgym.tasks import TaskFileError, iter_jsonl

__all__ = ["Corpus", "JsonlCorpus", "normalize_url"]


class Corpus(Protocol):
    """What the server, the index and the browser need from a collection of pages."""

    num_pages: int
    key: str

    def url(self, pid: int) -> str:
        """Return the page's public URL."""

    def title(self, pid: int) -> str:
        """Return the page's title."""

    def html(self, pid: int) -> str:
        """Return the page as an HTML document."""

    def text(self, pid: int) -> str:
        """Return the page's readable text (for indexing and snippets)."""

    def server_path(self, pid: int) -> str:
        """Return the path the local server serves the page at."""

    def resolve_path(self, path: str) -> int | None:
        """Return the page served at ``path``, or None."""

    def resolve_url(self, url: str) -> int | None:
        """Return the page whose public URL is ``url``, or None if it is not in the corpus."""


def normalize_url(url: str) -> str:
    """Return ``url`` without its fragment, with a lower-case scheme and host."""
    parts = urlsplit(url.strip())
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )


def _string_field(where: str, record: dict[str, Any], name: str, *, empty_ok: bool) -> str:
    if name not in record:
        raise TaskFileError(f"{where}: missing field '{name}'")
    value = record[name]
    if not isinstance(value, str):
        raise TaskFileError(f"{where}: field '{name}' must be a string, got {type(value).__name__}")
    if not empty_ok and not value.strip():
        raise TaskFileError(f"{where}: field '{name}' must not be empty")
    return value


class JsonlCorpus:
    """A user's corpus: one JSON object per line with ``url``, ``title`` and ``text``.

    URLs must be absolute ``http``/``https`` URLs and unique. Pages are served as simple HTML
    (the title as a heading, paragraphs split on blank lines) under ``/doc/<n>``.

    Args:
        path: The JSONL file.

    Raises:
        TaskFileError: Naming the line and field of the first bad record.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        urls: list[str] = []
        titles: list[str] = []
        texts: list[str] = []
        index: dict[str, int] = {}
        for where, record in iter_jsonl(self.path):
            url = _string_field(where, record, "url", empty_ok=False)
            parts = urlsplit(url.strip())
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise TaskFileError(
                    f"{where}: field 'url' must be an absolute http(s) URL, got {url[:80]!r}"
                )
            key = normalize_url(url)
            if key in index:
                raise TaskFileError(f"{where}: field 'url' repeats {url[:80]!r}")
            title = _string_field(where, record, "title", empty_ok=True)
            text = _string_field(where, record, "text", empty_ok=False)
            index[key] = len(urls)
            urls.append(url.strip())
            titles.append(title)
            texts.append(text)
        self._urls, self._titles, self._texts, self._index = urls, titles, texts, index
        self.num_pages = len(urls)
        self.key = "jsonl-" + hashlib.sha256(self.path.read_bytes()).hexdigest()[:20]

    def url(self, pid: int) -> str:
        """Return the page's URL as given in the file."""
        return self._urls[pid]

    def title(self, pid: int) -> str:
        """Return the page's title (its URL if the title is empty)."""
        return self._titles[pid] or self._urls[pid]

    def text(self, pid: int) -> str:
        """Return the title and text of the page."""
        return f"{self._titles[pid]}\n{self._texts[pid]}"

    def html(self, pid: int) -> str:
        """Return the page as HTML: the title as a heading and one paragraph per block."""
        esc = html_lib.escape
        title = esc(self.title(pid))
        blocks = [b.strip() for b in self._texts[pid].split("\n\n") if b.strip()]
        body = "".join(f"<p>{esc(b)}</p>" for b in blocks)
        return (
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h1>{title}</h1>{body}</body></html>"
        )

    def server_path(self, pid: int) -> str:
        """Return ``/doc/<pid>``."""
        return f"/doc/{pid}"

    def resolve_path(self, path: str) -> int | None:
        """Return the page id of ``/doc/<n>``, or None."""
        if path.startswith("/doc/") and path[5:].isdigit():
            pid = int(path[5:])
            return pid if pid < self.num_pages else None
        return None

    def resolve_url(self, url: str) -> int | None:
        """Return the page with this URL (fragment and case of scheme/host ignored), or None."""
        pid = self._index.get(normalize_url(url))
        if pid is None and not urlsplit(url).path:
            pid = self._index.get(normalize_url(url + "/"))
        return pid
