"""The seeded workspace: determinism, and the realism the pipeline's tests depend on."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from emulator_support import instant

from relate_pipeline.emulator.validation import normalize_phone


def test_same_seed_gives_an_identical_snapshot(emulator, make_emulator, truth):
    twin = make_emulator()
    assert twin.admin.snapshot() == truth


def test_different_seed_gives_different_ids(make_emulator, truth):
    other = make_emulator(seed=8, days=1, meetings_per_day=4, contacts=10, organizations=3)
    assert {c["id"] for c in other.admin.snapshot()["contacts"]}.isdisjoint({c["id"] for c in truth["contacts"]})


def test_knobs_set_the_number_of_contacts_and_organizations(truth):
    assert (len(truth["contacts"]), len(truth["organizations"])) == (80, 20)


def test_meetings_span_the_requested_days_in_their_local_dates(truth):
    local_days = {e["start_at"][:10] for e in truth["calendar_events"]}
    assert local_days == {"2026-05-18", "2026-05-19", "2026-05-20"}


def test_meetings_per_day_are_near_the_requested_rate(truth):
    per_day = Counter(e["start_at"][:10] for e in truth["calendar_events"])
    assert all(8 <= count <= 18 for count in per_day.values())


def test_meetings_start_in_business_hours_of_their_own_zone(truth):
    hours = {int(e["start_at"][11:13]) for e in truth["calendar_events"]}
    assert min(hours) >= 9 and max(hours) <= 17


def test_meetings_use_several_utc_offsets(truth):
    offsets = {e["start_at"][-6:] for e in truth["calendar_events"]}
    assert {"+09:00", "+00:00"} <= offsets and len(offsets) >= 4


def test_ids_are_unique_six_character_alphanumerics(truth):
    ids = [x["id"] for key in ("contacts", "organizations", "notes", "custom_fields", "lists", "calendar_events") for x in truth[key]]
    ids += list(truth["recordings"])
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[A-Za-z0-9]{6}", i) for i in ids)


def test_organizations_have_english_and_korean_names_and_one_to_three_test_domains(truth):
    names = [o["name"] for o in truth["organizations"]]
    assert any(re.search(r"[가-힣]", n) for n in names) and any(re.fullmatch(r"[A-Za-z .]+", n) for n in names)
    assert all(1 <= len(o["domains"]) <= 3 and all(d.endswith((".example", ".test")) for d in o["domains"])
               for o in truth["organizations"])


def test_some_contact_emails_are_stored_in_mixed_case(truth):
    assert any(e != e.lower() for c in truth["contacts"] for e in c["emails"])


def test_contact_phone_numbers_are_korean_in_mixed_formats(truth):
    phones = [p for c in truth["contacts"] for p in c["phone_numbers"]]
    assert all(normalize_phone(p).startswith("+82") for p in phones)
    assert {p.startswith("+") for p in phones} == {True, False}


def test_most_contacts_belong_to_an_organization(truth):
    with_org = sum(1 for c in truth["contacts"] if c["organization_id"])
    assert 0.7 * len(truth["contacts"]) <= with_org < len(truth["contacts"])


def test_attendees_mix_internal_people_contacts_and_strangers(truth):
    internal = tuple("@" + d for d in truth["internal_domains"])
    contact_emails = {e.lower() for c in truth["contacts"] for e in c["emails"]}
    attendees = [a["email"] for e in truth["calendar_events"] for a in e["attendees"]]
    kinds = Counter("internal" if a.lower().endswith(internal) else "contact" if a.lower() in contact_emails else "stranger"
                    for a in attendees)
    assert kinds["contact"] > kinds["stranger"] > 0 and kinds["internal"] > 0


def test_every_event_has_one_to_six_attendees(truth):
    assert all(1 <= len(e["attendees"]) <= 6 for e in truth["calendar_events"])


def test_recording_statuses_include_done_processing_and_failed(truth):
    assert set(Counter(r["status"] for r in truth["recordings"].values())) == {"done", "processing", "failed"}


def test_meetings_last_thirty_to_sixty_minutes(truth):
    minutes = {(instant(e["end_at"]) - instant(e["start_at"])) / dt.timedelta(minutes=1) for e in truth["calendar_events"]}
    assert minutes <= {30.0, 45.0, 60.0}


def test_transcripts_are_in_english_and_korean(truth):
    languages = {r["summary"]["detected_language"] for r in truth["recordings"].values() if r["summary"]}
    assert languages == {"en", "ko"}


def test_summaries_have_three_to_eight_topics(truth):
    assert all(3 <= len(r["summary"]["topics"]) <= 8 for r in truth["recordings"].values() if r["summary"])


def test_action_items_are_mostly_owner_colon_task(truth):
    items = [i for r in truth["recordings"].values() if r["summary"] for i in r["summary"]["action_items"]]
    owned = [i for i in items if re.match(r"^[^:]+: .+", i)]
    assert len(items) > len(owned) > len(items) / 2


def test_some_summaries_carry_workspace_specific_keys(truth):
    extras = {k for r in truth["recordings"].values() if r["summary"] for k in r["summary"]} - {
        "summary", "topics", "action_items", "detected_language"}
    assert extras == {"next_steps", "sentiment", "deal_stage"}


def test_some_audio_durations_are_null(truth):
    durations = [r["audio_duration"] for r in truth["recordings"].values()]
    assert None in durations and any(isinstance(d, float) for d in durations)


def test_seeded_workspace_has_a_pending_late_arrival_of_each_kind(truth):
    pending = {e["stale_updated_at"] for e in truth["calendar_events"] if not e["exposed"]
               and any(r["late"] and r["status"] == "processing" for r in e["recordings"])}
    assert pending == {True, False}


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def test_text_contains_emoji_quotes_and_newlines_somewhere(truth):
    texts = strings([[r["summary"], r["transcript"]] for r in truth["recordings"].values()])
    assert any(re.search(r"[\U0001F300-\U0001FAFF]", t) for t in texts)
    assert any('"' in t for t in texts) and any("\n" in t for t in texts)
