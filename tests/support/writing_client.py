"""Clients that also write: the API's create, update and delete endpoints, which only tests call.

The pipeline only reads, so the library's clients carry only reads; tests that set up a
workspace, or check how a write is retried, use these subclasses instead. Each write goes through
the client's own request path (its transport, retries and rate gate), so what a test sees of a
write is what the client does with any request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from relate_pipeline.client import AsyncRelateClient, RelateClient
from relate_pipeline.client.resources import CONTACTS, CUSTOM_FIELDS, ENTRIES, LISTS, NOTES, ORGANIZATIONS
from relate_pipeline.client.wire import ApiRequest


def json_body(body: Any, name: str = "body") -> dict[str, Any]:
    """A request body must be a JSON object; anything else is a caller bug worth naming."""
    if not isinstance(body, Mapping):
        raise TypeError(f"{name} must be a mapping (a JSON object), got {type(body).__name__}")
    return dict(body)


def string_list(values: Any, name: str) -> list[str]:
    """A non-empty list of strings; a bare string is refused rather than split into characters."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a list of strings, got {type(values).__name__}")
    items = list(values)
    if not items:
        raise ValueError(f"{name} must not be empty")
    for item in items:
        if not isinstance(item, str) or not item:
            raise ValueError(f"{name} must contain only non-empty strings, got {item!r}")
    return items


class _Writes:
    """The write endpoints, over ``_request_object`` and ``_request_no_content`` (sync or async)."""

    def create_contact(self, body: dict[str, Any]) -> Any:
        return self._request_object("POST", CONTACTS.collection_path(), json_body(body))

    def update_contact(self, contact_id: str, body: dict[str, Any]) -> Any:
        return self._request_object("PATCH", CONTACTS.item_path(contact_id), json_body(body))

    def delete_contact_emails(self, contact_id: str, emails: Iterable[str]) -> Any:
        path = f"{CONTACTS.item_path(contact_id)}/emails"
        return self._request_no_content("DELETE", path, {"emails": string_list(emails, "emails")})

    def delete_contact(self, contact_id: str) -> Any:
        return self._request_no_content("DELETE", CONTACTS.item_path(contact_id))

    def create_organization(self, body: dict[str, Any]) -> Any:
        return self._request_object("POST", ORGANIZATIONS.collection_path(), json_body(body))

    def update_organization(self, organization_id: str, body: dict[str, Any]) -> Any:
        path = ORGANIZATIONS.item_path(organization_id)
        return self._request_object("PATCH", path, json_body(body))

    def delete_organization_domains(self, organization_id: str, domains: Iterable[str]) -> Any:
        path = f"{ORGANIZATIONS.item_path(organization_id)}/domains"
        body = {"domains": string_list(domains, "domains")}
        return self._request_no_content("DELETE", path, body)

    def delete_organization(self, organization_id: str) -> Any:
        return self._request_no_content("DELETE", ORGANIZATIONS.item_path(organization_id))

    def create_note(self, body: dict[str, Any]) -> Any:
        return self._request_object("POST", NOTES.collection_path(), json_body(body))

    def update_note(self, note_id: str, body: dict[str, Any]) -> Any:
        return self._request_object("PATCH", NOTES.item_path(note_id), json_body(body))

    def delete_note(self, note_id: str) -> Any:
        return self._request_no_content("DELETE", NOTES.item_path(note_id))

    def create_custom_field(self, body: dict[str, Any]) -> Any:
        return self._request_object("POST", CUSTOM_FIELDS.collection_path(), json_body(body))

    def update_custom_field(self, custom_field_id: str, body: dict[str, Any]) -> Any:
        path = CUSTOM_FIELDS.item_path(custom_field_id)
        return self._request_object("PATCH", path, json_body(body))

    def delete_custom_field(self, custom_field_id: str) -> Any:
        return self._request_no_content("DELETE", CUSTOM_FIELDS.item_path(custom_field_id))

    def create_list(self, body: dict[str, Any]) -> Any:
        return self._request_object("POST", LISTS.collection_path(), json_body(body))

    def update_list(self, list_id: str, body: dict[str, Any]) -> Any:
        return self._request_object("PATCH", LISTS.item_path(list_id), json_body(body))

    def delete_list(self, list_id: str) -> Any:
        return self._request_no_content("DELETE", LISTS.item_path(list_id))

    def create_entry(self, list_id: str, body: dict[str, Any]) -> Any:
        path = ENTRIES.collection_path(list_id=list_id)
        return self._request_object("POST", path, json_body(body))

    def update_entry(self, list_id: str, entry_id: str, body: dict[str, Any]) -> Any:
        path = ENTRIES.item_path(entry_id, list_id=list_id)
        return self._request_object("PATCH", path, json_body(body))

    def delete_entry(self, list_id: str, entry_id: str) -> Any:
        return self._request_no_content("DELETE", ENTRIES.item_path(entry_id, list_id=list_id))


class WritingRelateClient(_Writes, RelateClient):
    """The sync client, with the write endpoints."""

    def _request_no_content(self, method: str, path: str, body: dict[str, Any] | None = None) -> None:
        self._transport.send(ApiRequest(method, path, json=body))


class WritingAsyncRelateClient(_Writes, AsyncRelateClient):
    """The async client, with the write endpoints; each returns an awaitable."""

    async def _request_no_content(self, method: str, path: str, body: dict[str, Any] | None = None) -> None:
        await self._transport.send(ApiRequest(method, path, json=body))
