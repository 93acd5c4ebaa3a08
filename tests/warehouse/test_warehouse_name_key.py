"""Names are normalised by one definition: the warehouse's ``name_key`` macro equals the flattener's ``normalised_name``."""

from __future__ import annotations

import sys

import pyarrow as pa
import pytest

from relate_pipeline.meetings.segments import normalised_name


def keys(db, names: list[str | None]) -> list[str | None]:
    table = pa.table({"position": list(range(len(names))), "name": pa.array(names, pa.string())})
    db.register("names", table)
    try:
        return [row[0] for row in db.execute("SELECT name_key(name) FROM names ORDER BY position").fetchall()]
    finally:
        db.unregister("names")


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("  Alice \t  Kim\n", "alice kim"),
        ("Jürgen Groß", "jürgen gross"),
        ("ΣΊΣΥΦΟΣ", "σίσυφοσ"),
        ("김\u3000민수", "김 민수"),
        ("\u00a0", None),
        ("", None),
        (None, None),
    ],
)
def test_name_key_trims_collapses_whitespace_and_case_folds(conversation_db, name, key):
    assert keys(conversation_db, [name]) == [key] == [normalised_name(name)]


@pytest.mark.slow
def test_name_key_folds_every_code_point_as_python_does(conversation_db):
    characters = [chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code < 0xE000]
    folded = keys(conversation_db, [f"a{c}b" for c in characters])
    mismatches = [(hex(ord(c)), got) for c, got in zip(characters, folded) if got != normalised_name(f"a{c}b")]
    assert mismatches == []


def test_segments_carry_the_speaker_key_computed_at_flatten_time(conversation_db):
    rows = conversation_db.execute(
        "SELECT segment_index, participant_name, speaker_key FROM transcript_segments WHERE recording_id = 'R1' ORDER BY 1"
    ).fetchall()
    assert [(index, key) for index, _, key in rows] == [
        (0, "alice kim"), (1, "alice kim"), (2, "bob stone"), (5, "alice kim"), (6, None), (7, None), (8, "bob stone"), (9, "alice kim")
    ]
    assert keys(conversation_db, [name for _, name, _ in rows]) == [key for _, _, key in rows]
