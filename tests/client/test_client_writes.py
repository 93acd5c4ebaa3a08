"""Every write endpoint through the tests' writing client against a private emulator; answers come unwrapped."""

from __future__ import annotations

import pytest

from relate_pipeline.client import NotFoundError, ValidationError


@pytest.fixture
def organization(crm_client):
    return crm_client.create_organization({"name": "Relate", "domains": ["relate.so"]})


@pytest.fixture
def contact(crm_client, organization):
    return crm_client.create_contact(
        {
            "organization_id": organization["id"],
            "first_name": "Paul",
            "last_name": "Atreides",
            "emails": ["paul@atreid.es", "usul@arrak.is"],
        }
    )


def _regular_list(client):
    return client.create_list(
        {
            "name": "Accounts to watch",
            "process": False,
            "entry_type": "Organization",
            "fields": [{"name": "Tier", "data_type": "text"}],
        }
    )


def _process(client):
    return client.create_list(
        {
            "name": "Deals",
            "process": True,
            "entry_type": "Organization",
            "identifier": "DEAL",
            "duplicates_allowed": False,
            "statuses": [{"name": "Open", "type": "active"}, {"name": "Won", "type": "won"}],
        }
    )


def test_create_contact_returns_the_unwrapped_contact(contact, organization):
    assert contact["first_name"] == "Paul"
    assert contact["organization_id"] == organization["id"]
    assert "data" not in contact


def test_update_contact_returns_the_updated_contact(crm_client, contact):
    updated = crm_client.update_contact(contact["id"], {"last_name": "Muad'Dib"})
    assert updated["id"] == contact["id"] and updated["last_name"] == "Muad'Dib"


def test_delete_contact_emails_removes_only_those_emails(crm_client, contact):
    assert crm_client.delete_contact_emails(contact["id"], ["usul@arrak.is"]) is None
    assert crm_client.get_contact(contact["id"])["emails"] == ["paul@atreid.es"]


def test_delete_contact_emails_refuses_a_bare_string(crm_client, contact):
    with pytest.raises(TypeError, match="emails must be a list of strings"):
        crm_client.delete_contact_emails(contact["id"], "usul@arrak.is")


def test_delete_contact_returns_none_and_the_contact_is_gone(crm_client, contact):
    assert crm_client.delete_contact(contact["id"]) is None
    with pytest.raises(NotFoundError):
        crm_client.get_contact(contact["id"])


def test_create_contact_without_name_or_email_is_a_validation_error_naming_the_field(crm_client):
    with pytest.raises(ValidationError) as caught:
        crm_client.create_contact({"last_name": "Harkonnen"})
    assert caught.value.status == 422
    assert caught.value.field in {"first_name", "emails"}
    assert caught.value.server_message


def test_create_organization_returns_the_unwrapped_organization(organization):
    assert organization["name"] == "Relate" and organization["domains"] == ["relate.so"]


def test_update_organization_adds_domains(crm_client, organization):
    updated = crm_client.update_organization(
        organization["id"], {"domains": ["relate.so", "relate.kr"]}
    )
    assert updated["domains"] == ["relate.so", "relate.kr"]


def test_delete_organization_domains_removes_only_those_domains(crm_client, organization):
    crm_client.update_organization(organization["id"], {"domains": ["relate.so", "relate.kr"]})
    assert crm_client.delete_organization_domains(organization["id"], ["relate.kr"]) is None
    assert crm_client.get_organization(organization["id"])["domains"] == ["relate.so"]


def test_delete_organization_returns_none_and_the_organization_is_gone(crm_client, organization):
    assert crm_client.delete_organization(organization["id"]) is None
    with pytest.raises(NotFoundError):
        crm_client.get_organization(organization["id"])


def test_note_create_update_delete_round_trip(crm_client, organization):
    note = crm_client.create_note({"organization_id": organization["id"], "body": "this is a note"})
    edited = crm_client.update_note(note["id"], {"body": "this is an edited note"})
    assert (note["body"], edited["body"]) == ("this is a note", "this is an edited note")
    assert crm_client.delete_note(note["id"]) is None
    with pytest.raises(NotFoundError):
        crm_client.get_note(note["id"])


def test_note_update_of_a_non_updatable_field_is_rejected_naming_it(crm_client, organization):
    note = crm_client.create_note({"organization_id": organization["id"], "body": "x"})
    with pytest.raises(ValidationError) as caught:
        crm_client.update_note(note["id"], {"organization_id": organization["id"]})
    assert caught.value.field == "organization_id"


def test_custom_field_create_update_delete_round_trip(crm_client):
    field = crm_client.create_custom_field(
        {
            "name": "field",
            "model": "organization",
            "data_type": "select",
            "options": ["one", "two"],
            "accepts_multiple_values": False,
        }
    )
    edited = crm_client.update_custom_field(
        field["id"], {"name": "field2", "options": ["one", "two", "three"]}
    )
    assert (edited["name"], edited["options"]) == ("field2", ["one", "two", "three"])
    assert crm_client.delete_custom_field(field["id"]) is None
    with pytest.raises(NotFoundError):
        crm_client.get_custom_field(field["id"])


def test_custom_field_with_unknown_model_is_rejected_naming_model(crm_client):
    with pytest.raises(ValidationError) as caught:
        crm_client.create_custom_field({"name": "x", "model": "deal_room"})
    assert caught.value.field == "model"


def test_list_create_update_delete_round_trip(crm_client):
    created = _regular_list(crm_client)
    renamed = crm_client.update_list(created["id"], {"name": "Key accounts"})
    assert (created["process"], renamed["name"]) == (False, "Key accounts")
    assert crm_client.delete_list(created["id"]) is None
    with pytest.raises(NotFoundError):
        crm_client.get_list(created["id"])


def test_entry_create_update_delete_round_trip_on_a_regular_list(crm_client, organization):
    regular = _regular_list(crm_client)
    entry = crm_client.create_entry(
        regular["id"],
        {
            "entryable_id": organization["id"],
            "entryable_type": "Organization",
            "list_fields": [{"name": "Tier", "value": "gold"}],
        },
    )
    updated = crm_client.update_entry(
        regular["id"], entry["id"], {"list_fields": [{"name": "Tier", "value": "silver"}]}
    )
    assert entry["key"] is None
    assert [f["value"] for f in updated["list_fields"].values()] == ["silver"]
    assert crm_client.delete_entry(regular["id"], entry["id"]) is None
    with pytest.raises(NotFoundError):
        crm_client.get_entry(regular["id"], entry["id"])


def test_process_entry_gets_an_identifier_key(crm_client, organization):
    process = _process(crm_client)
    entry = crm_client.create_entry(
        process["id"],
        {
            "entryable_id": organization["id"],
            "entryable_type": "Organization",
            "status": "Open",
            "one_time_value_cents": 0,
            "recurring_value_cents": 1000,
            "recurring_value_period": "monthly",
        },
    )
    assert entry["key"] == "DEAL-1"


def test_process_entry_with_unknown_status_is_rejected_naming_status(crm_client, organization):
    process = _process(crm_client)
    with pytest.raises(ValidationError) as caught:
        crm_client.create_entry(
            process["id"],
            {
                "entryable_id": organization["id"],
                "entryable_type": "Organization",
                "status": "Nope",
                "one_time_value_cents": 0,
                "recurring_value_cents": 0,
                "recurring_value_period": "annual",
            },
        )
    assert caught.value.field == "status"


def test_write_body_must_be_a_mapping(crm_client):
    with pytest.raises(TypeError, match="body must be a mapping"):
        crm_client.create_note([("body", "x")])
