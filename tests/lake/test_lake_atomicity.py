from __future__ import annotations

import os
import subprocess
import sys
import time

import duckdb
import pytest
from lake_support import kill_held_writer, start_held_writer, summary_fields

from relate_pipeline.crm.flatten import flatten_crm
from relate_pipeline.lake import STALE_TEMP_SECONDS, Lake

pytestmark = pytest.mark.slow

DAY = "2026-05-16"


@pytest.fixture
def killed_mid_write(tmp_path):
    """A lake whose partition holds 3 old rows, and whose second writer was SIGKILLed mid-write."""
    lake = Lake(str(tmp_path))
    lake.write_partition("summary_fields", DAY, summary_fields(3, tag="old"))
    kill_held_writer(start_held_writer(str(tmp_path), DAY))
    return lake, tmp_path / "summary_fields" / f"date={DAY}"


def test_killed_writer_leaves_the_previous_partition_intact(killed_mid_write):
    lake, _ = killed_mid_write
    assert lake.read_partition("summary_fields", DAY).column("value_json").to_pylist() == ['"old0"', '"old1"', '"old2"']


def test_killed_writers_temp_file_is_invisible_to_readers(killed_mid_write):
    lake, directory = killed_mid_write
    assert [p.name for p in directory.iterdir() if p.name != "part.parquet"], "the killed writer left no temp file"
    assert lake.partitions("summary_fields") == [DAY]
    (count,) = duckdb.connect().execute("SELECT count(*) FROM read_parquet(?)", [lake.parquet_glob("summary_fields")]).fetchone()
    assert count == 3


def _age(directory, seconds: float) -> None:
    """Backdate every temp file in ``directory`` as if it had been left ``seconds`` ago."""
    for path in directory.iterdir():
        if path.name != "part.parquet":
            then = time.time() - seconds
            os.utime(path, (then, then))


def test_next_write_of_the_partition_removes_the_dead_writers_temp_file(killed_mid_write):
    lake, directory = killed_mid_write
    lake.write_partition("summary_fields", DAY, summary_fields(1))
    assert [p.name for p in directory.iterdir()] == ["part.parquet"]


def test_a_sweep_of_the_days_removes_a_dead_writers_temp_file_without_writing_the_partition(killed_mid_write):
    """A day a later run finds unchanged is never written again, so the run sweeps its days."""
    lake, directory = killed_mid_write
    before = (directory / "part.parquet").stat().st_mtime_ns
    lake.remove_abandoned_temps([DAY])
    assert [p.name for p in directory.iterdir()] == ["part.parquet"]
    assert (directory / "part.parquet").stat().st_mtime_ns == before


def test_an_empty_unlocked_temp_file_is_spared_until_it_is_old(tmp_path):
    """Empty and unlocked is a writer between creating its file and locking it, unless it has sat there long."""
    lake = Lake(str(tmp_path))
    lake.write_partition("summary_fields", DAY, summary_fields(1))
    directory = tmp_path / "summary_fields" / f"date={DAY}"
    empty = directory / f".part.parquet.{os.getpid()}.{'0' * 32}.tmp"
    empty.touch()
    lake.write_partition("summary_fields", DAY, summary_fields(2))
    assert empty.exists()
    _age(directory, STALE_TEMP_SECONDS + 60)
    lake.write_partition("summary_fields", DAY, summary_fields(3))
    assert [p.name for p in directory.iterdir()] == ["part.parquet"]


def test_an_empty_temp_file_whose_writer_has_exited_is_removed_at_once(tmp_path):
    """A writer killed between creating its file and writing the first bytes leaves it empty."""
    lake = Lake(str(tmp_path))
    lake.write_partition("summary_fields", DAY, summary_fields(1))
    exited = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    directory = tmp_path / "summary_fields" / f"date={DAY}"
    (directory / f".part.parquet.{exited.stdout.strip()}.{'0' * 32}.tmp").touch()
    lake.remove_abandoned_temps([DAY])
    assert [p.name for p in directory.iterdir()] == ["part.parquet"]


def test_a_live_writers_temp_file_survives_other_writes_however_old_and_it_still_publishes(tmp_path):
    lake = Lake(str(tmp_path))
    directory = tmp_path / "summary_fields" / f"date={DAY}"
    live = start_held_writer(str(tmp_path), DAY)
    try:
        _age(directory, STALE_TEMP_SECONDS * 10)
        lake.write_partition("summary_fields", DAY, summary_fields(3, tag="other"))
        assert len([p for p in directory.iterdir() if p.name != "part.parquet"]) == 1
        live.stdin.write("go on\n")
        live.stdin.flush()
        assert live.wait(timeout=30) == 0, live.stderr.read()
    finally:
        live.kill()
        for stream in (live.stdin, live.stdout, live.stderr):
            stream.close()
    assert lake.read_partition("summary_fields", DAY).num_rows == 1000
    assert [p.name for p in directory.iterdir()] == ["part.parquet"]


def test_failing_batch_source_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    lake = Lake(str(tmp_path))
    lake.write_partition("summary_fields", DAY, summary_fields(3, tag="old"))

    def batches():
        yield summary_fields(5)
        raise RuntimeError("upstream failed")

    with pytest.raises(RuntimeError, match="upstream failed"):
        lake.write_partition("summary_fields", DAY, batches())
    assert lake.read_partition("summary_fields", DAY).num_rows == 3
    assert [p.name for p in (tmp_path / "summary_fields" / f"date={DAY}").iterdir()] == ["part.parquet"]


def test_empty_rewrite_replaces_old_rows_with_an_empty_typed_file(tmp_path):
    lake = Lake(str(tmp_path))
    lake.write_partition("summary_fields", DAY, summary_fields(3))
    result = lake.write_partition("summary_fields", DAY, [])
    stored = lake.read_partition("summary_fields", DAY)
    assert (result.rows, stored.num_rows, stored.column_names) == (0, 0, ["recording_id", "field_name", "value_json"])


def test_snapshot_rewrite_replaces_the_whole_table(tmp_path):
    lake = Lake(str(tmp_path))
    lake.write_snapshot("notes", flatten_crm("notes", [{"id": "n1"}, {"id": "n2"}])["notes"])
    lake.write_snapshot("notes", flatten_crm("notes", [{"id": "n3"}])["notes"])
    assert lake.read_snapshot("notes").column("note_id").to_pylist() == ["n3"]
