"""The evaluation harness against the loop a user writes: throughput, and keeping every episode.

Two measurements, each with its baseline in the same run:

* **Model-bound throughput.** A local OpenAI-compatible server answers every request after a
  fixed latency (default 50 ms, a fast hosted model). The baseline is the loop
  ``agentgym run --agent openai`` used to be and most scripts are: one episode at a time
  through :func:`agentgym.runner.run_episodes`, no retries, nothing saved. ``agentgym bench``
  plays the same episodes with ``--concurrency`` 1, 4 and 16 and writes every transcript.
* **Bookkeeping overhead.** The oracle on AgentMath (no model, so the harness is all that
  is left): ``run_episodes`` vs ``run_bench`` writing ``episodes.jsonl``, per episode.

Run: ``python -m agentgym.benchmarks.perf.harness [--episodes N] [--latency-ms MS]``
"""

from __future__ import annotations

import argparse
import json
import socket
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import gymnasium as gym

from agentgym.benchmarks.report import add_out_argument, write_report


def _server(latency_s: float) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes; without this, Nagle's algorithm and the
            # client's delayed ACK add ~40 ms to every request on a kept-alive connection.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:
            self._send({"data": [{"id": "fake"}]})

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(latency_s)
            self._send(
                {
                    "choices": [
                        {"message": {"role": "assistant", "content": "<answer>4</answer>"}}
                    ],
                    "usage": {"prompt_tokens": 200, "completion_tokens": 8},
                }
            )

        def _send(self, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _baseline(env_id: str, kwargs: dict[str, Any], agent_factory: Any, episodes: int) -> float:
    """Seconds for ``episodes`` episodes played one at a time, nothing saved."""
    from agentgym.runner import run_episodes

    env = gym.make(env_id, **kwargs)
    try:
        for _ in run_episodes(env, agent_factory(env), 4, seed=10**6):
            pass  # warm-up: first-call imports and caches are not the loop's cost
        t0 = time.perf_counter()
        for _ in run_episodes(env, agent_factory(env), episodes, seed=0):
            pass
        return time.perf_counter() - t0
    finally:
        env.close()


def _harness(entry: Any, spec: Any, episodes: int, concurrency: int) -> float:
    from agentgym.benchmarks.harness import plan_jobs, run_bench

    with tempfile.TemporaryDirectory() as out:
        jobs = plan_jobs([entry], [spec], episodes=episodes)
        t0 = time.perf_counter()
        run_bench(jobs, Path(out), concurrency=concurrency, screenshots=False)
        return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit code."""
    import agentgym  # noqa: F401  (registers the envs)
    from agentgym.agents.openai_client import ChatCompletionsAgent
    from agentgym.agents.oracle import OracleAgent
    from agentgym.benchmarks.harness import AgentSpec, SuiteEntry

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=64, help="episodes per case")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="model server latency")
    add_out_argument(parser)
    args = parser.parse_args(argv)
    server = _server(args.latency_ms / 1000)
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    env_id, kwargs = "AgentMath-v0", {"difficulty": "easy"}
    rows = []
    try:
        base = _baseline(
            env_id, kwargs, lambda env: ChatCompletionsAgent(url, "fake"), args.episodes
        )
        rows.append(
            {
                "case": "model-bound: run_episodes loop (baseline)",
                "episodes/s": args.episodes / base,
                "ratio vs baseline": 1.0,
                "keeps episodes": "no",
            }
        )
        spec = AgentSpec("openai", {"base_url": url, "model": "fake"})
        for concurrency in (1, 4, 16):
            wall = _harness(SuiteEntry(env_id, kwargs), spec, args.episodes, concurrency)
            rows.append(
                {
                    "case": f"model-bound: bench --concurrency {concurrency}",
                    "episodes/s": args.episodes / wall,
                    "ratio vs baseline": base / wall,
                    "keeps episodes": "yes",
                }
            )
    finally:
        server.shutdown()
        server.server_close()
    n = args.episodes * 4
    base = _baseline(env_id, kwargs, OracleAgent, n)
    rows.append(
        {
            "case": "oracle: run_episodes loop (baseline)",
            "episodes/s": n / base,
            "ratio vs baseline": 1.0,
            "keeps episodes": "no",
            "ms per episode": 1000 * base / n,
        }
    )
    wall = _harness(SuiteEntry(env_id, kwargs), AgentSpec("oracle"), n, 1)
    rows.append(
        {
            "case": "oracle: bench (full transcripts)",
            "episodes/s": n / wall,
            "ratio vs baseline": base / wall,
            "keeps episodes": "yes",
            "ms per episode": 1000 * wall / n,
        }
    )
    write_report(
        "harness",
        "agentgym bench vs a plain episode loop",
        rows,
        meta={"episodes": args.episodes, "latency_ms": args.latency_ms, "env": env_id},
        out_dir=args.out,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
