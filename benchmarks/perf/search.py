"""Benchmark of the simulated web: index build, BM25 queries vs rank_bm25, env step latency.

For each web size, in one run: world generation and index build time and memory; BM25
top-10 query latency (p50/p95) of this engine, of ``rank_bm25`` (the library most projects
use; measured on a bounded number of queries because it scans every page per query term) and
of ``bm25s``'s own ``retrieve`` for reference; then the p50 latency of a ``search`` step and of
an ``open`` step (HTTP to the local server + BeautifulSoup parse) of ``AgentSearch-v0``.

Usage::

    python -m agentgym.benchmarks.perf.search                 # 10k and 100k pages
    python -m agentgym.benchmarks.perf.search --sizes 2000    # a quick run

Writes a table to the terminal and JSON to ``<--out>/search.json`` (default ``./benchmarks/results``).
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import resource
import sys
import tempfile
import time
from typing import Any

import numpy as np

from agentgym.benchmarks.report import add_out_argument

TARGETS = {
    "query_p50_ms": 1.0,
    "query_ratio_vs_rank_bm25": 0.05,
    "search_step_p50_ms": 5.0,
    "open_step_p50_ms": 10.0,
    "build_s": 60.0,
    "index_mib": 1024.0,
}


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def _max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _vocab_bytes(vocab: dict[str, int]) -> int:
    return sys.getsizeof(vocab) + sum(sys.getsizeof(t) + 28 for t in vocab)


def _queries(pages: Any, n: int, seed: int) -> list[str]:
    """Half entity names (what agents search for first), half whole generated questions."""
    from agentgym.environments.search.questions import QuestionGenerator
    from agentgym.tasks import GeneratedTasks

    rng = np.random.default_rng(seed)
    names = pages.world.names
    out = [names[int(i)] for i in rng.integers(len(names), size=n - n // 2)]
    source = GeneratedTasks(QuestionGenerator(pages).generators())
    out += [source.sample(rng).data["question"] for _ in range(n // 2)]
    order = rng.permutation(len(out))
    return [out[i] for i in order]


def _time_queries(fn, queries: list[str]) -> list[float]:
    times = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - t0) * 1e3)
    return times


def bench_size(size: int, n_queries: int, n_baseline: int, n_steps: int, seed: int) -> dict:
    """Measure one web size; returns a JSON-friendly dict."""
    from agentgym.environments.search import SearchEnv
    from agentgym.environments.search.index import SearchIndex, tokenize
    from agentgym.environments.search.pages import WorldPages
    from agentgym.environments.search.world import generate_world

    row: dict[str, Any] = {"pages": size}
    gc.collect()
    rss0 = _max_rss_mib()
    t0 = time.perf_counter()
    pages = WorldPages(generate_world(seed, size))
    row["world_s"] = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as cache:
        t0 = time.perf_counter()
        index = SearchIndex.build(pages, cache_dir=cache)
        row["build_s"] = time.perf_counter() - t0
        row["index_mib"] = (index.nbytes + _vocab_bytes(index.vocab)) / 2**20
        row["build_peak_rss_mib"] = _max_rss_mib()
        row["build_rss_growth_mib"] = _max_rss_mib() - rss0
        t0 = time.perf_counter()
        SearchIndex.build(pages, cache_dir=cache)
        row["cache_load_s"] = time.perf_counter() - t0

        queries = _queries(pages, n_queries, seed + 1)
        for q in queries[:10]:
            index.top_k(q, 10)  # warm up
        ours = _time_queries(lambda q: index.top_k(q, 10), queries)
        row["query_p50_ms"], row["query_p95_ms"] = _pct(ours, 50), _pct(ours, 95)

        # the baselines index the same tokens in one field (text + title) and answer the same
        # queries; ours also scores a title field, so it does more work per query
        docs = [tokenize(pages.title(p)) + tokenize(pages.text(p)) for p in range(pages.num_pages)]
        base = queries[:n_baseline]
        try:
            from rank_bm25 import BM25Okapi
        except ImportError:
            row["rank_bm25"] = "not installed (pip install rank_bm25)"
        else:
            t0 = time.perf_counter()
            okapi = BM25Okapi(docs)
            row["rank_bm25_build_s"] = time.perf_counter() - t0

            def okapi_top10(q: str) -> None:
                scores = okapi.get_scores(tokenize(q))
                np.argpartition(-scores, 10)[:10]

            times = _time_queries(okapi_top10, base)
            row["rank_bm25_query_p50_ms"] = _pct(times, 50)
            row["rank_bm25_query_p95_ms"] = _pct(times, 95)
            row["rank_bm25_queries"] = len(base)
            ours_same = _time_queries(lambda q: index.top_k(q, 10), base)
            row["query_ratio_vs_rank_bm25"] = _pct(ours_same, 50) / row["rank_bm25_query_p50_ms"]
            del okapi
        try:
            import bm25s
        except ImportError:
            row["bm25s"] = "not installed"
        else:
            from bm25s.tokenization import Tokenized

            t0 = time.perf_counter()
            ref = bm25s.BM25()
            ids = [[index.vocab[t] for t in d] for d in docs]
            ref.index(Tokenized(ids=ids, vocab=dict(index.vocab)), show_progress=False)
            row["bm25s_build_s"] = time.perf_counter() - t0
            del ids

            def bm25s_top10(q: str) -> None:
                qids = [index.vocab[t] for t in tokenize(q) if t in index.vocab] or [0]
                ref.retrieve([qids], k=10, show_progress=False, n_threads=1)

            bm25s_queries = queries[: max(n_baseline, min(len(queries), 100))]
            times = _time_queries(bm25s_top10, bm25s_queries)
            row["bm25s_query_p50_ms"] = _pct(times, 50)
            ours_same = _time_queries(lambda q: index.top_k(q, 10), bm25s_queries)
            row["query_ratio_vs_bm25s"] = _pct(ours_same, 50) / row["bm25s_query_p50_ms"]
            del ref
        del docs
        gc.collect()

        env = SearchEnv(num_pages=size, world_seed=seed, cache_dir=cache)
        try:
            env.reset(seed=0)
            rng = np.random.default_rng(seed + 2)
            search_ms, open_ms = [], []
            for i in range(n_steps):
                t0 = time.perf_counter()
                env.step(f"<search>{queries[i % len(queries)]}</search>")
                search_ms.append((time.perf_counter() - t0) * 1e3)
                url = pages.url(int(rng.integers(pages.num_pages)))
                t0 = time.perf_counter()
                _, _, term, trunc, _ = env.step(f"<open>{url}</open>")
                open_ms.append((time.perf_counter() - t0) * 1e3)
                if term or trunc:
                    env.reset(seed=i + 1)
            row["search_step_p50_ms"] = _pct(search_ms[2:], 50)
            row["open_step_p50_ms"] = _pct(open_ms[2:], 50)
            row["open_step_p95_ms"] = _pct(open_ms[2:], 95)
        finally:
            env.close()
    row["targets_met"] = {
        k: bool(row[k] <= v) for k, v in TARGETS.items() if isinstance(row.get(k), float)
    }
    return row


def _table(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.3g}" if abs(v) < 100 else f"{v:,.0f}"
        return str(v)

    metrics = [
        ("world_s", "world generation (s)"),
        ("build_s", "index build + save (s)"),
        ("cache_load_s", "index load from cache (s)"),
        ("index_mib", "index memory (MiB)"),
        ("build_peak_rss_mib", "process peak RSS (MiB)"),
        ("query_p50_ms", "ours: top-10 query p50 (ms)"),
        ("query_p95_ms", "ours: top-10 query p95 (ms)"),
        ("rank_bm25_query_p50_ms", "rank_bm25: query p50 (ms)"),
        ("rank_bm25_query_p95_ms", "rank_bm25: query p95 (ms)"),
        ("rank_bm25_queries", "rank_bm25: queries timed"),
        ("query_ratio_vs_rank_bm25", "ours / rank_bm25 (p50)"),
        ("bm25s_query_p50_ms", "bm25s retrieve p50 (ms)"),
        ("query_ratio_vs_bm25s", "ours / bm25s (p50)"),
        ("search_step_p50_ms", "search step p50 (ms)"),
        ("open_step_p50_ms", "open step p50 (ms)"),
        ("open_step_p95_ms", "open step p95 (ms)"),
    ]
    table = Table(title="AgentSearch: simulated web benchmark")
    table.add_column("metric")
    for r in rows:
        table.add_column(f"{r['pages']:,} pages", justify="right")
    table.add_column("target (100k)", justify="right")
    for key, label in metrics:
        cells = []
        for r in rows:
            v = r.get(key, r.get(key.split("_query")[0], "-"))
            ok = r["targets_met"].get(key)
            cells.append(fmt(v) + ("" if ok is None else (" ✓" if ok else " ✗")))
        target = TARGETS.get(key)
        table.add_row(label, *cells, "-" if target is None else f"≤ {target:g}")
    Console().print(table)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes", default="10000,100000", help="comma-separated web sizes in pages"
    )
    parser.add_argument("--queries", type=int, default=300, help="queries timed for our engine")
    parser.add_argument(
        "--baseline-queries", type=int, default=30, help="queries timed for rank_bm25 (slow)"
    )
    parser.add_argument("--steps", type=int, default=200, help="search and open steps timed")
    parser.add_argument("--seed", type=int, default=0, help="world seed")
    add_out_argument(parser)
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    rows = [
        bench_size(size, args.queries, args.baseline_queries, args.steps, args.seed)
        for size in sizes
    ]
    _table(rows)
    result = {
        "benchmark": "search",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "targets_at_100k": TARGETS,
        "sizes": rows,
    }
    path = args.out / "search.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
