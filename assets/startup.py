"""What a process pays to start: the code location loaded without the cyclic garbage collector
walking it, and pyarrow set up to convert without importing pandas.

Importing Dagster, pyarrow and the code location creates several hundred thousand objects
that live as long as the process. While they are created, the collector's passes walk them again
and again, about a fifth of the CPU of loading them (docs/benchmarks.md, section 11).
``pause_collection`` stops the collector in a process about to load everything (``relate-pipeline
run``); ``loaded``, called once the code location is defined, moves everything alive into the
permanent generation (``gc.freeze``), which no later collection walks, and turns the collector
back on, and sets pyarrow up to convert without pandas (``convert_without_pandas``), which spares
a run the import of pandas that pyarrow would otherwise make on its first conversion. Every
process that loads the code location (the CLI, the UI's code server, a run worker) gets the
frozen heap and the set-up; only the CLI pauses before.
"""

from __future__ import annotations

import gc
import sys

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
    """What is alive now lives as long as the process: no collection walks it again; and pyarrow
    converts Python values without importing pandas from now on."""
    global _loaded
    convert_without_pandas()
    gc.freeze()
    _loaded = True
    resume_collection()


def convert_without_pandas() -> None:
    """Keep pyarrow from importing pandas to convert Python values, which a run never needs.

    The first time pyarrow converts Python values (``pa.array`` of a list), both its Python layer
    and its C++ converter import pandas, to recognise pandas objects and missing-value markers;
    each tries once and remembers the answer. The import costs a third of a second or more of a
    run's start. Here one conversion runs while pandas cannot be imported, so both remember "no
    pandas"; anything that does need pandas later (``Table.to_pandas``) still imports it then.
    """
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    sys.meta_path.insert(0, _NoPandas)
    try:
        pa.array(["a string", None])
    finally:
        sys.meta_path.remove(_NoPandas)


class _NoPandas:
    """An import finder under which ``import pandas`` fails, as where pandas is not installed."""

    @staticmethod
    def find_spec(name: str, path: object = None, target: object = None) -> None:
        if name == "pandas":
            raise ModuleNotFoundError("No module named 'pandas'", name=name)
