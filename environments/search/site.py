"""A web to research: corpus, search index and question generator, shared within a process.

Building a world and loading its index take a moment, and a test suite or a vector env makes
many envs over the same web, so sites are memoised per process (a few at a time). Sites hold
only immutable data; the HTTP server is shared separately, by reference count.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from agentgym.environments.search.corpus import Corpus, JsonlCorpus
from agentgym.environments.search.index import SearchIndex
from agentgym.environments.search.pages import WorldPages
from agentgym.environments.search.questions import QuestionGenerator
from agentgym.environments.search.world import generate_world
from agentgym.sandboxes.locks import ForkSafeLock

__all__ = ["Site", "load_site"]

_MAX_SITES = 4
_SITES: OrderedDict[tuple, Site] = OrderedDict()
_LOCK = ForkSafeLock()


@dataclass(frozen=True)
class Site:
    """A corpus with its index; ``questions`` is set for generated worlds only."""

    corpus: Corpus
    index: SearchIndex
    questions: QuestionGenerator | None


def load_site(
    *,
    num_pages: int,
    world_seed: int,
    corpus_path: str | Path | None,
    cache_dir: str | Path | None,
    use_cache: bool,
) -> Site:
    """Return the site for a generated world or a user's JSONL corpus (memoised).

    Raises:
        ValueError: For an invalid world size or seed.
        TaskFileError: For a bad corpus file (naming the line and field).
    """
    if corpus_path is not None:
        path = Path(corpus_path)
        try:
            stat = path.stat()
            key: tuple = ("jsonl", str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        except OSError:
            key = ("jsonl", str(path), None, None)
    else:
        key = ("world", world_seed, num_pages)
    key += (str(cache_dir), use_cache)
    with _LOCK:
        site = _SITES.get(key)
        if site is not None:
            _SITES.move_to_end(key)
            return site
        if corpus_path is not None:
            corpus: Corpus = JsonlCorpus(corpus_path)
            questions = None
        else:
            pages = WorldPages(generate_world(world_seed, num_pages))
            corpus, questions = pages, QuestionGenerator(pages)
        index = SearchIndex.build(corpus, cache_dir=cache_dir, use_cache=use_cache)
        site = Site(corpus, index, questions)
        _SITES[key] = site
        while len(_SITES) > _MAX_SITES:
            _SITES.popitem(last=False)
        return site
