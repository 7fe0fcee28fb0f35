"""Policies for the trainers: sample completions with log-probs, and score token ids.

Two policies share one interface, :class:`Policy`:

* :class:`TinyPolicy`: a small GPT-style transformer trained from scratch over a byte-level
  tokenizer (:class:`ByteTokenizer`); it runs on a CPU in seconds and is the reference agent.
* :class:`HFPolicy`: any Hugging Face ``transformers`` causal LM with its tokenizer's chat
  template.

A conversation becomes one token sequence: the rendered messages, then each assistant turn
exactly as it was sampled (never re-tokenized), then the rendered observations. Trainers score
that sequence in one forward pass and mask everything but the policy's own tokens.

PyTorch is imported here, never on ``import agentgym``; see :func:`require_torch`.
"""

from __future__ import annotations

import copy
import inspect
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agentgym.agents.runlog import check_ints, config_from_dict

try:
    import torch
except ImportError as e:  # the trainers are an optional part of agentgym
    raise ImportError(
        "agentgym's policies and trainers need PyTorch; install the extra: "
        'pip install -e ".[train]"'
    ) from e

nn = torch.nn
F = torch.nn.functional

__all__ = [
    "ByteTokenizer",
    "HFPolicy",
    "Policy",
    "PolicyConfig",
    "Sample",
    "TinyPolicy",
    "TinyTransformer",
    "count_parameters",
    "load_policy",
    "make_policy",
]

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


# --- the byte-level tiny policy ----------------------------------------------------------------


class ByteTokenizer:
    """Bytes 0-255 plus a few special tokens for roles, end of turn and padding.

    A message renders as ``<role> utf-8 bytes <end>``; the generation prompt is
    ``<assistant>``, and a completion ends with ``<end>``.
    """

    SPECIALS: tuple[str, ...] = ("<pad>", "<end>", "<system>", "<user>", "<assistant>", "<tool>")

    def __init__(self) -> None:
        self.special_ids = {name: 256 + i for i, name in enumerate(self.SPECIALS)}
        self.pad_id = self.special_ids["<pad>"]
        self.end_id = self.special_ids["<end>"]
        self.vocab_size = 256 + len(self.SPECIALS)

    def encode(self, text: str) -> list[int]:
        """Return the UTF-8 bytes of ``text``."""
        return list(text.encode("utf-8"))

    def decode(self, ids: Sequence[int]) -> str:
        """Return the text of ``ids`` up to the first ``<end>``; specials are dropped."""
        data = bytearray()
        for i in ids:
            if i == self.end_id:
                break
            if i < 256:
                data.append(i)
        return data.decode("utf-8", errors="replace")

    def render_message(self, message: Message) -> list[int]:
        """Return ``<role> content <end>`` for a chat message."""
        role = message.get("role", "user")
        tag = self.special_ids.get(f"<{role}>", self.special_ids["<user>"])
        return [tag, *self.encode(str(message.get("content") or "")), self.end_id]


@dataclass(frozen=True)
class _TinyConfig:
    vocab_size: int
    d_model: int
    n_layers: int
    n_heads: int
    max_len: int


