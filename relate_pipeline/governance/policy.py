"""What a run may keep: the one object extraction and flattening consult for every governance control.

Built once per run from the settings and the data dir's governance state, and handed to the
library's extraction and flattening, which know nothing of where it came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from relate_pipeline.governance.minimise import without_transcript_text
from relate_pipeline.governance.suppression import Suppression


@dataclass(frozen=True)
class DataPolicy:
    """``first_kept``: the oldest day a run may list or write (retention), None for every day.
    ``suppression``: the forgotten addresses; an event with an attendee at one is never kept.
    ``keep_transcript_text``: false stores every recording detail without its transcript's words."""

    first_kept: str | None = None
    suppression: Suppression | None = None
    keep_transcript_text: bool = True

    def stored_body(self, body: bytes) -> bytes:
        """A recording detail's response body as the raw store may keep it."""
        return body if self.keep_transcript_text else without_transcript_text(body)

    def admits(self, event: Mapping) -> bool:
        """Whether a listed calendar event may be kept: no attendee of it was forgotten."""
        return self.suppression is None or not self.suppression.matches_event(event)


KEEP_EVERYTHING = DataPolicy()
