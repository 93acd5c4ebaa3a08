"""Lists, processes and entries: the spec's examples and every documented rule, over HTTP."""

from __future__ import annotations

import pytest
from emulator_support import data_of, error_of

LIST_EXAMPLE = {
    "name": "...", "process": False, "entry_type": "Contact",
    "fields": [
        {"name": "...", "data_type": "select", "accepts_multiple_values": False, "options": ["option1", "option2", "option3"]},
        {"name": "....", "data_type": "textarea"},
    ],
}
PROCESS_EXAMPLE = {
    "name": "...", "process": True, "entry_type": "Contact", "identifier": "...", "duplicates_allowed": False,
    "entry_label": "...", "status_label": "...",
    "statuses": [{"name": "...", "type": "active"}, {"name": "....", "type": "active"}, {"name": ".....", "type": "done"}],
    "fields": [
        {"name": "...", "data_type": "select", "accepts_multiple_values": False, "options": ["option1", "option2", "option3"]},
        {"name": "....", "data_type": "date"},
    ],
}
TEST_PROCESS = {
    "name": "test process", "process": True, "entry_type": "Organization", "identifier": "TEST PROCE", "duplicates_allowed": True,
    "entry_label": "Organization", "status_label": "Status",
    "statuses": [{"name": "Started", "type": "active"}, {"name": "In Progress", "type": "active"},
                 {"name": "Completed", "type": "won"}, {"name": "Canceled", "type": "lost"}],
    "fields": [{"name": "test field", "data_type": "text"}],
}
TEST_LIST = {"name": "test list", "process": False, "entry_type": "Organization", "fields": [{"name": "test field", "data_type": "text"}]}


def create(crm, body: dict) -> dict:
    return data_of(crm.post("/lists", json=body), 201)


def an_org(crm) -> str:
    return data_of(crm.post("/organizations", json={"name": "Entryable"}), 201)["id"]


def a_contact(crm) -> str:
    return data_of(crm.post("/contacts", json={"first_name": "Entry"}), 201)["id"]


def process_entry(org_id: str, **overrides) -> dict:
    return {"entryable_id": org_id, "entryable_type": "Organization", "status": "Started", "one_time_value_cents": 0,
            "recurring_value_cents": 0, "recurring_value_period": "annual", **overrides}


def test_spec_list_example_creates_a_regular_list_with_its_fields(crm):
    created = create(crm, LIST_EXAMPLE)
    assert created["process"] is False and created["fields"] == LIST_EXAMPLE["fields"]
    assert set(created) == {"id", "name", "process", "entry_type", "fields", "created_at", "updated_at", "archived_at"}


def test_retrieving_a_list_returns_it_unwrapped(crm):
    created = create(crm, TEST_LIST)
    response = crm.get(f"/lists/{created['id']}")
    assert response.status_code == 200 and response.json() == created


def test_process_keys_match_the_spec_example_in_order(crm):
    created = create(crm, TEST_PROCESS)
    assert list(created) == ["id", "name", "identifier", "process", "duplicates_allowed", "entry_type", "entry_label",
                             "status_label", "statuses", "fields", "created_at", "updated_at", "archived_at"]


def test_spec_process_example_is_accepted_with_its_done_status_type(crm):
    created = create(crm, PROCESS_EXAMPLE)
    assert created["statuses"][2]["type"] == "done"


def test_spec_process_example_with_a_won_status_is_accepted(crm):
    body = dict(PROCESS_EXAMPLE, statuses=[*PROCESS_EXAMPLE["statuses"][:2], {"name": ".....", "type": "won"}])
    created = create(crm, body)
    assert created["identifier"] == "..." and created["duplicates_allowed"] is False


def test_process_without_statuses_gets_the_default_stages(crm):
    body = {k: v for k, v in TEST_PROCESS.items() if k != "statuses"}
    assert create(crm, body)["statuses"] == TEST_PROCESS["statuses"]


@pytest.mark.parametrize("missing", ["name", "process", "entry_type"])
def test_list_requires_name_process_and_entry_type(crm, missing):
    body = {k: v for k, v in TEST_LIST.items() if k != missing}
    assert error_of(crm.post("/lists", json=body), 422)["field"] == missing


@pytest.mark.parametrize("missing", ["identifier", "duplicates_allowed"])
def test_process_requires_identifier_and_duplicates_allowed(crm, missing):
    body = {k: v for k, v in TEST_PROCESS.items() if k != missing}
    assert error_of(crm.post("/lists", json=body), 422)["field"] == missing


def test_entry_type_outside_contact_and_organization_is_rejected(crm):
    assert error_of(crm.post("/lists", json=dict(TEST_LIST, entry_type="Deal")), 422)["field"] == "entry_type"


