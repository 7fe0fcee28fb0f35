"""A tiny causal LM and a byte-level BPE tokenizer built in code, for trainer tests on CPU.

The tokenizer is trained here with ``tokenizers`` and has a ChatML chat template that renders
tools, assistant tool calls and tool results (Qwen-style ``<tool_call>`` JSON), plus the
matching ``response_template`` so ``tokenizer.parse_response`` reads tool calls back.

The model is a real (randomly initialised) Llama with one small layer. Its ``generate`` is
scripted by a policy (decoded prompt -> completion text) so that tests know which completions
are right and which are wrong; the trainer's forward passes, losses and updates are real.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

import gymnasium as gym

SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

CHAT_TEMPLATE = (
    "{% if tools %}<|im_start|>system\n"
    "{% if messages[0].role == 'system' %}{{ messages[0].content }}\n\n{% endif %}"
    "You may call these tools:\n<tools>\n"
    "{% for tool in tools %}{{ tool | tojson }}\n{% endfor %}"
    "</tools><|im_end|>\n"
    "{% elif messages[0].role == 'system' %}<|im_start|>system\n{{ messages[0].content }}"
    "<|im_end|>\n{% endif %}"
    "{% for m in messages %}"
    "{% if m.role == 'user' %}<|im_start|>user\n{{ m.content }}<|im_end|>\n"
    "{% elif m.role == 'assistant' %}<|im_start|>assistant\n{{ m.content or '' }}"
    "{% for tc in m.tool_calls or [] %}<tool_call>\n"
    '{"name": "{{ tc.function.name }}", "arguments": {{ tc.function.arguments | tojson }}}'
    "\n</tool_call>{% endfor %}<|im_end|>\n"
    "{% elif m.role == 'tool' %}<|im_start|>user\n<tool_response>\n{{ m.content }}"
    "\n</tool_response><|im_end|>\n"
    "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

RESPONSE_TEMPLATE = {
    "defaults": {"role": "assistant"},
    "start_anchor": "<|im_start|>assistant\n",
    "fields": {
        "tool_calls": {
            "open": "<tool_call>",
            "close_pattern": r"</tool_call>\s*",
            "repeats": True,
            "content": "json",
            "transform": {"type": "function", "function": "{content}"},
        },
        "content": {"close_pattern": r"<\|im_end\|>\s*", "content": "text"},
    },
}

ASSISTANT = "<|im_start|>assistant\n"
CALL = re.compile(r"<tool_call>\n(.*?)\n</tool_call>", re.S)


def build_tokenizer(corpus: Iterable[str], vocab_size: int = 1500) -> Any:
    """Train a byte-level BPE on ``corpus``; returns a ``PreTrainedTokenizerFast``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator([*corpus, CHAT_TEMPLATE, "<tool_call>\n</tool_call>"], trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=None,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        padding_side="left",
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.response_template = RESPONSE_TEMPLATE
    return fast


def env_corpus(env_ids: Iterable[str], seeds: int = 2) -> list[str]:
    """Texts of these envs (system prompts, tasks, tool schemas) to train the tokenizer on."""
    texts = []
    for env_id in env_ids:
        env = gym.make(env_id)
        try:
            for seed in range(seeds):
                obs, info = env.reset(seed=seed)
                texts += [info["system_prompt"], str(obs), json.dumps(info["tools"])]
        finally:
            env.close()
    return texts


def build_model(tokenizer: Any, policy: Callable[[list[str]], list[str]]) -> Any:
    """A one-layer Llama whose ``generate`` answers with ``policy(decoded prompts)``."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    class ScriptedLlama(LlamaForCausalLM):
        def generate(self, input_ids=None, attention_mask=None, **kwargs):  # noqa: D102
            tok = self._script_tokenizer
            if attention_mask is None:
                attention_mask = torch.ones_like(input_ids)
            texts = [
                tok.decode(ids[mask.bool()].tolist(), skip_special_tokens=False)
                for ids, mask in zip(input_ids, attention_mask, strict=True)
            ]
            completions = self._script_policy(texts)
            ids = [tok.encode(c + "<|im_end|>", add_special_tokens=False) for c in completions]
            width = max(len(x) for x in ids)
            pad = tok.pad_token_id
            tail = torch.tensor([x + [pad] * (width - len(x)) for x in ids], dtype=input_ids.dtype)
            return torch.cat([input_ids, tail.to(input_ids.device)], dim=1)

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=32768,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None,
        tie_word_embeddings=True,
    )
    model = ScriptedLlama(config)
    model._script_tokenizer = tokenizer
    model._script_policy = policy
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    return model


def tool_call_text(name: str, arguments: dict[str, Any]) -> str:
    return f"<tool_call>\n{json.dumps({'name': name, 'arguments': arguments})}\n</tool_call>"


class OraclePolicy:
    """Plays env ``env_id``: the even rows of the first turn follow the oracle, the odd rows
    make ``wrong_call`` (which ends the episode unsolved); a rollout whose episode has ended
    answers with text and no tool call, which ends it in the trainer.

    The state of a rollout is rebuilt from its prompt: its task (found by the task text) and
    the tool calls made so far, replayed on a shadow env.
    """

    def __init__(self, env_id: str, rows: list[dict[str, Any]], wrong_call: tuple[str, dict]):
        self.env_id = env_id
        self.tasks = {r["prompt"][-1]["content"]: r["task_id"] for r in rows}
        self.wrong_call = wrong_call
        self.env = gym.make(env_id, action_format="openai")
        self.calls_seen = 0

    def __call__(self, texts: list[str]) -> list[str]:
        return [self.next(text, row) for row, text in enumerate(texts)]

    def next(self, text: str, row: int) -> str:
        from agentgym.tools import ToolCall

        task_id = next(t for content, t in self.tasks.items() if content in text)
        head, _, rest = text.partition(ASSISTANT)
        calls = [json.loads(c) for c in CALL.findall(rest)]
        if not calls:
            if row % 2:
                return tool_call_text(*self.wrong_call)
        env = self.env.unwrapped
        self.env.reset(options={"task_id": task_id})
        done = False
        for call in calls:
            action = env.format_calls([ToolCall(call["name"], call["arguments"])])
            *_, terminated, truncated, _ = self.env.step(action)
            done = terminated or truncated
        if done:
            return "Done."
        message = json.loads(env.oracle_action())
        self.calls_seen += 1
        return "".join(
            tool_call_text(c["function"]["name"], json.loads(c["function"]["arguments"]))
            for c in message["tool_calls"]
        )

    def close(self) -> None:
        self.env.close()
