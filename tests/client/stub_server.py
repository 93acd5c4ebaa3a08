"""A minimal stdlib HTTP server on 127.0.0.1 for behaviours the emulator never shows."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JsonHandler(BaseHTTPRequestHandler):
    """Counts every request in `server.hits`; `answer` sends one JSON reply; logs nothing."""

    def answer(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        self.server.hits += 1
        body = json.dumps(payload).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], **state) -> Iterator[ThreadingHTTPServer]:
    """The server running `handler` in a thread; `state` becomes its attributes (and `hits` = 0)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.hits = 0
    for name, value in state.items():
        setattr(server, name, value)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
