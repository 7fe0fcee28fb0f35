"""The shared ``search`` tool: ranked results from any search backend.

Any env gains it by composition: ``search_tool(lambda: self.index)``, where the backend has a
``search(query, k)`` method returning :class:`SearchHit` values (the simulated web's BM25
index is one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from agentgym.tools.base import Tool, ToolArgumentError, ToolOutput

__all__ = [
    "DEFAULT_K",
    "MAX_K",
    "MAX_QUERY_CHARS",
    "SearchBackend",
    "SearchHit",
    "format_hits",
    "search_tool",
]

DEFAULT_K = 5
MAX_K = 20
MAX_QUERY_CHARS = 500


@dataclass(frozen=True)
class SearchHit:
    """One search result.

    Attributes:
        doc_id: The backend's id of the document.
        url: The URL the agent can open.
        title: The document's title.
        snippet: A short extract that matches the query.
        score: The ranking score (higher is better).
    """

    doc_id: int
    url: str
    title: str
    snippet: str
    score: float


class SearchBackend(Protocol):
    """Anything that ranks documents for a query."""

    def search(self, query: str, k: int) -> Sequence[SearchHit]:
        """Return up to ``k`` hits, best first."""


def format_hits(query: str, hits: Sequence[SearchHit]) -> str:
    """Render hits as the numbered list an agent reads (numbers open the result)."""
    if not hits:
        return f"No results for {query!r}. Try other words."
    lines = [f"Results for {query!r}:"]
    for i, hit in enumerate(hits, start=1):
        lines.append(f"[{i}] {hit.title}\n    {hit.url}\n    {hit.snippet}")
    return "\n".join(lines)


def search_tool(
    backend: Callable[[], SearchBackend],
    *,
    default_k: int = DEFAULT_K,
    max_k: int = MAX_K,
    on_results: Callable[[str, Sequence[SearchHit]], None] | None = None,
    description: str = (
        "Search the web and get the top k results (title, URL, snippet), numbered so that "
        "a result can be opened by its number."
    ),
) -> Tool:
    """Build the ``search`` tool over the backend returned by ``backend()``.

    Args:
        backend: Returns the search backend (called on each use, so envs may swap it).
        default_k: Results when the agent gives no ``k``.
        max_k: The largest ``k`` accepted.
        on_results: Called with the query and the hits after each search (e.g. so an env
            can let the agent open a result by its number).
        description: The tool description the agent reads.

    Returns:
        A :class:`Tool` whose output data carries the result URLs. An empty or too long
        query, or ``k`` outside ``1..max_k``, raises :class:`ToolArgumentError` before
        anything is searched (an env reports it as a malformed call).
    """
    if not 1 <= default_k <= max_k:
        raise ValueError(f"default_k must be in [1, max_k={max_k}], got {default_k}")

    def run(query: str, k: int = default_k) -> ToolOutput:
        query = query.strip()
        problem = None
        if not query:
            problem = "`search` needs a non-empty query"
        elif len(query) > MAX_QUERY_CHARS:
            problem = f"`search` query is {len(query)} characters long (limit {MAX_QUERY_CHARS})"
        elif not 1 <= k <= max_k:
            problem = f"argument `k` of `search` must be in 1..{max_k}, got {k}"
        if problem is not None:
            raise ToolArgumentError(problem)
        hits = list(backend().search(query, k))
        if on_results is not None:
            on_results(query, hits)
        return ToolOutput(format_hits(query, hits), True, {"urls": [h.url for h in hits]})

    return Tool(
        name="search",
        description=description,
        parameters={
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "What to search for."},
                "k": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": max_k,
                    "description": f"Number of results, 1..{max_k} (default {default_k}).",
                },
            },
            "required": ["query"],
        },
        fn=run,
        main_arg="query",
    )
