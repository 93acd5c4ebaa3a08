"""Helpers for the lake tests: small typed tables and child processes that write to a lake."""

from __future__ import annotations

import os
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
