"""An OpenAPI 3.0 description of the emulated API, generated from the same route table the server uses."""

from __future__ import annotations

from typing import Any

from .endpoints import ENDPOINTS, Endpoint

STRING = {"type": "string"}
NULLABLE_STRING = {"type": "string", "nullable": True}
TIMESTAMP = {"type": "string", "format": "date-time"}
STRINGS = {"type": "array", "items": STRING}
DATA_TYPE = {"type": "string", "enum": ["text", "textarea", "url", "number", "date", "datetime", "select", "user", "contact"]}
FIELD_VALUES = {"type": "array", "items": {"type": "object", "required": ["name", "value"], "properties": {"name": STRING, "value": {}}}}
FIELD_DEFINITION = {
    "type": "object",
    "required": ["name", "data_type"],
    "properties": {"name": STRING, "data_type": DATA_TYPE, "accepts_multiple_values": {"type": "boolean"}, "options": STRINGS},
}
STATUS = {"type": "object", "required": ["name", "type"],
          "properties": {"name": STRING, "type": {"type": "string", "enum": ["active", "won", "lost", "done"]}}}


def _object_schema(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _stamped_object_schema(properties: dict[str, Any]) -> dict[str, Any]:
    full = {"id": STRING, **properties, "created_at": TIMESTAMP, "updated_at": TIMESTAMP}
    return _object_schema(full, list(full))


SCHEMAS: dict[str, Any] = {
    "Error": _object_schema({"error": _object_schema({"status": {"type": "integer"}, "message": STRING, "field": NULLABLE_STRING},
                                       ["status", "message", "field"])}, ["error"]),
    "Pagination": _object_schema({"end_cursor": {"type": "integer"}, "has_next_page": {"type": "boolean"}, "total_count": {"type": "integer"}},
                          ["end_cursor", "has_next_page", "total_count"]),
    "Contact": _stamped_object_schema({"first_name": NULLABLE_STRING, "last_name": NULLABLE_STRING, "emails": STRINGS, "phone_numbers": STRINGS,
                         "organization_id": NULLABLE_STRING, "custom_fields": FIELD_VALUES}),
    "ContactInput": _object_schema({"first_name": STRING, "last_name": STRING, "emails": STRINGS, "phone_numbers": STRINGS,
                             "organization_id": {"type": "string", "description": 'an organization id, or "auto" to match by email domain'},
                             "custom_fields": FIELD_VALUES}),
    "EmailsInput": _object_schema({"emails": STRINGS}, ["emails"]),
    "Organization": _stamped_object_schema({"name": NULLABLE_STRING, "domains": STRINGS, "custom_fields": FIELD_VALUES}),
    "OrganizationInput": _object_schema({"name": STRING, "domains": STRINGS, "custom_fields": FIELD_VALUES}),
    "DomainsInput": _object_schema({"domains": STRINGS}, ["domains"]),
    "Note": _stamped_object_schema({"organization_id": STRING, "deal_id": NULLABLE_STRING, "body": STRING}),
    "NoteInput": _object_schema({"organization_id": STRING, "deal_id": NULLABLE_STRING, "body": STRING}, ["organization_id", "body"]),
    "NoteUpdate": _object_schema({"deal_id": NULLABLE_STRING, "body": STRING}),
    "CustomField": _stamped_object_schema({"name": STRING, "model": {"type": "string", "enum": ["organization", "contact", "deal"]},
                             "data_type": DATA_TYPE, "options": {**STRINGS, "nullable": True},
                             "accepts_multiple_values": {"type": "boolean", "nullable": True}}),
    "CustomFieldInput": _object_schema({"name": STRING, "model": {"type": "string", "enum": ["organization", "contact", "deal"]},
                                 "data_type": DATA_TYPE, "options": STRINGS, "accepts_multiple_values": {"type": "boolean"}},
                                ["name", "model"]),
    "CustomFieldUpdate": _object_schema({"name": STRING, "options": STRINGS}),
    "List": _object_schema({"id": STRING, "name": STRING, "identifier": STRING, "process": {"type": "boolean"},
                     "duplicates_allowed": {"type": "boolean"}, "entry_type": {"type": "string", "enum": ["Contact", "Organization"]},
                     "entry_label": STRING, "status_label": STRING, "statuses": {"type": "array", "items": STATUS},
                     "fields": {"type": "array", "items": FIELD_DEFINITION}, "created_at": TIMESTAMP, "updated_at": TIMESTAMP,
                     "archived_at": {**TIMESTAMP, "nullable": True}},
                    ["id", "name", "process", "entry_type", "fields", "created_at", "updated_at", "archived_at"]),
    "ListInput": _object_schema({"name": STRING, "process": {"type": "boolean"}, "entry_type": {"type": "string", "enum": ["Contact", "Organization"]},
                          "identifier": STRING, "duplicates_allowed": {"type": "boolean"}, "entry_label": STRING, "status_label": STRING,
                          "statuses": {"type": "array", "items": STATUS}, "fields": {"type": "array", "items": FIELD_DEFINITION}}),
    "Entry": _object_schema({"id": STRING, "key": NULLABLE_STRING, "list_id": STRING, "entryable_id": STRING,
                      "entryable_type": {"type": "string", "enum": ["Contact", "Organization"]}, "status": STRING,
                      "assignee": {"type": "object", "nullable": True, "properties": {"name": STRING, "email": STRING}},
                      "contact_id": NULLABLE_STRING, "one_time_value_cents": {"type": "integer"},
                      "recurring_value_cents": {"type": "integer"},
                      "recurring_value_period": {"type": "string", "enum": ["monthly", "annual", "one_time"]},
                      "list_fields": {"type": "object", "additionalProperties": _object_schema({"name": STRING, "data_type": DATA_TYPE, "value": {}})},
                      "closed_at": {**TIMESTAMP, "nullable": True}, "next_entry_id": NULLABLE_STRING,
                      "created_at": TIMESTAMP, "updated_at": TIMESTAMP},
                     ["id", "key", "list_id", "entryable_id", "entryable_type", "contact_id", "list_fields", "created_at", "updated_at"]),
    "EntryInput": _object_schema({"entryable_id": STRING, "entryable_type": {"type": "string", "enum": ["Contact", "Organization"]},
                           "status": STRING, "assignee_email": STRING, "one_time_value_cents": {"type": "integer"},
                           "recurring_value_cents": {"type": "integer"},
                           "recurring_value_period": {"type": "string", "enum": ["monthly", "annual", "one_time"]},
                           "contact_id": STRING, "list_fields": FIELD_VALUES}),
    "RecordingBrief": _object_schema({"id": STRING, "status": {"type": "string", "enum": ["done", "processing", "failed"]},
                               "started_at": TIMESTAMP, "ended_at": TIMESTAMP, "audio_duration": {"type": "number", "nullable": True}},
                              ["id", "status", "started_at", "ended_at", "audio_duration"]),
    "CalendarEvent": _stamped_object_schema({"title": STRING, "start_at": TIMESTAMP, "end_at": TIMESTAMP, "conference_link": NULLABLE_STRING,
                               "conference_type": NULLABLE_STRING,
                               "attendees": {"type": "array", "items": _object_schema({"email": STRING}, ["email"])},
                               "recordings": {"type": "array", "items": {"$ref": "#/components/schemas/RecordingBrief"}}}),
    "Recording": _stamped_object_schema({
        "calendar_event_id": STRING, "status": {"type": "string", "enum": ["done", "processing", "failed"]},
        "started_at": TIMESTAMP, "ended_at": TIMESTAMP, "audio_duration": {"type": "number", "nullable": True},
        "summary": {"type": "object", "nullable": True, "additionalProperties": True,
                    "properties": {"summary": STRING,
                                   "topics": {"type": "array", "items": _object_schema({"title": STRING, "content": STRING})},
                                   "action_items": STRINGS, "detected_language": STRING}},
        "transcript": {"type": "array", "nullable": True, "items": _object_schema({
            "participant": _object_schema({"name": STRING}),
            "words": {"type": "array", "items": _object_schema({
                "text": STRING,
                "start_timestamp": _object_schema({"relative": {"type": "number"}}),
                "end_timestamp": _object_schema({"relative": {"type": "number"}})})},
            "language_code": STRING})},
    }),
}

QUERY_PARAMETERS: dict[str, dict[str, Any]] = {
    "first": {"description": "Page size (default 25, capped at the server's maximum)", "schema": {"type": "integer", "minimum": 0}},
    "after": {"description": "Offset: the previous page's pagination.end_cursor", "schema": {"type": "integer", "minimum": 0}},
    "email": {"description": "Contacts holding this email (case-insensitive)", "schema": STRING},
    "phone_number": {"description": "Contacts holding this phone number, in any common format", "schema": STRING},
    "updated_after": {"description": "Unix seconds; events updated strictly after", "schema": {"type": "number"}},
    "starts_after": {"description": "Unix seconds; events starting at or after", "schema": {"type": "number"}},
    "starts_before": {"description": "Unix seconds; events starting before", "schema": {"type": "number"}},
    "contact_id": {"description": "Events with this contact as an attendee", "schema": STRING},
    "organization_id": {"description": "Events with a contact of this organization as an attendee", "schema": STRING},
}

ERROR_RESPONSES = {
    "400": "Malformed JSON body or bad query parameter",
    "401": "Missing or invalid API key",
    "404": "Unknown id or route",
    "422": "A documented rule was broken; `field` names the offending field",
    "429": "Rate limited; see the Retry-After header",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    parameters = [{"name": name, "in": "path", "required": True, "schema": STRING}
                  for name in ("list_id", "id") if "{" + name + "}" in endpoint.path]
    parameters += [{"name": name, "in": "query", "required": False, **QUERY_PARAMETERS[name]} for name in endpoint.query]
    error = {"description": "", "content": {"application/json": {"schema": _ref("Error")}}}
    responses: dict[str, Any] = {code: {**error, "description": text} for code, text in ERROR_RESPONSES.items()}
    if endpoint.envelope == "none":
        responses[str(endpoint.status)] = {"description": "Deleted"}
    else:
        if endpoint.envelope == "list":
            schema = _object_schema({"data": {"type": "array", "items": _ref(endpoint.schema)}, "pagination": _ref("Pagination")},
                             ["data", "pagination"])
        elif endpoint.envelope == "bare":
            schema = _ref(endpoint.schema)
        else:
            schema = _object_schema({"data": _ref(endpoint.schema)}, ["data"])
        responses[str(endpoint.status)] = {"description": endpoint.summary, "content": {"application/json": {"schema": schema}}}
    operation: dict[str, Any] = {"operationId": endpoint.operation, "summary": endpoint.summary, "tags": [endpoint.tag],
                                 "responses": responses}
    if parameters:
        operation["parameters"] = parameters
    if endpoint.request:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(endpoint.request)}}}
    return operation


def build_document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in ENDPOINTS:
        paths.setdefault("/v1" + endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Relate API (emulated)", "version": "1.0.0",
                 "description": "A local emulator of the Relate REST API: contacts, organizations, notes, custom fields, "
                                "lists, entries, calendar events and recordings."},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {"schemas": SCHEMAS, "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    }
