"""The public API's route table, shared by the server (which binds handlers) and the OpenAPI document.

Keeping one table means the published document cannot drift from what the server actually answers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # below /v1, aiohttp syntax: /contacts/{id}
    operation: str  # handler name on the server, and the OpenAPI operationId
    summary: str
    tag: str
    schema: str | None = None  # component describing the returned object(s)
    envelope: str = "data"  # "list": paginated; "data": {"data": ...}; "bare": the object itself; "none": 204
    request: str | None = None  # component describing the JSON body
    query: tuple[str, ...] = ()
    status: int = 200


PAGE = ("first", "after")
EVENT_FILTERS = ("updated_after", "starts_after", "starts_before", "contact_id", "organization_id")

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/contacts", "list_contacts", "List contacts, or look one up by email or phone number", "Contacts",
             "Contact", "list", query=PAGE + ("email", "phone_number")),
    Endpoint("POST", "/contacts", "create_contact", "Create a contact", "Contacts", "Contact", request="ContactInput", status=201),
    Endpoint("GET", "/contacts/{id}", "get_contact", "Retrieve a contact", "Contacts", "Contact"),
    Endpoint("PATCH", "/contacts/{id}", "update_contact", "Update a contact (emails and phone numbers are added)", "Contacts",
             "Contact", request="ContactInput"),
    Endpoint("DELETE", "/contacts/{id}", "delete_contact", "Delete a contact", "Contacts", envelope="none", status=204),
    Endpoint("DELETE", "/contacts/{id}/emails", "delete_contact_emails", "Delete contact emails", "Contacts", "Contact",
             request="EmailsInput"),
    Endpoint("GET", "/organizations", "list_organizations", "List organizations", "Organizations", "Organization", "list", query=PAGE),
    Endpoint("POST", "/organizations", "create_organization", "Create an organization", "Organizations", "Organization",
             request="OrganizationInput", status=201),
    Endpoint("GET", "/organizations/{id}", "get_organization", "Retrieve an organization", "Organizations", "Organization"),
    Endpoint("PATCH", "/organizations/{id}", "update_organization", "Update an organization (domains are added)", "Organizations",
             "Organization", request="OrganizationInput"),
    Endpoint("DELETE", "/organizations/{id}", "delete_organization", "Delete an organization", "Organizations", envelope="none", status=204),
    Endpoint("DELETE", "/organizations/{id}/domains", "delete_organization_domains", "Delete organization domains", "Organizations",
             "Organization", request="DomainsInput"),
    Endpoint("GET", "/notes", "list_notes", "List notes", "Notes", "Note", "list", query=PAGE),
    Endpoint("POST", "/notes", "create_note", "Create a note", "Notes", "Note", request="NoteInput", status=201),
    Endpoint("GET", "/notes/{id}", "get_note", "Retrieve a note", "Notes", "Note"),
    Endpoint("PATCH", "/notes/{id}", "update_note", "Update a note (only deal_id and body)", "Notes", "Note", request="NoteUpdate"),
    Endpoint("DELETE", "/notes/{id}", "delete_note", "Delete a note", "Notes", envelope="none", status=204),
    Endpoint("GET", "/custom_fields", "list_custom_fields", "List custom fields", "Custom Fields", "CustomField", "list", query=PAGE),
    Endpoint("POST", "/custom_fields", "create_custom_field", "Create a custom field", "Custom Fields", "CustomField",
             request="CustomFieldInput", status=201),
    Endpoint("GET", "/custom_fields/{id}", "get_custom_field", "Retrieve a custom field", "Custom Fields", "CustomField"),
    Endpoint("PATCH", "/custom_fields/{id}", "update_custom_field", "Update a custom field (only name and options)", "Custom Fields",
             "CustomField", request="CustomFieldUpdate"),
    Endpoint("DELETE", "/custom_fields/{id}", "delete_custom_field", "Delete a custom field", "Custom Fields", envelope="none", status=204),
    Endpoint("GET", "/lists", "list_lists", "List lists and processes", "Lists", "List", "list", query=PAGE),
    Endpoint("POST", "/lists", "create_list", "Create a list or process", "Lists", "List", request="ListInput", status=201),
    Endpoint("GET", "/lists/{id}", "get_list", "Retrieve a list or process (not wrapped in data)", "Lists", "List", "bare"),
    Endpoint("PATCH", "/lists/{id}", "update_list", "Update a list or process", "Lists", "List", request="ListInput"),
    Endpoint("DELETE", "/lists/{id}", "delete_list", "Delete a list or process", "Lists", envelope="none", status=204),
    Endpoint("GET", "/lists/{list_id}/entries", "list_entries", "List the entries of a list or process", "Entries", "Entry", "list",
             query=PAGE),
    Endpoint("POST", "/lists/{list_id}/entries", "create_entry", "Create an entry", "Entries", "Entry", request="EntryInput", status=201),
    Endpoint("GET", "/lists/{list_id}/entries/{id}", "get_entry", "Retrieve an entry", "Entries", "Entry"),
    Endpoint("PATCH", "/lists/{list_id}/entries/{id}", "update_entry", "Update an entry", "Entries", "Entry", request="EntryInput"),
    Endpoint("DELETE", "/lists/{list_id}/entries/{id}", "delete_entry", "Delete an entry", "Entries", envelope="none", status=204),
    Endpoint("GET", "/calendar_events", "list_calendar_events", "List calendar events with a done recording, latest start first",
             "Calendar Events", "CalendarEvent", "list", query=PAGE + EVENT_FILTERS),
    Endpoint("GET", "/calendar_events/{id}", "get_calendar_event", "Retrieve a calendar event", "Calendar Events", "CalendarEvent"),
    Endpoint("GET", "/recordings/{id}", "get_recording", "Retrieve a recording with its summary and transcript", "Recordings",
             "Recording"),
)
