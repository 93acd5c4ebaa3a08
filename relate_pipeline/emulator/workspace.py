"""The seeded generator of a sales team's Relate workspace.

Everything comes from local `random.Random` instances seeded from the knobs, so the same knobs give
the same workspace, ids included. Recording summaries and transcripts are generated later, on first
use (see `meeting_content`), from a per-recording seed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

from . import content
from .drift import EVENT_DRIFTS, RECORDING_DRIFTS
from .ids import IdFactory
from .models import CalendarEvent, ListState, Recording
from .timefmt import UTC, iso_utc, to_millis
from .validation import normalize_phone


@dataclass(frozen=True)
class WorkspaceConfig:
    seed: int = 7
    days: int = 7
    end_date: dt.date = field(default_factory=lambda: dt.datetime.now(UTC).date())
    meetings_per_day: int = 40
    contacts: int = 300
    organizations: int = 60
    late_fraction: float = 0.1
    drift_fraction: float = 0.0  # share of events and of recordings served in a drifted shape (see `drift`)

    def __post_init__(self) -> None:
        for name in ("days", "organizations"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1 (got {getattr(self, name)})")
        for name in ("meetings_per_day", "contacts"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative (got {getattr(self, name)})")
        for name in ("late_fraction", "drift_fraction"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1 (got {getattr(self, name)})")

    @property
    def first_date(self) -> dt.date:
        return self.end_date - dt.timedelta(days=self.days - 1)


@dataclass
class Workspace:
    internal_domains: list[str]
    users: list[dict[str, str]]
    organizations: dict[str, dict[str, Any]]
    contacts: dict[str, dict[str, Any]]
    notes: dict[str, dict[str, Any]]
    custom_fields: dict[str, dict[str, Any]]
    lists: dict[str, ListState]
    events: dict[str, CalendarEvent]
    recordings: dict[str, Recording]


CUSTOM_FIELD_CATALOGUE = (
    ("Industry", "organization", "select", ["SaaS", "Logistics", "Healthcare", "Finance", "Manufacturing", "Retail"], False),
    ("Lead Source", "contact", "select", ["Inbound", "Outbound", "Referral", "Event"], False),
    ("Tier", "organization", "select", ["Enterprise", "Mid-market", "SMB"], False),
    ("LinkedIn", "contact", "url", None, None),
    ("Expected ARR", "deal", "number", None, None),
    ("Renewal Date", "organization", "date", None, None),
)


# The fields the API reference's own examples fill in ("House": "Atreides" on a contact,
# "Category": "Startup" on an organization), added to every workspace after everything else is
# generated, so they change no other object or id, and hold no values until a request sets them.
SPEC_EXAMPLE_FIELDS = (("House", "contact"), ("Category", "organization"))


def _instant(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    span = (end - start).total_seconds()
    return to_millis(start + dt.timedelta(seconds=rng.uniform(0, span)))


def _stamps(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dict[str, str]:
    created = _instant(rng, start, end)
    updated = _instant(rng, created, end) if rng.random() < 0.5 else created
    return {"created_at": iso_utc(created), "updated_at": iso_utc(updated)}


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.1:
        middle, last = rng.randint(100, 9999), rng.randint(1000, 9999)
        return f"02-{middle}-{last}"
    a, b = rng.randint(1000, 9999), rng.randint(1000, 9999)
    style = rng.randrange(6)
    return (
        f"+8210{a}{b}", f"010-{a}-{b}", f"010{a}{b}", f"+82 10-{a}-{b}", f"+82 (0)10 {a} {b}", f"010 {a} {b}"
    )[style]


def _mixed_case(rng: random.Random, email: str) -> str:
    local, domain = email.split("@")
    style = rng.randrange(3)
    if style == 0:
        return email.upper()
    if style == 1:
        return ".".join(part.capitalize() for part in local.split(".")) + "@" + domain
    return local.capitalize() + "@" + domain.capitalize()


class _Generator:
    def __init__(self, config: WorkspaceConfig, ids: IdFactory) -> None:
        self.config = config
        self.ids = ids
        self.rng = random.Random(f"relate-emulator-workspace:{config.seed}")
        first = dt.datetime.combine(config.first_date, dt.time(0, 0), tzinfo=UTC)
        self.crm_start = first - dt.timedelta(days=120)
        self.crm_end = first - dt.timedelta(days=1)
        self.taken_domains: set[str] = set(content.INTERNAL_DOMAINS)
        self.taken_emails: set[str] = set()
        self.taken_phones: set[str] = set()
        self.korean_orgs: set[str] = set()
        self.org_domains: dict[str, list[str]] = {}
        self.org_contacts: dict[str, list[str]] = {}
        self.display_names: dict[str, str] = {}

    def users(self) -> list[dict[str, str]]:
        users = []
        for index, (name, local) in enumerate(content.INTERNAL_USERS):
            domain = content.INTERNAL_DOMAINS[1] if index == len(content.INTERNAL_USERS) - 1 else content.INTERNAL_DOMAINS[0]
            users.append({"name": name, "email": f"{local}@{domain}"})
        return users

    def custom_fields(self) -> dict[str, dict[str, Any]]:
        rng = self.rng
        chosen = list(CUSTOM_FIELD_CATALOGUE[:2]) + rng.sample(CUSTOM_FIELD_CATALOGUE[2:], rng.randint(1, 3))
        fields = {}
        for name, model, data_type, options, multiple in chosen:
            record = {"id": self.ids.new(), "name": name, "model": model, "data_type": data_type,
                      "options": list(options) if options else None, "accepts_multiple_values": multiple}
            record.update(_stamps(rng, self.crm_start, self.crm_start + dt.timedelta(days=10)))
            fields[record["id"]] = record
        return fields

    def spec_example_fields(self) -> dict[str, dict[str, Any]]:
        stamps = {"created_at": iso_utc(self.crm_start), "updated_at": iso_utc(self.crm_start)}
        records = [{"id": self.ids.new(), "name": name, "model": model, "data_type": "text", "options": None,
                    "accepts_multiple_values": None, **stamps} for name, model in SPEC_EXAMPLE_FIELDS]
        return {record["id"]: record for record in records}

    def _field_values(self, fields: dict[str, dict[str, Any]], model: str) -> list[dict[str, Any]]:
        values = []
        for definition in fields.values():
            if definition["model"] != model or self.rng.random() < 0.3:
                continue
            kind = definition["data_type"]
            if kind == "select":
                value: Any = self.rng.choice(definition["options"])
            elif kind == "date":
                value = (self.crm_end + dt.timedelta(days=self.rng.randint(30, 400))).date().isoformat()
            elif kind == "url":
                value = f"https://www.linkedin.example/in/{self.ids.new().lower()}"
            else:
                value = str(self.rng.randint(10, 500) * 1000)
            values.append({"name": definition["name"], "value": value})
        return values

    def _org_identity(self, index: int) -> tuple[str, str, bool]:
        rng = self.rng
        korean = rng.random() < 0.4
        while True:
            if korean:
                (p_name, p_slug), (s_name, s_slug) = rng.choice(content.KOREAN_ORG_PREFIXES), rng.choice(content.KOREAN_ORG_SUFFIXES)
                name, slug = (f"(주){p_name}{s_name}" if rng.random() < 0.2 else f"{p_name}{s_name}"), f"{p_slug}-{s_slug}"
            else:
                prefix, suffix = rng.choice(content.ENGLISH_ORG_PREFIXES), rng.choice(content.ENGLISH_ORG_SUFFIXES)
                name, slug = f"{prefix} {suffix}" + (" Inc." if rng.random() < 0.2 else ""), f"{prefix}-{suffix}".lower()
            if any(f"{slug}.{tld}" in self.taken_domains for tld in content.TLDS):
                slug = f"{slug}{index}"
            if f"{slug}.{content.TLDS[0]}" not in self.taken_domains:
                return name, slug, korean

    def organizations(self, fields: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        rng = self.rng
        orgs = {}
        for index in range(self.config.organizations):
            name, slug, korean = self._org_identity(index)
            tld = rng.choice(content.TLDS)
            candidates = [f"{slug}.{tld}", f"{slug.replace('-', '')}.{content.TLDS[1 - content.TLDS.index(tld)]}", f"{slug}-group.{tld}"]
            domains = [d for d in candidates[: rng.choice((1, 1, 2, 3))] if d not in self.taken_domains]
            self.taken_domains.update(domains)
            org_id = self.ids.new()
            org = {"id": org_id, "name": name, "domains": domains, "custom_fields": self._field_values(fields, "organization")}
            org.update(_stamps(rng, self.crm_start, self.crm_end))
            orgs[org_id] = org
            self.org_domains[org_id] = domains
            self.org_contacts[org_id] = []
            if korean:
                self.korean_orgs.add(org_id)
        return orgs

    def _person(self, korean: bool) -> tuple[str, str, str, list[str]]:
        """first name, last name, display name, and ASCII name parts for email addresses."""
        rng = self.rng
        if korean:
            (last, last_r), (first, first_r) = rng.choice(content.KOREAN_SURNAMES), rng.choice(content.KOREAN_GIVEN)
            return first, last, f"{last}{first}", [first_r, last_r]
        first, last = rng.choice(content.ENGLISH_FIRST), rng.choice(content.ENGLISH_LAST)
        ascii_parts = [part.lower().replace("'", "").replace("í", "i").replace("á", "a") for part in (first, last)]
        return first, last, f"{first} {last}", ascii_parts

    def _email(self, parts: list[str], domain: str) -> str:
        first, last = parts
        local = self.rng.choice((f"{first}.{last}", f"{first[0]}{last}", first, f"{first}_{last}"))
        email, suffix = f"{local}@{domain}", 2
        while email.lower() in self.taken_emails:
            email, suffix = f"{local}{suffix}@{domain}", suffix + 1
        self.taken_emails.add(email.lower())
        return email

    def _unique_phone(self) -> str:
        while True:
            phone = _phone(self.rng)
            key = normalize_phone(phone)
            if key not in self.taken_phones:
                self.taken_phones.add(key)
                return phone

    def contacts(self, orgs: dict[str, dict[str, Any]], fields: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        rng = self.rng
        org_ids = list(orgs)
        contacts = {}
        for _ in range(self.config.contacts):
            org_id = rng.choice(org_ids) if rng.random() < 0.85 else None
            korean = (org_id in self.korean_orgs) if (org_id and rng.random() < 0.85) else rng.random() < 0.3
            first, last, display, parts = self._person(korean)
            emails = []
            if org_id is not None and rng.random() < 0.95:
                emails.append(self._email(parts, rng.choice(self.org_domains[org_id])))
            if not emails or rng.random() < 0.25:
                emails.append(self._email(parts, rng.choice(content.PERSONAL_DOMAINS)))
            if rng.random() < 0.15:
                emails[0] = _mixed_case(rng, emails[0])
            phones = [self._unique_phone() for _ in range(rng.choice((0, 0, 1, 1, 1, 2)))]
            contact_id = self.ids.new()
            nameless = rng.random() < 0.03
            contact = {
                "id": contact_id,
                "first_name": None if nameless else first,
                "last_name": None if nameless else last,
                "emails": emails,
                "phone_numbers": phones,
                "organization_id": org_id,
                "custom_fields": self._field_values(fields, "contact"),
            }
            contact.update(_stamps(rng, self.crm_start, self.crm_end))
            contacts[contact_id] = contact
            self.display_names[contact_id] = display
            if org_id:
                self.org_contacts[org_id].append(contact_id)
        return contacts

    def notes(self, orgs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        rng = self.rng
        notes = {}
        for org_id in rng.sample(list(orgs), max(1, len(orgs) * 2 // 3)):
            for _ in range(rng.randint(1, 2)):
                note_id = self.ids.new()
                note = {"id": note_id, "organization_id": org_id, "deal_id": self.ids.new() if rng.random() < 0.4 else None,
                        "body": rng.choice(content.NOTE_BODIES)}
                note.update(_stamps(rng, self.crm_start, self.crm_end))
                notes[note_id] = note
        return notes

    def lists(self, orgs: dict[str, dict[str, Any]], contacts: dict[str, dict[str, Any]], users: list[dict[str, str]]) -> dict[str, ListState]:
        rng = self.rng
        blueprints = [
            {"name": "Target Accounts", "process": False, "entry_type": "Organization",
             "fields": [{"name": "Priority", "data_type": "select", "accepts_multiple_values": False, "options": ["High", "Medium", "Low"]},
                        {"name": "Account notes", "data_type": "textarea"}]},
            {"name": "Conference leads", "process": False, "entry_type": "Contact",
             "fields": [{"name": "Met at", "data_type": "text"}, {"name": "Follow-up date", "data_type": "date"}]},
            {"name": "Sales Pipeline", "identifier": "DEAL", "process": True, "duplicates_allowed": True, "entry_type": "Organization",
             "entry_label": "Deal", "status_label": "Stage",
             "statuses": [{"name": "Qualified", "type": "active"}, {"name": "Demo", "type": "active"}, {"name": "Proposal", "type": "active"},
                          {"name": "Closed Won", "type": "won"}, {"name": "Closed Lost", "type": "lost"}],
             "fields": [{"name": "Close date", "data_type": "date"},
                        {"name": "Competitors", "data_type": "select", "accepts_multiple_values": True, "options": ["Acorn CRM", "PipeStack", "In-house"]}]},
            {"name": "Partnerships", "identifier": "PARTNER", "process": True, "duplicates_allowed": False, "entry_type": "Contact",
             "entry_label": "Partner", "status_label": "Status",
             "statuses": [{"name": "Prospecting", "type": "active"}, {"name": "Signed", "type": "won"}, {"name": "Declined", "type": "lost"}],
             "fields": [{"name": "Partner type", "data_type": "select", "accepts_multiple_values": False, "options": ["Reseller", "Referral", "Technology"]}]},
        ]
        states = {}
        for blueprint in blueprints:
            list_id = self.ids.new()
            public = {"id": list_id, **blueprint}
            public.update(_stamps(rng, self.crm_start, self.crm_start + dt.timedelta(days=20)))
            public["archived_at"] = None
            state = ListState(public=public, field_ids={f["name"]: self.ids.new() for f in blueprint["fields"]})
            pool = list(orgs) if blueprint["entry_type"] == "Organization" else list(contacts)
            for entryable_id in rng.sample(pool, min(len(pool), rng.randint(4, 9))):
                self._entry(state, entryable_id, contacts, users)
            states[list_id] = state
        return states

    def _entry(self, state: ListState, entryable_id: str, contacts: dict[str, dict[str, Any]], users: list[dict[str, str]]) -> None:
        rng = self.rng
        public = state.public
        list_fields = {}
        for definition in public["fields"]:
            if rng.random() < 0.4:
                continue
            if definition["data_type"] == "select":
                value: Any = (rng.sample(definition["options"], rng.randint(1, 2)) if definition["accepts_multiple_values"]
                              else rng.choice(definition["options"]))
            elif definition["data_type"] == "date":
                value = (self.crm_end + dt.timedelta(days=rng.randint(10, 120))).date().isoformat()
            else:
                value = rng.choice(("Met at SaaStr", "Warm intro from a partner", "재방문 예정", "Booth visit — asked for a demo"))
            list_fields[state.field_ids[definition["name"]]] = {"name": definition["name"], "data_type": definition["data_type"], "value": value}
        entry_id = self.ids.new()
        stamps = _stamps(rng, self.crm_start + dt.timedelta(days=20), self.crm_end)
        contact_id = None
        if public["entry_type"] == "Organization" and self.org_contacts.get(entryable_id) and rng.random() < 0.5:
            contact_id = rng.choice(self.org_contacts[entryable_id])
        if state.is_process:
            status = rng.choice(public["statuses"])
            assignee = rng.choice(users) if rng.random() < 0.7 else None
            entry = {
                "id": entry_id, "key": f"{public['identifier']}-{state.next_key}", "list_id": public["id"],
                "entryable_id": entryable_id, "entryable_type": public["entry_type"], "status": status["name"],
                "assignee": dict(assignee) if assignee else None, "contact_id": contact_id,
                "one_time_value_cents": rng.choice((0, 0, 150000, 990000)),
                "recurring_value_cents": rng.randint(12, 400) * 10000,
                "recurring_value_period": rng.choice(("monthly", "annual", "annual")),
                "list_fields": list_fields,
                "closed_at": stamps["updated_at"] if status["type"] != "active" else None,
                "next_entry_id": None, **stamps,
            }
            state.next_key += 1
        else:
            entry = {"id": entry_id, "key": None, "list_id": public["id"], "entryable_id": entryable_id,
                     "entryable_type": public["entry_type"], "contact_id": contact_id, "list_fields": list_fields, **stamps}
        state.entries[entry_id] = entry

    def _attendees(self, orgs, contacts, users) -> tuple[list[str], list[str], str | None, bool]:
        """Attendee emails, speaker names, the org the meeting is with, and whether it is Korean-speaking."""
        rng = self.rng
        hosts = rng.sample(users, rng.choice((1, 1, 2)))
        emails = [u["email"] for u in hosts]
        names = [u["name"] for u in hosts]
        if rng.random() < 0.1:
            extra = [u for u in users if u not in hosts]
            for user in rng.sample(extra, rng.randint(1, 3)):
                emails.append(user["email"])
                names.append(user["name"])
            return emails, names, None, False
        org_id = rng.choice(list(orgs))
        people = [c for c in self.org_contacts[org_id] if contacts[c]["emails"]]
        first_call = rng.random() < 0.08  # a prospect's people are not contacts yet: known only by domain
        for contact_id in rng.sample(people, 0 if first_call else min(len(people), rng.randint(1, 3))):
            stored = rng.choice(contacts[contact_id]["emails"])
            attendee = stored
            if rng.random() < 0.2:
                attendee = stored.lower() if stored != stored.lower() else _mixed_case(rng, stored)
            emails.append(attendee)
            names.append(self.display_names[contact_id])
        if rng.random() < 0.2 or len(emails) == len(hosts):
            local = rng.choice(content.UNKNOWN_LOCALS)
            emails.append(f"{local}@{rng.choice(self.org_domains[org_id] or list(content.PERSONAL_DOMAINS))}")
            names.append(f"Speaker {len(names) + 1}")
        if rng.random() < 0.1:
            emails.append(f"{rng.choice(content.UNKNOWN_LOCALS)}{rng.randint(1, 99)}@{rng.choice(content.PERSONAL_DOMAINS)}")
            names.append(f"Speaker {len(names) + 1}")
        deduped = list(dict.fromkeys(emails))[:6]
        korean = org_id in self.korean_orgs and rng.random() < 0.75
        return deduped, names[: len(deduped)], orgs[org_id]["name"], korean

    def _conference(self) -> tuple[str, str]:
        rng = self.rng
        kind, template = rng.choice(content.CONFERENCES)
        letters = "".join(rng.choice("abcdefghijkmnopqrstuvwxyz") for _ in range(10))
        link = template.format(digits="".join(rng.choice("0123456789") for _ in range(10)),
                               letters=f"{letters[:3]}-{letters[3:7]}-{letters[7:]}")
        return kind, link

    def events(self, orgs, contacts, users) -> tuple[dict[str, CalendarEvent], dict[str, Recording]]:
        rng = self.rng
        config = self.config
        events: dict[str, CalendarEvent] = {}
        recordings: dict[str, Recording] = {}
        offsets = [o for o, _ in content.OFFSETS]
        weights = [w for _, w in content.OFFSETS]
        for day_index in range(config.days):
            day = config.first_date + dt.timedelta(days=day_index)
            factor = 1.15 if day.weekday() < 5 else 0.35
            count = max(0, round(config.meetings_per_day * factor * rng.uniform(0.85, 1.15)))
            for _ in range(count):
                offset = rng.choices(offsets, weights)[0]
                local_start = dt.datetime.combine(day, dt.time(9, 0)) + dt.timedelta(minutes=15 * rng.randint(0, 32))
                start = (local_start - dt.timedelta(minutes=offset)).replace(tzinfo=UTC)
                end = start + dt.timedelta(minutes=rng.choice((30, 45, 60, 60)))
                emails, names, org_name, korean = self._attendees(orgs, contacts, users)
                if org_name is None:
                    title = rng.choice(content.INTERNAL_TITLES)
                    korean = title == "주간 영업 회의"
                else:
                    templates = content.EXTERNAL_TITLES_KO if korean else content.EXTERNAL_TITLES_EN
                    title = rng.choice(templates).format(org=org_name)
                kind, link = self._conference()
                event_id = self.ids.new()
                created = to_millis(start - dt.timedelta(seconds=rng.uniform(3600, 14 * 86400)))
                event = CalendarEvent(id=event_id, title=title, start_at=start, end_at=end, offset_minutes=offset,
                                      conference_link=link, conference_type=kind, attendees=emails, recording_ids=[],
                                      created_at=created, base_updated_at=created)
                for started, ended in self._recording_spans(start, end):
                    recording = self._recording(event, started, ended, "ko" if korean else "en", names, org_name)
                    recordings[recording.id] = recording
                    event.recording_ids.append(recording.id)
                events[event_id] = event
        self._make_late(events, recordings)
        return events, recordings

    def _recording_spans(self, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
        rng = self.rng
        first_start = to_millis(start + dt.timedelta(seconds=rng.uniform(0, 120)))
        last_end = to_millis(end + dt.timedelta(seconds=rng.uniform(-120, 300)))
        if rng.random() < 0.9:
            return [(first_start, last_end)]
        middle = to_millis(first_start + (last_end - first_start) * rng.uniform(0.3, 0.7))
        return [(first_start, middle), (to_millis(middle + dt.timedelta(seconds=rng.uniform(30, 180))), last_end)]

    def _recording(self, event, started, ended, language, names, org_name) -> Recording:
        rng = self.rng
        recording_id = self.ids.new()
        failed = rng.random() < 0.06
        settle = dt.timedelta(minutes=rng.uniform(1, 10) if failed else rng.uniform(2, 20))
        length = (ended - started).total_seconds()
        duration = None if rng.random() < 0.15 else round(max(length - rng.uniform(0, 30), 1.0), 2)
        return Recording(id=recording_id, event_id=event.id, started_at=started, ended_at=ended, audio_duration=duration,
                         created_at=started, outcome="failed" if failed else "done", settled_at=to_millis(ended + settle),
                         bumps_event=True, language=language, participants=names, org_name=org_name,
                         content_seed=f"{self.config.seed}:{recording_id}")

    def _make_late(self, events: dict[str, CalendarEvent], recordings: dict[str, Recording]) -> None:
        """Picks the late recordings and the events whose `updated_at` ignores them.

        The latest-ending recording is always late and a trap, and (when two or more are late) the latest
        of another event is late and not a trap, so a workspace whose clock starts on the day after its last
        day always has a trapped late arrival pending, and usually an ordinary one too.
        """
        rng = self.rng
        finishing = sorted((r for r in recordings.values() if r.outcome == "done"), key=lambda r: (r.ended_at, r.id))
        if not finishing or self.config.late_fraction == 0:
            return
        count = max(1, math.floor(self.config.late_fraction * len(finishing) + 0.5))
        latest = finishing[-1]
        runner_up = next((r for r in reversed(finishing) if r.event_id != latest.event_id), None) if count > 1 else None
        forced = [latest] + ([runner_up] if runner_up else [])
        rest = [r for r in finishing if r not in forced]
        chosen = forced + rng.sample(rest, min(count - len(forced), len(rest)))
        for recording in chosen:
            recording.late = True
            recording.settled_at = to_millis(recording.ended_at + dt.timedelta(hours=rng.uniform(2, 48)))
            event = events[recording.event_id]
            event.stale_updated_at = event.stale_updated_at or recording is latest or rng.random() < 0.5
        pending_from = dt.datetime.combine(self.config.end_date + dt.timedelta(days=1), dt.time(6), tzinfo=UTC)
        for recording in forced:
            if recording.settled_at <= pending_from:
                recording.settled_at = to_millis(pending_from + dt.timedelta(hours=rng.uniform(1, 12)))
        if runner_up is not None:
            events[runner_up.event_id].stale_updated_at = False
        for recording in chosen:
            recording.bumps_event = not events[recording.event_id].stale_updated_at


def _assign_drift(config: WorkspaceConfig, items: list, variants: list[str], kind: str) -> None:
    """Marks a seeded `drift_fraction` of `items` with variants dealt round-robin, so each appears once enough drift.

    A generator of its own keeps the rest of the workspace identical whatever the fraction.
    """
    if config.drift_fraction == 0 or not items:
        return
    rng = random.Random(f"relate-emulator-drift:{kind}:{config.seed}")
    count = max(1, math.floor(config.drift_fraction * len(items) + 0.5))
    order = rng.sample(variants, len(variants))
    for position, item in enumerate(rng.sample(items, count)):
        item.drift = order[position % len(order)]


def build_workspace(config: WorkspaceConfig, ids: IdFactory) -> Workspace:
    generator = _Generator(config, ids)
    users = generator.users()
    fields = generator.custom_fields()
    orgs = generator.organizations(fields)
    contacts = generator.contacts(orgs, fields)
    notes = generator.notes(orgs)
    lists = generator.lists(orgs, contacts, users)
    events, recordings = generator.events(orgs, contacts, users)
    _assign_drift(config, sorted(events.values(), key=lambda e: e.id), list(EVENT_DRIFTS), "events")
    done = sorted((r for r in recordings.values() if r.outcome == "done"), key=lambda r: r.id)
    _assign_drift(config, done, list(RECORDING_DRIFTS), "recordings")
    fields.update(generator.spec_example_fields())
    return Workspace(internal_domains=list(content.INTERNAL_DOMAINS), users=users, organizations=orgs, contacts=contacts,
                     notes=notes, custom_fields=fields, lists=lists, events=events, recordings=recordings)
