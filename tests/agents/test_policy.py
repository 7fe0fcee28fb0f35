import subprocess
import sys

import pytest
import torch

from agentgym.agents.policy import (
    ByteTokenizer,
    HFPolicy,
    PolicyConfig,
    TinyPolicy,
    load_policy,
    make_policy,
)

CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def tiny_hf_policy(seed=0):
    """A randomly initialised GPT-2 with a byte-level tokenizer, both built in code."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {ch: i for i, ch in enumerate(sorted(alphabet))}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<pad>")
    fast.add_special_tokens({"additional_special_tokens": ["<|im_start|>"]})
    fast.chat_template = CHATML
    torch.manual_seed(seed)
    config = GPT2Config(
        vocab_size=len(fast),
        n_positions=256,
        n_embd=32,
        n_layer=2,
        n_head=2,
        bos_token_id=fast.eos_token_id,
        eos_token_id=fast.eos_token_id,
    )
    return HFPolicy(GPT2LMHeadModel(config), fast)


def contexts(policy, n=5):
    return [
        policy.render_prompt([{"role": "user", "content": f"What is {i} + {i}? é"}])
        for i in range(n)
    ]


@pytest.fixture(params=["tiny", "hf"])
def policy(request):
    if request.param == "tiny":
        return TinyPolicy(PolicyConfig(d_model=32, n_layers=2, n_heads=2, max_len=128))
    return tiny_hf_policy()


def test_sample_logprobs_match_score(policy):
    ctxs = contexts(policy)
    gen = torch.Generator().manual_seed(1)
    samples = policy.sample(ctxs, max_new_tokens=12, generator=gen)
    assert len(samples) == len(ctxs)
    scores = policy.score([c + list(s.token_ids) for c, s in zip(ctxs, samples, strict=True)])
    for c, s, row in zip(ctxs, samples, scores, strict=True):
        assert len(s.token_ids) == len(s.logprobs) >= 1
        got = row[len(c) : len(c) + len(s.token_ids)]
        assert torch.allclose(torch.tensor(s.logprobs), got, atol=1e-4)
        assert s.finished == (s.token_ids[-1] == policy.eos_id)


def test_cache_and_no_cache_sample_the_same_tokens(policy):
    ctxs = contexts(policy, 3)
    a = policy.sample(ctxs, max_new_tokens=8, generator=torch.Generator().manual_seed(5))
    b = policy.sample(
        ctxs, max_new_tokens=8, generator=torch.Generator().manual_seed(5), use_cache=False
    )
    assert [s.token_ids for s in a] == [s.token_ids for s in b]


def test_greedy_is_deterministic_and_score_has_gradients(policy):
    ctxs = contexts(policy, 2)
    a = policy.sample(ctxs, max_new_tokens=6, temperature=0)
    b = policy.sample(ctxs, max_new_tokens=6, temperature=0)
    assert a == b
    logp = policy.score([ctxs[0] + list(a[0].token_ids)])
    logp.sum().backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in policy.parameters())


def test_bad_sampling_arguments(policy):
    with pytest.raises(ValueError, match="temperature"):
        policy.sample(contexts(policy, 1), max_new_tokens=4, temperature=-1)
    with pytest.raises(ValueError, match="max_len"):
        policy.sample([[1] * policy.max_len], max_new_tokens=4)
    assert policy.sample([], max_new_tokens=4) == []


def test_save_and_load_round_trip(policy, tmp_path):
    policy.save(tmp_path / "p")
    loaded = load_policy(tmp_path / "p")
    seq = contexts(policy, 1)
    with torch.no_grad():
        assert torch.allclose(policy.score(seq), loaded.score(seq), atol=1e-5)
    with pytest.raises(FileNotFoundError, match="policy.json"):
        load_policy(tmp_path / "missing")


def test_byte_tokenizer_round_trip_and_rendering():
    tok = ByteTokenizer()
    text = "naïve → 42 <answer>"
    assert tok.decode(tok.encode(text)) == text
    policy = TinyPolicy(PolicyConfig(d_model=16, n_layers=1, n_heads=2, max_len=64))
    msgs = [{"role": "system", "content": "S"}, {"role": "user", "content": "hi"}]
    ids = policy.render_prompt(msgs)
    sp = tok.special_ids
    assert ids == [
        sp["<system>"],
        ord("S"),
        tok.end_id,
        sp["<user>"],
        ord("h"),
        ord("i"),
        tok.end_id,
        sp["<assistant>"],
    ]
    assert policy.encode_completion("ok") == [ord("o"), ord("k"), tok.end_id]
    assert policy.decode(policy.encode_completion("ok") + [1, 2]) == "ok"
    no_sys = TinyPolicy(PolicyConfig(d_model=16, n_layers=1, n_heads=2, system_prompt=False))
    assert no_sys.render_prompt(msgs) == ids[3:]


def test_hf_followup_continues_the_chat_template():
    policy = tiny_hf_policy()
    history = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a1"}]
    reply = [{"role": "user", "content": "obs"}]
    seq = policy.render_prompt(history[:1]) + policy.encode_completion("a1")
    seq += policy.render_followup(history, reply)
    full = policy.render_prompt(history + reply)
    # the template puts a newline after <|im_end|>; the follow-up carries it
    assert policy.tokenizer.decode(seq) == policy.tokenizer.decode(full)


def test_policy_config_errors():
    with pytest.raises(ValueError, match="kind"):
        PolicyConfig(kind="lstm")
    with pytest.raises(ValueError, match="divisible"):
        PolicyConfig(d_model=30, n_heads=4)
    with pytest.raises(ValueError, match="policy.model"):
        PolicyConfig(kind="hf")
    with pytest.raises(ValueError, match="unknown policy option"):
        make_policy({"kind": "tiny", "width": 3})


def test_import_agentgym_does_not_import_torch_and_missing_torch_names_the_extra():
    code = (
        "import sys; import agentgym, agentgym.agents.train_cli, agentgym.cli; "
        "assert 'torch' not in sys.modules, 'torch imported'; "
        "sys.modules['torch'] = None\n"
        "try:\n    import agentgym.agents.policy\n"
        "except ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert 'pip install -e ".[train]"' in out.stdout


def test_make_policy_loads_an_hf_model_folder(tmp_path):
    tiny_hf_policy().save(tmp_path / "hf")
    policy = make_policy({"kind": "hf", "model": str(tmp_path / "hf"), "max_len": 64})
    assert isinstance(policy, HFPolicy) and policy.max_len == 64
    assert policy.decode(policy.encode_completion("ok")) == "ok"
