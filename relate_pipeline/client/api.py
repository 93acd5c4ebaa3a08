"""The two Relate API clients: `RelateClient` (sync) and `AsyncRelateClient` (asyncio).

Every endpoint is written once, in `_Endpoints`, in terms of four primitives (`_paginate`,
`_collect`, `_request_object`, `_raw`). The sync client implements them as plain calls and
generators, the async one as coroutines and async generators, so on `AsyncRelateClient` each
`get_*` method returns an awaitable and each `list_*` method an async iterator — the same names
and arguments, without two hand-maintained copies of the endpoints drifting apart.
"""

from __future__ import annotations

import asyncio
import weakref
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from relate_pipeline.client.config import ClientSettings
from relate_pipeline.client.envelope import decode_json, unwrap_object
from relate_pipeline.client.errors import AuthenticationError, RelateError
from relate_pipeline.client.pagination import (
    Page,
    PageWalk,
    first_gap,
    parse_page,
    remaining_offsets,
)
from relate_pipeline.client.ratelimit import gate_for
from relate_pipeline.client.resources import (
    CALENDAR_EVENTS,
    CONTACTS,
    CUSTOM_FIELDS,
    ENTRIES,
    LISTS,
    NOTES,
    ORGANIZATIONS,
    RECORDINGS,
    optional_timestamp,
    path_segment,
)
from relate_pipeline.client.stats import RequestStats
from relate_pipeline.client.transport import AsyncTransport, SyncTransport
from relate_pipeline.client.wire import ApiRequest

T = TypeVar("T")


@dataclass(frozen=True)
class _WorkerExit:
    """A fetch_many worker ran out of ids (failure None) or hit a batch-fatal error."""

    failure: BaseException | None


class _Endpoints(ABC):
    """The API surface, shared by both clients (see the module docstring)."""

    @abstractmethod
    def _paginate(self, path: str, params: dict[str, Any] | None = None) -> Any: ...

    @abstractmethod
    def _collect(self, path: str, params: dict[str, Any]) -> Any: ...

    @abstractmethod
    def _request_object(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> Any: ...

    @abstractmethod
    def _raw(self, path: str) -> Any: ...

    # contacts
    def list_contacts(self, **params: Any) -> Any:
        return self._paginate(CONTACTS.collection_path(), params)

    def find_contacts(self, email: str | None = None, phone_number: str | None = None) -> Any:
        """Look a contact up by email (case-insensitive) or phone number (any common format)."""
        if (email is None) == (phone_number is None):
            raise ValueError("find_contacts needs exactly one of email= or phone_number=")
        name, value = ("email", email) if email is not None else ("phone_number", phone_number)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name} must be a non-empty string, got {value!r}")
        return self._collect(CONTACTS.collection_path(), {name: value})

    def get_contact(self, contact_id: str) -> Any:
        return self._request_object("GET", CONTACTS.item_path(contact_id))

    # organizations
    def list_organizations(self, **params: Any) -> Any:
        return self._paginate(ORGANIZATIONS.collection_path(), params)

    def get_organization(self, organization_id: str) -> Any:
        return self._request_object("GET", ORGANIZATIONS.item_path(organization_id))

    # notes
    def list_notes(self, **params: Any) -> Any:
        return self._paginate(NOTES.collection_path(), params)

    def get_note(self, note_id: str) -> Any:
        return self._request_object("GET", NOTES.item_path(note_id))

    # custom fields
    def list_custom_fields(self, **params: Any) -> Any:
        return self._paginate(CUSTOM_FIELDS.collection_path(), params)

    def get_custom_field(self, custom_field_id: str) -> Any:
        return self._request_object("GET", CUSTOM_FIELDS.item_path(custom_field_id))

    # lists & processes
    def list_lists(self, **params: Any) -> Any:
        return self._paginate(LISTS.collection_path(), params)

    def get_list(self, list_id: str) -> Any:
        return self._request_object("GET", LISTS.item_path(list_id))

    # entries
    def list_entries(self, list_id: str, **params: Any) -> Any:
        return self._paginate(ENTRIES.collection_path(list_id=list_id), params)

    def get_entry(self, list_id: str, entry_id: str) -> Any:
        return self._request_object("GET", ENTRIES.item_path(entry_id, list_id=list_id))

    # calendar events & recordings
    def list_calendar_events(
        self,
        *,
        starts_after: int | None = None,
        starts_before: int | None = None,
        updated_after: float | None = None,
        contact_id: str | None = None,
        organization_id: str | None = None,
    ) -> Any:
        """Meetings with at least one done recording, newest first; bounds are Unix seconds."""
        params = {
            "starts_after": optional_timestamp(starts_after, "starts_after", allow_float=False),
            "starts_before": optional_timestamp(starts_before, "starts_before", allow_float=False),
            "updated_after": optional_timestamp(updated_after, "updated_after", allow_float=True),
            "contact_id": None if contact_id is None else path_segment(contact_id, "contact_id"),
            "organization_id": (
                None
                if organization_id is None
                else path_segment(organization_id, "organization_id")
            ),
        }
        if (
            params["starts_after"] is not None
            and params["starts_before"] is not None
            and params["starts_before"] <= params["starts_after"]
        ):
            raise ValueError(
                f"starts_before ({starts_before}) must be after starts_after ({starts_after})"
            )
        return self._paginate(CALENDAR_EVENTS.collection_path(), params)

    def get_calendar_event(self, calendar_event_id: str) -> Any:
        return self._request_object("GET", CALENDAR_EVENTS.item_path(calendar_event_id))

    def get_recording(self, recording_id: str) -> Any:
        return self._request_object("GET", RECORDINGS.item_path(recording_id))

    def get_recording_raw(self, recording_id: str) -> Any:
        """The exact response body bytes, envelope included, for a raw store; nothing parsed."""
        return self._raw(RECORDINGS.item_path(recording_id))


