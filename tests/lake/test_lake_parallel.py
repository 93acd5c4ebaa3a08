from __future__ import annotations

import pytest
from lake_support import start_python

from relate_pipeline.lake import Lake

pytestmark = pytest.mark.slow

# Rewrites one partition many times, each time with rows tagged by the round.
REWRITER = """
import sys
from lake_support import summary_fields
from relate_pipeline.lake import Lake

lake = Lake(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
for round_ in range(int(sys.argv[3])):
    lake.write_partition("summary_fields", sys.argv[2], summary_fields(200, tag=f"{sys.argv[2]}:{round_}:"))
print("done", flush=True)
"""

ROUNDS = 25


def test_two_processes_rewriting_different_days_of_one_table_both_land(tmp_path):
    days = ("2026-05-15", "2026-05-16")
    children = [start_python(REWRITER, str(tmp_path), day, str(ROUNDS)) for day in days]
    try:
        for child in children:
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        for child in children:
            assert child.stdout.readline().strip() == "done", child.stderr.read()
            assert child.wait(timeout=60) == 0
    finally:
        for child in children:
            for stream in (child.stdin, child.stdout, child.stderr):
                stream.close()

    lake = Lake(str(tmp_path))
    assert lake.partitions("summary_fields") == list(days)
    for day in days:
        values = lake.read_partition("summary_fields", day).column("value_json").to_pylist()
        assert values == [f'"{day}:{ROUNDS - 1}:{i}"' for i in range(200)]
        assert [p.name for p in (tmp_path / "summary_fields" / f"date={day}").iterdir()] == ["part.parquet"]
