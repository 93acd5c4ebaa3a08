"""Turning ``RELATE_KEEP_TRANSCRIPT_TEXT`` off on a data dir that already holds transcripts: their words go.

The first run with the setting off rewrites every raw recording body that still has text
(``minimise.without_transcript_text``) and flattens those days again, then leaves a marker in the
governance folder, so later runs skip the sweep and a run's cost goes back to following what it
changed. The marker is written last: a sweep killed half-way is done again, whole, by the next
run (a body already without text is left byte for byte). A run with the setting on removes the
marker, since text may be stored again from then on.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from relate_pipeline.governance.folder import GovernanceFolder
from relate_pipeline.governance.minimise import QUESTION_MARK, without_transcript_text
from relate_pipeline.governance.policy import DataPolicy
from relate_pipeline.lake import Lake
from relate_pipeline.meetings.day_tables import write_meeting_day
from relate_pipeline.meetings.raw_store import BATCH_RECORDINGS

TEXT_REMOVED_MARKER = "transcript_text_removed"


def _redacted(batch: pa.Table) -> tuple[pa.Table, bool]:
    bodies = batch.column("body").to_pylist()
    redacted = [None if body is None else without_transcript_text(body) for body in bodies]
    if redacted == bodies:
        return batch, False
    position = batch.schema.get_field_index("body")
    return batch.set_column(position, batch.schema.field("body"), pa.array(redacted, pa.large_binary())), True


def _lake_has_text(lake: Lake, day: str) -> bool:
    for batch in lake.iter_partition("transcript_utterances", day, 100_000, columns=["text"]):
        texts = batch.column("text")
        if pc.any(pc.and_(pc.is_valid(texts), pc.not_equal(texts, QUESTION_MARK))).as_py():
            return True
    return False


def remove_text_from_day(raw: Lake, lake: Lake, day: str, policy: DataPolicy) -> bool:
    """The day's raw bodies and tables without transcript text; whether anything was rewritten."""
    changed = False
    file = raw.open_partition("raw_recordings", day)
    try:
        for batch in raw.iter_partition("raw_recordings", day, BATCH_RECORDINGS):
            batch, redacted = _redacted(batch)
            changed = changed or redacted
            file.write(batch)
    except BaseException:
        file.discard()
        raise
    if changed:
        file.publish()
    else:
        file.discard()
    if changed or _lake_has_text(lake, day):
        mentions = lake.read_partition("tracker_matches", day)
        write_meeting_day(raw, lake, day, policy=policy)
        if mentions is not None:
            # Computed from the words before they went: kept, since the day can no longer give them.
            lake.write_partition("tracker_matches", day, mentions)
        return True
    return False


def apply_text_setting(data_dir: str, raw: Lake, lake: Lake, policy: DataPolicy) -> list[str]:
    """Bring the stored transcripts in line with ``policy.keep_transcript_text``; returns the days rewritten."""
    folder = GovernanceFolder(data_dir)
    if policy.keep_transcript_text:
        folder.remove(TEXT_REMOVED_MARKER)
        return []
    if folder.read(TEXT_REMOVED_MARKER) is not None:
        return []
    rewritten = [day for day in raw.partitions("raw_recordings") if remove_text_from_day(raw, lake, day, policy)]
    folder.write(TEXT_REMOVED_MARKER, b"every stored transcript is without its text\n")
    return rewritten
