"""Answer verifiers on the labeled equivalence set: accuracy, false positives/negatives, speed.

Compared in the same run, on ``tests/data/math_equivalence.jsonl``:

* ``agentgym``: :func:`agentgym.environments.math.verify`;
* ``math-verify``: ``math_verify.verify(parse(gold), parse(prediction))`` (``pip install
  math-verify``; reported as missing otherwise);
* ``sympy``: the plain baseline, ``sympy.simplify(a - b) == 0`` after sympy's ``parse_latex``
  (lark backend: ``pip install lark``), string equality when parsing fails.

Each system runs in its own worker process; the parent enforces a per-pair time limit (a
hung call is killed, counted as "not equivalent" and timed at the limit), and the time per
pair is measured inside the worker around the call alone. Our parse cache is cleared before
every pair, so our times are cold. ``acc_no_conv`` is the accuracy on the pairs whose
label does not rest on a grading convention (percent sign, degrees against radians, mixed
numbers). Targets: accuracy >= math-verify's with zero false positives, and median time
<= 0.2x math-verify's. The exit status is 0 when the targets are met.

Run: ``python -m agentgym.benchmarks.perf.verifier [--data PATH] [--limit N] [--timeout S]``
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from agentgym.benchmarks.report import add_out_argument, percentile_ms, write_report

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "math_equivalence.jsonl"
SYSTEMS = ("agentgym", "math-verify", "sympy")
MEDIAN_RATIO_TARGET = 0.2


# --- the systems, each imported only inside its worker --------------------------------------


def _load(system: str) -> Any:
    """Return ``check(prediction, gold) -> bool`` for ``system`` (raises ImportError)."""
    if system == "agentgym":
        from agentgym.environments.math import verify
        from agentgym.environments.math.verify import _parse

        def check(prediction: str, gold: str) -> bool:
            _parse.cache_clear()
            return verify(prediction, gold)

        return check
    if system == "math-verify":
        from math_verify import parse, verify

        def wrap(text: str) -> str:
            return text if "\\boxed" in text else f"${text}$"

        def check(prediction: str, gold: str) -> bool:
            return bool(verify(parse(wrap(gold)), parse(wrap(prediction))))

        return check
    if system == "sympy":
        import lark  # noqa: F401 - sympy's lark backend needs it; fail early with its name
        import sympy
        from sympy.parsing.latex import parse_latex

        def check(prediction: str, gold: str) -> bool:
            try:
                a = parse_latex(prediction, backend="lark")
                b = parse_latex(gold, backend="lark")
            except Exception:
                return prediction.strip() == gold.strip()
            try:
                return bool(sympy.simplify(a - b) == 0)
            except Exception:
                return False

        return check
    raise ValueError(f"unknown system {system!r}")


def _worker(system: str, conn: Any) -> None:
    try:
        check = _load(system)
    except ImportError as e:
        conn.send(("missing", str(e)))
        return
    conn.send(("ready", None))
    while True:
        item = conn.recv()
        if item is None:
            return
        prediction, gold = item
        start = time.perf_counter()
        try:
            result, error = bool(check(prediction, gold)), None
        except Exception as e:  # a crash counts as "not equivalent", like a user would treat it
            result, error = False, f"{type(e).__name__}: {e}"[:200]
        conn.send((result, time.perf_counter() - start, error))


class _Runner:
    """One system in a worker process, restarted after a timeout."""

    def __init__(self, system: str, timeout_s: float):
        self.system = system
        self.timeout_s = timeout_s
        self.ctx = mp.get_context("spawn")
        self.missing: str | None = None
        self._start()

    def _start(self) -> None:
        self.conn, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_worker, args=(self.system, child), daemon=True)
        self.proc.start()
        status, detail = self.conn.recv()
        if status == "missing":
            self.missing = detail
            self.proc.join()

    def check(self, prediction: str, gold: str) -> tuple[bool, float, str | None]:
        self.conn.send((prediction, gold))
        if self.conn.poll(self.timeout_s):
            return self.conn.recv()
        self.proc.kill()
        self.proc.join()
        self._start()
        return False, self.timeout_s, "timeout"

    def close(self) -> None:
        if self.missing is None and self.proc.is_alive():
            self.conn.send(None)
            self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()


def _install_hint(system: str) -> str:
    return {"math-verify": "pip install math-verify", "sympy": "pip install lark"}.get(system, "")


def run(args: argparse.Namespace) -> int:
    """Run the benchmark; return 0 when the targets are met, 1 otherwise."""
    path = Path(args.data)
    if not path.exists():
        print(f"labeled set not found: {path} (pass --data PATH)", file=sys.stderr)
        return 2
    pairs = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if args.limit:
        pairs = pairs[: args.limit]
    results: dict[str, dict[str, Any]] = {}
    per_category: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for system in args.systems:
        runner = _Runner(system, args.timeout)
        if runner.missing is not None:
            print(
                f"[{system}] NOT AVAILABLE ({runner.missing}); install it with: "
                f"{_install_hint(system)}"
            )
            results[system] = {"system": system, "available": False, "error": runner.missing}
            runner.close()
            continue
        times, fp, fn, correct, timeouts, errors = [], 0, 0, 0, 0, 0
        plain_right, plain_total = 0, 0
        for pair in pairs:
            verdict, seconds, error = runner.check(pair["prediction"], pair["gold"])
            times.append(seconds)
            label = bool(pair["equivalent"])
            correct += verdict == label
            fp += verdict and not label
            fn += label and not verdict
            timeouts += error == "timeout"
            errors += error is not None and error != "timeout"
            per_category[system][pair["category"]].append(verdict == label)
            if not pair.get("convention"):
                plain_total += 1
                plain_right += verdict == label
        runner.close()
        results[system] = {
            "system": system,
            "available": True,
            "pairs": len(pairs),
            "accuracy": correct / len(pairs),
            "acc_no_conv": plain_right / max(plain_total, 1),
            "false_pos": fp,
            "false_neg": fn,
            "median_ms": percentile_ms(times, 50),
            "p99_ms": percentile_ms(times, 99),
            "mean_ms": 1000 * statistics.fmean(times),
            "timeouts": timeouts,
            "errors": errors,
        }
    ours = results.get("agentgym", {})
    peer = results.get("math-verify", {})
    rows = []
    for system in args.systems:
        row = dict(results[system])
        if row.get("available") and ours.get("available"):
            row["median_vs_ours"] = row["median_ms"] / ours["median_ms"]
        rows.append({k: v for k, v in row.items() if k not in ("available", "error")})
    meta: dict[str, Any] = {
        "data": path.name,
        "pairs": len(pairs),
        "equivalent": sum(bool(p["equivalent"]) for p in pairs),
        "timeout_s": args.timeout,
        "missing": {s: r["error"] for s, r in results.items() if not r.get("available")},
        "accuracy_by_category": {
            s: {c: sum(v) / len(v) for c, v in sorted(cats.items())}
            for s, cats in per_category.items()
        },
    }
    ok = bool(ours.get("available")) and ours["false_pos"] == 0
    if peer.get("available") and ours.get("available"):
        ratio = ours["median_ms"] / peer["median_ms"]
        meta["median_ratio_vs_math_verify"] = ratio
        meta["accuracy_delta_vs_math_verify"] = ours["accuracy"] - peer["accuracy"]
        meta["targets_met"] = (
            ours["accuracy"] >= peer["accuracy"]
            and ours["false_pos"] == 0
            and ratio <= MEDIAN_RATIO_TARGET
        )
        ok = ok and meta["targets_met"]
    else:
        meta["targets_met"] = None
        print("math-verify is missing, so its targets cannot be checked: pip install math-verify")
    out = write_report(
        "verifier",
        "Answer verifiers on the labeled equivalence set",
        rows,
        meta=meta,
        out_dir=args.out,
    )
    if "median_ratio_vs_math_verify" in meta:
        print(
            f"ours vs math-verify: median time {meta['median_ratio_vs_math_verify']:.3f}x "
            f"(target <= {MEDIAN_RATIO_TARGET}x), accuracy "
            f"{ours['accuracy']:.3f} vs {peer['accuracy']:.3f}, false positives "
            f"{ours['false_pos']} vs {peer['false_pos']}"
        )
    print(f"wrote {out}")
    return 0 if ok else 1


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``verifier`` benchmark's arguments to an argparse subparsers object."""
    parser = subparsers.add_parser("verifier", help="benchmark the math answer verifier")
    _add_arguments(parser)
    parser.set_defaults(func=run)
    return parser


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="labeled JSONL set")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N pairs")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per pair")
    add_out_argument(parser)
    parser.add_argument(
        "--systems", nargs="+", default=list(SYSTEMS), choices=SYSTEMS, help="systems to run"
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    _add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
