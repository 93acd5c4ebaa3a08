"""Cursor pagination as a pure state machine, driven by the sync and async clients alike.

Every list endpoint answers `{"data": [...], "pagination": {"end_cursor", "has_next_page", ...}}`;
the next page is requested with `after=<end_cursor>`. The walk:

* follows `end_cursor` verbatim and never computes offsets from the page size it asked for —
  servers cap `first` and may serve fewer items than requested;
* de-duplicates ids across pages. Lists are offset-paged and (for calendar events) newest-first,
  so an item inserted at the head while we page shifts everything down by one and the next page
  repeats the last item we already saw; dropping repeated ids repairs that.
* cannot repair the opposite shift. When an item ahead of the cursor is deleted (or moves out of
  the filter, e.g. an edit bumps it out of an `updated_after` window), everything shifts up by one
  and the item that slid across the page boundary is never served. No client-side trick recovers
  it; a caller that needs completeness under concurrent deletes must re-read (for example an
  overlapping time window on its next run).
* fetches the remaining pages of a plainly offset-paged list all at once (async client), when
  the first page gives `total_count`: offsets are computed from the page size the server served,
  and the pages are then verified to tile the list (`first_gap`). Where they do not — a short
  page, a changed `total_count`, a repeated id, fewer distinct ids than `total_count` — the
  walk goes on from that offset by following `end_cursor`, as a serial walk would.
* raises PaginationError when `has_next_page` is true but the cursor is missing or repeats one
  already followed. Stopping with a warning instead would hand the pipeline a silently truncated
  list that looks complete, which is worse for an ETL than failing the run loudly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from relate_pipeline.client.errors import PaginationError, UnexpectedResponseError


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    end_cursor: int | str | None
    has_next_page: bool
    total_count: int | None = None


def parse_page(body: Any, request: str) -> Page:
    """Validate a list envelope; a body without `pagination` is treated as the only page."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise UnexpectedResponseError(
            f"{request} -> expected a list envelope {{\"data\": [...], \"pagination\": {{...}}}}"
        )
    items = body["data"]
    for item in items:
        if not isinstance(item, dict):
            raise UnexpectedResponseError(
                f"{request} -> list item is a {type(item).__name__}, expected an object"
            )
    pagination = body.get("pagination")
    if pagination is None:
        return Page(items=items, end_cursor=None, has_next_page=False)
    if not isinstance(pagination, dict):
        raise UnexpectedResponseError(f"{request} -> `pagination` is not an object")
    cursor = pagination.get("end_cursor")
    if cursor is not None and (isinstance(cursor, bool) or not isinstance(cursor, (int, str))):
        raise UnexpectedResponseError(
            f"{request} -> `pagination.end_cursor` must be an integer or string, got {cursor!r}"
        )
    total = pagination.get("total_count")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        total = None
    return Page(
        items=items,
        end_cursor=cursor,
        has_next_page=bool(pagination.get("has_next_page")),
        total_count=total,
    )


def remaining_offsets(first: Page) -> list[int] | None:
    """Offsets of every page after `first`, when `first` shows plain offset paging; else None.

    Plain offset paging: the first page answers `total_count`, has a next page, and its
    `end_cursor` is the integer count of items it served. The stride is the page size the server
    actually served, never the one asked for.
    """
    stride = len(first.items)
    cursor = first.end_cursor
    if not first.has_next_page or first.total_count is None or stride == 0:
        return None
    if isinstance(cursor, bool) or cursor != stride:
        return None
    return list(range(stride, first.total_count, stride))


def first_gap(first: Page, later: list[tuple[int, Page]]) -> int | None:
    """Where pages fetched at once stop tiling the list, or None when they tile it exactly.

    A page tiles when it is as long as the stride (the last one: the rest of `total_count`), its
    `end_cursor` is its offset plus its length, `total_count` has not changed, and it repeats no
    id seen on an earlier page; the last page must say it is the last, and together the pages
    must hold `total_count` distinct ids. The answer is the offset to walk `end_cursor` on from.
    """
    total = first.total_count or 0
    stride = len(first.items)
    seen = {item.get("id") for item in first.items}
    for offset, page in later:
        expected = min(stride, total - offset)
        ids = [item.get("id") for item in page.items]
        if (
            page.total_count != total
            or len(ids) != expected
            or page.end_cursor != offset + expected
            or page.has_next_page != (offset + expected < total)
            or not seen.isdisjoint(ids)
        ):
            return offset
        seen.update(ids)
    if len(seen) < total:
        return stride
    return None



class PageWalk:
    """Query parameters for the next page, and the de-duplicated items of each page served."""

    def __init__(self, params: Mapping[str, Any] | None, page_size: int) -> None:
        base = {name: value for name, value in (params or {}).items() if value is not None}
        if "after" in base:
            raise ValueError("`after` is managed by the paginator; pass filters only")
        base.setdefault("first", page_size)
        self._base = base
        self._after: int | str | None = None
        self._followed: set[int | str] = set()
        self._seen_ids: set[Any] = set()
        self._done = False
        self.pages = 0
        self.duplicates = 0

    def next_params(self) -> dict[str, Any] | None:
        """Parameters for the next request, or None once the last page has been accepted."""
        if self._done:
            return None
        if self._after is None:
            return dict(self._base)
        return {**self._base, "after": self._after}

    def accept(self, page: Page, request: str) -> list[dict[str, Any]]:
        self.pages += 1
        fresh = []
        for item in page.items:
            item_id = item.get("id")
            if item_id is not None:
                if item_id in self._seen_ids:
                    self.duplicates += 1
                    continue
                self._seen_ids.add(item_id)
            fresh.append(item)
        if not page.has_next_page:
            self._done = True
            return fresh
        cursor = page.end_cursor
        if cursor is None:
            raise PaginationError(f"{request} -> has_next_page is true but end_cursor is missing")
        if cursor == self._after or cursor in self._followed:
            raise PaginationError(
                f"{request} -> end_cursor {cursor!r} did not advance (already followed); "
                "stopping instead of looping over the same pages"
            )
        self._followed.add(cursor)
        self._after = cursor
        return fresh
