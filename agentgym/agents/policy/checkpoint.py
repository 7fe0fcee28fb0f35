"""Build, save and load policies, and the trainers' checkpoints (policy plus optimiser state)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agentgym.agents.policy.base import Policy, PolicyConfig, torch
from agentgym.agents.policy.hf import HFPolicy
from agentgym.agents.policy.tiny import TinyPolicy
from agentgym.agents.runlog import config_from_dict

__all__ = [
    "load_checkpoint",
    "load_policy",
    "make_policy",
    "policy_config_from_dict",
    "save_checkpoint",
    "start_policy",
]


def make_policy(config: PolicyConfig | Mapping[str, Any]) -> Policy:
    """Build a fresh policy from a :class:`PolicyConfig` (or its dict)."""
    if not isinstance(config, PolicyConfig):
        config = policy_config_from_dict(config)
    if config.kind == "tiny":
        return TinyPolicy(config)
    return HFPolicy.from_pretrained(
        config.model, max_len=config.max_len, system_prompt=config.system_prompt
    )


def policy_config_from_dict(record: Mapping[str, Any]) -> PolicyConfig:
    """Return a :class:`PolicyConfig` from a dict, naming any unknown key."""
    return config_from_dict(PolicyConfig, "policy", record)


def load_policy(folder: str | Path) -> Policy:
    """Load a policy written by :meth:`Policy.save`.

    Raises:
        FileNotFoundError: If ``folder`` holds no ``policy.json``.
    """
    folder = Path(folder)
    meta_path = folder / "policy.json"
    if not meta_path.is_file():
        raise FileNotFoundError(f"no policy.json in {folder}: not a saved policy")
    meta = json.loads(meta_path.read_text())
    if meta.get("kind") == "hf":
        from transformers import AutoModelForCausalLM, AutoTokenizer

        return HFPolicy(
            AutoModelForCausalLM.from_pretrained(folder),
            AutoTokenizer.from_pretrained(folder),
            max_len=meta["max_len"],
            system_prompt=meta["system_prompt"],
            eos_token=meta["eos_token"],
        )
    policy = TinyPolicy(policy_config_from_dict(meta))
    state = torch.load(folder / "weights.pt", map_location="cpu", weights_only=True)
    policy.model.load_state_dict(state)
    return policy


def start_policy(
    init: str, config: Mapping[str, Any], threads: int, given: Policy | None = None
) -> Policy:
    """Return the policy a trainer starts from (``given``, saved ``init``, or fresh ``config``).

    Sets torch's thread count first when ``threads`` > 0.
    """
    if threads:
        torch.set_num_threads(threads)
    if given is not None:
        return given
    return load_policy(init) if init else make_policy(config)


def save_checkpoint(
    folder: str | Path, policy: Policy, optimizer: Any, step: int, **state: Any
) -> None:
    """Write ``policy`` and the trainer state (optimiser, step, anything else) into ``folder``."""
    folder = Path(folder)
    policy.save(folder / "policy")
    torch.save({"step": step, "optimizer": optimizer.state_dict(), **state}, folder / "trainer.pt")


def load_checkpoint(folder: str | Path, policy: Policy, optimizer: Any) -> dict[str, Any] | None:
    """Restore a :func:`save_checkpoint` into ``policy`` and ``optimizer``.

    Returns:
        The saved trainer state (``step`` and the rest), or None when ``folder`` holds no
        checkpoint.
    """
    folder = Path(folder)
    if not (folder / "trainer.pt").is_file():
        return None
    saved = load_policy(folder / "policy")
    policy.model.load_state_dict(saved.model.state_dict())
    state = torch.load(folder / "trainer.pt", map_location="cpu", weights_only=False)
    optimizer.load_state_dict(state["optimizer"])
    return state
