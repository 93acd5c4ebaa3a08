"""Table specifications: the single source of truth for every lake and warehouse table.

Flatteners build their output against these schemas, the lake casts every write to them,
and the warehouse derives its views and typed empty views from them, so a column is
declared exactly once.  Partitioned tables never store their ``date`` column in the file:
the hive path (``date=YYYY-MM-DD``) carries it, which keeps one source for the partition.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")

__all__ = [
    "TIMESTAMP",
    "TableSpec",
    "TABLES",
    "EVENT_TABLES",
    "RECORDING_TABLES",
    "METRIC_TABLES",
    "TRACKER_TABLES",
    "MEETING_TABLES",
    "CRM_TABLES",
    "CRM_HISTORIES",
    "RAW_TABLES",
    "WAREHOUSE_TABLES",
    "spec",
    "empty_table",
    "conform",
]


@dataclass(frozen=True)
class TableSpec:
    """One table's contract; ``key`` columns are non-null and unique within a partition."""

    name: str
    description: str
    schema: pa.Schema
    key: tuple[str, ...]
    partitioned: bool

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.schema.names)

    def describe(self, column: str) -> str:
        """Field description, so docs and checks read the same text the schema carries."""
        metadata = self.schema.field(column).metadata or {}
        return metadata.get(b"description", b"").decode()


def _field(name: str, type_: pa.DataType, description: str, *, key: bool = False) -> pa.Field:
    return pa.field(name, type_, nullable=not key, metadata={"description": description})


def _spec(
    name: str,
    description: str,
    fields: list[pa.Field],
    key: tuple[str, ...],
    *,
    partitioned: bool,
) -> TableSpec:
    names = [f.name for f in fields]
    missing = [k for k in key if k not in names]
    if missing:
        raise ValueError(f"table {name!r}: key columns {missing} are not in the schema")
    if len(set(names)) != len(names):
        raise ValueError(f"table {name!r}: duplicate column names in {names}")
    if partitioned and "date" in names:
        raise ValueError(f"table {name!r}: 'date' comes from the partition path, not the file")
    schema = pa.schema(fields, metadata={"description": description})
    return TableSpec(name, description, schema, key, partitioned)


_S = pa.string()
_I16 = pa.int16()
_I32 = pa.int32()
_I64 = pa.int64()
_F64 = pa.float64()
_BOOL = pa.bool_()
_TS = TIMESTAMP

