"""``<data dir>/governance/``: the small files the governance controls keep beside the lake, each replaced whole.

On local disk a file is written beside its final name, fsynced and renamed over it; on an object
store it is one PUT of its final key. Either way a reader sees the old file or the new one.
"""

from __future__ import annotations

import contextlib
import os
import uuid

import fsspec.core
from fsspec.implementations.local import LocalFileSystem

GOVERNANCE_FOLDER = "governance"


class GovernanceFolder:
    def __init__(self, data_dir: str) -> None:
        fs, path = fsspec.core.url_to_fs(f"{data_dir.rstrip('/')}/{GOVERNANCE_FOLDER}")
        self._fs, self._path = fs, path.rstrip("/")
        self._local = isinstance(fs, LocalFileSystem)

    def read(self, name: str) -> bytes | None:
        try:
            return self._fs.cat_file(f"{self._path}/{name}")
        except FileNotFoundError:
            return None

    def write(self, name: str, content: bytes, private: bool = False) -> None:
        """Replace ``name`` whole; ``private`` makes a local file readable by its owner only."""
        final = f"{self._path}/{name}"
        if not self._local:
            self._fs.pipe_file(final, content)
            return
        os.makedirs(self._path, exist_ok=True)
        temp = f"{self._path}/.{name}.{uuid.uuid4().hex}.tmp"
        descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, final)

    def remove(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._fs.rm_file(f"{self._path}/{name}")
