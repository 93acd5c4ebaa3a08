"""What a run may keep: the one object extraction and flattening consult for every governance control.

Built once per run from the settings and the data dir's governance state, and handed to the
library's extraction and flattening, which know nothing of where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataPolicy:
    """``first_kept``: the oldest day a run may list or write (retention), None for every day."""

    first_kept: str | None = None


KEEP_EVERYTHING = DataPolicy()
