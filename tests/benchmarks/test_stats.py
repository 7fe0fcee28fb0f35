import pytest

from agentgym.benchmarks.stats import mcnemar_exact, pass_at_k, wilson_interval


def test_wilson_interval_known_values():
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4) and high == pytest.approx(0.9433, abs=1e-4)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(0, 10)[1] == pytest.approx(
        0.2775, abs=1e-4
    )
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_pass_at_k():
    assert pass_at_k(4, 0, 1) == 0.0 and pass_at_k(4, 4, 4) == 1.0
    assert pass_at_k(4, 1, 1) == pytest.approx(0.25)
    assert pass_at_k(4, 1, 2) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        pass_at_k(2, 1, 3)


def test_mcnemar_exact():
    same = mcnemar_exact([(True, True), (False, False)])
    assert same["p_value"] == 1.0 and same["diff"] == 0.0
    better = mcnemar_exact([(False, True)] * 10 + [(True, True)] * 5)
    assert better["b_only"] == 10 and better["p_value"] == pytest.approx(2 / 2**10)
    assert better["diff"] == pytest.approx(10 / 15)
