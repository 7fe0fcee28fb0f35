"""BM25 search over a corpus, built once per corpus and cached on disk.

The index is the BM25 (Lucene variant, the default of ``bm25s``) weight of every
(term, page) pair in two fields, the page text and its title (weighted ``TITLE_WEIGHT``),
stored column-wise by term: a query sums the weight slices of its terms in both fields and
keeps the top k. Building is vectorised with numpy over chunks of pages, so a 100k-page web
indexes in seconds and a million-page web fits in memory; the arrays are saved as one ``.npz``
file in the cache directory, keyed by the corpus (seed and size for a generated world, content
hash for a user's file).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import numpy as np

from agentgym.environments.search.corpus import Corpus
from agentgym.tools.search import SearchHit

__all__ = [
    "CACHE_ENV_VAR",
    "INDEX_VERSION",
    "TITLE_MARK",
    "TITLE_WEIGHT",
    "SearchIndex",
    "default_cache_dir",
    "tokenize",
]

CACHE_ENV_VAR = "AGENTGYM_CACHE_DIR"
INDEX_VERSION = 3
_TOKEN = re.compile(r"[a-z0-9]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was "
    "were what when where which who whom with did does do how".split()
)
_CHUNK = 8_192
# Builds of at least this many pages take a few seconds: show a progress bar (on a terminal).
PROGRESS_MIN_PAGES = 20_000
# The title is a second BM25 field whose score is added with this weight, so that the page
# about X outranks the many short pages that mention X (staff pages, news) on a large web.
TITLE_WEIGHT = 2.0
TITLE_MARK = "\x01"  # prefix of title-field terms; tokenize() never produces it
_SNIPPET_CHARS = 220


def tokenize(text: str) -> list[str]:
    """Lower-case ``text`` and split it into alphanumeric terms, dropping stop words."""
    return [t for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS]


def default_cache_dir() -> Path:
    """Return the cache directory: ``$AGENTGYM_CACHE_DIR``, else the user cache + ``agentgym``.

    The user cache is ``$XDG_CACHE_HOME`` or ``~/.cache``.
    """
    explicit = os.environ.get(CACHE_ENV_VAR)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "agentgym"


class SearchIndex:
    """A BM25 index over a corpus; use :meth:`build` to make or load one.

    Args:
        corpus: The pages.
        vocab: Term -> term id.
        indptr: ``indptr[t]:indptr[t+1]`` is the slice of term ``t`` in ``docs``/``weights``.
        docs: Page ids, by term.
        weights: BM25 weights, by term.
        k1: BM25 ``k1``.
        b: BM25 ``b``.
    """

    def __init__(
        self,
        corpus: Corpus,
        vocab: dict[str, int],
        indptr: np.ndarray,
        docs: np.ndarray,
        weights: np.ndarray,
        *,
        k1: float = 1.5,
        b: float = 0.75,
    ):
        self.corpus = corpus
        self.vocab = vocab
        self.indptr = indptr
        self.docs = docs
        self.weights = weights
        self.k1 = k1
        self.b = b
        self.num_docs = corpus.num_pages

    @property
    def nbytes(self) -> int:
        """Bytes held by the index arrays (the vocabulary dict not included)."""
        return int(self.indptr.nbytes + self.docs.nbytes + self.weights.nbytes)

    # --- building --------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        corpus: Corpus,
        *,
        cache_dir: str | Path | None = None,
        use_cache: bool = True,
        k1: float = 1.5,
        b: float = 0.75,
    ) -> SearchIndex:
        """Load the corpus's index from the cache, or build it and save it there.

        Args:
            corpus: The pages to index.
            cache_dir: Where indexes are cached (default :func:`default_cache_dir`).
            use_cache: False builds in memory and touches no disk.
            k1: BM25 ``k1``.
            b: BM25 ``b``.
        """
        path = None
        if use_cache:
            root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
            path = root / "search-index" / f"{corpus.key}-k{k1}-b{b}-i{INDEX_VERSION}.npz"
            loaded = cls._load(corpus, path, k1, b)
            if loaded is not None:
                return loaded
        index = cls._build(corpus, k1, b)
        if path is not None:
            index._save(path)
        return index

    @classmethod
    def _build(cls, corpus: Corpus, k1: float, b: float) -> SearchIndex:
        # Two fields share the arrays: body terms, and title terms under TITLE_MARK + term,
        # each with its own length normalisation; title weights are scaled by TITLE_WEIGHT.
        vocab: dict[str, int] = {}
        terms: list[np.ndarray] = []
        pages: list[np.ndarray] = []
        freqs: list[np.ndarray] = []
        n = corpus.num_pages
        body_len = np.zeros(n, dtype=np.float64)
        title_len = np.zeros(n, dtype=np.float64)
        with _build_progress(n) as advance:
            for lo in range(0, n, _CHUNK):
                hi = min(n, lo + _CHUNK)
                ids: list[int] = []
                counts = np.zeros(hi - lo, dtype=np.int64)
                setdefault = vocab.setdefault
                for pid in range(lo, hi):
                    body = tokenize(corpus.text(pid))
                    title = [TITLE_MARK + t for t in tokenize(corpus.title(pid))]
                    body_len[pid], title_len[pid] = len(body), len(title)
                    counts[pid - lo] = len(body) + len(title)
                    ids.extend([setdefault(t, len(vocab)) for t in body])
                    ids.extend([setdefault(t, len(vocab)) for t in title])
                doc_of = np.repeat(np.arange(lo, hi, dtype=np.int64), counts)
                key = doc_of * (1 << 32) + np.asarray(ids, dtype=np.int64)
                uniq, tf = np.unique(key, return_counts=True)
                pages.append((uniq >> 32).astype(np.int32))
                terms.append((uniq & 0xFFFFFFFF).astype(np.int32))
                freqs.append(tf.astype(np.float32))
                advance(hi - lo)
        term = np.concatenate(terms) if terms else np.zeros(0, np.int32)
        page = np.concatenate(pages) if pages else np.zeros(0, np.int32)
        tf = np.concatenate(freqs) if freqs else np.zeros(0, np.float32)
        del terms, pages, freqs
        order = np.argsort(term, kind="stable")  # pages stay ascending within a term
        term, page, tf = term[order], page[order], tf[order]
        del order
        df = np.bincount(term, minlength=len(vocab))
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        is_title = np.fromiter((t.startswith(TITLE_MARK) for t in vocab), bool, len(vocab))
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        weights = np.empty(len(term), dtype=np.float32)
        for field, lengths, scale in ((False, body_len, 1.0), (True, title_len, TITLE_WEIGHT)):
            sel = is_title[term] == field
            avg = max(float(lengths.mean()) if n else 1.0, 1e-9)
            norm = k1 * ((1.0 - b) + b * lengths[page[sel]] / avg)
            weights[sel] = scale * idf[term[sel]] * (tf[sel] / (tf[sel] + norm))
        return cls(corpus, vocab, indptr, page, weights, k1=k1, b=b)

    def _save(self, path: Path) -> None:
        """Write the index atomically (a concurrent builder's file wins or is replaced whole)."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            terms = "\n".join(sorted(self.vocab, key=self.vocab.__getitem__)).encode()
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npz")
            try:
                with os.fdopen(fd, "wb") as f:
                    np.savez(
                        f,
                        vocab=np.frombuffer(terms, dtype=np.uint8),
                        indptr=self.indptr,
                        docs=self.docs,
                        weights=self.weights,
                        num_docs=np.array([self.num_docs]),
                    )
                os.replace(tmp, path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError:
            # A read-only or full cache only costs a rebuild next time; searching still works.
            return

    @classmethod
    def _load(cls, corpus: Corpus, path: Path, k1: float, b: float) -> SearchIndex | None:
        try:
            with np.load(path, allow_pickle=False) as data:
                terms = data["vocab"].tobytes().decode()
                indptr, docs, weights = data["indptr"], data["docs"], data["weights"]
                num_docs = int(data["num_docs"][0])
        except (OSError, KeyError, ValueError, UnicodeDecodeError):
            return None  # missing or damaged: rebuild
        vocab = {t: i for i, t in enumerate(terms.split("\n"))} if terms else {}
        if num_docs != corpus.num_pages or len(indptr) != len(vocab) + 1:
            return None
        return cls(corpus, vocab, indptr, docs, weights, k1=k1, b=b)

    # --- querying --------------------------------------------------------------------------

    def top_k(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the ids and scores of the ``k`` best pages for ``query``, best first.

        Pages that share no term with the query are never returned; ties go to the lower id.
        """
        ids = [
            self.vocab[key]
            for t in dict.fromkeys(tokenize(query))
            for key in (t, TITLE_MARK + t)
            if key in self.vocab
        ]
        if not ids or k < 1:
            return np.zeros(0, np.int32), np.zeros(0, np.float64)
        indptr = self.indptr
        if len(ids) == 1:
            lo, hi = indptr[ids[0]], indptr[ids[0] + 1]
            cand, scores = self.docs[lo:hi], self.weights[lo:hi].astype(np.float64)
        else:
            spans = [(indptr[t], indptr[t + 1]) for t in ids]
            docs = np.concatenate([self.docs[lo:hi] for lo, hi in spans])
            weights = np.concatenate([self.weights[lo:hi] for lo, hi in spans])
            if len(docs) * 8 < self.num_docs:
                cand, inverse = np.unique(docs, return_inverse=True)
                scores = np.bincount(inverse, weights=weights, minlength=len(cand))
            else:
                dense = np.bincount(docs, weights=weights, minlength=self.num_docs)
                cand = np.flatnonzero(dense).astype(np.int32)
                scores = dense[cand]
        if len(cand) > k:
            part = np.argpartition(-scores, k - 1)[:k]
            # include every page tied with the k-th score so the id tie-break is exact
            cut = scores[part].min()
            part = np.flatnonzero(scores >= cut)
            cand, scores = cand[part], scores[part]
        order = np.lexsort((cand, -scores))[:k]
        return cand[order], scores[order]

    def search(self, query: str, k: int) -> list[SearchHit]:
        """Return the top ``k`` hits for ``query`` with titles, URLs and snippets."""
        pids, scores = self.top_k(query, k)
        terms = set(tokenize(query))
        corpus = self.corpus
        hits = []
        for pid, score in zip(pids.tolist(), scores.tolist(), strict=True):
            title = corpus.title(pid)  # once: generated pages render it on demand
            hits.append(
                SearchHit(
                    doc_id=pid,
                    url=corpus.url(pid),
                    title=title,
                    snippet=snippet(corpus.text(pid), terms, title),
                    score=round(float(score), 4),
                )
            )
        return hits


def snippet(text: str, terms: set[str], title: str = "") -> str:
    """Return the sentence of ``text`` that shares the most terms with the query (clipped)."""
    best, best_score = "", -1
    for sentence in _SENTENCE.split(text):
        sentence = sentence.strip()
        if not sentence or sentence == title:
            continue
        score = len(terms.intersection(tokenize(sentence)))
        if score > best_score:
            best, best_score = sentence, score
    if len(best) > _SNIPPET_CHARS:
        best = best[: _SNIPPET_CHARS - 3].rstrip() + "..."
    return best


class _build_progress:  # noqa: N801  (a context manager, named like one)
    """A rich progress bar for a long index build; silent off a terminal or for small builds."""

    def __init__(self, pages: int):
        self.pages = pages
        self.progress = None

    def __enter__(self):
        if self.pages < PROGRESS_MIN_PAGES:
            return lambda n: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        console = _progress_console()
        if not console.is_terminal:
            return lambda n: None
        self.progress = Progress(
            "{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.progress.__enter__()
        task = self.progress.add_task("indexing search pages (once; then cached)", total=self.pages)
        return lambda n: self.progress.update(task, advance=n)

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.__exit__(*exc)


def _progress_console():
    from rich.console import Console

    return Console(stderr=True)