_specs = [
    # ---------------------------------------------------------------- meetings
    _spec(
        "calendar_events",
        "One row per calendar event as listed by /calendar_events (only events with a done recording are exposed).",
        [
            _field("event_id", _S, "Relate calendar event id.", key=True),
            _field("title", _S, "Meeting title."),
            _field("start_at", _TS, "Scheduled start, converted to UTC."),
            _field("end_at", _TS, "Scheduled end, converted to UTC."),
            _field("start_utc_offset_minutes", _I16, "UTC offset of start_at as served (the meeting's own zone), in minutes; null when absent or unparseable."),
            _field("conference_link", _S, "Video conference URL."),
            _field("conference_type", _S, "Conference provider, e.g. Zoom, Google Meet."),
            _field("attendee_count", _I32, "Number of entries in the attendees array."),
            _field("recording_count", _I32, "Number of entries in the recordings array."),
            _field("done_recording_count", _I32, "Number of listed recordings whose status is 'done'."),
            _field("created_at", _TS, "When Relate created the event (UTC)."),
            _field("updated_at", _TS, "When Relate last updated the event (UTC)."),
        ],
        ("event_id",),
        partitioned=True,
    ),
    _spec(
        "event_attendees",
        "One row per attendee of a calendar event, in the order served.",
        [
            _field("event_id", _S, "Calendar event id.", key=True),
            _field("attendee_index", _I32, "Zero-based position in the event's attendees array.", key=True),
            _field("email", _S, "Attendee email, stripped and lower-cased; null when absent."),
            _field("email_domain", _S, "Part of the email after the last '@'; null when there is none."),
        ],
        ("event_id", "attendee_index"),
        partitioned=True,
    ),
    _spec(
        "event_recordings",
        "One row per recording listed on a calendar event (summary info only; details live in 'recordings').",
        [
            _field("event_id", _S, "Calendar event id.", key=True),
            _field("recording_id", _S, "Recording id.", key=True),
            _field("recording_index", _I32, "Zero-based position in the event's recordings array."),
            _field("status", _S, "Recording status as listed, e.g. done, processing."),
            _field("started_at", _TS, "Recording start (UTC)."),
            _field("ended_at", _TS, "Recording end (UTC)."),
            _field("audio_duration_s", _F64, "Audio duration in seconds; null when not reported."),
        ],
        ("event_id", "recording_id"),
        partitioned=True,
    ),
    _spec(
        "recordings",
        "One row per fetched recording detail (/recordings/:id).",
        [
            _field("recording_id", _S, "Recording id.", key=True),
            _field("calendar_event_id", _S, "Calendar event the recording belongs to."),
            _field("status", _S, "Recording status in the detail response."),
            _field("started_at", _TS, "Recording start (UTC)."),
            _field("ended_at", _TS, "Recording end (UTC)."),
            _field("audio_duration_s", _F64, "Audio duration in seconds; null when not reported."),
            _field("summary_text", _S, "The summary.summary text."),
            _field("detected_language", _S, "summary.detected_language."),
            _field("has_summary", _BOOL, "Whether the detail carried a summary object."),
            _field("has_transcript", _BOOL, "Whether the detail carried a transcript array."),
            _field("topic_count", _I32, "Rows in recording_topics for this recording."),
            _field("action_item_count", _I32, "Rows in recording_action_items for this recording."),
            _field("segment_count", _I32, "Number of transcript segments (speaker turns)."),
            _field("utterance_count", _I32, "Rows in transcript_utterances for this recording."),
            _field("participant_count", _I32, "Distinct non-null transcript participant names."),
            _field("created_at", _TS, "When Relate created the recording (UTC)."),
            _field("updated_at", _TS, "When Relate last updated the recording (UTC)."),
        ],
        ("recording_id",),
        partitioned=True,
    ),
    _spec(
        "recording_topics",
        "One row per summary topic.",
        [
            _field("recording_id", _S, "Recording id.", key=True),
            _field("topic_index", _I32, "Zero-based position in summary.topics.", key=True),
            _field("title", _S, "Topic title."),
            _field("content", _S, "Topic details."),
        ],
        ("recording_id", "topic_index"),
        partitioned=True,
    ),
    _spec(
        "recording_action_items",
        "One row per summary action item; 'Owner: task' strings are split into owner and task.",
        [
            _field("recording_id", _S, "Recording id.", key=True),
            _field("item_index", _I32, "Zero-based position in summary.action_items.", key=True),
            _field("text", _S, "The action item exactly as served (non-string items JSON-encoded)."),
            _field("owner", _S, "Text before the first ': ' when it looks like a name; null otherwise."),
            _field("task", _S, "Text after the owner prefix, or the whole text when there is no owner."),
        ],
        ("recording_id", "item_index"),
        partitioned=True,
    ),
    _spec(
        "transcript_utterances",
        "One row per transcript words entry, with the speaker of its segment.",
        [
            _field("recording_id", _S, "Recording id.", key=True),
            _field("segment_index", _I32, "Zero-based position of the segment in transcript.", key=True),
            _field("word_index", _I32, "Zero-based position of the entry in the segment's words.", key=True),
            _field("participant_name", _S, "Speaker name of the segment."),
            _field("language_code", _S, "Segment language code, e.g. en, ko."),
            _field("text", _S, "Spoken text."),
            _field("start_relative_s", _F64, "Start offset from the recording start, seconds."),
            _field("end_relative_s", _F64, "End offset from the recording start, seconds."),
            _field("start_at", _TS, "Absolute start: recording started_at + start_relative_s; null if either is null."),
            _field("end_at", _TS, "Absolute end: recording started_at + end_relative_s; null if either is null."),
        ],
        ("recording_id", "segment_index", "word_index"),
        partitioned=True,
    ),
    _spec(
        "transcript_segments",
        "One row per transcript segment that has words entries, with its speaker, run and talk: the input of the conversation views.",
        [
            _field("recording_id", _S, "Recording id.", key=True),
            _field("segment_index", _I32, "Zero-based position of the segment in transcript.", key=True),
            _field("participant_name", _S, "Speaker name of the segment, as served."),
            _field("speaker_key", _S, "The name trimmed, inner whitespace collapsed to one space, case-folded; null when empty."),
            _field("run_index", _I32, "Zero-based run of the segment: runs are maximal sequences of consecutive segments of one speaker."),
            _field("is_switch", _BOOL, "Whether the previous segment with words has a different speaker (a null key is one speaker)."),
            _field("response_gap_seconds", _F64, "On a switch: first countable start minus the previous segment's last countable end, clipped at 0; else null."),
            _field("word_entry_count", _I32, "Words entries of the segment."),
            _field("countable_entry_count", _I32, "Entries whose start and end are numbers with end >= start."),
            _field("question_count", _I32, "Entries whose trimmed text ends with '?' or '？'."),
            _field("talk_seconds", _F64, "Sum of end - start over the countable entries."),
            _field("first_start_s", _F64, "Smallest start over the countable entries; null when none."),
            _field("last_end_s", _F64, "Largest end over the countable entries; null when none."),
        ],
        ("recording_id", "segment_index"),
        partitioned=True,
    ),
    _spec(
        "recording_metrics",
        "One row per fetched recording with its conversation metrics, computed from its transcript segments when the day is flattened.",
        [
            _field("recording_id", _S, "Recording id.", key=True),
            _field("event_id", _S, "The recording's calendar_event_id."),
            _field("speaker_count", _I32, "Distinct speakers by speaker key; the unnamed speaker counts as one."),
            _field("talk_seconds", _F64, "Sum of the segments' talk, each rounded to whole microseconds."),
            _field("transcript_seconds", _F64, "Largest countable end minus smallest countable start; 0 when none."),
            _field("speaker_switches", _I32, "Adjacent segment pairs (with words) whose speakers differ."),
            _field("switches_per_minute", _F64, "speaker_switches / (transcript_seconds / 60); null when transcript_seconds is 0 or there is no segment."),
            _field("longest_monologue_seconds", _F64, "Longest run span (largest countable end minus smallest countable start of a run); 0 when none."),
            _field("longest_monologue_participant", _S, "Name (as in its first segment) of the speaker of the longest run, the earliest on ties; null for the unnamed speaker."),
            _field("mean_response_gap_seconds", _F64, "Mean of the switches' response gaps, each rounded to whole microseconds; null when none."),
            _field("question_count", _I32, "Entries whose trimmed text ends with '?' or '？'."),
        ],
        ("recording_id",),
        partitioned=True,
    ),
    _spec(
        "speaker_metrics",
        "One row per speaker of a recording's transcript, with its talk and what resolving it to an attendee needs from the day's own attendees.",
        [
            _field("recording_id", _S, "Recording id.", key=True),
            _field("speaker_index", _I32, "Zero-based order of the speaker's first segment with words in the transcript.", key=True),
            _field("event_id", _S, "The recording's calendar_event_id."),
            _field("speaker_key", _S, "Normalised name (as transcript_segments.speaker_key); null for the unnamed speaker."),
            _field("participant_name", _S, "The name as written in the speaker's first segment; null for the unnamed speaker."),
            _field("email_match", _S, "The one attendee e-mail of the event whose local part's tokens contain the key's first token; null when none or several do."),
            _field("talk_seconds", _F64, "Sum of the speaker's segments' talk, each rounded to whole microseconds."),
            _field("talk_share", _F64, "talk_seconds over the recording's talk; null when the recording has no talk."),
            _field("word_entry_count", _I32, "Words entries of the speaker's segments."),
            _field("question_count", _I32, "Entries of the speaker whose trimmed text ends with '?' or '？'."),
            _field("longest_monologue_seconds", _F64, "Longest span of the speaker's runs; 0 when none has a countable entry."),
        ],
        ("recording_id", "speaker_index"),
        partitioned=True,
    ),
    _spec(
        "action_item_owners",
        "One row per action item with an owner, with what resolving the owner to an attendee needs from the day's own attendees.",
        [
            _field("recording_id", _S, "Recording id.", key=True),
            _field("item_index", _I32, "Zero-based position in summary.action_items.", key=True),
            _field("event_id", _S, "The recording's calendar_event_id."),
            _field("owner_key", _S, "The owner normalised like a speaker name; null when it normalises to nothing."),
            _field("email_match", _S, "The one attendee e-mail of the event whose local part's tokens contain the key's first token; null when none or several do."),
        ],
        ("recording_id", "item_index"),
        partitioned=True,
    ),
    _spec(
        "summary_fields",
        "Summary keys beyond summary/topics/action_items/detected_language (workspace-specific), JSON-encoded so nothing is lost.",
        [
            _field("recording_id", _S, "Recording id.", key=True),
            _field("field_name", _S, "Key in the summary object.", key=True),
            _field("value_json", _S, "The key's value as JSON text."),
        ],
        ("recording_id", "field_name"),
        partitioned=True,
    ),
    _spec(
        "missing_recordings",
        "Recordings listed as done whose detail could not be fetched or parsed (e.g. 404 after deletion).",
        [
            _field("recording_id", _S, "Recording id.", key=True),
            _field("calendar_event_id", _S, "Calendar event that listed the recording."),
            _field("listed_status", _S, "Status in the calendar event listing."),
            _field("http_status", _I16, "HTTP status of the detail request; null if no response."),
            _field("reason", _S, "Why no detail is available, e.g. 'http 404', 'invalid json: ...'."),
        ],
        ("recording_id",),
        partitioned=True,
    ),
    _spec(
        "deleted_events",
        "One row per calendar event the API stopped serving (its detail answered 404), on the day it was last on.",
        [
            _field("event_id", _S, "Calendar event id.", key=True),
            _field("title", _S, "Meeting title when it was last listed."),
            _field("start_at", _TS, "Scheduled start when it was last listed (UTC)."),
            _field("recording_ids", pa.list_(_S), "Recordings it listed when it was last listed; they leave the lake with it."),
            _field("detected_at", _TS, "When a run found the event gone (UTC)."),
        ],
        ("event_id",),
        partitioned=True,
    ),
    _spec(
        "tracker_matches",
        "One row per tracker mention in a transcript: the tracker, the phrase that matched and where; computed when the day is flattened.",
        [
            _field("recording_id", _S, "Recording id.", key=True),
            _field("event_id", _S, "The recording's calendar event."),
            _field("tracker", _S, "Tracker name as written in the trackers file.", key=True),
            _field("phrase", _S, "The tracker's first phrase, in file order, that matches at this position, as written."),
            _field("segment_index", _I32, "Zero-based position of the segment in transcript.", key=True),
            _field("token_index", _I32, "Zero-based position of the mention's first token within the segment.", key=True),
            _field("participant_name", _S, "Speaker name of the segment, as served."),
            _field("speaker_key", _S, "The speaker's normalised name, as transcript_segments.speaker_key."),
            _field("start_relative_s", _F64, "Start of the words entry holding the first token, seconds from the recording start."),
        ],
        ("recording_id", "tracker", "segment_index", "token_index"),
        partitioned=True,
    ),
    # -------------------------------------------------------------------- CRM
    _spec(
        "contacts",
        "Current snapshot of all contacts.",
        [
            _field("contact_id", _S, "Contact id.", key=True),
            _field("first_name", _S, "First name."),
            _field("last_name", _S, "Last name."),
            _field("full_name", _S, "First and last name joined by a space, skipping missing parts."),
            _field("organization_id", _S, "Organization the contact belongs to."),
            _field("phone_numbers", pa.list_(_S), "Phone numbers as served."),
            _field("email_count", _I32, "Rows in contact_emails for this contact."),
            _field("custom_fields_json", _S, "custom_fields array as JSON text."),
            _field("created_at", _TS, "Creation time (UTC)."),
            _field("updated_at", _TS, "Last update (UTC)."),
        ],
        ("contact_id",),
        partitioned=False,
    ),
    _spec(
        "contact_emails",
        "One row per distinct (case-insensitive) email of a contact.",
        [
            _field("contact_id", _S, "Contact id.", key=True),
            _field("email", _S, "Email, stripped and lower-cased.", key=True),
            _field("email_index", _I32, "Zero-based position of its first occurrence in the emails array."),
            _field("email_domain", _S, "Part of the email after the last '@'."),
        ],
        ("contact_id", "email"),
        partitioned=False,
    ),
    _spec(
        "organizations",
        "Current snapshot of all organizations.",
        [
            _field("organization_id", _S, "Organization id.", key=True),
            _field("name", _S, "Organization name."),
            _field("domain_count", _I32, "Rows in organization_domains for this organization."),
            _field("custom_fields_json", _S, "custom_fields array as JSON text."),
            _field("created_at", _TS, "Creation time (UTC)."),
            _field("updated_at", _TS, "Last update (UTC)."),
        ],
        ("organization_id",),
        partitioned=False,
    ),
    _spec(
        "organization_domains",
        "One row per distinct domain of an organization.",
        [
            _field("organization_id", _S, "Organization id.", key=True),
            _field("domain", _S, "Domain, lower-cased, without scheme, path, port or leading 'www.'.", key=True),
            _field("domain_index", _I32, "Zero-based position of its first occurrence in the domains array."),
        ],
        ("organization_id", "domain"),
        partitioned=False,
    ),
    _spec(
        "notes",
        "Current snapshot of all notes.",
        [
            _field("note_id", _S, "Note id.", key=True),
            _field("organization_id", _S, "Organization the note is attached to."),
            _field("deal_id", _S, "Deal the note is attached to."),
            _field("body", _S, "Note text."),
            _field("created_at", _TS, "Creation time (UTC)."),
            _field("updated_at", _TS, "Last update (UTC)."),
        ],
        ("note_id",),
        partitioned=False,
    ),
    _spec(
        "custom_fields",
        "Current snapshot of custom field definitions.",
        [
            _field("custom_field_id", _S, "Custom field id.", key=True),
            _field("name", _S, "Field name."),
            _field("model", _S, "organization, contact or deal."),
            _field("data_type", _S, "text, textarea, url, number, date, datetime, select, user or contact."),
            _field("options_json", _S, "options as JSON text."),
            _field("accepts_multiple_values", _BOOL, "Whether the field takes several values."),
            _field("created_at", _TS, "Creation time (UTC)."),
            _field("updated_at", _TS, "Last update (UTC)."),
        ],
        ("custom_field_id",),
        partitioned=False,
    ),
    _spec(
        "lists",
        "Current snapshot of lists and processes.",
        [
            _field("list_id", _S, "List or process id.", key=True),
            _field("name", _S, "Name."),
            _field("process", _BOOL, "True for a process, false for a regular list."),
            _field("entry_type", _S, "Contact or Organization."),
            _field("identifier", _S, "Process identifier prefix (processes only)."),
            _field("duplicates_allowed", _BOOL, "Whether duplicate identifiers are allowed (processes only)."),
            _field("entry_label", _S, "Label of an entry (processes only)."),
            _field("status_label", _S, "Label of the status field (processes only)."),
            _field("statuses_json", _S, "statuses array as JSON text."),
            _field("fields_json", _S, "fields array as JSON text."),
            _field("created_at", _TS, "Creation time (UTC)."),
            _field("updated_at", _TS, "Last update (UTC)."),
            _field("archived_at", _TS, "Archival time (UTC); null while active."),
        ],
        ("list_id",),
        partitioned=False,
    ),
    _spec(
        "list_entries",
        "Current snapshot of entries of all lists and processes.",
        [
            _field("list_id", _S, "Parent list or process id.", key=True),
            _field("entry_id", _S, "Entry id.", key=True),
            _field("key", _S, "Process entry key, e.g. 'DEAL-1'."),
            _field("entryable_id", _S, "Id of the contact or organization the entry is about."),
            _field("entryable_type", _S, "Contact or Organization."),
            _field("contact_id", _S, "Associated contact."),
            _field("status", _S, "Process status name."),
            _field("assignee_json", _S, "assignee as JSON text."),
            _field("one_time_value_cents", _I64, "One-time value in cents."),
            _field("recurring_value_cents", _I64, "Recurring value in cents."),
            _field("recurring_value_period", _S, "monthly, annual or one_time."),
            _field("list_fields_json", _S, "list_fields object as JSON text."),
            _field("closed_at", _TS, "Close time (UTC)."),
            _field("next_entry_id", _S, "Follow-up entry id."),
            _field("created_at", _TS, "Creation time (UTC)."),
            _field("updated_at", _TS, "Last update (UTC)."),
        ],
        ("list_id", "entry_id"),
        partitioned=False,
    ),
    _spec(
        "tracker_definitions",
        "The trackers every day's tracker_matches were computed with: one row per phrase, in file order.",
        [
            _field("tracker", _S, "Tracker name.", key=True),
            _field("tracker_index", _I32, "Zero-based position of the tracker in the file."),
            _field("phrase_index", _I32, "Zero-based position of the phrase in the tracker's list.", key=True),
            _field("phrase", _S, "The phrase as written."),
        ],
        ("tracker", "phrase_index"),
        partitioned=False,
    ),
    # ------------------------------------------------------------ day index
    _spec(
        "day_index",
        "Which day holds each event id and recording id, and each meeting table's rows per day, with the identity of the file each row was read from.",
        [
            _field("table_name", _S, "Meeting table.", key=True),
            _field("date", _S, "Day of the file, YYYY-MM-DD.", key=True),
            _field("file_stamp", _S, "The file's identity when it was read (inode, size and time; on an object store its version), as JSON."),
            _field("row_count", _I64, "Rows in the file, from its footer."),
            _field("complete", _BOOL, "Whether the file has every column of its table (one written before a column was added has not)."),
            _field("ids", pa.list_(_S), "The event ids (calendar_events, deleted_events) or recording ids (recordings) in the file; null for other tables."),
        ],
        ("table_name", "date"),
        partitioned=False,
    ),
    # -------------------------------------------------------------- raw store
    _spec(
        "raw_calendar_events",
        "Raw store: each listed calendar event's JSON, decoded and re-encoded with every key and value kept, so any column can be re-derived.",
        [
            _field("event_id", _S, "Calendar event id.", key=True),
            _field("start_at", _TS, "Scheduled start (UTC), for partition checks without parsing body."),
            _field("updated_at", _S, "updated_at exactly as served, for change detection."),
            _field("body", pa.large_binary(), "The event's JSON (orjson-encoded)."),
        ],
        ("event_id",),
        partitioned=True,
    ),
    _spec(
        "raw_recordings",
        "Raw store: each done recording's detail response body, or why there is none.",
        [
            _field("recording_id", _S, "Recording id.", key=True),
            _field("calendar_event_id", _S, "Calendar event that listed the recording."),
            _field("listed_status", _S, "Status in the calendar event listing."),
            _field("event_updated_at", _S, "The listing event's updated_at exactly as served."),
            _field("fetched_at", _TS, "When the detail was requested (UTC)."),
            _field("http_status", _I16, "HTTP status of the detail request; null if none was made or no response."),
            _field("body", pa.large_binary(), "Exact response body; null when not fetched or not 200."),
        ],
        ("recording_id",),
        partitioned=True,
    ),
    _spec(
        "raw_deleted_events",
        "Raw store: events that left the API (their detail answered 404), with the last listing of each.",
        [
            _field("event_id", _S, "Calendar event id.", key=True),
            _field("detected_at", _TS, "When a run found the event gone (UTC)."),
            _field("body", pa.large_binary(), "The event's JSON as it was last listed on this day."),
        ],
        ("event_id",),
        partitioned=True,
    ),
]