class _Block(nn.Module):
    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        self.n_heads = n_heads
        self.ln1 = nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(
            nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model)
        )

    def forward(
        self, x: torch.Tensor, attn_mask: torch.Tensor, past: tuple | None
    ) -> tuple[torch.Tensor, tuple]:
        b, n, d = x.shape
        h = self.n_heads
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q, k, v = (t.view(b, n, h, d // h).transpose(1, 2) for t in (q, k, v))
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        x = x + self.proj(y.transpose(1, 2).reshape(b, n, d))
        x = x + self.mlp(self.ln2(x))
        return x, (k, v)


class TinyTransformer(nn.Module):
    """A small pre-LayerNorm GPT with learned positions and a KV cache.

    Args:
        vocab_size: Number of token ids.
        d_model: Width.
        n_layers: Number of blocks.
        n_heads: Attention heads per block.
        max_len: Number of learned positions.
    """

    def __init__(self, vocab_size: int, d_model: int, n_layers: int, n_heads: int, max_len: int):
        super().__init__()
        self.config = _TinyConfig(vocab_size, d_model, n_layers, n_heads, max_len)
        self.tok = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Embedding(max_len, d_model)
        self.blocks = nn.ModuleList(_Block(d_model, n_heads) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size, bias=False)
        self.head.weight = self.tok.weight
        self.apply(self._init)

    @staticmethod
    def _init(module: nn.Module) -> None:
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(
        self,
        ids: torch.Tensor,
        attention_mask: torch.Tensor,
        position_ids: torch.Tensor,
        past: list | None = None,
    ) -> tuple[torch.Tensor, list]:
        """Return logits (B, L, V) for ``ids`` and the per-block key/value cache.

        Args:
            ids: Token ids (B, L).
            attention_mask: 1 for real tokens, 0 for padding, over cache plus ``ids`` (B, K).
            position_ids: Position of each token of ``ids`` (B, L).
            past: The cache returned by the previous call, or None.
        """
        n = ids.shape[1]
        k_len = attention_mask.shape[1]
        # query i sits at absolute index k_len - n + i and may see keys up to it (causal),
        # never padding; each query also sees itself so padded rows are never all-masked.
        q_idx = torch.arange(k_len - n, k_len)[:, None]
        k_idx = torch.arange(k_len)[None, :]
        causal = k_idx <= q_idx
        allowed = causal[None] & attention_mask[:, None, :].bool()
        allowed = allowed | (k_idx == q_idx)[None]
        allowed = allowed[:, None]
        x = self.tok(ids) + self.pos(position_ids.clamp(max=self.config.max_len - 1))
        new_past = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, allowed, past[i] if past is not None else None)
            new_past.append(kv)
        return self.head(self.ln_f(x)), new_past


class TinyPolicy(Policy):
    """The tiny byte-level transformer policy.

    Args:
        config: Sizes and options (``kind="tiny"``).

    Example:
        >>> from agentgym.agents.policy import PolicyConfig, TinyPolicy
        >>> policy = TinyPolicy(PolicyConfig(d_model=32, n_layers=1, n_heads=2, max_len=64))
        >>> ctx = policy.render_prompt([{"role": "user", "content": "2+2?"}])
        >>> len(policy.sample([ctx], max_new_tokens=4)) == 1
        True
    """

    def __init__(self, config: PolicyConfig):
        self.config = config
        self.tokenizer = ByteTokenizer()
        self.eos_id = self.tokenizer.end_id
        self.pad_id = self.tokenizer.pad_id
        self.max_len = config.max_len
        self.include_system_prompt = config.system_prompt
        init_rng = torch.random.fork_rng()
        with init_rng:
            torch.manual_seed(config.seed)
            self.model = TinyTransformer(
                self.tokenizer.vocab_size,
                config.d_model,
                config.n_layers,
                config.n_heads,
                config.max_len,
            )

    def _messages(self, messages: Sequence[Message]) -> list[int]:
        out: list[int] = []
        for m in messages:
            if m.get("role") == "system" and not self.include_system_prompt:
                continue
            out += self.tokenizer.render_message(m)
        return out

    def render_prompt(self, messages: Sequence[Message]) -> list[int]:
        """Return ``<role> content <end>`` per message, then ``<assistant>``."""
        return [*self._messages(messages), self.tokenizer.special_ids["<assistant>"]]

    def render_followup(
        self, history: Sequence[Message], new_messages: Sequence[Message]
    ) -> list[int]:
        """Return the env's reply messages and the next ``<assistant>``."""
        return self.render_prompt(new_messages)

    def encode_completion(self, text: str) -> list[int]:
        """Return the bytes of ``text`` and ``<end>``."""
        return [*self.tokenizer.encode(text), self.eos_id]

    def decode(self, token_ids: Sequence[int]) -> str:
        """Return the text up to ``<end>``."""
        return self.tokenizer.decode(token_ids)

    def _forward(self, ids, attention_mask, position_ids, past=None):
        return self.model(ids, attention_mask, position_ids, past)

    def save(self, folder: str | Path) -> None:
        """Write ``policy.json`` and ``weights.pt`` into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "policy.json").write_text(json.dumps(asdict(self.config), indent=2))
        torch.save(self.model.state_dict(), folder / "weights.pt")


# --- Hugging Face transformers -------------------------------------------------------------


class HFPolicy(Policy):
    """A Hugging Face causal LM with its tokenizer's chat template.

    Args:
        model: A ``transformers`` causal LM (``AutoModelForCausalLM``).
        tokenizer: Its tokenizer; it needs a ``chat_template`` and an end-of-turn token.
        max_len: Longest sequence handled (default: the model's position limit or 2048).
        system_prompt: Whether system messages are rendered.
        eos_token: The token that ends an assistant turn (default: the tokenizer's EOS).

    Dropout is switched off, so the rollout and training forward passes agree.

    Example:
        >>> policy = HFPolicy.from_pretrained("some/chat-model")  # doctest: +SKIP
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        max_len: int | None = None,
        system_prompt: bool = True,
        eos_token: str | None = None,
    ):
        if not getattr(tokenizer, "chat_template", None):
            raise ValueError("the tokenizer has no chat_template; set tokenizer.chat_template")
        # importance ratios need the rollout and the training forward passes to agree
        for module in model.modules():
            if isinstance(module, nn.Dropout):
                module.p = 0.0
        self.model = model
        self.tokenizer = tokenizer
        eos = eos_token or tokenizer.eos_token
        if eos is None:
            raise ValueError("the tokenizer has no eos_token; pass eos_token=")
        self.eos_token = eos
        self.eos_id = int(tokenizer.convert_tokens_to_ids(eos))
        pad = tokenizer.pad_token_id
        self.pad_id = int(pad if pad is not None else self.eos_id)
        limit = getattr(model.config, "max_position_embeddings", None) or getattr(
            model.config, "n_positions", None
        )
        self.max_len = int(max_len or limit or 2048)
        self.include_system_prompt = system_prompt
        params = inspect.signature(model.forward).parameters
        self._cache_arg = "cache" if "cache" in params else "past_key_values"

    @classmethod
    def from_pretrained(cls, name: str, **kwargs: Any) -> HFPolicy:
        """Load a model and tokenizer by name or folder (``transformers.from_pretrained``)."""
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(name)
        model = AutoModelForCausalLM.from_pretrained(name)
        return cls(model, tokenizer, **kwargs)

    def _template(self, messages: Sequence[Message], generation_prompt: bool) -> str:
        kept = [
            dict(m) for m in messages if self.include_system_prompt or m.get("role") != "system"
        ]
        return self.tokenizer.apply_chat_template(
            kept, tokenize=False, add_generation_prompt=generation_prompt
        )

    def _encode(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def render_prompt(self, messages: Sequence[Message]) -> list[int]:
        """Return the chat template of ``messages`` with the generation prompt, tokenized."""
        return self._encode(self._template(messages, True))

    def render_followup(
        self, history: Sequence[Message], new_messages: Sequence[Message]
    ) -> list[int]:
        """Return the template text between the last assistant turn's end and the next turn.

        The template is rendered with and without the new messages; the text after the last
        assistant content and its end-of-turn token is the follow-up. A template for which
        that is not a prefix falls back to rendering the new messages alone.
        """
        before = self._template(history, False)
        after = self._template([*history, *new_messages], True)
        content = str(history[-1].get("content") or "") if history else ""
        cut = before.rfind(content) + len(content) if content else -1
        if cut >= 0 and before[cut:].startswith(self.eos_token):
            cut += len(self.eos_token)
        if cut >= 0 and after[:cut] == before[:cut]:
            return self._encode(after[cut:])
        return self._encode(self._template(new_messages, True))

    def encode_completion(self, text: str) -> list[int]:
        """Return the tokens of ``text`` and the end-of-turn token."""
        return [*self._encode(text), self.eos_id]

    def decode(self, token_ids: Sequence[int]) -> str:
        """Return the text up to the end-of-turn token."""
        ids = list(token_ids)
        if self.eos_id in ids:
            ids = ids[: ids.index(self.eos_id)]
        return self.tokenizer.decode(ids, skip_special_tokens=True)

    def _forward(self, ids, attention_mask, position_ids, past=None):
        # newer transformers name the KV cache ``cache``; older ones ``past_key_values``
        name = self._cache_arg
        out = self.model(
            input_ids=ids,
            attention_mask=attention_mask,
            position_ids=position_ids,
            use_cache=True,
            **{name: past},
        )
        return out.logits, out[name]

    def save(self, folder: str | Path) -> None:
        """Write the model and tokenizer with ``save_pretrained`` into ``folder``."""
        folder = Path(folder)
        self.model.save_pretrained(folder)
        self.tokenizer.save_pretrained(folder)
        meta = {
            "kind": "hf",
            "max_len": self.max_len,
            "system_prompt": self.include_system_prompt,
            "eos_token": self.eos_token,
        }
        (folder / "policy.json").write_text(json.dumps(meta, indent=2))


# --- construction ----------------------------------------------------------------------------


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
