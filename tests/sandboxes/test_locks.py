import os
import threading

from agentgym.sandboxes.locks import ForkSafeLock


def _child_status(lock: ForkSafeLock) -> int:
    """In the forked child, still inside the parent's ``with lock`` block."""
    taken = threading.Event()

    def take():
        with lock:
            taken.set()

    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    thread.join(10)
    return 0 if taken.is_set() else 2


def test_a_forked_child_gets_the_lock_free_and_can_leave_the_open_block():
    lock = ForkSafeLock()
    status = 1
    with lock:  # as if another thread held it at the moment of the fork
        pid = os.fork()
        if pid == 0:
            try:
                status = _child_status(lock)
            except BaseException:
                os._exit(3)
    if pid == 0:
        # Leaving the block released the lock it took; the lock still works here.
        try:
            with lock:
                pass
        finally:
            os._exit(status)
    _, wait_status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(wait_status) == 0
    with lock:  # the parent's lock was released as usual
        pass
