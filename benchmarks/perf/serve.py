"""The env server under load: many clients, errors, latency, memory and threads, slow clients.

``agentgym serve`` runs as its own process. ``--clients`` threads (default 16) each play
``--episodes`` oracle episodes (default 50) of AgentMath-v0 and of AgentCode-v0 through
:class:`RemoteEnv`, in rounds; the table gives errors (target 0), the p50/p99 latency of
creating a session (connect + make) and of a step, and the server's RSS and thread count
after each round (target: flat, i.e. the last round's over the first's near 1). Then ``--slow`` sockets (default 300) each send half a
request's headers and hold on, and one well-behaved client creates a session, resets and
steps; its latency is compared with the same client's on the idle server measured just
before (target: served within 1 s).

Run: ``python -m agentgym.benchmarks.perf.serve [--clients N] [--episodes N] [--slow N]``
"""

from __future__ import annotations

import argparse
import concurrent.futures
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import requests

from agentgym.benchmarks.report import write_report
from agentgym.serve import RemoteEnv

ENV_IDS = ("AgentMath-v0", "AgentCode-v0")


def start_server(max_sessions: int) -> tuple[subprocess.Popen, str]:
    """Start ``agentgym serve`` on a free loopback port; return the process and its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from agentgym.cli import main; sys.exit(main(sys.argv[1:]))",
            "serve",
            "--port",
            str(port),
            "--max-sessions",
            str(max_sessions),
            "--allow-oracle",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"{url}/envs", timeout=2)
            return proc, url
        except requests.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("the env server did not start") from None
            time.sleep(0.2)


def process_stats(pid: int) -> tuple[float, int]:
    """Return the RSS (MiB) and thread count of process ``pid``."""
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["Threads"])


def play(url: str, env_id: str, episodes: int, seed: int) -> dict[str, Any]:
    """Play oracle episodes; return timings and errors."""
    create, steps, errors = [], [], []
    for i in range(episodes):
        try:
            t0 = time.perf_counter()
            env = RemoteEnv(url, env_id, timeout_s=120, max_turns=6)
            create.append(time.perf_counter() - t0)
            try:
                env.reset(seed=seed * 10_000 + i)
                for _ in range(6):
                    action = env.oracle_action()
                    t0 = time.perf_counter()
                    _, _, terminated, truncated, _ = env.step(action)
                    steps.append(time.perf_counter() - t0)
                    if terminated or truncated:
                        break
            finally:
                env.close()
        except Exception as e:  # counted and reported: the target is zero
            errors.append(f"{type(e).__name__}: {e}")
    return {"create": create, "steps": steps, "errors": errors}


def one_client(url: str) -> float:
    """Return the seconds a fresh client needs to create, reset and step a session."""
    t0 = time.perf_counter()
    env = RemoteEnv(url, "AgentMath-v0", timeout_s=60)
    env.reset(seed=0)
    env.step("<answer>0</answer>")
    env.close()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table and write ``results/serve.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--episodes", type=int, default=50, help="per client and env")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--slow", type=int, default=300)
    args = parser.parse_args(argv)
    proc, url = start_server(max_sessions=args.clients * 2)
    rows: list[dict[str, Any]] = []
    meta: dict[str, Any] = {"clients": args.clients, "episodes_per_client_and_env": args.episodes}
    try:
        per_round = [args.episodes // args.rounds] * args.rounds
        per_round[-1] += args.episodes - sum(per_round)
        rss, threads = [process_stats(proc.pid)[0]], [process_stats(proc.pid)[1]]
        for env_id in ENV_IDS:
            create: list[float] = []
            steps: list[float] = []
            errors: list[str] = []
            t0 = time.perf_counter()
            for r, n in enumerate(per_round):
                with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
                    futures = [
                        pool.submit(play, url, env_id, n, c * 100 + r) for c in range(args.clients)
                    ]
                    for f in futures:
                        result = f.result()
                        create += result["create"]
                        steps += result["steps"]
                        errors += result["errors"]
                mem, nthreads = process_stats(proc.pid)
                rss.append(mem)
                threads.append(nthreads)
            wall = time.perf_counter() - t0
            first = len(rss) - args.rounds  # this env's first round
            rows.append(
                {
                    "case": f"{env_id}: {args.clients} clients x {args.episodes} episodes",
                    "episodes": len(create),
                    "errors": len(errors),
                    "episodes_per_s": len(create) / wall,
                    "create_p50_ms": float(np.percentile(create, 50) * 1e3) if create else None,
                    "create_p99_ms": float(np.percentile(create, 99) * 1e3) if create else None,
                    "step_p50_ms": float(np.percentile(steps, 50) * 1e3) if steps else None,
                    "step_p99_ms": float(np.percentile(steps, 99) * 1e3) if steps else None,
                    "rss_last_vs_first_round": rss[-1] / rss[first],
                    "threads_last_vs_first_round": threads[-1] / threads[first],
                }
            )
            meta[f"{env_id}_first_errors"] = errors[:5]
        meta["server_rss_mib_by_round"] = [round(m, 1) for m in rss]
        meta["server_threads_by_round"] = threads
        idle = min(one_client(url) for _ in range(3))
        slow = []
        try:
            for _ in range(args.slow):
                s = socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=10)
                s.sendall(b"POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Le")
                slow.append(s)
            loaded = one_client(url)
            _, threads_slow = process_stats(proc.pid)
        finally:
            for s in slow:
                s.close()
        rows.append(
            {
                "case": f"one client while {args.slow} slow clients hold connections",
                "seconds": loaded,
                "idle_seconds": idle,
                "ratio_vs_idle": loaded / idle,
                "served_within_1s": loaded <= 1.0,
                "server_threads": threads_slow,
            }
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    path = write_report("serve", "Env server under load", rows, meta=meta)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
