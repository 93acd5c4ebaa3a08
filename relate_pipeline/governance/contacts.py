"""Forgotten contacts out of the CRM snapshot: their rows go, other rows' references to them are emptied.

A contact is forgotten when any of its addresses is on the suppression list; it leaves
``contacts`` and every one of its ``contact_emails`` rows. A list entry about it, or a custom
field or list field whose value is its id, stays with the reference emptied (null), so counts
of deals and entries keep adding up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from relate_pipeline.governance.suppression import Suppression

REFERENCE_COLUMNS: dict[str, tuple[str, ...]] = {"list_entries": ("contact_id", "entryable_id")}
"""Columns holding a contact id, emptied when it names a forgotten contact."""

JSON_COLUMNS: dict[str, tuple[str, ...]] = {
    "contacts": ("custom_fields_json",),
    "organizations": ("custom_fields_json",),
    "list_entries": ("list_fields_json", "assignee_json"),
}
"""JSON columns whose values may name a contact (a custom field of type contact): such a value becomes null."""


def forgotten_contact_ids(contact_emails: pa.Table | None, suppression: Suppression | None) -> set[str]:
    if contact_emails is None or suppression is None or not contact_emails.num_rows:
        return set()
    ids = contact_emails.column("contact_id").to_pylist()
    return {contact_id for contact_id, address in zip(ids, contact_emails.column("email").to_pylist()) if suppression.matches(address)}


def _without(table: pa.Table, column: str, ids: pa.Array) -> pa.Table:
    return table.filter(pc.invert(pc.is_in(table.column(column), value_set=ids)))


def _emptied(table: pa.Table, column: str, ids: pa.Array) -> pa.Table:
    values = table.column(column)
    hit = pc.fill_null(pc.is_in(values, value_set=ids), False)
    if not pc.any(hit).as_py():
        return table
    cleared = pc.if_else(hit, pa.scalar(None, values.type), values)
    return table.set_column(table.schema.get_field_index(column), table.schema.field(column), cleared)


def _scrub(value: Any, ids: set[str]) -> Any:
    if isinstance(value, str):
        return None if value in ids else value
    if isinstance(value, list):
        return [_scrub(item, ids) for item in value]
    if isinstance(value, Mapping):
        return {key: _scrub(item, ids) for key, item in value.items()}
    return value


def _scrubbed_json(table: pa.Table, column: str, ids: set[str]) -> pa.Table:
    """Rows whose JSON text mentions a forgotten id (a cheap substring test first) decoded and re-encoded without it."""
    texts = table.column(column).to_pylist()
    changed = False
    for position, text in enumerate(texts):
        if text is not None and any(contact_id in text for contact_id in ids):
            texts[position] = orjson.dumps(_scrub(orjson.loads(text), ids)).decode()
            changed = True
    if not changed:
        return table
    return table.set_column(table.schema.get_field_index(column), table.schema.field(column), pa.array(texts, pa.string()))


def scrubbed(name: str, table: pa.Table, forgotten: set[str]) -> pa.Table:
    """A CRM table's rows (``name`` is the snapshot table they have the columns of) without the forgotten
    contacts: their own rows gone, other rows' references to them emptied."""
    ids = pa.array(sorted(forgotten), type=pa.string())
    if name in ("contacts", "contact_emails"):
        table = _without(table, "contact_id", ids)
    for column in REFERENCE_COLUMNS.get(name, ()):
        table = _emptied(table, column, ids)
    for column in JSON_COLUMNS.get(name, ()):
        table = _scrubbed_json(table, column, forgotten)
    return table


def without_forgotten_contacts(tables: Mapping[str, pa.Table], suppression: Suppression | None) -> tuple[dict[str, pa.Table], int]:
    """The CRM tables without the forgotten contacts (see the module docstring), and how many were removed."""
    forgotten = forgotten_contact_ids(tables.get("contact_emails"), suppression)
    result = dict(tables)
    if not forgotten:
        return result, 0
    for name in result:
        result[name] = scrubbed(name, result[name], forgotten)
    return result, len(forgotten)