CRM_HISTORIES: dict[str, tuple[str, str]] = {
    "contact_changes": ("contacts", "contact_id"),
    "organization_changes": ("organizations", "organization_id"),
    "list_entry_changes": ("list_entries", "entry_id"),
}
"""Each CRM history's lake table of changes: the snapshot table it follows, and the column naming a row across snapshots."""


def _changes_spec(name: str, table: str, key: str) -> TableSpec:
    """A snapshot table's columns, all nullable but ``key`` (a deletion carries only the key), plus the snapshot's time and the kind of change."""
    base = next(s for s in _specs if s.name == table)
    fields = [_field(f.name, f.type, base.describe(f.name), key=f.name == key) for f in base.schema]
    fields += [
        _field("snapshot_at", _TS, "When the snapshot that saw this change was taken (UTC).", key=True),
        _field("change", _S, "'version': the row as that snapshot listed it, new or differing in any column; 'deleted': that snapshot no longer lists it (the other columns are null)."),
    ]
    return _spec(
        name,
        f"Every change the CRM snapshots saw in {table}: one row per {key} and snapshot that added, changed or removed it; one file per UTC day of the snapshots.",
        fields,
        (key, "snapshot_at"),
        partitioned=True,
    )


_specs += [_changes_spec(name, table, key) for name, (table, key) in CRM_HISTORIES.items()]

