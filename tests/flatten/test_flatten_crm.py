from __future__ import annotations

from datetime import datetime, timezone

import orjson
import pytest

from relate_pipeline.crm.flatten import CRM_RESOURCES, flatten_crm
from relate_pipeline.tables import TABLES

SPEC_LISTS = [
    {
        "id": "QbkUlo",
        "name": "test list",
        "process": False,
        "entry_type": "Organization",
        "fields": [{"name": "test field", "data_type": "text"}],
        "created_at": "2025-04-29T22:47:39.635Z",
        "updated_at": "2025-04-29T22:47:39.635Z",
        "archived_at": None,
    },
    {
        "id": "Jm9UpJ",
        "name": "test process",
        "identifier": "TEST PROCE",
        "process": True,
        "duplicates_allowed": True,
        "entry_type": "Organization",
        "entry_label": "Organization",
        "status_label": "Status",
        "statuses": [{"name": "Started", "type": "active"}, {"name": "Completed", "type": "won"}],
        "fields": [{"name": "test field", "data_type": "text"}],
        "created_at": "2025-04-29T22:47:28.540Z",
        "updated_at": "2025-04-29T22:47:28.540Z",
        "archived_at": None,
    },
]

SPEC_PROCESS_ENTRY = {
    "id": "QrhZvA",
    "key": "TEST PROCE-1",
    "list_id": "Jm9UpJ",
    "entryable_id": "GEF751",
    "entryable_type": "Organization",
    "status": "Started",
    "assignee": None,
    "contact_id": None,
    "one_time_value_cents": 0,
    "recurring_value_cents": 120000,
    "recurring_value_period": "annual",
    "list_fields": {"w9DSqo": {"name": "test field", "data_type": "text", "value": "test value"}},
    "closed_at": None,
    "next_entry_id": None,
    "created_at": "2025-04-29T22:52:52.818Z",
    "updated_at": "2025-04-29T22:54:58.809Z",
}


def test_contact_emails_are_lower_cased_and_deduplicated():
    contact = {"id": "c1", "first_name": "Paul", "emails": ["Paul@Atreid.es", "paul@atreid.es ", "usul@arrak.is"]}
    tables = flatten_crm("contacts", [contact])
    rows = tables["contact_emails"].to_pylist()
    assert [(r["email"], r["email_index"], r["email_domain"]) for r in rows] == [
        ("paul@atreid.es", 0, "atreid.es"),
        ("usul@arrak.is", 2, "arrak.is"),
    ]
    assert tables["contacts"].column("email_count").to_pylist() == [2]


def test_contact_row_keeps_names_phones_and_custom_fields():
    contact = {
        "id": "c1",
        "first_name": "Paul",
        "last_name": "Atreides",
        "phone_numbers": ["+821012345678"],
        "organization_id": "o1",
        "custom_fields": [{"name": "House", "value": "Atreides"}],
        "created_at": "2025-01-02T03:04:05.000Z",
    }
    row = flatten_crm("contacts", [contact])["contacts"].to_pylist()[0]
    assert (row["full_name"], row["organization_id"], row["phone_numbers"]) == ("Paul Atreides", "o1", ["+821012345678"])
    assert orjson.loads(row["custom_fields_json"]) == [{"name": "House", "value": "Atreides"}]
    assert row["created_at"] == datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def test_contact_with_null_lists_gets_empty_phones_and_no_emails():
    tables = flatten_crm("contacts", [{"id": "c1", "emails": None, "phone_numbers": None}])
    assert tables["contacts"].column("phone_numbers").to_pylist() == [[]]
    assert tables["contact_emails"].num_rows == 0


def test_organization_domains_are_normalised_from_urls():
    organization = {"id": "o1", "name": "Relate", "domains": ["relate.so", "https://www.Relate.KR/about", "RELATE.so"]}
    tables = flatten_crm("organizations", [organization])
    assert tables["organization_domains"].column("domain").to_pylist() == ["relate.so", "relate.kr"]
    assert tables["organizations"].column("domain_count").to_pylist() == [2]


def test_notes_keep_body_and_links():
    note = {"id": "n1", "organization_id": "o1", "deal_id": None, "body": "this is a note\n두 번째 줄"}
    row = flatten_crm("notes", [note])["notes"].to_pylist()[0]
    assert (row["note_id"], row["organization_id"], row["deal_id"], row["body"]) == ("n1", "o1", None, note["body"])


def test_custom_fields_keep_options_as_json():
    field = {"id": "f1", "name": "field", "model": "organization", "data_type": "select", "options": ["one", "two"], "accepts_multiple_values": False}
    row = flatten_crm("custom_fields", [field])["custom_fields"].to_pylist()[0]
    assert (row["data_type"], orjson.loads(row["options_json"]), row["accepts_multiple_values"]) == ("select", ["one", "two"], False)


def test_spec_lists_and_processes_flatten_with_process_only_columns_null_for_lists():
    rows = {r["list_id"]: r for r in flatten_crm("lists", SPEC_LISTS)["lists"].to_pylist()}
    assert rows["QbkUlo"]["process"] is False and rows["QbkUlo"]["identifier"] is None
    assert rows["Jm9UpJ"]["identifier"] == "TEST PROCE" and rows["Jm9UpJ"]["duplicates_allowed"] is True
    assert [s["name"] for s in orjson.loads(rows["Jm9UpJ"]["statuses_json"])] == ["Started", "Completed"]


def test_spec_process_entry_keeps_values_and_list_fields():
    row = flatten_crm("list_entries", [SPEC_PROCESS_ENTRY])["list_entries"].to_pylist()[0]
    assert (row["list_id"], row["entry_id"], row["status"], row["recurring_value_cents"]) == ("Jm9UpJ", "QrhZvA", "Started", 120000)
    assert orjson.loads(row["list_fields_json"])["w9DSqo"]["value"] == "test value"


def test_entry_without_list_id_takes_the_given_parent():
    entry = {k: v for k, v in SPEC_PROCESS_ENTRY.items() if k != "list_id"}
    row = flatten_crm("list_entries", [entry], list_id="Jm9UpJ")["list_entries"].to_pylist()[0]
    assert row["list_id"] == "Jm9UpJ"


def test_entry_without_any_list_id_is_rejected():
    entry = {k: v for k, v in SPEC_PROCESS_ENTRY.items() if k != "list_id"}
    with pytest.raises(ValueError, match="list entry 'QrhZvA' has no 'list_id'"):
        flatten_crm("list_entries", [entry])


def test_unknown_resource_is_rejected_listing_the_known_ones():
    with pytest.raises(ValueError, match="unknown CRM resource 'deals'.*contacts"):
        flatten_crm("deals", [])


@pytest.mark.parametrize("resource", CRM_RESOURCES)
def test_empty_resource_gives_tables_with_the_spec_schemas(resource):
    for name, table in flatten_crm(resource, []).items():
        assert table.schema.equals(TABLES[name].schema)
