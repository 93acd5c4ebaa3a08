"""What a process does once the code location is loaded: pyarrow set up to convert without pandas.

``loaded``, called once the code location is defined, sets pyarrow up to convert without pandas
(``convert_without_pandas``), which spares a run the import of pandas that pyarrow would
otherwise make on its first conversion. Every process that loads the code location (the CLI, the
UI's code server, a run worker) gets the set-up.
"""

from __future__ import annotations

import sys


def loaded() -> None:
    """pyarrow converts Python values without importing pandas from now on."""
    convert_without_pandas()


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
