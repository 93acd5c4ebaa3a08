"""``name_key``, the warehouse's name normalisation, equals Python's whitespace split and case folding."""

from __future__ import annotations

import sys

import pyarrow as pa
import pytest


def python_key(name: str | None) -> str | None:
    return " ".join(name.split()).casefold() or None if name is not None else None


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
    assert keys(conversation_db, [name]) == [key]


def test_name_key_folds_every_code_point_as_python_does(conversation_db):
    characters = [chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code < 0xE000]
    folded = keys(conversation_db, [f"a{c}b" for c in characters])
    mismatches = [(hex(ord(c)), got) for c, got in zip(characters, folded) if got != python_key(f"a{c}b")]
    assert mismatches == []
