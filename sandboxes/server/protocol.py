"""The wire format between a pool (the client) and its server, and between a call and its client.

Messages are length-prefixed JSON on a unix stream socket; file descriptors travel as
``SCM_RIGHTS`` attached to a message's first byte. Standard library only, like the whole package.
"""

from __future__ import annotations

import json
import re
import socket
import struct

PROTOCOL_VERSION = 1


MAX_MESSAGE_BYTES = 256 << 20


WORKSPACE_NAME = re.compile(r"^[0-9a-f]{32}$")
PRELUDE_NAME = re.compile(r"^[\w.-]{1,100}$")
MODULE_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
# How many preludes a server keeps (a client registering more ships the rest with each call).
MAX_PRELUDES = 32


def send_message(sock: socket.socket, message: dict, fds: list[int] | tuple[int, ...] = ()) -> None:
    """Send one length-prefixed JSON message, with file descriptors attached to its first byte."""
    body = json.dumps(message, separators=(",", ":")).encode()
    data = struct.pack("!I", len(body)) + body
    if fds:
        sent = socket.send_fds(sock, [data], list(fds))
        data = data[sent:]
    if data:
        sock.sendall(data)


class MessageReader:
    """Reassembles messages from a stream socket, queueing the file descriptors that arrive."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()
        self.fds: list[int] = []

    def feed(self) -> bool:
        """Read what is available; return False at end of stream."""
        data, fds, _flags, _addr = socket.recv_fds(self.sock, 1 << 20, 16)
        self.fds.extend(fds)
        if not data:
            return False
        self.buffer += data
        return True

    def messages(self):
        """Yield every complete message buffered so far."""
        while len(self.buffer) >= 4:
            (size,) = struct.unpack("!I", self.buffer[:4])
            if size > MAX_MESSAGE_BYTES:
                raise ValueError(f"message of {size} bytes exceeds the limit")
            if len(self.buffer) < 4 + size:
                return
            body = bytes(self.buffer[4 : 4 + size])
            del self.buffer[: 4 + size]
            yield json.loads(body)

    def next_message(self):
        """Read until one whole message is buffered and return it; None at end of stream."""
        while True:
            message = next(self.messages(), None)
            if message is not None:
                return message
            if not self.feed():
                return None

    def take_fds(self, count: int) -> list[int]:
        """Remove and return the next ``count`` received descriptors."""
        taken, self.fds = self.fds[:count], self.fds[count:]
        return taken


# How the stderr of a call that could not be set up begins (the client retries such calls).
SETUP_FAILED = "sandbox set-up failed:"
# The memory budget a spare's cgroup is limited to before its request arrives (the default of
# CallLimits.memory_mb): a call asking for it starts without waiting for its supervising thread.
PRESET_MEMORY_BYTES = 512 << 20

# The environment a call gets unless its request names another: a spare sets it while it
# waits, so a call with it sets nothing.
DEFAULT_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "PYTHONIOENCODING": "utf-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
}
