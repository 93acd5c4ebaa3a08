"""Pure flatteners: decoded API JSON (or raw response bytes) in, Arrow tables matching ``TABLES`` out."""

from relate_pipeline.flatten.crm import CRM_RESOURCES, flatten_crm
from relate_pipeline.flatten.events import flatten_events
from relate_pipeline.flatten.raw import (
    ListedRecording,
    RecordingFetch,
    flatten_raw_recordings,
    listed_done_recordings,
    raw_events_table,
    raw_recordings_table,
)
from relate_pipeline.flatten.recordings import (
    flatten_recording_bodies,
    flatten_recordings,
    parse_recording_body,
    split_action_item,
)

__all__ = [
    "CRM_RESOURCES",
    "ListedRecording",
    "RecordingFetch",
    "flatten_crm",
    "flatten_events",
    "flatten_raw_recordings",
    "flatten_recording_bodies",
    "flatten_recordings",
    "listed_done_recordings",
    "parse_recording_body",
    "raw_events_table",
    "raw_recordings_table",
    "split_action_item",
]
