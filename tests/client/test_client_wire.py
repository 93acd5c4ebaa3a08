"""What goes on the wire: query and body encodings shared by every transport, error mapping."""

from __future__ import annotations

import aiohttp
import httpx
import pytest
import yarl
from multidict import CIMultiDict, CIMultiDictProxy

from relate_pipeline.client.aiohttp_transport import as_httpx_error
from relate_pipeline.client.wire import encoded_json, encoded_query


def test_query_renders_booleans_lowercase_repeats_lists_and_escapes_reserved_characters():
    query = encoded_query({"archived": True, "ids": ["a", "b"], "q": "x y&z"})
    assert query == "archived=true&ids=a&ids=b&q=x+y%26z"


def test_json_body_is_compact_utf8():
    assert encoded_json({"body": "café", "n": [1, 2]}) == '{"body":"café","n":[1,2]}'.encode()


def test_json_body_refuses_nan_instead_of_sending_it():
    with pytest.raises(ValueError, match="Out of range float"):
        encoded_json({"value": float("nan")})


def test_aiohttp_error_maps_to_the_httpx_type_without_the_request_headers():
    headers = CIMultiDictProxy(CIMultiDict({"Authorization": "Bearer sk-secret"}))
    url = yarl.URL("http://127.0.0.1:1/v1/notes/abc")
    failure = aiohttp.ClientResponseError(
        aiohttp.RequestInfo(url, "GET", headers, url), (), status=400, message="bad header"
    )
    mapped = as_httpx_error(failure)
    assert isinstance(mapped, httpx.RemoteProtocolError)
    assert str(mapped).startswith("ClientResponseError: 400, message='bad header'")
    assert "sk-secret" not in str(mapped) and "sk-secret" not in repr(mapped)
