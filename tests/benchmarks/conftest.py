"""A scriptable OpenAI-compatible chat server for the harness tests (a real HTTP server)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class ChatServer:
    """Answers ``/v1/chat/completions``; ``fail`` scripts failures, ``delay_s`` slows it.

    ``fail`` is a list consumed one per request: an int is an HTTP status to answer with,
    ``"drop"`` closes the connection without an answer, None answers normally.
    """

    def __init__(self):
        self.fail = []
        self.always_fail = None
        self.delay_s = 0.0
        self.answer = "<guess>apple</guess>"
        self.requests = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                self._send(200, {"data": [{"id": "fake"}]} if self.path.endswith("/models") else {})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.requests.append(body)
                    step = server.fail.pop(0) if server.fail else server.always_fail
                if server.delay_s:
                    time.sleep(server.delay_s)
                if step == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if step is not None:
                    self._send(step, {"error": "scripted"}, retry_after="0")
                    return
                prompt = sum(len(str(m.get("content") or "")) for m in body["messages"])
                self._send(
                    200,
                    {
                        "choices": [{"message": {"role": "assistant", "content": server.answer}}],
                        "usage": {"prompt_tokens": prompt // 4, "completion_tokens": 5},
                    },
                )

            def _send(self, status, payload, retry_after=None):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if retry_after is not None:
                    self.send_header("Retry-After", retry_after)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def chat_server():
    server = ChatServer()
    yield server
    server.close()
