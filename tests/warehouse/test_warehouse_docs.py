"""The data-model document is checked against the code, so it cannot drift from it.

Every example query runs against the hand-written conversation warehouse (conversation_samples)
and must return the rows worked out by hand here; `now()` is pinned to an instant a fortnight
after the sample meetings, so "the last 90 days" covers them.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from relate_pipeline.warehouse.conversation import CONVERSATION_SAMPLE_QUERY
from relate_pipeline.warehouse.deals import DEAL_SAMPLE_QUERY
from relate_pipeline.warehouse.trackers import TRACKER_SAMPLE_QUERY
from relate_pipeline.tables import TABLES
from relate_pipeline.warehouse.build import ANALYST_VIEWS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "data-model.md").read_text(encoding="utf-8")
EXAMPLES = dict(re.findall(r"^(\S[^\n]*):\n\n```sql\n(.*?)```", DOC, flags=re.DOTALL | re.MULTILINE))
SECTIONS = dict(re.findall(r"^### `(\w+)`\n(.*?)(?=^#{2,3} |\Z)", DOC, flags=re.DOTALL | re.MULTILINE))
PINNED_NOW = "TIMESTAMPTZ '2026-06-01 00:00:00+00'"

D16, D17 = date(2026, 5, 16), date(2026, 5, 17)
E1_START, E2_START = datetime(2026, 5, 16, 1, tzinfo=timezone.utc), datetime(2026, 5, 17, 1, tzinfo=timezone.utc)
R2_NAMES = sorted(["Alice", "ALICE PARK", "Dana", "김민수", "민수", "  JÜRGEN   GROSS ", "Zed Unknown", "Bob"])
R2_EMAILS = {
    "Alice": ("alice.kim@acme.com", "email"), "ALICE PARK": ("apark@acme.com", "full_name"),
    "Dana": ("dana.lee@beta.io", "email"), "김민수": (None, "none"), "민수": ("minsu@hanbit.kr", "first_name"),
    "  JÜRGEN   GROSS ": ("juergen@gross.de", "full_name"), "Zed Unknown": (None, "none"), "Bob": ("bob@relate.so", "first_name"),
}

EXPECTED: dict[str, list[tuple]] = {
    "Meetings per external organization over the last 90 days": [("Acme", 2), ("Beta", 1), ("Gross", 1), ("한빛", 1)],
    "Action items per owner (the attendee's e-mail when the owner resolves to one), newest meetings first": [
        ("Alice", "none", D17, "Meeting E2", "follow up"),
        ("(no owner)", "none", D16, "Meeting E1", "Check the contract"),
        ("Zed", "none", D16, "Meeting E1", "call back"),
        ("alice.kim@acme.com", "email", D16, "Meeting E1", "send the quote"),
        ("bob@relate.so", "full_name", D16, "Meeting E1", "book the demo"),
        ("minsu@hanbit.kr", "first_name", D16, "Meeting E1", "견적서 보내기"),
    ],
    "Where a phrase was said (works for Korean text too), with the speaker and the moment": [
        ("Meeting E1", "alice  kim", datetime(2026, 5, 16, 1, 0, 4, 500000, tzinfo=timezone.utc), "Good quote."),
    ],
    "Talk time and share per speaker in each meeting, with whom each speaker resolved to": [
        ("R1", "Alice Kim", "alice.kim@acme.com", "full_name", 0.1, 51.0),
        ("R1", "Bob Stone", "bob@relate.so", "full_name", 0.07, 36.0),
        ("R1", None, None, "none", 0.03, 13.0),
        *[("R2", name, *R2_EMAILS[name], 0.02, 13.0) for name in R2_NAMES],
        ("R3", "Alice", None, "none", 0.02, 100.0),
    ],
    "How many external attendees are matched to the CRM, per day": [(D16, 5, 4, 1, 100.0), (D17, 2, 2, 0, 100.0)],
    "External people met most often, and when last": [
        ("c1", "Alice Kim", "Acme", 2, E2_START),
        ("c2", "Alice Park", "Acme", 2, E2_START),
        ("c3", "민수 김", "한빛", 1, E1_START),
        ("c5", "Jürgen Groß", "Gross", 1, E1_START),
    ],
    "Weekly meeting volume and recorded hours by conference tool": [(datetime(2026, 5, 11), "Zoom", 2, 2.0)],
    "Recordings listed as done whose details are missing, and a workspace-specific summary key": [
        (D16, "R1", None, "sentiment: 0.8", None),
        (D17, "R5", 404, "http 404", "Meeting E2"),
    ],
    "Customer meetings where our side did most of the talking (the query the demo prints)": [
        ("Meeting E1", 3, 0.3, 36.0, 14.3, "Alice Kim", 4),  # 21 s is 0.35 min, stored as 0.34999...
        ("Meeting E1", 8, 0.3, 13.0, 28.0, "Alice", 0),
        ("Meeting E2", 1, 0.0, 0.0, 0.0, "Alice", 1),
        ("Meeting E2", 0, 0.0, None, None, None, 0),
    ],
    "Accounts by when they were last met, with their share of the talk and the action items on each side": [
        ("Acme", 2, D17, 39.0, 1, 1),
        ("Beta", 1, D16, 5.0, 0, 1),
        ("Gross", 1, D16, 5.0, 0, 1),
        ("한빛", 1, D16, 5.0, 1, 1),
    ],
    "How often each tracker came up, and which side raised it (the tracker query the demo prints)": [
        ("Ack", 2, 1, 1, 0),
        ("Start", 2, 1, 0, 2),
        ("Quote", 1, 1, 1, 0),
    ],
    "The deals met most while they were open (the deal query the demo prints)": [
        ("DEAL-1", "Sales", "Completed", "won", 2, D17, 6, 39.0),
        ("DEAL-2", "Sales", "Started", "active", 1, D17, 1, 0.0),
        ("DEAL-3", "Sales", "Completed", "won", 1, D16, 5, 5.0),
        ("PART-1", "Partners", "Canceled", "lost", 1, D16, 5, 41.0),
    ],
    "The stage of each deal at each of its meetings, and its stage now": [
        ("DEAL-1", E1_START, "Started", "Completed"),
        ("DEAL-1", E2_START, "In Progress", "Completed"),
        ("DEAL-2", E2_START, "Started", "Started"),
        ("DEAL-3", E1_START, "Completed", "Completed"),
        ("PART-1", E1_START, "Canceled", "Canceled"),
    ],
    "Who raises a tracker on the customer's side, and in which meetings": [
        ("Ack", "alice.kim@acme.com", 1, 1),
        ("Quote", "alice.kim@acme.com", 1, 1),
    ],
}


def documented_columns(name: str) -> list[str]:
    match = re.search(r"^Columns: (.*)$", SECTIONS[name], flags=re.MULTILINE)
    assert match, f"section {name} lists no columns"
    return re.findall(r"`(\w+)`", match.group(1))


def test_every_example_query_has_known_results():
    assert sorted(EXAMPLES) == sorted(EXPECTED)


@pytest.mark.parametrize("caption", list(EXPECTED))
def test_example_query_returns_the_known_rows(conversation_db, caption):
    assert conversation_db.execute(EXAMPLES[caption].replace("now()", PINNED_NOW)).fetchall() == EXPECTED[caption]


def test_the_demos_query_is_documented_verbatim():
    assert EXAMPLES["Customer meetings where our side did most of the talking (the query the demo prints)"] == CONVERSATION_SAMPLE_QUERY + ";\n"


def test_the_demos_tracker_query_is_documented_verbatim():
    assert EXAMPLES["How often each tracker came up, and which side raised it (the tracker query the demo prints)"] == TRACKER_SAMPLE_QUERY + ";\n"


def test_the_demos_deal_query_is_documented_verbatim():
    assert EXAMPLES["The deals met most while they were open (the deal query the demo prints)"] == DEAL_SAMPLE_QUERY + ";\n"


@pytest.mark.parametrize("name", list(TABLES))
def test_every_table_is_documented_with_its_key_and_columns(name):
    key = ", ".join(f"`{column}`" for column in TABLES[name].key)
    assert f"Key: ({key})" in SECTIONS[name]
    assert documented_columns(name) == TABLES[name].schema.names


@pytest.mark.parametrize("view", ANALYST_VIEWS)
def test_every_analyst_view_is_documented_with_its_columns(db, view):
    assert documented_columns(view) == [row[0] for row in db.execute(f"DESCRIBE {view}").fetchall()]
