from __future__ import annotations

import duckdb
import pytest
from conversation_samples import INTERNAL_DOMAINS as CONVERSATION_DOMAINS
from conversation_samples import write_conversation_lake
from warehouse_samples import INTERNAL_DOMAINS, write_sample_lake

from relate_pipeline.warehouse.build import build_warehouse


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(db path, row counts) of a warehouse over the sample lake; shared read-only by a module's tests."""
    root = tmp_path_factory.mktemp("warehouse")
    lake = write_sample_lake(str(root / "lake"))
    db_path = root / "warehouse.duckdb"
    return db_path, build_warehouse(db_path, lake, INTERNAL_DOMAINS)


@pytest.fixture(scope="module")
def db(built):
    connection = duckdb.connect(str(built[0]), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def conversation_db(tmp_path_factory):
    """A read-only connection to a warehouse over the hand-written conversation lake."""
    root = tmp_path_factory.mktemp("conversation")
    lake = write_conversation_lake(str(root / "lake"))
    build_warehouse(root / "warehouse.duckdb", lake, CONVERSATION_DOMAINS)
    connection = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    yield connection
    connection.close()