def _checked_settings(settings: Any) -> ClientSettings:
    if not isinstance(settings, ClientSettings):
        raise TypeError(
            f"settings must be a ClientSettings, got {type(settings).__name__}; "
            "use ClientSettings(api_key=...) or PipelineSettings.from_env().client_settings()"
        )
    return settings


class _ClientBase(_Endpoints):
    def __init__(self, settings: ClientSettings) -> None:
        self.settings = _checked_settings(settings)
        gate = gate_for(settings.base_url)
        self._stats = RequestStats(lambda: gate.rate_found)
        self._gate = gate
        self._release_rate_claim = weakref.finalize(
            self, gate.release, gate.claim(settings.rate_limit)
        )

    @property
    def stats(self) -> RequestStats:
        return self._stats

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.settings.base_url!r})"


class RelateClient(_ClientBase):
    """Blocking client over one pooled httpx.Client; safe to share between threads."""

    def __init__(self, settings: ClientSettings) -> None:
        super().__init__(settings)
        self._transport = SyncTransport(self.settings, self._stats, self._gate)

    def __enter__(self) -> RelateClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._transport.close()
        self._release_rate_claim()

    def _paginate(
        self, path: str, params: dict[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        walk = PageWalk(params, self.settings.page_size)
        while (query := walk.next_params()) is not None:
            api_request = ApiRequest("GET", path, query)
            response = self._transport.send(api_request)
            request = self._transport.describe(api_request)
            page = parse_page(decode_json(response.content, request), request)
            yield from walk.accept(page, request)

    def _collect(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return list(self._paginate(path, params))

    def _request_object(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        api_request = ApiRequest(method, path, json=body)
        response = self._transport.send(api_request)
        request = self._transport.describe(api_request)
        return unwrap_object(decode_json(response.content, request), request)

    def _raw(self, path: str) -> bytes:
        return self._transport.send(ApiRequest("GET", path)).content


class AsyncRelateClient(_ClientBase):
    """asyncio client: at most `max_concurrency` requests in flight, connections reused.

    Use one instance per event loop (connection pools and the concurrency semaphore belong to
    the loop that first uses them).
    """

    def __init__(self, settings: ClientSettings) -> None:
        super().__init__(settings)
        self._transport = AsyncTransport(self.settings, self._stats, self._gate)

    async def __aenter__(self) -> AsyncRelateClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()
        self._release_rate_claim()

    async def _paginate(
        self, path: str, params: dict[str, Any] | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Pages in order; after the first, an offset-paged list's pages are fetched at once.

        The concurrent pages go through the same in-flight bound and rate gate as any request,
        and are verified before use (pagination.first_gap); from the first page that does not
        tile the list on, the walk follows `end_cursor` one page at a time.
        """
        walk = PageWalk(params, self.settings.page_size)
        first = True
        while (query := walk.next_params()) is not None:
            request, page = await self._page(path, query)
            offsets = remaining_offsets(page) if first else None
            first = False
            for item in walk.accept(page, request):
                yield item
            if not offsets:
                continue
            async with asyncio.TaskGroup() as group:
                tasks = [
                    group.create_task(self._page(path, {**query, "after": offset}))
                    for offset in offsets
                ]
            later = [(offset, task.result()) for offset, task in zip(offsets, tasks)]
            gap = first_gap(page, [(offset, later_page) for offset, (_, later_page) in later])
            for offset, (later_request, later_page) in later:
                if offset == gap:
                    break
                for item in walk.accept(later_page, later_request):
                    yield item

    async def _page(self, path: str, query: dict[str, Any]) -> tuple[str, Page]:
        api_request = ApiRequest("GET", path, query)
        response = await self._transport.send(api_request)
        request = self._transport.describe(api_request)
        return request, parse_page(decode_json(response.content, request), request)

    async def _collect(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return [item async for item in self._paginate(path, params)]

    async def _request_object(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        api_request = ApiRequest(method, path, json=body)
        response = await self._transport.send(api_request)
        request = self._transport.describe(api_request)
        return unwrap_object(decode_json(response.content, request), request)

    async def _raw(self, path: str) -> bytes:
        return (await self._transport.send(ApiRequest("GET", path))).content

    async def fetch_many(
        self, ids: Iterable[str], fetch: Callable[[str], Awaitable[T]]
    ) -> AsyncIterator[tuple[str, T | RelateError]]:
        """Run `fetch(id)` for every id, yielding `(id, result)` in completion order.

        A per-id API failure (NotFoundError for a recording deleted since it was listed, a
        ServerError that outlasted its retries, ...) is yielded as the result so one bad id does
        not sink the batch; an AuthenticationError or any non-API exception is raised, because
        it would fail every remaining id too. `max_concurrency` workers pull ids lazily from
        `ids` and hand results over through a queue of the same size, so memory stays flat for
        any number of ids and a slow consumer slows the fetching instead of piling up results.
        Close the iterator (`contextlib.aclosing`) when leaving early: that cancels the workers.
        """
        remaining = iter(ids)
        results: asyncio.Queue[tuple[str, Any] | _WorkerExit] = asyncio.Queue(
            maxsize=self.settings.max_concurrency
        )

        async def work() -> None:
            failure: BaseException | None = None
            try:
                for item_id in remaining:
                    try:
                        outcome: Any = await fetch(item_id)
                    except RelateError as exc:
                        if isinstance(exc, AuthenticationError):
                            raise
                        outcome = exc
                    await results.put((item_id, outcome))
            except Exception as exc:
                failure = exc
            await results.put(_WorkerExit(failure))

        workers = [
            asyncio.create_task(work()) for _ in range(self.settings.max_concurrency)
        ]
        running = len(workers)
        try:
            while running:
                item = await results.get()
                if isinstance(item, _WorkerExit):
                    running -= 1
                    if item.failure is not None:
                        raise item.failure
                else:
                    yield item
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    def get_recordings_raw(
        self, ids: Iterable[str]
    ) -> AsyncIterator[tuple[str, bytes | RelateError]]:
        """`fetch_many` over `get_recording_raw`: raw detail bodies as they arrive."""
        return self.fetch_many(ids, self.get_recording_raw)
