"""The emulator's whole state: the seeded workspace, the clock, and every documented rule, without HTTP."""

from __future__ import annotations

from typing import Any

from .calendar import Calendar
from .clock import Clock
from .crm import Crm
from .ids import IdFactory
from .lists import Lists
from .timefmt import iso_utc
from .workspace import WorkspaceConfig, build_workspace


class Store:
    def __init__(self, config: WorkspaceConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self._initial_now = clock.now()
        self._build()

    def reset(self) -> None:
        """Back to the freshly seeded workspace and the starting time, as if the server had just started.

        Generated transcripts are carried over: the same seed regenerates identical text, so only the
        time spent generating it is saved.
        """
        previous = self.workspace.recordings
        self.clock.set(self._initial_now)
        self._build()
        for recording_id, recording in self.workspace.recordings.items():
            old = previous.get(recording_id)
            if old is not None and old.content_seed == recording.content_seed:
                recording.content = old.content

    def _build(self) -> None:
        config, clock = self.config, self.clock
        ids = IdFactory(config.seed)
        self.workspace = build_workspace(config, ids)
        self.crm = Crm(self.workspace, ids, clock)
        self.lists = Lists(self.workspace, ids, clock)
        self.calendar = Calendar(self.workspace, ids, clock, config.seed)

    def snapshot(self) -> dict[str, Any]:
        """The ground truth tests compare a pipeline's output against, including what the API hides."""
        ws = self.workspace
        return {
            "now": iso_utc(self.clock.now()),
            "internal_domains": list(ws.internal_domains),
            "users": [dict(user) for user in ws.users],
            "calendar_events": self.calendar.truth_events(),
            "recordings": self.calendar.truth_recordings(),
            "contacts": list(ws.contacts.values()),
            "organizations": list(ws.organizations.values()),
            "notes": list(ws.notes.values()),
            "custom_fields": list(ws.custom_fields.values()),
            "lists": [state.public for state in ws.lists.values()],
            "entries": {list_id: list(state.entries.values()) for list_id, state in ws.lists.items()},
        }
