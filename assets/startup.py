"""Loading the code location without the cyclic garbage collector walking what is being loaded.

Importing Dagster, pyarrow, pandas and the code location creates several hundred thousand objects
that live as long as the process. While they are created, the collector's passes walk them again
and again, about a fifth of the CPU of loading them (docs/benchmarks.md, section 11).
``pause_collection`` stops the collector in a process about to load everything (``relate-pipeline
run``); ``loaded``, called once the code location is defined, moves everything alive into the
permanent generation (``gc.freeze``), which no later collection walks, and turns the collector
back on. Every process that loads the code location (the CLI, the UI's code server, a run
worker) gets the frozen heap; only the CLI pauses before.
"""

from __future__ import annotations

import gc

_paused = False
_loaded = False


def pause_collection() -> None:
    """Stop the cyclic collector until :func:`loaded` or :func:`resume_collection`.

    Nothing happens once the code location is loaded, or when the collector is already off (its
    owner turned it off).
    """
    global _paused
    if not _loaded and gc.isenabled():
        gc.disable()
        _paused = True


def resume_collection() -> None:
    """Turn the collector back on if :func:`pause_collection` turned it off."""
    global _paused
    if _paused:
        gc.enable()
        _paused = False


def loaded() -> None:
    """What is alive now lives as long as the process: no collection walks it again."""
    global _loaded
    gc.freeze()
    _loaded = True
    resume_collection()
