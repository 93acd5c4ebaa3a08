"""A server whose cursor stops advancing: the client must stop with PaginationError, not loop.

The emulator pages by offset and always advances, so this one behaviour is shown against a
minimal stdlib HTTP server that repeats the same page forever.
"""

import pytest
from stub_server import JsonHandler, serving

from relate_pipeline.client import ClientSettings, PaginationError, RelateClient


class _StuckListHandler(JsonHandler):
    def do_GET(self):
        pagination = {"end_cursor": 1, "has_next_page": True, "total_count": 99}
        self.answer(200, {"data": [{"id": "same"}], "pagination": pagination})


@pytest.fixture
def stuck_server():
    with serving(_StuckListHandler) as server:
        yield server


def test_cursor_that_does_not_advance_raises_after_two_requests(stuck_server):
    base_url = f"http://127.0.0.1:{stuck_server.server_port}/v1"
    with RelateClient(ClientSettings(base_url=base_url, api_key="k")) as client:
        pages = client.list_notes()
        assert next(pages) == {"id": "same"}
        expected = r"GET /v1/notes\?first=100&after=1 .*did not advance"
        with pytest.raises(PaginationError, match=expected):
            next(pages)
    assert stuck_server.hits == 2
