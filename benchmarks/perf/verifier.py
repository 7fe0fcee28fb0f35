"""Answer verifiers on labelled sets, ours and others': accuracy, false positives, speed.

Sets, each reported per system:

* ``mv-default``: math-verify 0.9.0's own test pairs labelled under its default settings,
  read from its sdist at run time (:mod:`.mathverify_suite`; nothing is copied into this
  repository). Labels that record math-verify's quirks rather than mathematics are set aside
  in ``mv-quirks`` (listed, with reasons, in :data:`QUIRKS` and in docs/envs/math.md);
* ``mv-settings``: its pairs labelled under other settings (LaTeX-only or expression-only
  extraction, another float precision, ``strict=False``): those labels depend on the setting;
* ``own``: our labelled equivalence pairs (``tests/data/math_equivalence.jsonl``);
* ``completions``: whole model-style completions (:mod:`.completions`), where extraction
  accuracy (did we read the answer the completion states?) is reported apart from
  equivalence accuracy.

Systems: ``agentgym`` (:func:`agentgym.environments.math.verify`), ``math-verify``
(``verify(parse(gold), parse(prediction))`` with each pair's own settings) and ``sympy``
(the plain baseline: the last box or the whole text through sympy's ``parse_latex``, lark
backend, then ``simplify(a - b) == 0``). Each runs in its own worker process with a per-pair
time limit (a hung call is killed and counted "not equivalent"); times are measured in the
worker around the call alone, and our parse cache is cleared before every pair.

Targets: on ``mv-default``, accuracy >= math-verify's with zero false positives and median
time <= 0.2x math-verify's; on ``own``, accuracy >= 0.99 with zero false positives. The exit
status is 0 when they are met.

Run: ``python -m agentgym.benchmarks.perf.verifier [--sets ...] [--limit N] [--timeout S]``
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from agentgym.benchmarks.report import add_out_argument, percentile_ms, write_report

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "math_equivalence.jsonl"
SYSTEMS = ("agentgym", "math-verify", "sympy")
SETS = ("mv-default", "mv-quirks", "mv-settings", "own", "completions")
MEDIAN_RATIO_TARGET = 0.2
OWN_ACCURACY_TARGET = 0.99

# math-verify's default-settings labels that record its quirks, not mathematics: set aside.
QUIRKS: dict[tuple[str, str], str] = {
    ("$1 - \\frac{1}{\\mathrm{e}}$", "$1 + \\frac{1}{\\mathrm{e}}$"): (
        "labelled equal, but 1 - 1/e and 1 + 1/e differ by 2/e"
    ),
    ("$\\\\boxed{35 cm} ++++++ \\\\boxed{4}$", "${35 cm,4}$"): (
        "labelled equal by joining two boxes across '++++++' (a plus sign is not a list "
        "separator) in a doubly escaped string"
    ),
    ("\\\\boxed{W(n) = 1 \\\\text{ and } W(n) = -1", "W(x)=1orW(x)=-1"): (
        "the gold's box is never closed, and W(n) against W(x) names different arguments"
    ),
}


def load_items(sets: list[str], data: Path, limit: int) -> list[dict[str, Any]]:
    """The labelled items of ``sets``: prediction, gold, label, set and per-system settings."""
    items: list[dict[str, Any]] = []
    if any(name.startswith("mv-") for name in sets):
        from agentgym.benchmarks.perf.mathverify_suite import load_suite

        for pair in load_suite():
            quirk = (pair.gold, pair.pred) in QUIRKS
            name = (
                "mv-quirks" if quirk else "mv-default" if pair.default_settings else "mv-settings"
            )
            if name in sets:
                items.append(
                    {
                        "set": name,
                        "prediction": pair.pred,
                        "gold": pair.gold,
                        "equivalent": pair.equal,
                        "mv": {
                            "match_types": list(pair.match_types),
                            "precision": pair.precision,
                            "strict": pair.strict,
                            "set_relation": pair.set_relation,
                        },
                    }
                )
    if "own" in sets:
        for line in data.read_text().splitlines():
            if line.strip():
                pair = json.loads(line)
                items.append(
                    {
                        "set": "own",
                        "prediction": pair["prediction"],
                        "gold": pair["gold"],
                        "equivalent": bool(pair["equivalent"]),
                        "wrap": True,
                    }
                )
    if "completions" in sets:
        from agentgym.benchmarks.perf.completions import completion_set

        for c in completion_set():
            items.append(
                {
                    "set": "completions",
                    "prediction": c.completion,
                    "gold": c.gold,
                    "equivalent": c.equivalent,
                    "answer": c.answer,
                    "wrap_gold": True,
                }
            )
    if limit:
        kept: dict[str, int] = {}
        items = [i for i in items if kept.setdefault(i["set"], 0) < limit and _count(kept, i)]
    return items


def _count(kept: dict[str, int], item: dict[str, Any]) -> bool:
    kept[item["set"]] += 1
    return True


# --- the systems, each imported only inside its worker --------------------------------------


def _load(system: str) -> Any:
    """Return ``check(item) -> (equivalent, extracted answer or None)`` for ``system``."""
    if system == "agentgym":
        from agentgym.environments.math import extract_answer, verify
        from agentgym.environments.math.verify import clear_caches

        def check(item: dict[str, Any]) -> tuple[bool, str | None]:
            clear_caches()
            extracted = extract_answer(item["prediction"]) if "answer" in item else None
            return verify(item["prediction"], item["gold"]), extracted

        return check
    if system == "math-verify":
        from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

        def wrap(text: str) -> str:
            return text if "\\boxed" in text else f"${text}$"

        def check(item: dict[str, Any]) -> tuple[bool, str | None]:
            settings = item.get("mv")
            if settings is not None:  # the pair's own test settings
                targets = [
                    LatexExtractionConfig(boxed_match_priority=0)
                    if m == "latex"
                    else ExprExtractionConfig()
                    for m in settings["match_types"]
                ]
                gold, pred = parse(item["gold"], targets), parse(item["prediction"], targets)
                ok = verify(
                    gold,
                    pred,
                    float_rounding=settings["precision"],
                    strict=settings["strict"],
                    allow_set_relation_comp=settings["set_relation"],
                )
                return bool(ok), None
            gold_text = (
                wrap(item["gold"]) if item.get("wrap") or item.get("wrap_gold") else item["gold"]
            )
            pred_text = wrap(item["prediction"]) if item.get("wrap") else item["prediction"]
            pred = parse(pred_text)
            extracted = str(pred[-1]) if pred and "answer" in item else None
            return bool(verify(parse(gold_text), pred)), extracted

        return check
    if system == "sympy":
        import lark  # noqa: F401 - sympy's lark backend needs it; fail early with its name
        import sympy
        from sympy.parsing.latex import parse_latex

        from agentgym.environments.math.answer import boxed_contents

        def plain(text: str) -> str:
            boxes = boxed_contents(text)
            return (boxes[-1] if boxes else text).strip().strip("$")

        def check(item: dict[str, Any]) -> tuple[bool, str | None]:
            prediction, gold = plain(item["prediction"]), plain(item["gold"])
            extracted = prediction if "answer" in item else None
            try:
                a = parse_latex(prediction, backend="lark")
                b = parse_latex(gold, backend="lark")
            except Exception:
                return prediction.strip() == gold.strip(), extracted
            try:
                return bool(sympy.simplify(a - b) == 0), extracted
            except Exception:
                return False, extracted

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
        start = time.perf_counter()
        try:
            (result, extracted), error = check(item), None
        except Exception as e:  # a crash counts as "not equivalent", like a user would treat it
            result, extracted, error = False, None, f"{type(e).__name__}: {e}"[:200]
        conn.send((bool(result), extracted, time.perf_counter() - start, error))


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

    def check(self, item: dict[str, Any]) -> tuple[bool, str | None, float, str | None]:
        self.conn.send(item)
        if self.conn.poll(self.timeout_s):
            return self.conn.recv()
        self.proc.kill()
        self.proc.join()
        self._start()
        return False, None, self.timeout_s, "timeout"

    def close(self) -> None:
        if self.missing is None and self.proc.is_alive():
            self.conn.send(None)
            self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()


def _install_hint(system: str) -> str:
    return {"math-verify": "pip install math-verify", "sympy": "pip install lark"}.get(system, "")


def _same_answer(got: str | None, want: str, gold: str) -> bool:
    from agentgym.environments.math.normalise import normalise

    def key(text: str) -> str:
        return "".join(normalise(text.strip().strip("$"), gold).split())

    return got is not None and key(got) == key(want)


def run(args: argparse.Namespace) -> int:
    """Run the benchmark; return 0 when the targets are met, 1 otherwise."""
    path = Path(args.data)
    if "own" in args.sets and not path.exists():
        print(f"labeled set not found: {path} (pass --data PATH)", file=sys.stderr)
        return 2
    items = load_items(args.sets, path, args.limit)
    stats: dict[tuple[str, str], dict[str, Any]] = {}
    missing: dict[str, str] = {}
    for system in args.systems:
        runner = _Runner(system, args.timeout)
        if runner.missing is not None:
            print(
                f"[{system}] NOT AVAILABLE ({runner.missing}); install it with: "
                f"{_install_hint(system)}"
            )
            missing[system] = runner.missing
            runner.close()
            continue
        for item in items:
            verdict, extracted, seconds, error = runner.check(item)
            s = stats.setdefault(
                (item["set"], system),
                {"times": [], "right": 0, "fp": 0, "fn": 0, "errors": 0, "timeouts": 0, "x": []},
            )
            label = bool(item["equivalent"])
            s["times"].append(seconds)
            s["right"] += verdict == label
            s["fp"] += verdict and not label
            s["fn"] += label and not verdict
            s["timeouts"] += error == "timeout"
            s["errors"] += error is not None and error != "timeout"
            if "answer" in item and extracted is not None:
                s["x"].append(_same_answer(extracted, item["answer"], item["gold"]))
        runner.close()
    rows = []
    for name in args.sets:
        for system in args.systems:
            s = stats.get((name, system))
            if s is None:
                continue
            n = len(s["times"])
            row = {
                "set": name,
                "system": system,
                "pairs": n,
                "accuracy": s["right"] / n,
                "false_pos": s["fp"],
                "false_neg": s["fn"],
                "median_ms": percentile_ms(s["times"], 50),
                "p99_ms": percentile_ms(s["times"], 99),
                "mean_ms": 1000 * statistics.fmean(s["times"]),
                "timeouts": s["timeouts"],
                "errors": s["errors"],
            }
            if s["x"]:
                row["extraction_acc"] = sum(s["x"]) / len(s["x"])
            rows.append(row)
    by = {(r["set"], r["system"]): r for r in rows}
    for r in rows:
        peer = by.get((r["set"], "math-verify"))
        if peer and peer["median_ms"] > 0:
            r["median_vs_math_verify"] = r["median_ms"] / peer["median_ms"]
    meta: dict[str, Any] = {
        "sets": args.sets,
        "timeout_s": args.timeout,
        "missing": missing,
        "math_verify_version": "0.9.0",
        "quirks_set_aside": [
            {"gold": g, "prediction": p, "reason": why} for (g, p), why in QUIRKS.items()
        ],
    }
    ours_mv, peer_mv = by.get(("mv-default", "agentgym")), by.get(("mv-default", "math-verify"))
    ours_own = by.get(("own", "agentgym"))
    checks = []
    if ours_own is not None:
        checks.append(ours_own["accuracy"] >= OWN_ACCURACY_TARGET and ours_own["false_pos"] == 0)
    if ours_mv is not None:
        checks.append(ours_mv["false_pos"] == 0)
    if ours_mv is not None and peer_mv is not None:
        ratio = ours_mv["median_ms"] / peer_mv["median_ms"]
        meta["median_ratio_vs_math_verify"] = ratio
        meta["accuracy_delta_vs_math_verify"] = ours_mv["accuracy"] - peer_mv["accuracy"]
        checks.append(ours_mv["accuracy"] >= peer_mv["accuracy"] and ratio <= MEDIAN_RATIO_TARGET)
    elif "math-verify" in missing or "math-verify" not in args.systems:
        print("math-verify is missing, so its targets cannot be checked: pip install math-verify")
    meta["targets_met"] = all(checks) if checks else None
    if ours_mv is not None and peer_mv is None:
        meta["targets_met"] = None if not checks else meta["targets_met"]
    out = write_report(
        "verifier",
        "Answer verifiers on labelled sets (ours, math-verify's, completions)",
        rows,
        meta=meta,
        out_dir=args.out,
    )
    if "median_ratio_vs_math_verify" in meta:
        print(
            f"mv-default: ours vs math-verify median time "
            f"{meta['median_ratio_vs_math_verify']:.3f}x (target <= {MEDIAN_RATIO_TARGET}x), "
            f"accuracy {ours_mv['accuracy']:.3f} vs {peer_mv['accuracy']:.3f}, false positives "
            f"{ours_mv['false_pos']} vs {peer_mv['false_pos']}"
        )
    print(f"wrote {out}")
    return 0 if meta["targets_met"] in (True, None) and all(checks) else 1


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``verifier`` benchmark's arguments to an argparse subparsers object."""
    parser = subparsers.add_parser("verifier", help="benchmark the math answer verifier")
    _add_arguments(parser)
    parser.set_defaults(func=run)
    return parser


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="labeled JSONL set")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N pairs per set")
    parser.add_argument(
        "--sets", nargs="+", default=list(SETS), choices=SETS, help="labelled sets to run"
    )
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
