"""A Hugging Face ``transformers`` causal LM as a :class:`~agentgym.agents.policy.base.Policy`."""

from __future__ import annotations

import inspect
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agentgym.agents.policy.base import Message, Policy, torch

__all__ = ["HFPolicy"]

nn = torch.nn


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
