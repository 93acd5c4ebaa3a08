"""Contacts: the spec's examples and every documented rule, over HTTP."""

from __future__ import annotations

import itertools

from emulator_support import data_of, error_of

_counter = itertools.count()


def unique_email(domain: str = "atreid.es") -> str:
    return f"person{next(_counter)}@{domain}"


def an_organization(crm, name: str = "Caladan Holdings", domains: list[str] | None = None) -> dict:
    return data_of(crm.post("/organizations", json={"name": name, "domains": domains or []}), 201)


def test_spec_example_creates_paul_atreides_in_the_given_organization(crm):
    org = an_organization(crm, "House Atreides")
    body = {"organization_id": org["id"], "first_name": "Paul", "last_name": "Atreides", "emails": ["paul@atreid.es"]}
    contact = data_of(crm.post("/contacts", json=body), 201)
    assert (contact["first_name"], contact["last_name"], contact["emails"], contact["organization_id"]) == (
        "Paul", "Atreides", ["paul@atreid.es"], org["id"])
    assert data_of(crm.get(f"/contacts/{contact['id']}")) == contact


def test_created_contact_has_a_six_character_alphanumeric_id_and_millisecond_utc_stamps(crm):
    contact = data_of(crm.post("/contacts", json={"first_name": "Leto"}), 201)
    assert len(contact["id"]) == 6 and contact["id"].isalnum()
    assert contact["created_at"].endswith("Z") and len(contact["created_at"]) == len("2026-05-16T02:00:00.000Z")


def test_contact_without_first_name_or_email_is_rejected_naming_first_name(crm):
    error = error_of(crm.post("/contacts", json={"last_name": "Harkonnen"}), 422)
    assert error["field"] == "first_name"


def test_contact_with_only_a_valid_email_is_accepted(crm):
    contact = data_of(crm.post("/contacts", json={"emails": [unique_email()]}), 201)
    assert contact["first_name"] is None


def test_contact_with_an_invalid_email_is_rejected_naming_emails(crm):
    error = error_of(crm.post("/contacts", json={"first_name": "Gurney", "emails": ["not-an-email"]}), 422)
    assert error["field"] == "emails" and "not-an-email" in error["message"]


def test_contact_without_organization_id_has_no_organization(crm):
    contact = data_of(crm.post("/contacts", json={"first_name": "Duncan"}), 201)
    assert contact["organization_id"] is None


def test_contact_with_unknown_organization_id_is_rejected(crm):
    error = error_of(crm.post("/contacts", json={"first_name": "Thufir", "organization_id": "ZZZZZZ"}), 422)
    assert error["field"] == "organization_id"


def test_auto_organization_matches_an_existing_organization_by_email_domain(crm):
    org = an_organization(crm, "Ix Federation", ["ix.example"])
    contact = data_of(crm.post("/contacts", json={"emails": ["Engineer@IX.example"], "organization_id": "auto"}), 201)
    assert contact["organization_id"] == org["id"]


def test_auto_organization_creates_an_organization_with_the_email_domain_when_none_matches(crm):
    contact = data_of(crm.post("/contacts", json={"emails": ["liet@arrakis-ecology.test"], "organization_id": "auto"}), 201)
    created = data_of(crm.get(f"/organizations/{contact['organization_id']}"))
    assert created["domains"] == ["arrakis-ecology.test"]


def test_auto_organization_without_any_email_is_rejected(crm):
    error = error_of(crm.post("/contacts", json={"first_name": "Alia", "organization_id": "auto"}), 422)
    assert error["field"] == "organization_id"


def test_lookup_by_email_is_case_insensitive_and_returns_the_list_envelope(crm):
    email = unique_email("Sietch-Tabr.example")
    contact = data_of(crm.post("/contacts", json={"first_name": "Stilgar", "emails": [email]}), 201)
    body = crm.get("/contacts", params={"email": email.upper()}).json()
    assert [c["id"] for c in body["data"]] == [contact["id"]]
    assert body["pagination"] == {"end_cursor": 1, "has_next_page": False, "total_count": 1}