def test_process_only_field_on_a_regular_list_is_rejected_naming_it(crm):
    assert error_of(crm.post("/lists", json=dict(TEST_LIST, identifier="X")), 422)["field"] == "identifier"


def test_select_field_definition_without_options_is_rejected_naming_it(crm):
    body = dict(TEST_LIST, fields=[{"name": "pick", "data_type": "select", "accepts_multiple_values": True}])
    assert error_of(crm.post("/lists", json=body), 422)["field"] == "fields[0].options"


def test_field_definition_with_unknown_data_type_is_rejected_naming_it(crm):
    body = dict(TEST_LIST, fields=[{"name": "x", "data_type": "money"}])
    assert error_of(crm.post("/lists", json=body), 422)["field"] == "fields[0].data_type"


@pytest.mark.parametrize("frozen", [{"entry_type": "Contact"}, {"process": True}])
def test_entry_type_and_process_cannot_be_updated(crm, frozen):
    created = create(crm, TEST_LIST)
    assert error_of(crm.patch(f"/lists/{created['id']}", json=frozen), 422)["field"] == next(iter(frozen))


def test_spec_update_example_changes_the_process(crm):
    created = create(crm, TEST_PROCESS)
    body = {"name": "renamed", "identifier": "NEW", "duplicates_allowed": False, "entry_label": "Lead", "status_label": "Stage",
            "statuses": [{"name": "Open", "type": "active"}, {"name": "Won", "type": "won"}],
            "fields": [{"name": "due", "data_type": "date"}]}
    updated = data_of(crm.patch(f"/lists/{created['id']}", json=body))
    assert {k: updated[k] for k in body} == body


def test_deleted_list_answers_404(crm):
    created = create(crm, TEST_LIST)
    assert crm.delete(f"/lists/{created['id']}").status_code == 204
    assert "list" in error_of(crm.get(f"/lists/{created['id']}"), 404)["message"]


def test_regular_entry_has_a_null_key_and_the_spec_shape(crm):
    listing = create(crm, TEST_LIST)
    body = {"entryable_id": an_org(crm), "entryable_type": "Organization", "list_fields": [{"name": "test field", "value": "test value"}]}
    entry = data_of(crm.post(f"/lists/{listing['id']}/entries", json=body), 201)
    assert entry["key"] is None and entry["list_id"] == listing["id"]
    assert list(entry) == ["id", "key", "list_id", "entryable_id", "entryable_type", "contact_id", "list_fields", "created_at", "updated_at"]
    [(field_id, value)] = entry["list_fields"].items()
    assert len(field_id) == 6 and value == {"name": "test field", "data_type": "text", "value": "test value"}


def test_process_entries_get_increasing_identifier_keys(crm):
    process = create(crm, TEST_PROCESS)
    keys = [data_of(crm.post(f"/lists/{process['id']}/entries", json=process_entry(an_org(crm))), 201)["key"] for _ in range(3)]
    assert keys == ["TEST PROCE-1", "TEST PROCE-2", "TEST PROCE-3"]


def test_process_entry_has_the_spec_shape(crm):
    process = create(crm, TEST_PROCESS)
    entry = data_of(crm.post(f"/lists/{process['id']}/entries", json=process_entry(an_org(crm))), 201)
    assert list(entry) == ["id", "key", "list_id", "entryable_id", "entryable_type", "status", "assignee", "contact_id",
                           "one_time_value_cents", "recurring_value_cents", "recurring_value_period", "list_fields",
                           "closed_at", "next_entry_id", "created_at", "updated_at"]


def test_spec_entry_example_with_a_contact_process_is_accepted(crm):
    process = create(crm, dict(TEST_PROCESS, entry_type="Contact", fields=[{"name": "tags", "data_type": "select",
                                                                          "accepts_multiple_values": True, "options": ["option1", "option2"]}]))
    body = {"entryable_id": a_contact(crm), "entryable_type": "Contact", "status": "In Progress",
            "assignee_email": "dana.whitfield@northwind-sales.example", "one_time_value_cents": 0, "recurring_value_cents": 0,
            "recurring_value_period": "monthly", "contact_id": a_contact(crm),
            "list_fields": [{"name": "tags", "value": ["option1", "option2"]}]}
    entry = data_of(crm.post(f"/lists/{process['id']}/entries", json=body), 201)
    assert entry["assignee"]["email"] == "dana.whitfield@northwind-sales.example"
    assert list(entry["list_fields"].values())[0]["value"] == ["option1", "option2"]


def test_process_entry_status_must_exist_in_the_process(crm):
    process = create(crm, TEST_PROCESS)
    response = crm.post(f"/lists/{process['id']}/entries", json=process_entry(an_org(crm), status="Nope"))
    assert error_of(response, 422)["field"] == "status"


