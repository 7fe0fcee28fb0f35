"""The BM25 index: agreement with bm25s, ranking, snippets and the on-disk cache."""

from __future__ import annotations

import json

import numpy as np
import pytest

from agentgym.environments.search.corpus import JsonlCorpus
from agentgym.environments.search.index import (
    CACHE_ENV_VAR,
    TITLE_MARK,
    TITLE_WEIGHT,
    SearchIndex,
    default_cache_dir,
    snippet,
    tokenize,
)


@pytest.fixture(scope="module")
def index(pages):
    return SearchIndex.build(pages, use_cache=False)


def test_tokenize_lowercases_and_drops_stop_words():
    assert tokenize("The Founder of Ravel-Quon, 1987!") == ["founder", "ravel", "quon", "1987"]


def test_scores_match_bm25s_per_field(pages, index):
    bm25s = pytest.importorskip("bm25s")
    from bm25s.tokenization import Tokenized

    vocab = dict(index.vocab)
    body = [[vocab[t] for t in tokenize(pages.text(p))] for p in range(pages.num_pages)]
    title = [
        [vocab[TITLE_MARK + t] for t in tokenize(pages.title(p))] for p in range(pages.num_pages)
    ]
    refs = []
    for ids in (body, title):
        ref = bm25s.BM25(k1=1.5, b=0.75, method="lucene")
        ref.index(Tokenized(ids=ids, vocab=vocab), show_progress=False)
        refs.append(ref)
    rng = np.random.default_rng(0)
    names = pages.world.names
    queries = [names[int(i)] for i in rng.integers(len(names), size=15)]
    queries += [f"{names[int(i)]} founded 1987" for i in rng.integers(len(names), size=5)]
    for q in queries:
        terms = list(dict.fromkeys(tokenize(q)))
        body_ids = [vocab[t] for t in terms if t in vocab]
        title_ids = [vocab[TITLE_MARK + t] for t in terms if TITLE_MARK + t in vocab]
        expected = refs[0].get_scores(body_ids) + TITLE_WEIGHT * (
            refs[1].get_scores(title_ids) if title_ids else 0.0
        )
        docs, scores = index.top_k(q, 10)
        np.testing.assert_allclose(scores, expected[docs], rtol=1e-5)
        # nothing outside our top 10 scores higher than our 10th
        assert expected.max() <= scores[0] + 1e-4
        assert np.sort(expected)[::-1][9] <= scores[-1] + 1e-4


def test_top_k_is_sorted_with_ties_broken_by_id(index):
    docs, scores = index.top_k("organisation founded", 20)
    assert len(docs) == 20
    pairs = list(zip((-scores).tolist(), docs.tolist(), strict=True))
    assert pairs == sorted(pairs)


def test_unknown_or_empty_query_finds_nothing(index):
    assert len(index.top_k("zzzzqqq", 5)[0]) == 0
    assert len(index.top_k("the of and", 5)[0]) == 0
    assert index.search("", 5) == []


def test_entity_name_finds_its_page_first(pages, index):
    w = pages.world
    for e in range(0, w.num_entities, 37):
        assert index.search(w.names[e], 5)[0].url == pages.entity_url(e), w.names[e]


def test_hits_have_title_url_and_matching_snippet(pages, index):
    name = pages.world.names[10]
    hit = index.search(name, 3)[0]
    assert hit.url == pages.url(hit.doc_id) and hit.title == pages.title(hit.doc_id)
    assert set(tokenize(name)) & set(tokenize(hit.snippet))
    assert snippet("A b.\nLong sentence about quon here.", {"quon"}) == (
        "Long sentence about quon here."
    )


def test_cache_round_trip_and_rebuild_of_damaged_file(pages, tmp_path, monkeypatch):
    built = SearchIndex.build(pages, cache_dir=tmp_path)
    files = list((tmp_path / "search-index").glob("*.npz"))
    assert len(files) == 1 and str(pages.world.seed) in files[0].name
    assert not list((tmp_path / "search-index").glob(".tmp-*"))

    def no_build(*args, **kwargs):
        raise AssertionError("should have loaded from the cache")

    monkeypatch.setattr(SearchIndex, "_build", classmethod(no_build))
    loaded = SearchIndex.build(pages, cache_dir=tmp_path)
    assert loaded.vocab == built.vocab
    for name in ("indptr", "docs", "weights"):
        assert np.array_equal(getattr(loaded, name), getattr(built, name))
    monkeypatch.undo()

    files[0].write_bytes(b"not an npz file")
    rebuilt = SearchIndex.build(pages, cache_dir=tmp_path)
    assert rebuilt.vocab == built.vocab
    assert files[0].stat().st_size > 100  # replaced by a good file


def test_no_cache_touches_no_disk(pages, tmp_path):
    SearchIndex.build(pages, cache_dir=tmp_path, use_cache=False)
    assert not any(tmp_path.iterdir())


def test_cache_dir_follows_env_vars(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV_VAR, str(tmp_path / "a"))
    assert default_cache_dir() == tmp_path / "a"
    monkeypatch.delenv(CACHE_ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "agentgym"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "agentgym"


def test_jsonl_corpus_index(tmp_path):
    path = tmp_path / "corpus.jsonl"
    docs = [
        {"url": "https://docs.example/a", "title": "Apples", "text": "Apples are red fruit."},
        {"url": "https://docs.example/b", "title": "Bananas", "text": "Bananas are yellow."},
    ]
    path.write_text("\n".join(json.dumps(d) for d in docs) + "\n")
    corpus = JsonlCorpus(path)
    index = SearchIndex.build(corpus, cache_dir=tmp_path)
    hits = index.search("yellow fruit bananas", 2)
    assert hits[0].url == "https://docs.example/b" and hits[0].title == "Bananas"
