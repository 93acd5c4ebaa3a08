"""Organizations and notes: the spec's examples and every documented rule, over HTTP."""

from __future__ import annotations

from emulator_support import data_of, error_of


def test_spec_example_creates_the_relate_organization(crm):
    org = data_of(crm.post("/organizations", json={"name": "Relate", "domains": ["relate.so"]}), 201)
    assert (org["name"], org["domains"]) == ("Relate", ["relate.so"])
    assert data_of(crm.get(f"/organizations/{org['id']}")) == org


def test_organization_without_name_or_domain_is_rejected_naming_name(crm):
    assert error_of(crm.post("/organizations", json={"domains": []}), 422)["field"] == "name"


def test_organization_with_only_a_domain_is_accepted(crm):
    org = data_of(crm.post("/organizations", json={"domains": ["https://www.Only-Domain.example/about"]}), 201)
    assert org["domains"] == ["only-domain.example"]


def test_organization_with_an_invalid_domain_is_rejected_naming_domains(crm):
    assert error_of(crm.post("/organizations", json={"name": "Bad", "domains": ["not a domain"]}), 422)["field"] == "domains"


def test_spec_update_example_adds_the_domain_and_sets_the_category(crm):
    crm.post("/custom_fields", json={"name": "Category", "model": "organization"})
    org = data_of(crm.post("/organizations", json={"name": "Relate", "domains": ["relate.so"]}), 201)
    body = {"name": "Relate", "domains": ["relate.so", "relate.kr"], "custom_fields": [{"name": "Category", "value": "Startup"}]}
    updated = data_of(crm.patch(f"/organizations/{org['id']}", json=body))
    assert updated["domains"] == ["relate.so", "relate.kr"]
    assert updated["custom_fields"] == [{"name": "Category", "value": "Startup"}]


def test_spec_delete_domains_example_removes_the_domain(crm):
    org = data_of(crm.post("/organizations", json={"name": "Relate", "domains": ["relate.so", "relate.kr"]}), 201)
    updated = data_of(crm.request("DELETE", f"/organizations/{org['id']}/domains", json={"domains": ["relate.kr"]}))
    assert updated["domains"] == ["relate.so"]


def test_deleting_an_organization_detaches_its_contacts(crm):
    org = data_of(crm.post("/organizations", json={"name": "Doomed Corp"}), 201)
    contact = data_of(crm.post("/contacts", json={"first_name": "Ann", "organization_id": org["id"]}), 201)
    assert crm.delete(f"/organizations/{org['id']}").status_code == 204
    assert error_of(crm.get(f"/organizations/{org['id']}"), 404)["message"].startswith("organization")
    assert data_of(crm.get(f"/contacts/{contact['id']}"))["organization_id"] is None


def an_org_id(crm) -> str:
    return data_of(crm.post("/organizations", json={"name": "Noted Inc"}), 201)["id"]


def test_spec_example_creates_a_note(crm):
    org_id = an_org_id(crm)
    note = data_of(crm.post("/notes", json={"organization_id": org_id, "deal_id": "D3aL01", "body": "this is a note"}), 201)
    assert (note["organization_id"], note["deal_id"], note["body"]) == (org_id, "D3aL01", "this is a note")


def test_note_without_organization_id_is_rejected_naming_it(crm):
    assert error_of(crm.post("/notes", json={"body": "orphan"}), 422)["field"] == "organization_id"


def test_note_for_a_missing_organization_is_rejected_naming_it(crm):
    assert error_of(crm.post("/notes", json={"organization_id": "ZZZZZZ", "body": "x"}), 422)["field"] == "organization_id"


def test_note_without_body_is_rejected_naming_it(crm):
    assert error_of(crm.post("/notes", json={"organization_id": an_org_id(crm)}), 422)["field"] == "body"


def test_spec_update_example_edits_the_note_body(crm):
    note = data_of(crm.post("/notes", json={"organization_id": an_org_id(crm), "body": "this is a note"}), 201)
    updated = data_of(crm.patch(f"/notes/{note['id']}", json={"body": "this is an edited note"}))
    assert updated["body"] == "this is an edited note"


def test_note_update_of_a_field_other_than_deal_id_or_body_is_rejected_naming_it(crm):
    note = data_of(crm.post("/notes", json={"organization_id": an_org_id(crm), "body": "x"}), 201)
    assert error_of(crm.patch(f"/notes/{note['id']}", json={"organization_id": an_org_id(crm)}), 422)["field"] == "organization_id"


def test_deleted_note_answers_404(crm):
    note = data_of(crm.post("/notes", json={"organization_id": an_org_id(crm), "body": "x"}), 201)
    assert crm.delete(f"/notes/{note['id']}").status_code == 204
    assert "note" in error_of(crm.get(f"/notes/{note['id']}"), 404)["message"]
