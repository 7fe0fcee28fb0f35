"""Command-line options shared by ``agentgym run`` and ``agentgym bench``: one vocabulary.

User mistakes raise :class:`UsageError` with a one-line message (with a "did you mean" where
a name was mistyped); the CLI prints it and exits with status 2.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = [
    "UsageError",
    "add_agent_arguments",
    "add_env_kwargs_argument",
    "agent_specs",
    "check_agent_names",
    "check_env_ids",
    "check_out_dir",
    "check_server",
    "did_you_mean",
    "parse_env_kwargs",
]


class UsageError(ValueError):
    """A mistake in what the user asked for; its message is one line for the terminal."""


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ``"; did you mean 'X'?"`` for the closest choice, or ``""``."""
    choices = list(choices)
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = [lowered[name.lower()]] if name.lower() in lowered else []
    return f"; did you mean {close[0]!r}?" if close else ""


def add_agent_arguments(p: argparse.ArgumentParser) -> None:
    """Add the OpenAI-compatible agent's flags (``--base-url``, ``--model``, sampling, retries)."""
    g = p.add_argument_group("openai agent (any OpenAI-compatible chat server)")
    g.add_argument(
        "--base-url", default=None, help="server base URL, e.g. http://127.0.0.1:8000/v1"
    )
    g.add_argument("--model", default=None, help="model name the server expects")
    g.add_argument(
        "--api-key-env",
        default="OPENAI_API_KEY",
        metavar="VAR",
        help="environment variable holding the API key (sent as a bearer token if set)",
    )
    g.add_argument("--temperature", type=float, default=0.7, help="sampling temperature")
    g.add_argument("--max-tokens", type=int, default=1024, help="completion length limit")
    g.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
    g.add_argument(
        "--max-retries",
        type=int,
        default=5,
        help="retries per request on 429, 5xx and connection errors (backoff with jitter)",
    )
    g.add_argument(
        "--retry-budget",
        type=int,
        default=200,
        help="retries allowed for the whole run; past it, failing episodes are recorded as errored",
    )
    g.add_argument(
        "--concurrency", type=int, default=1, metavar="N", help="episodes in flight at once"
    )
    g.add_argument(
        "--samples",
        type=int,
        default=1,
        metavar="K",
        help="episodes per seed (same task), for pass@k",
    )


def add_env_kwargs_argument(p: argparse.ArgumentParser) -> None:
    """Add ``--env-kwargs JSON``."""
    p.add_argument(
        "--env-kwargs",
        default=None,
        metavar="JSON",
        help='constructor kwargs for every env, e.g. \'{"reward_mode": "dense"}\', or per env '
        '\'{"AgentMath-v0": {"max_turns": 4}}\'',
    )


