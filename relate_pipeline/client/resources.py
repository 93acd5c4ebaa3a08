"""The Relate API's resources as data: where each lives and how its paths are built.

Keeping the URL layout in one table (in the spirit of dlt's rest_api configs) means the sync and
async clients cannot disagree about a path, and ids are validated and percent-encoded in exactly
one place — an id containing `/` or `?` can never address a different endpoint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote


@dataclass(frozen=True)
class Resource:
    """A collection URL template (relative to the base URL) and what its id is called."""

    id_name: str
    collection: str

    def collection_path(self, **parents: str) -> str:
        return self.collection.format(
            **{name: path_segment(value, name) for name, value in parents.items()}
        )

    def item_path(self, item_id: str, **parents: str) -> str:
        return f"{self.collection_path(**parents)}/{path_segment(item_id, self.id_name)}"


CONTACTS = Resource("contact_id", "contacts")
ORGANIZATIONS = Resource("organization_id", "organizations")
NOTES = Resource("note_id", "notes")
CUSTOM_FIELDS = Resource("custom_field_id", "custom_fields")
LISTS = Resource("list_id", "lists")
ENTRIES = Resource("entry_id", "lists/{list_id}/entries")
CALENDAR_EVENTS = Resource("calendar_event_id", "calendar_events")
RECORDINGS = Resource("recording_id", "recordings")

def path_segment(value: Any, name: str) -> str:
    """An id as one URL path segment that can never name another endpoint.

    Percent-encoding covers '/', '?' and '#'; an id made only of dots would still be read as
    a relative step ('..' climbs a level), so its dots are encoded too.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string id, got {value!r}")
    if set(value) == {"."}:
        return "%2E" * len(value)
    return quote(value, safe="")


def optional_timestamp(value: Any, name: str, *, allow_float: bool) -> int | None:
    """Unix-seconds filters as the whole seconds the spec documents: None or an int.

    Where a fraction is accepted (`updated_after`) it is rounded down, so nothing updated within
    the second asked for is missed.
    """
    if value is None:
        return None
    kinds: tuple[type, ...] = (int, float) if allow_float else (int,)
    if isinstance(value, bool) or not isinstance(value, kinds):
        expected = "Unix seconds (int or float)" if allow_float else "Unix seconds (int)"
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number of seconds, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return math.floor(value)
