"""The data-model document is checked against the code, so it cannot drift from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from relate_pipeline.tables import TABLES
from relate_pipeline.warehouse import ANALYST_VIEWS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "data-model.md").read_text(encoding="utf-8")
QUERIES = re.findall(r"```sql\n(.*?)```", DOC, flags=re.DOTALL)
SECTIONS = dict(re.findall(r"^### `(\w+)`\n(.*?)(?=^#{2,3} |\Z)", DOC, flags=re.DOTALL | re.MULTILINE))


def documented_columns(name: str) -> list[str]:
    match = re.search(r"^Columns: (.*)$", SECTIONS[name], flags=re.MULTILINE)
    assert match, f"section {name} lists no columns"
    return re.findall(r"`(\w+)`", match.group(1))


def test_doc_has_six_to_eight_example_queries():
    assert 6 <= len(QUERIES) <= 8


@pytest.mark.parametrize("query", QUERIES, ids=[f"query{i}" for i in range(len(QUERIES))])
def test_example_query_runs_against_a_built_warehouse(db, query):
    db.execute(query).fetchall()


@pytest.mark.parametrize("name", list(TABLES))
def test_every_table_is_documented_with_its_key_and_columns(name):
    key = ", ".join(f"`{column}`" for column in TABLES[name].key)
    assert f"Key: ({key})" in SECTIONS[name]
    assert documented_columns(name) == TABLES[name].schema.names


@pytest.mark.parametrize("view", ANALYST_VIEWS)
def test_every_analyst_view_is_documented_with_its_columns(db, view):
    assert documented_columns(view) == [row[0] for row in db.execute(f"DESCRIBE {view}").fetchall()]
