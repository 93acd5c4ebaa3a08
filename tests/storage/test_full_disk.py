"""A full disk fails a run in one line naming the file and the cause, leaves every file whole and
no temp file behind, and the next run with space lands exactly what a run on a roomy disk lands."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from relate_pipeline.lake import Lake
from relate_pipeline.tables import CRM_TABLES, MEETING_TABLES, TABLES
from tests.pipeline.workspace_support import SMALL_WORKSPACE

ROOT = Path(__file__).resolve().parents[2]
START, END = "2026-05-18", "2026-05-20"


def cli_run(data_dir: Path, home: Path, emulator) -> subprocess.CompletedProcess:
    home.mkdir(parents=True, exist_ok=True)
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("RELATE_", "DAGSTER_"))}
    env = {
        **inherited,
        "RELATE_API_BASE_URL": emulator.base_url,
        "RELATE_API_KEY": emulator.api_key,
        "RELATE_DATA_DIR": str(data_dir),
        "RELATE_START_DATE": "2026-05-01",
        "DAGSTER_HOME": str(home),
    }
    return subprocess.run(
        [sys.executable, "-m", "relate_cli.main", "run", "--start", START, "--end", END],
        env=env, capture_output=True, text=True, cwd=ROOT, timeout=300,
    )


def mount_tmpfs(path: Path, kilobytes: int) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kilobytes}k", "tmpfs", str(path)], capture_output=True).returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of a given size (resizable), unmounted afterwards; skipped where mounting is not allowed."""
    mounted: list[Path] = []

    def mount(kilobytes: int) -> Path:
        path = tmp_path / f"disk-{uuid.uuid4().hex[:8]}"
        if not mount_tmpfs(path, kilobytes):
            pytest.skip("this machine does not allow mounting a tmpfs")
        mounted.append(path)
        return path

    yield mount
    for path in mounted:
        subprocess.run(["umount", str(path)], check=True)


def parquet_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def assert_failed_in_one_line_naming_a_file_and_the_cause(result: subprocess.CompletedProcess, root: Path, cause: str) -> None:
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"relate-pipeline: error: could not write {root}/") and last.endswith(f": {cause}"), last


def assert_every_file_whole_and_no_temp_left(root: Path) -> None:
    files = parquet_files(root)
    assert [path for path in files if path.name.endswith(".tmp")] == []
    raw, lake = Lake(str(root / "raw")), Lake(str(root / "lake"))
    for path in files:
        if path.suffix != ".parquet":
            continue
        store = raw if path.is_relative_to(root / "raw") else lake
        table = path.relative_to(root / ("raw" if store is raw else "lake")).parts[0]
        day = path.parent.name[5:] if path.parent.name.startswith("date=") else None
        assert store.verify(table, day, deep=True) is None, path


@pytest.fixture
def reference(make_emulator, tmp_path):
    """The emulator and what a run on a roomy disk lands from it."""
    emulator = make_emulator(**SMALL_WORKSPACE)
    result = cli_run(tmp_path / "roomy", tmp_path / "roomy_home", emulator)
    assert result.returncode == 0, result.stderr[-2000:]
    return emulator, lake_tables_at(tmp_path / "roomy"), sum(p.stat().st_size for p in parquet_files(tmp_path / "roomy"))


def lake_tables_at(root: Path) -> dict:
    """Every lake table's rows per day, in key order."""
    lake = Lake(str(root / "lake"))
    found = {(name, day): lake.read_partition(name, day) for name in MEETING_TABLES for day in lake.partitions(name)}
    found.update({(name, None): lake.read_snapshot(name) for name in CRM_TABLES})
    return {place: table.sort_by([(column, "ascending") for column in TABLES[place[0]].key]) for place, table in found.items()}


def test_a_full_disk_fails_the_run_in_one_line_and_the_next_run_with_space_lands_exact_data(reference, small_disk, tmp_path):
    emulator, expected, size = reference
    disk = small_disk(max(64, size // 2048))
    data = disk / "data"

    failed = cli_run(data, tmp_path / "home", emulator)

    assert_failed_in_one_line_naming_a_file_and_the_cause(failed, data, "No space left on device")
    assert_every_file_whole_and_no_temp_left(data)
    subprocess.run(["mount", "-o", "remount,size=256m", str(disk)], check=True)
    again = cli_run(data, tmp_path / "home", emulator)
    assert again.returncode == 0, again.stderr[-2000:]
    assert lake_tables_at(data) == expected


def test_a_data_dir_on_a_read_only_disk_is_refused_in_one_line_before_the_run(reference, small_disk, tmp_path):
    emulator, _, _ = reference
    disk = small_disk(1024)
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)

    failed = cli_run(disk / "data", tmp_path / "home", emulator)

    assert failed.returncode == 2
    assert failed.stderr.strip().splitlines() == [
        f"relate-pipeline: error: RELATE_DATA_DIR must be writable, but {disk} is not writable by this user, got '{disk / 'data'}'"
    ]
