"""Behaviour pin: the same seeds give the same episodes as when the golden file was recorded.

Refactors must leave every hash as it is. An intended change of behaviour re-records the file
(``python -m tests.golden.golden --record``) in the same commit, which says why.
"""

from __future__ import annotations

import json

import pytest

from tests.golden.golden import ENV_IDS, EPISODES, GOLDEN, episode_hash

WANT = json.loads(GOLDEN.read_text())


@pytest.mark.parametrize("agent", ["oracle", "random"])
@pytest.mark.parametrize("env_id", ENV_IDS)
def test_episodes_match_the_golden_hashes(env_id: str, agent: str) -> None:
    want = WANT[env_id][agent]
    assert len(want) == EPISODES
    got = [episode_hash(env_id, agent, seed) for seed in range(EPISODES)]
    differ = [seed for seed, (a, b) in enumerate(zip(want, got, strict=True)) if a != b]
    assert not differ, f"{env_id} {agent}: seeds {differ} no longer replay as recorded"


def test_the_hash_sees_a_change_of_behaviour(monkeypatch: pytest.MonkeyPatch) -> None:
    # A hash blind to rewards would pin nothing: a doubled format penalty must show.
    from agentgym.core import AgentEnv

    monkeypatch.setattr(AgentEnv, "format_penalty", AgentEnv.format_penalty * 2)
    want = WANT["AgentMath-v0"]["random"][:10]
    got = [episode_hash("AgentMath-v0", "random", seed) for seed in range(10)]
    assert got != want