TABLES: dict[str, TableSpec] = {s.name: s for s in _specs}

EVENT_TABLES: tuple[str, ...] = ("calendar_events", "event_attendees", "event_recordings")
RECORDING_TABLES: tuple[str, ...] = (
    "recordings",
    "recording_topics",
    "recording_action_items",
    "transcript_utterances",
    "transcript_segments",
    "summary_fields",
    "missing_recordings",
)
METRIC_TABLES: tuple[str, ...] = ("recording_metrics", "speaker_metrics", "action_item_owners")
"""Per-day facts computed from a day's own recordings and attendees (no CRM), the input of the conversation views."""
TRACKER_TABLES: tuple[str, ...] = ("tracker_matches",)
"""Meeting tables computed from the day's transcripts with the trackers file, not from a recording alone."""
MEETING_TABLES: tuple[str, ...] = EVENT_TABLES + RECORDING_TABLES + ("deleted_events",) + METRIC_TABLES + TRACKER_TABLES
CRM_TABLES: tuple[str, ...] = (
    "contacts",
    "contact_emails",
    "organizations",
    "organization_domains",
    "notes",
    "custom_fields",
    "lists",
    "list_entries",
)
RAW_TABLES: tuple[str, ...] = ("raw_calendar_events", "raw_recordings", "raw_deleted_events")
WAREHOUSE_TABLES: tuple[str, ...] = MEETING_TABLES + CRM_TABLES + ("tracker_definitions",) + tuple(CRM_HISTORIES)


