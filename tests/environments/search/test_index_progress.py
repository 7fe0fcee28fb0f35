"""A long index build shows a progress bar on a terminal, and nothing elsewhere."""

import io

import numpy as np
from rich.console import Console

from agentgym.environments.search import index as index_module
from agentgym.environments.search.index import SearchIndex


def build_with_console(pages, monkeypatch, terminal):
    out = io.StringIO()
    console = Console(file=out, force_terminal=terminal, width=100)
    monkeypatch.setattr(index_module, "_progress_console", lambda: console)
    monkeypatch.setattr(index_module, "PROGRESS_MIN_PAGES", 1000)
    built = SearchIndex.build(pages, use_cache=False)
    return built, out.getvalue()


def test_index_build_progress_on_a_terminal_only(pages, monkeypatch):
    plain = SearchIndex.build(pages, use_cache=False)
    shown, text = build_with_console(pages, monkeypatch, terminal=True)
    assert "indexing search pages" in text and "2000/2000" in text
    quiet, text = build_with_console(pages, monkeypatch, terminal=False)
    assert text == ""
    for built in (shown, quiet):
        assert np.array_equal(built.weights, plain.weights) and built.vocab == plain.vocab
    monkeypatch.setattr(index_module, "PROGRESS_MIN_PAGES", 10**6)
    out = io.StringIO()
    monkeypatch.setattr(
        index_module, "_progress_console", lambda: Console(file=out, force_terminal=True)
    )
    SearchIndex.build(pages, use_cache=False)
    assert out.getvalue() == ""  # a small build is quick: no bar
