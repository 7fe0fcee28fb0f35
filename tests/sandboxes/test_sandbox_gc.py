"""A sandbox collected by the garbage collector never stalls its pool.

The collector can run a finalizer at any allocation, including inside the pool's own locked
sections (while a request is being sent). Releasing the workspace there used to deadlock the
calling thread; now the finalizer only queues the work for a janitor thread.
"""

from __future__ import annotations

import gc
import threading

from agentgym.sandboxes.local import LocalPool, LocalSandbox
from agentgym.sandboxes.pool import link as pool_module  # it sends the pool's requests


def test_a_sandbox_collected_during_a_request_does_not_deadlock(monkeypatch):
    pool = LocalPool()
    try:
        live = LocalSandbox(pool=pool, timeout_s=10)
        doomed = LocalSandbox(pool=pool, timeout_s=10)
        doomed_ws = doomed.workspace_id
        doomed.cycle = doomed  # only the cyclic collector can free it
        del doomed
        real_send = pool_module.send_message
        collected = []

        def send_with_gc(*args, **kwargs):
            if not collected:
                collected.append(gc.collect())  # as an allocation inside the send might
            return real_send(*args, **kwargs)

        monkeypatch.setattr(pool_module, "send_message", send_with_gc)
        done = {}

        def work():
            done["result"] = live.run("print(6 * 7)")

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        worker.join(60)  # liveness only: the old code never returned
        assert not worker.is_alive(), "the pool deadlocked on a collected sandbox"
        assert done["result"].stdout.strip() == "42"
        live.close()
        # The janitor released the collected sandbox's workspace.
        for _ in range(200):
            if all(ws != doomed_ws for _, ws in pool._workspaces):
                break
            threading.Event().wait(0.05)
        assert all(ws != doomed_ws for _, ws in pool._workspaces)
    finally:
        # A deadlocked pool would also hang its close(): close it from a thread we can leave.
        closer = threading.Thread(target=pool.close, daemon=True)
        closer.start()
        closer.join(60)
