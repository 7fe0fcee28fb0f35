"""Policies for the trainers: sample completions with log-probs, and score token ids.

Two policies share one interface, :class:`Policy`:

* :class:`TinyPolicy`: a small GPT-style transformer trained from scratch over a byte-level
  tokenizer (:class:`ByteTokenizer`); it runs on a CPU in seconds and is the reference agent.
* :class:`HFPolicy`: any Hugging Face ``transformers`` causal LM with its tokenizer's chat
  template.

A conversation becomes one token sequence: the rendered messages, then each assistant turn
exactly as it was sampled (never re-tokenized), then the rendered observations. Trainers score
that sequence in one forward pass and mask everything but the policy's own tokens.

One module per concern: :mod:`.base` (the interface, sampling and scoring), :mod:`.tiny`
(tokenizer and tiny transformer), :mod:`.hf` (transformers models) and :mod:`.checkpoint`
(building, saving and loading). Every name is importable from this package.

PyTorch is imported here, never on ``import agentgym``; without it, importing this package
raises an ImportError naming the extra to install.
"""

from agentgym.agents.policy.base import (
    Message,
    Policy,
    PolicyConfig,
    Sample,
    count_parameters,
    pad_rows,
)
from agentgym.agents.policy.base import torch as torch  # the trainers' guarded torch
from agentgym.agents.policy.checkpoint import (
    load_checkpoint,
    load_policy,
    make_policy,
    policy_config_from_dict,
    save_checkpoint,
    start_policy,
)
from agentgym.agents.policy.hf import HFPolicy
from agentgym.agents.policy.tiny import ByteTokenizer, TinyPolicy, TinyTransformer

__all__ = [
    "ByteTokenizer",
    "HFPolicy",
    "Message",
    "Policy",
    "PolicyConfig",
    "Sample",
    "TinyPolicy",
    "TinyTransformer",
    "count_parameters",
    "load_checkpoint",
    "load_policy",
    "make_policy",
    "pad_rows",
    "policy_config_from_dict",
    "save_checkpoint",
    "start_policy",
]
