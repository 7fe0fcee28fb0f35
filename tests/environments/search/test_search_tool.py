"""The shared ``search`` tool over any backend."""

from __future__ import annotations

import pytest

from agentgym.tools.base import ToolArgumentError
from agentgym.tools.search import SearchHit, format_hits, search_tool


class _Backend:
    def __init__(self):
        self.calls = []

    def search(self, query, k):
        self.calls.append((query, k))
        return [
            SearchHit(i, f"http://x.test/{i}", f"T{i}", f"snip {query}", 1.0 / (i + 1))
            for i in range(k)
        ]


def test_search_tool_formats_numbered_hits_and_reports_urls():
    backend = _Backend()
    seen = []
    tool = search_tool(lambda: backend, on_results=lambda q, hits: seen.append((q, len(hits))))
    out = tool({"query": "  rivers ", "k": "2"})  # XML attributes arrive as strings
    assert out.ok and backend.calls == [("rivers", 2)] and seen == [("rivers", 2)]
    assert "[1] T0\n    http://x.test/0" in out.text and "[2] T1" in out.text
    assert out.data["urls"] == ["http://x.test/0", "http://x.test/1"]
    assert tool.openai_schema()["function"]["parameters"]["required"] == ["query"]


@pytest.mark.parametrize(
    "args, problem",
    [
        ({"query": "   "}, "non-empty query"),
        ({"query": "x", "k": 0}, "k"),
        ({"query": "x", "k": 21}, "k"),
        ({"query": "y" * 501}, "limit 500"),
    ],
)
def test_bad_arguments_are_malformed_calls_that_never_search(args, problem):
    backend = _Backend()
    tool = search_tool(lambda: backend)
    with pytest.raises(ToolArgumentError, match=problem):
        tool(args)
    assert backend.calls == []


def test_no_results_message():
    assert "No results" in format_hits("q", [])
