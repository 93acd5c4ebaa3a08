"""CRM resources (contacts, organizations, notes, custom fields, lists, entries) to snapshot tables.

Free-form parts (custom fields, list fields, statuses, assignee) are kept as JSON text:
their shape is workspace-specific, and JSON columns let DuckDB query them without the
pipeline having to guess a schema.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pyarrow as pa

from relate_pipeline.columns import (
    as_list,
    build_table,
    domain,
    email,
    email_domain,
    identifier,
    json_text,
    text,
)
from relate_pipeline.keys import latest_by_id


def _values(rows: list[tuple[object, Mapping]], key: str) -> list:
    return [item.get(key) for _, item in rows]


def _ids(rows: list[tuple[object, Mapping]], key: str) -> list[str | None]:
    return [identifier(item.get(key)) for _, item in rows]


def _json(rows: list[tuple[object, Mapping]], key: str) -> list[str | None]:
    return [json_text(item.get(key)) for _, item in rows]


def _full_name(first: object, last: object) -> str | None:
    parts = [part for part in (text(first), text(last)) if part and part.strip()]
    return " ".join(part.strip() for part in parts) or None


def _contacts(items: Sequence[Mapping], list_id: str | None) -> dict[str, pa.Table]:
    keyed = latest_by_id(items, "contact")
    c_id, first, last, full, org, phones, email_count, custom, created, updated = ([] for _ in range(10))
    e_contact, e_email, e_index, e_domain = [], [], [], []
    for contact_id, item in keyed:
        get = item.get
        seen: set[str] = set()
        for index, raw in enumerate(as_list(get("emails"))):
            address = email(raw)
            if address is None or address in seen:
                continue
            seen.add(address)
            e_contact.append(contact_id)
            e_email.append(address)
            e_index.append(index)
            e_domain.append(email_domain(address))
        c_id.append(contact_id)
        first.append(get("first_name"))
        last.append(get("last_name"))
        full.append(_full_name(get("first_name"), get("last_name")))
        org.append(identifier(get("organization_id")))
        phones.append(get("phone_numbers"))
        email_count.append(len(seen))
        custom.append(json_text(get("custom_fields")))
        created.append(get("created_at"))
        updated.append(get("updated_at"))
    return {
        "contacts": build_table(
            "contacts",
            {
                "contact_id": c_id,
                "first_name": first,
                "last_name": last,
                "full_name": full,
                "organization_id": org,
                "phone_numbers": phones,
                "email_count": email_count,
                "custom_fields_json": custom,
                "created_at": created,
                "updated_at": updated,
            },
        ),
        "contact_emails": build_table(
            "contact_emails",
            {"contact_id": e_contact, "email": e_email, "email_index": e_index, "email_domain": e_domain},
        ),
    }


def _organizations(items: Sequence[Mapping], list_id: str | None) -> dict[str, pa.Table]:
    keyed = latest_by_id(items, "organization")
    o_id, name, domain_count, custom, created, updated = ([] for _ in range(6))
    d_org, d_domain, d_index = [], [], []
    for organization_id, item in keyed:
        get = item.get
        seen: set[str] = set()
        for index, raw in enumerate(as_list(get("domains"))):
            host = domain(raw)
            if host is None or host in seen:
                continue
            seen.add(host)
            d_org.append(organization_id)
            d_domain.append(host)
            d_index.append(index)
        o_id.append(organization_id)
        name.append(get("name"))
        domain_count.append(len(seen))
        custom.append(json_text(get("custom_fields")))
        created.append(get("created_at"))
        updated.append(get("updated_at"))
    return {
        "organizations": build_table(
            "organizations",
            {
                "organization_id": o_id,
                "name": name,
                "domain_count": domain_count,
                "custom_fields_json": custom,
                "created_at": created,
                "updated_at": updated,
            },
        ),
        "organization_domains": build_table(
            "organization_domains",
            {"organization_id": d_org, "domain": d_domain, "domain_index": d_index},
        ),
    }


def _notes(items: Sequence[Mapping], list_id: str | None) -> dict[str, pa.Table]:
    keyed = latest_by_id(items, "note")
    return {
        "notes": build_table(
            "notes",
            {
                "note_id": [k for k, _ in keyed],
                "organization_id": _ids(keyed, "organization_id"),
                "deal_id": _ids(keyed, "deal_id"),
                "body": _values(keyed, "body"),
                "created_at": _values(keyed, "created_at"),
                "updated_at": _values(keyed, "updated_at"),
            },
        )
    }


def _custom_fields(items: Sequence[Mapping], list_id: str | None) -> dict[str, pa.Table]:
    keyed = latest_by_id(items, "custom field")
    return {
        "custom_fields": build_table(
            "custom_fields",
            {
                "custom_field_id": [k for k, _ in keyed],
                "name": _values(keyed, "name"),
                "model": _values(keyed, "model"),
                "data_type": _values(keyed, "data_type"),
                "options_json": _json(keyed, "options"),
                "accepts_multiple_values": _values(keyed, "accepts_multiple_values"),
                "created_at": _values(keyed, "created_at"),
                "updated_at": _values(keyed, "updated_at"),
            },
        )
    }


def _lists(items: Sequence[Mapping], list_id: str | None) -> dict[str, pa.Table]:
    keyed = latest_by_id(items, "list")
    return {
        "lists": build_table(
            "lists",
            {
                "list_id": [k for k, _ in keyed],
                "name": _values(keyed, "name"),
                "process": _values(keyed, "process"),
                "entry_type": _values(keyed, "entry_type"),
                "identifier": _values(keyed, "identifier"),
                "duplicates_allowed": _values(keyed, "duplicates_allowed"),
                "entry_label": _values(keyed, "entry_label"),
                "status_label": _values(keyed, "status_label"),
                "statuses_json": _json(keyed, "statuses"),
                "fields_json": _json(keyed, "fields"),
                "created_at": _values(keyed, "created_at"),
                "updated_at": _values(keyed, "updated_at"),
                "archived_at": _values(keyed, "archived_at"),
            },
        )
    }


def _list_entries(items: Sequence[Mapping], list_id: str | None) -> dict[str, pa.Table]:
    by_key: dict[tuple[str, str], Mapping] = {}
    for key, item in latest_by_id(items, "list entry"):
        parent = identifier(item.get("list_id")) or list_id
        if parent is None:
            raise ValueError(f"list entry {key!r} has no 'list_id' and no list_id was given")
        by_key[(parent, key)] = item
    rows = list(by_key.items())
    return {
        "list_entries": build_table(
            "list_entries",
            {
                "list_id": [k[0] for k, _ in rows],
                "entry_id": [k[1] for k, _ in rows],
                "key": _values(rows, "key"),
                "entryable_id": _ids(rows, "entryable_id"),
                "entryable_type": _values(rows, "entryable_type"),
                "contact_id": _ids(rows, "contact_id"),
                "status": _values(rows, "status"),
                "assignee_json": _json(rows, "assignee"),
                "one_time_value_cents": _values(rows, "one_time_value_cents"),
                "recurring_value_cents": _values(rows, "recurring_value_cents"),
                "recurring_value_period": _values(rows, "recurring_value_period"),
                "list_fields_json": _json(rows, "list_fields"),
                "closed_at": _values(rows, "closed_at"),
                "next_entry_id": _ids(rows, "next_entry_id"),
                "created_at": _values(rows, "created_at"),
                "updated_at": _values(rows, "updated_at"),
            },
        )
    }


_FLATTENERS: dict[str, Callable[[Sequence[Mapping], str | None], dict[str, pa.Table]]] = {
    "contacts": _contacts,
    "organizations": _organizations,
    "notes": _notes,
    "custom_fields": _custom_fields,
    "lists": _lists,
    "list_entries": _list_entries,
}

CRM_RESOURCES: tuple[str, ...] = tuple(_FLATTENERS)


def flatten_crm(resource: str, items: Sequence[Mapping], *, list_id: str | None = None) -> dict[str, pa.Table]:
    """One CRM resource's items to its table(s).

    ``list_id`` is the parent list when flattening entries fetched from
    /lists/:list_id/entries whose objects lack a ``list_id`` of their own.
    """
    try:
        flattener = _FLATTENERS[resource]
    except (KeyError, TypeError):
        raise ValueError(f"unknown CRM resource {resource!r}; expected one of {', '.join(CRM_RESOURCES)}") from None
    return flattener(items, list_id)