def parse_env_kwargs(text: str | None, env_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Return per-env kwargs from ``--env-kwargs``: ``{env_id: kwargs}`` for each of ``env_ids``.

    A JSON object whose keys are all registered env ids (``...-vN``) is per env; any other
    object applies to every env.
    """
    env_ids = list(env_ids)
    if text is None:
        return {e: {} for e in env_ids}
    try:
        value = json.loads(text)
    except ValueError as e:
        raise UsageError(f"--env-kwargs is not valid JSON: {e}") from None
    if not isinstance(value, dict):
        raise UsageError("--env-kwargs must be a JSON object")
    import gymnasium as gym

    if value and all(isinstance(v, dict) and k in gym.registry for k, v in value.items()):
        return {e: dict(value.get(e, {})) for e in env_ids}
    return {e: dict(value) for e in env_ids}


def check_env_ids(env_ids: Iterable[str]) -> None:
    """Raise :class:`UsageError` naming the first unregistered env id (with a suggestion)."""
    import gymnasium as gym

    import agentgym  # noqa: F401  (registers the envs)

    for env_id in env_ids:
        if env_id not in gym.registry:
            ours = sorted(k for k in gym.registry if k.startswith("Agent"))
            raise UsageError(
                f"unknown env {env_id!r}{did_you_mean(env_id, list(gym.registry))}"
                f" (agentgym envs: {', '.join(ours)})"
            )


def check_agent_names(names: Iterable[str]) -> None:
    """Raise :class:`UsageError` for an unknown agent name (with a suggestion)."""
    from agentgym.agents.factory import AGENTS

    for name in names:
        if name not in AGENTS:
            raise UsageError(
                f"unknown agent {name!r}{did_you_mean(name, AGENTS)} (choose {', '.join(AGENTS)})"
            )


def agent_specs(names: Iterable[str], args: argparse.Namespace) -> list[Any]:
    """Return an :class:`~agentgym.benchmarks.harness.AgentSpec` per agent name.

    Raises:
        UsageError: For an unknown agent, a bad number, or ``openai`` without a server.
    """
    from agentgym.agents.openai_client import RetryBudget
    from agentgym.benchmarks.harness import AgentSpec

    names = list(names)
    check_agent_names(names)
    for flag, value, low in (
        ("--concurrency", args.concurrency, 1),
        ("--samples", args.samples, 1),
        ("--max-tokens", args.max_tokens, 1),
        ("--max-retries", args.max_retries, 0),
        ("--retry-budget", args.retry_budget, 0),
    ):
        if value < low:
            raise UsageError(f"{flag} must be at least {low}, got {value}")
    if args.timeout <= 0:
        raise UsageError(f"--timeout must be positive, got {args.timeout}")
    if args.temperature < 0:
        raise UsageError(f"--temperature must be >= 0, got {args.temperature}")
    specs = []
    budget = RetryBudget(args.retry_budget)
    for name in names:
        options: dict[str, Any] = {}
        if name == "openai":
            if not args.base_url or not args.model:
                raise UsageError("the openai agent needs --base-url and --model")
            api_key = os.environ.get(args.api_key_env) if args.api_key_env else None
            check_server(args.base_url, api_key, timeout_s=min(args.timeout, 10.0))
            options = {
                "base_url": args.base_url,
                "model": args.model,
                "api_key": api_key,
                "temperature": args.temperature,
                "max_tokens": args.max_tokens,
                "timeout_s": args.timeout,
                "max_retries": args.max_retries,
                "retry_budget": budget,
            }
        specs.append(AgentSpec(name, options))
    return specs


def check_server(base_url: str, api_key: str | None, timeout_s: float = 10.0) -> None:
    """Fail fast when the chat server is not there: ``GET {base_url}/models``.

    A server that answers at all (even 404: some have no model list) passes; a refused
    connection, a bad URL or a refused key (401/403) is a :class:`UsageError`.
    """
    import requests

    if not base_url.startswith(("http://", "https://")):
        raise UsageError(f"--base-url must start with http:// or https://, got {base_url!r}")
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    url = base_url.rstrip("/") + "/models"
    try:
        resp = requests.get(url, headers=headers, timeout=timeout_s)
    except requests.RequestException as e:
        raise UsageError(
            f"no chat server at {base_url} ({type(e).__name__}); start one or fix --base-url"
        ) from None
    if resp.status_code in (401, 403):
        raise UsageError(
            f"{base_url} refused the API key ({resp.status_code}); set the variable named by "
            "--api-key-env"
        )


def check_out_dir(out: Path, resume: bool) -> None:
    """Check that ``out`` can hold a run: writable, and not an old run unless resuming."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {str(out)!r} is a file, not a folder")
    has_run = (out / "episodes.jsonl").is_file()
    if has_run and not resume:
        raise UsageError(
            f"--out {str(out)!r} already holds a run; pass --resume to continue it, "
            "or choose another folder"
        )
    if resume and not has_run:
        raise UsageError(f"--resume: no run to continue in {str(out)!r}")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as e:
        raise UsageError(f"--out {str(out)!r} is not writable: {e.strerror or e}") from None
