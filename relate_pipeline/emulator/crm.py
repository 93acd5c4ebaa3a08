"""Contacts, organizations, notes and custom fields: their documented rules, with no HTTP in sight.

Where the spec leaves a behaviour open the emulator picks one and keeps to it: PATCH adds to `emails`,
`phone_numbers` and `domains` (removal has its own DELETE endpoints, as in the spec's examples) and
upserts `custom_fields` by name; unknown body keys are rejected by name rather than silently dropped.
"""

from __future__ import annotations

from typing import Any, Callable

from . import validation as v
from .errors import invalid, not_found
from .rules import WorkspaceRules

CONTACT_KEYS = ("first_name", "last_name", "emails", "phone_numbers", "organization_id", "custom_fields")
ORGANIZATION_KEYS = ("name", "domains", "custom_fields")
NOTE_KEYS = ("organization_id", "deal_id", "body")
NOTE_UPDATABLE = ("deal_id", "body")
CUSTOM_FIELD_KEYS = ("name", "model", "data_type", "options", "accepts_multiple_values")
CUSTOM_FIELD_UPDATABLE = ("name", "options")


class Crm(WorkspaceRules):
    def _stamped(self, record: dict[str, Any]) -> dict[str, Any]:
        now = self._now()
        record["created_at"] = now
        record["updated_at"] = now
        return record

    # contacts

    def contact(self, contact_id: str) -> dict[str, Any]:
        contact = self.ws.contacts.get(contact_id)
        if contact is None:
            raise not_found("contact", contact_id)
        return contact

    def list_contacts(self, email: str | None = None, phone_number: str | None = None) -> list[dict[str, Any]]:
        """All contacts, or those holding `email` (case-insensitive) and/or `phone_number` (normalised)."""
        contacts = list(self.ws.contacts.values())
        if email is not None:
            wanted = email.strip().lower()
            contacts = [c for c in contacts if any(e.lower() == wanted for e in c["emails"])]
        if phone_number is not None:
            wanted_phone = v.normalize_phone(phone_number)
            contacts = [c for c in contacts if any(v.normalize_phone(p) == wanted_phone for p in c["phone_numbers"])]
        return contacts

    def _custom_field_values(self, raw: Any, model: str, existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not isinstance(raw, list):
            raise invalid("custom_fields", "must be an array of {name, value} objects")
        merged = {item["name"]: item for item in existing}
        for index, item in enumerate(raw):
            item = v.require_object(item, f"custom_fields[{index}]")
            name = v.require_string(item, "name", label=f"custom_fields[{index}].name")
            definition = next((f for f in self.ws.custom_fields.values() if f["model"] == model and f["name"] == name), None)
            if definition is None:
                raise invalid(f"custom_fields[{index}].name", f"no {model} custom field is named {name!r}")
            if item.get("value") is None:
                merged.pop(name, None)
                continue
            value = v.field_value(definition, item["value"], f"custom_fields[{index}].value")
            merged[name] = {"name": name, "value": value}
        return list(merged.values())

    def _organization_for(self, raw: Any, emails: list[str]) -> str | None:
        if raw is None:
            return None
        if raw == "auto":
            if not emails:
                raise invalid("organization_id", '"auto" needs at least one email to match an organization by domain')
            for email in emails:
                domain = v.email_domain(email)
                for org in self.ws.organizations.values():
                    if domain in (d.lower() for d in org["domains"]):
                        return org["id"]
            domain = v.email_domain(emails[0])
            return self.create_organization({"name": domain, "domains": [domain]})["id"]
        if not isinstance(raw, str) or raw not in self.ws.organizations:
            raise invalid("organization_id", f"organization {raw!r} does not exist")
        return raw

    @staticmethod
    def _check_identity(contact: dict[str, Any]) -> None:
        if not (contact["first_name"] or "").strip() and not contact["emails"]:
            raise invalid("first_name", "a contact needs first_name or at least one valid address in emails")

    def create_contact(self, body: dict[str, Any]) -> dict[str, Any]:
        v.reject_unknown(body, CONTACT_KEYS, "a contact")
        emails = v.email_list(body.get("emails", []))
        contact = {
            "id": "",
            "first_name": v.optional_string(body, "first_name"),
            "last_name": v.optional_string(body, "last_name"),
            "emails": v.merge_unique([], emails),
            "phone_numbers": v.phone_list(body.get("phone_numbers", [])),
            "organization_id": None,
            "custom_fields": self._custom_field_values(body.get("custom_fields", []), "contact", []),
        }
        self._check_identity(contact)
        contact["organization_id"] = self._organization_for(body.get("organization_id"), emails)
        contact["id"] = self.ids.new()
        self.ws.contacts[contact["id"]] = self._stamped(contact)
        return contact

    def update_contact(self, contact_id: str, body: dict[str, Any]) -> dict[str, Any]:
        current = self.contact(contact_id)
        v.reject_unknown(body, CONTACT_KEYS, "a contact")
        updated = dict(current)
        for key in ("first_name", "last_name"):
            if key in body:
                updated[key] = v.optional_string(body, key)
        if "emails" in body:
            updated["emails"] = v.merge_unique(current["emails"], v.email_list(body["emails"]))
        if "phone_numbers" in body:
            updated["phone_numbers"] = v.merge_unique(current["phone_numbers"], v.phone_list(body["phone_numbers"]),
                                                      key=lambda p: v.normalize_phone(p) or p)
        if "custom_fields" in body:
            updated["custom_fields"] = self._custom_field_values(body["custom_fields"], "contact", current["custom_fields"])
        self._check_identity(updated)
        if "organization_id" in body:
            updated["organization_id"] = self._organization_for(body["organization_id"], updated["emails"])
        updated["updated_at"] = self._now()
        self.ws.contacts[contact_id] = updated
        return updated

    def delete_contact_emails(self, contact_id: str, body: dict[str, Any]) -> dict[str, Any]:
        current = self.contact(contact_id)
        v.reject_unknown(body, ("emails",), "an email deletion")
        if "emails" not in body:
            raise invalid("emails", "is required")
        doomed = {e.strip().lower() for e in v.string_list(body["emails"], "emails")}
        held = {e.lower() for e in current["emails"]}
        for email in sorted(doomed - held):
            raise invalid("emails", f"{email!r} is not an email of contact {contact_id!r}")
        updated = dict(current, emails=[e for e in current["emails"] if e.lower() not in doomed])
        self._check_identity(updated)
        updated["updated_at"] = self._now()
        self.ws.contacts[contact_id] = updated
        return updated

    def delete_contact(self, contact_id: str) -> None:
        self.contact(contact_id)
        del self.ws.contacts[contact_id]
        self._drop_entries(lambda entry: entry["entryable_type"] == "Contact" and entry["entryable_id"] == contact_id)

    # organizations

    def organization(self, organization_id: str) -> dict[str, Any]:
        organization = self.ws.organizations.get(organization_id)
        if organization is None:
            raise not_found("organization", organization_id)
        return organization

    def list_organizations(self) -> list[dict[str, Any]]:
        return list(self.ws.organizations.values())

    @staticmethod
    def _check_org_identity(organization: dict[str, Any]) -> None:
        if not (organization["name"] or "").strip() and not organization["domains"]:
            raise invalid("name", "an organization needs name or at least one valid URL in domains")

    def create_organization(self, body: dict[str, Any]) -> dict[str, Any]:
        v.reject_unknown(body, ORGANIZATION_KEYS, "an organization")
        organization = {
            "id": "",
            "name": v.optional_string(body, "name"),
            "domains": v.merge_unique([], v.domain_list(body.get("domains", []))),
            "custom_fields": self._custom_field_values(body.get("custom_fields", []), "organization", []),
        }
        self._check_org_identity(organization)
        organization["id"] = self.ids.new()
        self.ws.organizations[organization["id"]] = self._stamped(organization)
        return organization

    def update_organization(self, organization_id: str, body: dict[str, Any]) -> dict[str, Any]:
        current = self.organization(organization_id)
        v.reject_unknown(body, ORGANIZATION_KEYS, "an organization")
        updated = dict(current)
        if "name" in body:
            updated["name"] = v.optional_string(body, "name")
        if "domains" in body:
            updated["domains"] = v.merge_unique(current["domains"], v.domain_list(body["domains"]))
        if "custom_fields" in body:
            updated["custom_fields"] = self._custom_field_values(body["custom_fields"], "organization", current["custom_fields"])
        self._check_org_identity(updated)
        updated["updated_at"] = self._now()
        self.ws.organizations[organization_id] = updated
        return updated

    def delete_organization_domains(self, organization_id: str, body: dict[str, Any]) -> dict[str, Any]:
        current = self.organization(organization_id)
        v.reject_unknown(body, ("domains",), "a domain deletion")
        if "domains" not in body:
            raise invalid("domains", "is required")
        doomed = set(v.domain_list(body["domains"]))
        for domain in sorted(doomed - set(current["domains"])):
            raise invalid("domains", f"{domain!r} is not a domain of organization {organization_id!r}")
        updated = dict(current, domains=[d for d in current["domains"] if d not in doomed])
        self._check_org_identity(updated)
        updated["updated_at"] = self._now()
        self.ws.organizations[organization_id] = updated
        return updated

    def delete_organization(self, organization_id: str) -> None:
        """Deletes the organization and its notes and entries; its contacts stay, without an organization."""
        self.organization(organization_id)
        del self.ws.organizations[organization_id]
        now = self._now()
        for contact_id, contact in list(self.ws.contacts.items()):
            if contact["organization_id"] == organization_id:
                self.ws.contacts[contact_id] = dict(contact, organization_id=None, updated_at=now)
        for note_id in [n["id"] for n in self.ws.notes.values() if n["organization_id"] == organization_id]:
            del self.ws.notes[note_id]
        self._drop_entries(lambda entry: entry["entryable_type"] == "Organization" and entry["entryable_id"] == organization_id)

    def _drop_entries(self, doomed: Callable[[dict[str, Any]], bool]) -> None:
        for state in self.ws.lists.values():
            for entry_id in [e["id"] for e in state.entries.values() if doomed(e)]:
                del state.entries[entry_id]

    # notes

    def note(self, note_id: str) -> dict[str, Any]:
        note = self.ws.notes.get(note_id)
        if note is None:
            raise not_found("note", note_id)
        return note

    def list_notes(self) -> list[dict[str, Any]]:
        return list(self.ws.notes.values())

    def create_note(self, body: dict[str, Any]) -> dict[str, Any]:
        v.reject_unknown(body, NOTE_KEYS, "a note")
        organization_id = v.require_string(body, "organization_id")
        if organization_id not in self.ws.organizations:
            raise invalid("organization_id", f"organization {organization_id!r} does not exist")
        text = v.require_string(body, "body")
        note = {"id": self.ids.new(), "organization_id": organization_id, "deal_id": v.optional_string(body, "deal_id"), "body": text}
        self.ws.notes[note["id"]] = self._stamped(note)
        return note

    def update_note(self, note_id: str, body: dict[str, Any]) -> dict[str, Any]:
        current = self.note(note_id)
        for key in body:
            if key not in NOTE_UPDATABLE:
                raise invalid(key, "cannot be updated; only deal_id and body can")
        updated = dict(current)
        if "body" in body:
            updated["body"] = v.require_string(body, "body")
        if "deal_id" in body:
            updated["deal_id"] = v.optional_string(body, "deal_id")
        updated["updated_at"] = self._now()
        self.ws.notes[note_id] = updated
        return updated

    def delete_note(self, note_id: str) -> None:
        self.note(note_id)
        del self.ws.notes[note_id]

    # custom fields

    def custom_field(self, field_id: str) -> dict[str, Any]:
        definition = self.ws.custom_fields.get(field_id)
        if definition is None:
            raise not_found("custom field", field_id)
        return definition

    def list_custom_fields(self) -> list[dict[str, Any]]:
        return list(self.ws.custom_fields.values())

    def _check_unique_name(self, name: str, model: str, own_id: str | None) -> None:
        for other in self.ws.custom_fields.values():
            if other["id"] != own_id and other["model"] == model and other["name"] == name:
                raise invalid("name", f"a {model} custom field named {name!r} already exists")

    def create_custom_field(self, body: dict[str, Any]) -> dict[str, Any]:
        v.reject_unknown(body, CUSTOM_FIELD_KEYS, "a custom field")
        name = v.require_string(body, "name")
        if "model" not in body:
            raise invalid("model", "is required")
        model = v.require_choice(body, "model", v.MODELS)
        data_type = v.require_choice(body, "data_type", v.DATA_TYPES) if body.get("data_type") is not None else "text"
        options = None
        if data_type == "select":
            if "options" not in body:
                raise invalid("options", "is required when data_type is select")
            options = v.options_list(body["options"], "options")
        elif body.get("options") is not None:
            raise invalid("options", f"only select fields take options (data_type is {data_type})")
        multiple = body.get("accepts_multiple_values")
        if data_type in v.MULTI_VALUE_TYPES:
            multiple = v.require_bool(body, "accepts_multiple_values")
        elif multiple is not None and not isinstance(multiple, bool):
            raise invalid("accepts_multiple_values", "must be true or false")
        self._check_unique_name(name, model, None)
        definition = {"id": self.ids.new(), "name": name, "model": model, "data_type": data_type, "options": options,
                      "accepts_multiple_values": multiple}
        self.ws.custom_fields[definition["id"]] = self._stamped(definition)
        return definition

    def update_custom_field(self, field_id: str, body: dict[str, Any]) -> dict[str, Any]:
        current = self.custom_field(field_id)
        for key in body:
            if key not in CUSTOM_FIELD_UPDATABLE:
                raise invalid(key, "cannot be updated; only name and options can")
        updated = dict(current)
        if "name" in body:
            updated["name"] = v.require_string(body, "name")
            self._check_unique_name(updated["name"], current["model"], field_id)
        if "options" in body:
            if current["data_type"] != "select":
                raise invalid("options", f"only select fields take options (data_type is {current['data_type']})")
            updated["options"] = v.options_list(body["options"], "options")
        updated["updated_at"] = self._now()
        self.ws.custom_fields[field_id] = updated
        if updated["name"] != current["name"]:
            self._rename_values(current["model"], current["name"], updated["name"])
        return updated

    def _rename_values(self, model: str, old: str, new: str | None) -> None:
        table = self.ws.contacts if model == "contact" else self.ws.organizations if model == "organization" else {}
        for object_id, record in list(table.items()):
            if any(item["name"] == old for item in record["custom_fields"]):
                values = []
                for item in record["custom_fields"]:
                    if item["name"] != old:
                        values.append(item)
                    elif new is not None:
                        values.append(dict(item, name=new))
                table[object_id] = dict(record, custom_fields=values)

    def delete_custom_field(self, field_id: str) -> None:
        """Deletes the definition and the values stored under it."""
        current = self.custom_field(field_id)
        del self.ws.custom_fields[field_id]
        self._rename_values(current["model"], current["name"], None)
