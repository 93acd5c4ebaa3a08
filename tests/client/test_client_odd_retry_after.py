"""A server answering 429 with a Retry-After that is huge, negative or garbage.

Shown against a minimal stdlib HTTP server, since the emulator only ever sends sane values.
The client must neither crash nor sleep for what the header says without a line saying so.
"""

import logging

import pytest
from stub_server import JsonHandler, serving

from relate_pipeline.client import ClientSettings, RateLimitedError, RelateClient
from relate_pipeline.client.ratelimit import gate_for


class _RefusingHandler(JsonHandler):
    def do_GET(self):
        error = {"status": 429, "message": "slow down", "field": None}
        self.answer(429, {"error": error}, {"Retry-After": self.server.retry_after})


@pytest.fixture
def refusing_server():
    with serving(_RefusingHandler) as server:
        yield server


def _ask(server, retry_after, **settings):
    server.retry_after = retry_after
    base_url = f"http://127.0.0.1:{server.server_port}/v1"
    values = {"base_url": base_url, "api_key": "k", "max_retries": 1, "backoff_base": 0.01,
              "backoff_max": 0.02, **settings}
    try:
        with RelateClient(ClientSettings(**values)) as client, pytest.raises(RateLimitedError) as caught:
            client.get_note("n1")
    finally:
        gate_for(base_url).forget()
    return caught.value


def test_a_huge_retry_after_is_cut_to_the_cap_with_a_warning(refusing_server, caplog):
    caplog.set_level(logging.INFO, logger="relate_pipeline.client")
    error = _ask(refusing_server, "86400", retry_after_cap=0.2)
    assert error.retry_after == 86400.0 and refusing_server.hits == 2
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("86400" in text and "retry_after_cap" in text for text in warnings)
    retries = [r.getMessage() for r in caplog.records if "retry 1/1 in" in r.getMessage()]
    assert len(retries) == 1 and float(retries[0].rsplit(" in ", 1)[1].rstrip("s")) < 1.5


@pytest.mark.parametrize("value", ["-30", "soon", "1e999", "Someday, 99 Foo 2026"])
def test_a_negative_or_garbage_retry_after_is_ignored_and_backoff_applies(refusing_server, value):
    error = _ask(refusing_server, value)
    assert error.retry_after is None and refusing_server.hits == 2
