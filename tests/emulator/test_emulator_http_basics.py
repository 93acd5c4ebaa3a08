"""Auth, routing, error shapes, pagination and the OpenAPI document, on the shared emulator."""

from __future__ import annotations

import re

import httpx
import pytest
from emulator_support import all_pages, api_client, error_of

SPEC_ROUTES = {
    ("get", "/v1/contacts"), ("post", "/v1/contacts"), ("get", "/v1/contacts/{id}"), ("patch", "/v1/contacts/{id}"),
    ("delete", "/v1/contacts/{id}"), ("delete", "/v1/contacts/{id}/emails"),
    ("get", "/v1/organizations"), ("post", "/v1/organizations"), ("get", "/v1/organizations/{id}"),
    ("patch", "/v1/organizations/{id}"), ("delete", "/v1/organizations/{id}"), ("delete", "/v1/organizations/{id}/domains"),
    ("get", "/v1/notes"), ("post", "/v1/notes"), ("get", "/v1/notes/{id}"), ("patch", "/v1/notes/{id}"), ("delete", "/v1/notes/{id}"),
    ("get", "/v1/custom_fields"), ("post", "/v1/custom_fields"), ("get", "/v1/custom_fields/{id}"),
    ("patch", "/v1/custom_fields/{id}"), ("delete", "/v1/custom_fields/{id}"),
    ("get", "/v1/lists"), ("post", "/v1/lists"), ("get", "/v1/lists/{id}"), ("patch", "/v1/lists/{id}"), ("delete", "/v1/lists/{id}"),
    ("get", "/v1/lists/{list_id}/entries"), ("post", "/v1/lists/{list_id}/entries"), ("get", "/v1/lists/{list_id}/entries/{id}"),
    ("patch", "/v1/lists/{list_id}/entries/{id}"), ("delete", "/v1/lists/{list_id}/entries/{id}"),
    ("get", "/v1/calendar_events"), ("get", "/v1/calendar_events/{id}"), ("get", "/v1/recordings/{id}"),
}


def test_missing_api_key_is_401_in_the_error_shape(emulator):
    response = httpx.get(emulator.base_url + "/contacts")
    assert error_of(response, 401) == {"status": 401, "message": response.json()["error"]["message"], "field": None}


def test_wrong_api_key_is_401_and_the_message_does_not_echo_it(emulator):
    with api_client(emulator, api_key="guessed-key-123") as client:
        response = client.get("/contacts")
    assert "guessed-key-123" not in error_of(response, 401)["message"]


def test_non_bearer_scheme_is_401(emulator):
    response = httpx.get(emulator.base_url + "/contacts", headers={"Authorization": f"Basic {emulator.api_key}"})
    assert response.status_code == 401


def test_admin_routes_need_the_key_too(emulator):
    assert httpx.get(emulator.base_url.removesuffix("/v1") + "/_admin/snapshot").status_code == 401


def test_unknown_route_is_404_in_the_error_shape(api):
    assert "/v1/deals" in error_of(api.get("/deals"), 404)["message"]


def test_wrong_method_is_405_with_an_allow_header(api):
    response = api.put("/contacts")
    assert error_of(response, 405)["status"] == 405 and set(response.headers["Allow"].split(", ")) == {"GET", "POST"}


def test_unknown_id_is_404_naming_the_resource(api):
    assert error_of(api.get("/organizations/ZZZZZZ"), 404)["message"] == "organization 'ZZZZZZ' not found"


def test_malformed_json_body_is_400(api):
    response = api.post("/contacts", content=b"{not json", headers={"Content-Type": "application/json"})
    assert "JSON" in error_of(response, 400)["message"]


def test_json_body_that_is_not_an_object_is_400(api):
    assert error_of(api.post("/contacts", json=["Paul"]), 400)["status"] == 400


@pytest.mark.parametrize("params, field", [({"first": "ten"}, "first"), ({"first": "-1"}, "first"), ({"after": "-5"}, "after"),
                                           ({"after": "1.5"}, "after")])
def test_bad_pagination_parameter_is_400_naming_it(api, params, field):
    assert error_of(api.get("/contacts", params=params), 400)["field"] == field


def test_first_page_defaults_to_25_items(api, truth):
    body = api.get("/contacts").json()
    assert len(body["data"]) == 25
    assert body["pagination"] == {"end_cursor": 25, "has_next_page": True, "total_count": len(truth["contacts"])}


def test_after_is_an_offset_continuing_from_end_cursor(api):
    first = api.get("/contacts", params={"first": 10}).json()
    second = api.get("/contacts", params={"first": 10, "after": first["pagination"]["end_cursor"]}).json()
    both = api.get("/contacts", params={"first": 20}).json()
    assert first["data"] + second["data"] == both["data"] and second["pagination"]["end_cursor"] == 20


def test_last_page_has_no_next_page(api, truth):
    total = len(truth["contacts"])
    body = api.get("/contacts", params={"first": 25, "after": total - 3}).json()
    assert len(body["data"]) == 3 and body["pagination"] == {"end_cursor": total, "has_next_page": False, "total_count": total}


def test_page_past_the_end_is_empty(api, truth):
    body = api.get("/contacts", params={"after": 10_000}).json()
    assert body["data"] == [] and body["pagination"]["has_next_page"] is False


def test_first_above_the_command_line_max_page_size_is_capped(make_emulator):
    process = make_emulator(days=1, meetings_per_day=2, contacts=30, organizations=2, max_page_size=7)
    with api_client(process) as client:
        body = client.get("/contacts", params={"first": 20}).json()
    assert len(body["data"]) == 7 and body["pagination"] == {"end_cursor": 7, "has_next_page": True, "total_count": 30}


def test_walking_every_page_yields_each_event_once(api, truth):
    walked = all_pages(api, "/calendar_events")
    assert len(walked) == len({e["id"] for e in walked}) == sum(e["exposed"] for e in truth["calendar_events"])


@pytest.mark.parametrize("path", ["/contacts", "/organizations", "/notes", "/custom_fields", "/lists", "/calendar_events"])
def test_every_list_endpoint_uses_the_pagination_envelope(api, path):
    body = api.get(path, params={"first": 1}).json()
    assert set(body) == {"data", "pagination"} and set(body["pagination"]) == {"end_cursor", "has_next_page", "total_count"}


def test_list_of_lists_matches_the_seeded_lists_and_processes(api, truth):
    body = api.get("/lists").json()
    assert body["data"] == truth["lists"] and sorted(item["process"] for item in body["data"]) == [False, False, True, True]


@pytest.fixture(scope="module")
def openapi(emulator) -> dict:
    response = httpx.get(emulator.base_url.removesuffix("/v1") + "/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_openapi_document_lists_every_route_of_the_spec(openapi):
    served = {(method, path) for path, operations in openapi["paths"].items() for method in operations}
    assert served == SPEC_ROUTES


def test_openapi_document_is_version_3_with_unique_operation_ids(openapi):
    operation_ids = [op["operationId"] for ops in openapi["paths"].values() for op in ops.values()]
    assert openapi["openapi"].startswith("3.") and openapi["info"]["title"] and len(operation_ids) == len(set(operation_ids))


def test_openapi_references_all_resolve(openapi):
    text = str(openapi)
    refs = set(re.findall(r"#/components/schemas/(\w+)", text))
    assert refs and refs <= set(openapi["components"]["schemas"])


def test_openapi_declares_every_path_parameter(openapi):
    for path, operations in openapi["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for operation in operations.values():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (path, declared)