def spec(name: str) -> TableSpec:
    """Look a table up, failing with the known names so a typo is obvious."""
    try:
        return TABLES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown table {name!r}; known tables: {', '.join(sorted(TABLES))}") from None


def empty_table(name: str) -> pa.Table:
    return spec(name).schema.empty_table()


def conform(name: str, table: pa.Table) -> pa.Table:
    """Cast ``table`` to the table's schema, column by column, so a mismatch names its column.

    Extra columns are an error rather than silently dropped: they signal a writer built
    against a different schema version.  Key columns must be non-null.
    """
    table_spec = spec(name)
    schema = table_spec.schema
    if not isinstance(table, pa.Table):
        raise TypeError(f"table {name!r}: expected a pyarrow.Table, got {type(table).__name__}")
    present = set(table.column_names)
    missing = [f.name for f in schema if f.name not in present]
    if missing:
        raise ValueError(f"table {name!r}: missing column(s) {missing}")
    extra = [c for c in table.column_names if c not in schema.names]
    if extra:
        raise ValueError(f"table {name!r}: unexpected column(s) {extra}")
    if len(set(table.column_names)) != len(table.column_names):
        raise ValueError(f"table {name!r}: duplicate column names in {table.column_names}")
    columns = []
    for field in schema:
        column = table.column(field.name)
        if not column.type.equals(field.type):
            try:
                column = column.cast(field.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
                raise ValueError(
                    f"table {name!r}: column {field.name!r} has type {column.type}, "
                    f"which cannot be cast to {field.type}: {exc}"
                ) from None
        if not field.nullable and column.null_count:
            raise ValueError(f"table {name!r}: key column {field.name!r} has {column.null_count} null value(s)")
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)
