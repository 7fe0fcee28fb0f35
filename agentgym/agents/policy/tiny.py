"""The reference tiny policy: a byte-level tokenizer and a small GPT-style transformer.

It trains from scratch on a CPU in seconds; ``agentgym train`` and the tests use it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from agentgym.agents.policy.base import Message, Policy, PolicyConfig, torch

__all__ = ["ByteTokenizer", "TinyPolicy", "TinyTransformer"]

nn = torch.nn
F = torch.nn.functional


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
