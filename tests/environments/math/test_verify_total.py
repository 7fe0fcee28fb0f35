"""verify, verify_detailed and extract_answer are total and bounded: any string, any thread."""

from __future__ import annotations

import os
import threading

import gymnasium as gym
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import agentgym  # noqa: F401
from agentgym.environments.math import extract_answer, verify, verify_detailed
from agentgym.environments.math.budget import BudgetExceeded, time_budget
from agentgym.environments.math.verify import Verdict

EXAMPLES = int(os.environ.get("AGENTGYM_FUZZ_EXAMPLES", "60"))
FRAGMENTS = [
    r"\boxed{", "}", "{", r"\frac{", r"\sqrt[", "]", "^", "_", "$", "$$", r"\(", r"\)", r"\[",
    r"\]", "<answer>", "</answer>", "</think>", "=", ",", ";", "(", ")", r"\left(", r"\right)",
    r"\begin{pmatrix}", r"\end{pmatrix}", "&", r"\\", "1", "0", "-", "x", "²", "⁻¹", "√",
    "π", "∞", "1,000", "1 000", "2,74 $", "€", "pct", "%", "j", "E", "e", r"\text{e}", "NaN",
    "nan", "inf", r"\infty", r"\pm", "The final answer is ", "Answer:", "####", " and ", r"\quad",
    r"\lt", "<=", "!=", r"\neq", "|AB|", "A:B", "x_1", r"\in", r"\cup", "{1,3}", "0.1", "e-3",
]  # fmt: skip
latexish = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=40).map("".join)
repeated = st.tuples(st.sampled_from(FRAGMENTS), st.integers(1, 3000)).map(lambda t: t[0] * t[1])
texts = st.one_of(st.text(max_size=200), latexish, repeated)

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


@FUZZ
@given(texts, texts)
def test_verify_never_raises(prediction, gold):
    verdict = verify_detailed(prediction, gold, timeout_s=0.5)
    assert isinstance(verdict, Verdict) and isinstance(verdict.reason, str)
    assert isinstance(verify(prediction, gold, timeout_s=0.5), bool)


@FUZZ
@given(texts)
def test_extract_answer_never_raises(text):
    answer = extract_answer(text)
    assert answer is None or isinstance(answer, str)


@FUZZ
@given(texts)
def test_identical_strings_are_equal_unless_nan(text):
    verdict = verify_detailed(text, text, timeout_s=0.5)
    if verdict.correct is False and text.strip():
        # The only refusals of a string against itself: no answer in it, NaN, or its budget.
        assert any(
            word in verdict.reason
            for word in ("no final answer", "NaN", "budget", "empty", "cannot read", "unreadable")
        ), verdict


def test_superscripts_and_other_unicode_are_read():
    assert verify("x²", "x^2") and verify("x⁻¹", r"\frac{1}{x}") and verify("√2", r"\sqrt{2}")


def test_nan_equals_nothing():
    assert not verify("NaN", "NaN") and not verify(r"\boxed{nan}", "nan")


def test_a_budget_stops_work_off_the_main_thread():
    outcome = {}

    def spin():
        def step(i):
            return i + 1

        i = 0
        try:
            with time_budget(0.05):
                while True:  # pure Python that calls functions: the tracer sees each call
                    i = step(i)
        except BudgetExceeded as e:
            outcome["stopped"] = str(e)

    worker = threading.Thread(target=spin, daemon=True)
    worker.start()
    worker.join(60)  # liveness only: without the budget this thread never ends
    assert not worker.is_alive() and "budget" in outcome["stopped"]


def test_a_boxed_answer_deep_in_a_long_completion_is_graded(tmp_path):
    env = gym.make("AgentMath-v0", max_turns=1)
    env.reset(seed=3)
    gold = env.unwrapped.task.data["answer"]
    thinking = "Let me think about this step by step. " * 400
    completion = (
        f"<think>{thinking} Maybe \\boxed{{0}}? No.</think>\nWe compute carefully. "
        f"So the result is $\\boxed{{{gold}}}$. I hope it is correct."
    )
    _, reward, terminated, _, info = env.step(completion)
    assert terminated and reward == 1.0 and info["success"], info.get("verdict")
    env.reset(seed=3)
    _, reward, *_ = env.step(completion.replace(f"\\boxed{{{gold}}}", "\\boxed{-12345}"))
    assert reward == 0.0
    env.close()
