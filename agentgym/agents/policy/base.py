"""The policy interface: :class:`Policy` (sampling with a KV cache, scoring), its config and samples.

A subclass supplies the chat rendering and one model call; :mod:`.tiny` and :mod:`.hf` are the
two kinds. Also the tensor helpers the trainers share (:func:`pad_rows`,
:func:`count_parameters`).
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentgym.agents.runlog import check_ints

try:
    import torch
except ImportError as e:  # the trainers are an optional part of agentgym
    raise ImportError(
        "agentgym's policies and trainers need PyTorch; install the extra: "
        'pip install -e ".[train]"'
    ) from e

__all__ = ["Message", "Policy", "PolicyConfig", "Sample", "count_parameters", "pad_rows"]

Message = Mapping[str, Any]


@dataclass(frozen=True)
class Sample:
    """One sampled completion.

    Attributes:
        token_ids: The sampled tokens, ending with the end-of-turn token unless cut by length.
        logprobs: Log-probability of each sampled token under the sampling distribution.
        text: The decoded completion (without the end-of-turn token).
        finished: Whether the end-of-turn token was produced.
    """

    token_ids: tuple[int, ...]
    logprobs: tuple[float, ...]
    text: str
    finished: bool


@dataclass(frozen=True)
class PolicyConfig:
    """How to build a policy.

    Attributes:
        kind: ``"tiny"`` (byte-level transformer from scratch) or ``"hf"``.
        d_model: Width of the tiny transformer.
        n_layers: Blocks of the tiny transformer.
        n_heads: Attention heads of the tiny transformer.
        max_len: Longest token sequence (context plus completion) the policy handles.
        system_prompt: Whether the env's system message is rendered into the context. A tiny
            model trained from scratch learns the format from data, so it may skip the long,
            constant system prompt and keep sequences short.
        model: For ``"hf"``: a model name or local folder for ``from_pretrained``.
        seed: Seed of the weight initialisation.
    """

    kind: str = "tiny"
    d_model: int = 128
    n_layers: int = 3
    n_heads: int = 4
    max_len: int = 256
    system_prompt: bool = True
    model: str = ""
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("tiny", "hf"):
            raise ValueError(f"policy kind must be 'tiny' or 'hf', got {self.kind!r}")
        if self.kind == "hf" and not self.model:
            raise ValueError("an 'hf' policy needs policy.model (a model name or folder)")
        check_ints("policy", self, ("d_model", "n_layers", "n_heads", "max_len"), 1)
        if self.d_model % self.n_heads:
            raise ValueError(
                f"policy.d_model ({self.d_model}) must be divisible by n_heads ({self.n_heads})"
            )


class Policy(ABC):
    """A language-model policy over token ids.

    Subclasses provide the chat rendering (:meth:`render_prompt`, :meth:`render_followup`,
    :meth:`encode_completion`, :meth:`decode`) and one model call (:meth:`_forward`); sampling
    with a KV cache and scoring are shared.

    Attributes:
        model: The trainable ``torch.nn.Module``.
        eos_id: The end-of-turn token that stops sampling.
        pad_id: The padding token.
        max_len: Longest sequence the policy handles.
        include_system_prompt: Whether system messages are rendered.
    """

    model: Any
    eos_id: int
    pad_id: int
    max_len: int
    include_system_prompt: bool = True

    # --- chat rendering ----------------------------------------------------------------------

    @abstractmethod
    def render_prompt(self, messages: Sequence[Message]) -> list[int]:
        """Return the tokens of ``messages`` followed by the assistant generation prompt."""

    @abstractmethod
    def render_followup(
        self, history: Sequence[Message], new_messages: Sequence[Message]
    ) -> list[int]:
        """Return the tokens that follow a sampled assistant turn.

        Args:
            history: The conversation up to and including the last assistant message.
            new_messages: The env's reply (user or tool messages).

        Returns:
            The tokens of ``new_messages`` plus the next generation prompt, to append after
            the sampled tokens of the last assistant turn.
        """

    @abstractmethod
    def encode_completion(self, text: str) -> list[int]:
        """Return the tokens of an assistant completion, ending with :attr:`eos_id`."""

    @abstractmethod
    def decode(self, token_ids: Sequence[int]) -> str:
        """Return the text of completion tokens (stops at the end-of-turn token)."""

    @abstractmethod
    def _forward(
        self,
        ids: torch.Tensor,
        attention_mask: torch.Tensor,
        position_ids: torch.Tensor,
        past: Any = None,
    ) -> tuple[torch.Tensor, Any]:
        """Run the model on ``ids`` (B, L); return logits (B, L, V) and the new cache."""

    @abstractmethod
    def save(self, folder: str | Path) -> None:
        """Write the policy (weights, tokenizer, config) into ``folder``."""

    # --- shared model calls ------------------------------------------------------------------

    def parameters(self) -> Any:
        """Return the trainable parameters."""
        return self.model.parameters()

    def frozen_copy(self) -> Policy:
        """Return a deep copy with gradients off, in eval mode (a reference policy)."""
        ref = copy.deepcopy(self)
        ref.model.eval()
        for p in ref.model.parameters():
            p.requires_grad_(False)
        return ref

    @torch.no_grad()
    def sample(
        self,
        contexts: Sequence[Sequence[int]],
        *,
        max_new_tokens: int,
        temperature: float = 1.0,
        generator: torch.Generator | None = None,
        use_cache: bool = True,
    ) -> list[Sample]:
        """Sample one completion per context, batched, with a KV cache.

        Args:
            contexts: Token ids of each prompt (already rendered with a generation prompt).
            max_new_tokens: Cap on sampled tokens; also capped by :attr:`max_len`.
            temperature: Softmax temperature; log-probs are of the tempered distribution.
                ``0`` decodes greedily (log-probs then at temperature 1).
            generator: The torch generator that draws the tokens (seeded by the trainer).
            use_cache: Reuse keys and values between steps; ``False`` re-runs the whole
                sequence per token (the naive baseline the benchmark compares against).

        Returns:
            One :class:`Sample` per context, in order.
        """
        if not contexts:
            return []
        if temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {temperature}")
        greedy = temperature == 0
        was_training = self.model.training
        self.model.eval()
        lengths = [len(c) for c in contexts]
        if min(lengths) < 1:
            raise ValueError("every context needs at least one token")
        width = max(lengths)
        budget = min(max_new_tokens, self.max_len - width)
        if budget < 1:
            raise ValueError(
                f"context of {width} tokens leaves no room below max_len={self.max_len}"
            )
        ids = torch.full((len(contexts), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(contexts), width), dtype=torch.long)
        for row, ctx in enumerate(contexts):
            ids[row, width - len(ctx) :] = torch.tensor(list(ctx), dtype=torch.long)
            mask[row, width - len(ctx) :] = 1
        positions = (mask.cumsum(1) - 1).clamp(min=0)
        logits, past = self._forward(ids, mask, positions)
        last = logits[:, -1]
        done = torch.zeros(len(contexts), dtype=torch.bool)
        tokens: list[torch.Tensor] = []
        logps: list[torch.Tensor] = []
        for _ in range(budget):
            if greedy:
                logp = torch.log_softmax(last.float(), dim=-1)
                tok = logp.argmax(dim=-1)
            else:
                logp = torch.log_softmax(last.float() / temperature, dim=-1)
                tok = torch.multinomial(logp.exp(), 1, generator=generator).squeeze(1)
            tok = torch.where(done, torch.full_like(tok, self.pad_id), tok)
            tokens.append(tok)
            logps.append(logp.gather(1, tok[:, None]).squeeze(1))
            done = done | (tok == self.eos_id)
            if bool(done.all()):
                break
            mask = torch.cat([mask, torch.ones_like(mask[:, :1])], dim=1)
            positions = positions[:, -1:] + 1
            if use_cache:
                logits, past = self._forward(tok[:, None], mask, positions, past)
            else:
                ids = torch.cat([ids, tok[:, None]], dim=1)
                full_pos = (mask.cumsum(1) - 1).clamp(min=0)
                logits, _ = self._forward(ids, mask, full_pos)
            last = logits[:, -1]
        if was_training:
            self.model.train()
        tok_mat = torch.stack(tokens, dim=1).tolist()
        lp_mat = torch.stack(logps, dim=1).tolist()
        out = []
        for row in range(len(contexts)):
            seq, lps = tok_mat[row], lp_mat[row]
            finished = self.eos_id in seq
            n = seq.index(self.eos_id) + 1 if finished else len(seq)
            out.append(
                Sample(tuple(seq[:n]), tuple(lps[:n]), self.decode(seq[:n]), finished=finished)
            )
        return out

    def score(
        self, sequences: Sequence[Sequence[int]], *, temperature: float = 1.0
    ) -> torch.Tensor:
        """Return per-token log-probs of ``sequences`` (right-padded batch), with gradients.

        Args:
            sequences: Token ids of whole conversations.
            temperature: The temperature the tokens were sampled at.

        Returns:
            A float tensor (B, T) where entry ``[b, t]`` is ``log p(x_t | x_<t)`` for
            ``t >= 1``; column 0 and padding are 0.
        """
        width = max(len(s) for s in sequences)
        if width > self.max_len:
            raise ValueError(f"sequence of {width} tokens exceeds max_len={self.max_len}")
        ids = torch.full((len(sequences), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(sequences), width), dtype=torch.long)
        for row, seq in enumerate(sequences):
            ids[row, : len(seq)] = torch.tensor(list(seq), dtype=torch.long)
            mask[row, : len(seq)] = 1
        positions = (mask.cumsum(1) - 1).clamp(min=0)
        logits, _ = self._forward(ids, mask, positions)
        logp = torch.log_softmax(logits[:, :-1].float() / temperature, dim=-1)
        token_logp = logp.gather(2, ids[:, 1:, None]).squeeze(2) * mask[:, 1:]
        return torch.cat([torch.zeros_like(token_logp[:, :1]), token_logp], dim=1)


def pad_rows(rows: Sequence[Sequence[float]], dtype: torch.dtype) -> torch.Tensor:
    """Right-pad ragged per-token rows (loss masks, log-probs) with zeros into a (B, T) tensor."""
    width = max(len(r) for r in rows)
    out = torch.zeros((len(rows), width), dtype=dtype)
    for i, r in enumerate(rows):
        out[i, : len(r)] = torch.tensor(list(r), dtype=dtype)
    return out


def count_parameters(policy: Policy) -> int:
    """Return the number of distinct trainable parameters (tied weights counted once)."""
    seen = {id(p): p.numel() for p in policy.model.parameters() if p.requires_grad}
    return int(sum(seen.values()))
