#!/usr/bin/env python3
"""Set-up and entry point for people and CI: a fresh machine needs only Python 3.11 and pip.

    python3 dev.py demo    # build a virtualenv, start the embedded emulator, run the last 7 days
    python3 dev.py test    # build a virtualenv, run the whole test suite, a worker per core

Any other arguments are passed to the `relate-pipeline` CLI inside the virtualenv
(`python3 dev.py run --start 2026-11-01 --end 2026-11-07`, `python3 dev.py sql "FROM meetings"`,
`python3 dev.py ui`).
The virtualenv is rebuilt only when pyproject.toml or constraints.txt change.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".installed"


def _requirements_digest() -> str:
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "constraints.txt"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    wanted = _requirements_digest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if sys.version_info < (3, 11):
        sys.exit(f"relate-pipeline needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print("Creating a virtualenv in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Installing pinned dependencies (first run only; about a minute) ...", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-c", str(ROOT / "constraints.txt"), "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0
    ensure_environment()
    if argv[0] == "test":
        # One worker per core, each taking whole test files, so a module's fixtures are built once.
        command = [str(BIN / "python"), "-m", "pytest", "-n", "auto", "--dist", "loadfile", *argv[1:]]
    else:
        command = [str(BIN / "relate-pipeline"), *argv]
    # The command takes this process's place, so a signal meant for `python3 dev.py ui` (a service
    # manager's SIGTERM, Ctrl-C) reaches the command itself, which stops what it started.
    os.chdir(ROOT)
    os.execv(command[0], command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
