"""A minimal stdlib HTTP server on 127.0.0.1 for behaviours the emulator never shows."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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