@pytest.mark.parametrize("missing", ["status", "one_time_value_cents", "recurring_value_cents", "recurring_value_period"])
def test_process_entry_requires_status_and_values(crm, missing):
    process = create(crm, TEST_PROCESS)
    body = process_entry(an_org(crm))
    del body[missing]
    assert error_of(crm.post(f"/lists/{process['id']}/entries", json=body), 422)["field"] == missing


def test_recurring_value_period_outside_the_three_is_rejected(crm):
    process = create(crm, TEST_PROCESS)
    body = process_entry(an_org(crm), recurring_value_period="weekly")
    assert error_of(crm.post(f"/lists/{process['id']}/entries", json=body), 422)["field"] == "recurring_value_period"


def test_process_only_entry_field_on_a_regular_list_is_rejected_naming_it(crm):
    listing = create(crm, TEST_LIST)
    body = {"entryable_id": an_org(crm), "entryable_type": "Organization", "status": "Started"}
    assert error_of(crm.post(f"/lists/{listing['id']}/entries", json=body), 422)["field"] == "status"


@pytest.mark.parametrize("missing", ["entryable_id", "entryable_type"])
def test_entry_requires_entryable_id_and_type(crm, missing):
    listing = create(crm, TEST_LIST)
    body = {"entryable_id": an_org(crm), "entryable_type": "Organization"}
    del body[missing]
    assert error_of(crm.post(f"/lists/{listing['id']}/entries", json=body), 422)["field"] == missing


def test_entry_for_a_missing_entryable_is_rejected_naming_entryable_id(crm):
    listing = create(crm, TEST_LIST)
    body = {"entryable_id": "ZZZZZZ", "entryable_type": "Organization"}
    assert error_of(crm.post(f"/lists/{listing['id']}/entries", json=body), 422)["field"] == "entryable_id"


@pytest.mark.parametrize("frozen", ["entryable_id", "entryable_type"])
def test_entryable_fields_cannot_be_updated(crm, frozen):
    listing = create(crm, TEST_LIST)
    entry = data_of(crm.post(f"/lists/{listing['id']}/entries", json={"entryable_id": an_org(crm), "entryable_type": "Organization"}), 201)
    response = crm.patch(f"/lists/{listing['id']}/entries/{entry['id']}", json={frozen: "Contact"})
    assert error_of(response, 422)["field"] == frozen


def test_updating_a_process_entry_to_a_won_status_sets_closed_at(crm):
    process = create(crm, TEST_PROCESS)
    entry = data_of(crm.post(f"/lists/{process['id']}/entries", json=process_entry(an_org(crm))), 201)
    updated = data_of(crm.patch(f"/lists/{process['id']}/entries/{entry['id']}", json={"status": "Completed"}))
    assert entry["closed_at"] is None and updated["closed_at"] is not None and updated["status"] == "Completed"


def test_process_without_duplicates_rejects_a_second_entry_for_the_same_entryable(crm):
    process = create(crm, dict(TEST_PROCESS, duplicates_allowed=False))
    org_id = an_org(crm)
    data_of(crm.post(f"/lists/{process['id']}/entries", json=process_entry(org_id)), 201)
    assert error_of(crm.post(f"/lists/{process['id']}/entries", json=process_entry(org_id)), 422)["field"] == "entryable_id"


def test_process_with_duplicates_accepts_a_second_entry_for_the_same_entryable(crm):
    process = create(crm, TEST_PROCESS)
    org_id = an_org(crm)
    data_of(crm.post(f"/lists/{process['id']}/entries", json=process_entry(org_id)), 201)
    assert crm.post(f"/lists/{process['id']}/entries", json=process_entry(org_id)).status_code == 201


def test_entries_of_an_unknown_list_answer_404_naming_the_list(crm):
    assert "list 'ZZZZZZ'" in error_of(crm.get("/lists/ZZZZZZ/entries"), 404)["message"]


def test_entry_listing_uses_the_pagination_envelope(crm):
    listing = create(crm, TEST_LIST)
    entry = data_of(crm.post(f"/lists/{listing['id']}/entries", json={"entryable_id": an_org(crm), "entryable_type": "Organization"}), 201)
    body = crm.get(f"/lists/{listing['id']}/entries").json()
    assert body == {"data": [entry], "pagination": {"end_cursor": 1, "has_next_page": False, "total_count": 1}}


def test_deleted_entry_answers_404(crm):
    listing = create(crm, TEST_LIST)
    entry = data_of(crm.post(f"/lists/{listing['id']}/entries", json={"entryable_id": an_org(crm), "entryable_type": "Organization"}), 201)
    assert crm.delete(f"/lists/{listing['id']}/entries/{entry['id']}").status_code == 204
    assert "entry" in error_of(crm.get(f"/lists/{listing['id']}/entries/{entry['id']}"), 404)["message"]
