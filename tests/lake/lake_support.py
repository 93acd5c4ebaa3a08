"""Helpers for the lake tests: small typed tables and child processes that write to a lake."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def summary_fields(count: int, tag: str = "v") -> pa.Table:
    return pa.table(
        {
            "recording_id": [f"r{i}" for i in range(count)],
            "field_name": ["sentiment"] * count,
            "value_json": [f'"{tag}{i}"' for i in range(count)],
        }
    )


# Writes one batch of a summary_fields partition, says so, then blocks inside the write until its
# stdin gets a line (then writes a second batch and publishes), or until it is killed.
HELD_WRITER = """
import sys
from lake_support import summary_fields
from relate_pipeline.lake import Lake

def batches():
    yield summary_fields(500, tag="new")
    print("first batch written", flush=True)
    sys.stdin.readline()
    yield summary_fields(500, tag="late")

Lake(sys.argv[1]).write_partition("summary_fields", sys.argv[2], batches())
"""


def start_held_writer(lake_root: str, day: str) -> subprocess.Popen:
    """A child writing ``summary_fields`` for ``day`` in the lake at ``lake_root``, held after its first batch."""
    child = start_python(HELD_WRITER, lake_root, day)
    assert child.stdout.readline().strip() == "first batch written", child.stderr.read()
    return child


def kill_held_writer(child: subprocess.Popen) -> None:
    """SIGKILL the held writer mid-write and close its pipes."""
    try:
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        for stream in (child.stdin, child.stdout, child.stderr):
            stream.close()


def start_python(code: str, *args: str) -> subprocess.Popen:
    """A child interpreter running ``code`` with this checkout and these helpers importable; stdio are pipes."""
    paths = [str(PROJECT_ROOT), str(Path(__file__).parent), os.environ.get("PYTHONPATH")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, paths)))
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