def test_lookup_by_unknown_email_returns_an_empty_page(crm):
    body = crm.get("/contacts", params={"email": "nobody@nowhere.example"}).json()
    assert body["data"] == [] and body["pagination"]["total_count"] == 0


def test_lookup_by_phone_number_matches_every_common_korean_format(crm):
    contact = data_of(crm.post("/contacts", json={"first_name": "Chani", "phone_numbers": ["010-5555-0101"]}), 201)
    for form in ("+821055550101", "01055550101", "010-5555-0101", "+82 10 5555 0101"):
        found = crm.get("/contacts", params={"phone_number": form}).json()["data"]
        assert [c["id"] for c in found] == [contact["id"]], form


def test_lookup_by_a_phone_number_without_digits_is_a_bad_request(crm):
    error = error_of(crm.get("/contacts", params={"phone_number": "call me"}), 400)
    assert error["field"] == "phone_number"


def test_spec_update_example_adds_the_email_and_sets_the_custom_field(crm):
    crm.post("/custom_fields", json={"name": "House", "model": "contact", "data_type": "text"})
    contact = data_of(crm.post("/contacts", json={"first_name": "Paul", "emails": ["paul.updates@atreid.es"]}), 201)
    body = {"emails": ["usul@arrak.is"], "custom_fields": [{"name": "House", "value": "Atreides"}]}
    updated = data_of(crm.patch(f"/contacts/{contact['id']}", json=body))
    assert updated["emails"] == ["paul.updates@atreid.es", "usul@arrak.is"]
    assert {"name": "House", "value": "Atreides"} in updated["custom_fields"]


def test_update_with_an_unknown_custom_field_is_rejected_naming_it(crm):
    contact = data_of(crm.post("/contacts", json={"first_name": "Irulan"}), 201)
    error = error_of(crm.patch(f"/contacts/{contact['id']}", json={"custom_fields": [{"name": "Nope", "value": 1}]}), 422)
    assert error["field"] == "custom_fields[0].name"


def test_spec_delete_emails_example_removes_the_address(crm):
    contact = data_of(crm.post("/contacts", json={"first_name": "Paul", "emails": ["usul2@arrak.is", "paul2@atreid.es"]}), 201)
    updated = data_of(crm.request("DELETE", f"/contacts/{contact['id']}/emails", json={"emails": ["usul2@arrak.is"]}))
    assert updated["emails"] == ["paul2@atreid.es"]


def test_deleting_the_last_email_of_a_nameless_contact_is_rejected(crm):
    email = unique_email()
    contact = data_of(crm.post("/contacts", json={"emails": [email]}), 201)
    error = error_of(crm.request("DELETE", f"/contacts/{contact['id']}/emails", json={"emails": [email]}), 422)
    assert error["field"] == "first_name"


def test_deleting_an_email_the_contact_does_not_hold_is_rejected(crm):
    contact = data_of(crm.post("/contacts", json={"first_name": "Jessica"}), 201)
    error = error_of(crm.request("DELETE", f"/contacts/{contact['id']}/emails", json={"emails": ["x@y.example"]}), 422)
    assert error["field"] == "emails"


def test_deleted_contact_answers_404_naming_the_contact(crm):
    contact = data_of(crm.post("/contacts", json={"first_name": "Feyd"}), 201)
    response = crm.delete(f"/contacts/{contact['id']}")
    assert response.status_code == 204 and response.content == b""
    error = error_of(crm.get(f"/contacts/{contact['id']}"), 404)
    assert "contact" in error["message"] and contact["id"] in error["message"]


def test_unknown_body_key_is_rejected_naming_it(crm):
    error = error_of(crm.post("/contacts", json={"first_name": "Wellington", "nickname": "Yueh"}), 422)
    assert error["field"] == "nickname"
