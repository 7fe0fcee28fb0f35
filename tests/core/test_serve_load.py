"""A small load test of the env server: concurrent clients play whole episodes without errors."""

import concurrent.futures
import threading

import pytest

from agentgym.serve import EnvServer, RemoteEnv


def play(url: str, env_id: str, episodes: int, seed: int) -> int:
    """Play oracle episodes; return how many succeeded."""
    solved = 0
    for i in range(episodes):
        env = RemoteEnv(url, env_id, timeout_s=120, max_turns=6)
        try:
            env.reset(seed=seed * 100 + i)
            for _ in range(6):
                _, _, terminated, truncated, info = env.step(env.oracle_action())
                if terminated or truncated:
                    break
            solved += bool(info.get("success"))
        finally:
            env.close()
    return solved


@pytest.mark.parametrize("env_id", ["AgentMath-v0", "AgentCode-v0"])
def test_concurrent_clients_play_without_errors(env_id):
    clients, episodes = 4, 3
    with EnvServer(max_sessions=clients, allow_oracle=True) as srv:
        threads_after = []
        for round_ in range(3):
            with concurrent.futures.ThreadPoolExecutor(clients) as pool:
                results = list(
                    pool.map(
                        lambda c, r=round_: play(srv.url, env_id, episodes, c * 10 + r),
                        range(clients),
                    )
                )
            assert results == [episodes] * clients
            assert srv.sessions == {}
            threads_after.append(threading.active_count())
        # Sessions come and go; the server's threads do not pile up round after round.
        assert threads_after[2] <= threads_after[0] + 2, threads_after
