"""Keying API objects by id: the one place that decides what happens to missing or repeated ids."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from relate_pipeline.columns import identifier


def require_id(item: Any, what: str, position: int) -> str:
    """The item's id, or a ValueError saying which item lacks one: unkeyed rows cannot be stored."""
    if not isinstance(item, Mapping):
        raise ValueError(f"{what} at position {position} is a {type(item).__name__}, expected a JSON object")
    value = identifier(item.get("id"))
    if value is None:
        raise ValueError(f"{what} at position {position} has no usable 'id' (got {item.get('id')!r})")
    return value


def latest_by_id(items: Sequence[Any], what: str) -> list[tuple[str, Mapping]]:
    """Items keyed by id, later duplicates replacing earlier ones in place.

    Offset pagination can serve the same object twice when the list shifts between pages;
    the later read is the fresher one, and keeping one row per id keeps keys unique.
    """
    by_id: dict[str, Mapping] = {}
    for position, item in enumerate(items):
        by_id[require_id(item, what, position)] = item
    return list(by_id.items())
