"""Python's own Unicode behaviour that names are keyed by: which code points are whitespace, and case folding.

A speaker's key is computed in Python at flatten time (``str.split``, ``str.casefold``) and a
contact's in SQL by the warehouse's ``name_key`` macro, so the macro is built from the running
interpreter's tables instead of a list written out here that would drift with its Unicode
version. Each table is built once per process, on first use. Asking 1.1 million code points one
by one costs a visible share of a run's start (docs/benchmarks.md, "The fixed cost of a run"), so the tables are
read with whole-string operations, which run in C, and only blocks holding a code point of
interest are looked at one code point at a time.
"""

from __future__ import annotations

import re
import sys
from functools import cache

_SMALLEST_BLOCK = 64
"""Blocks of at most this many code points are looked at one code point at a time."""


@cache
def every_code_point() -> str:
    """Every code point but the surrogates (which no ``str`` operation can encode), in order."""
    import numpy as np

    codes = np.r_[0:0xD800, 0xE000 : sys.maxunicode + 1].astype("<u4")
    return codes.tobytes().decode("utf-32-le")


@cache
def whitespace_class() -> str:
    """Python's ``str.isspace`` set as an RE2 character class.

    ``\\s`` in a ``str`` pattern of Python's ``re`` is the same set as ``str.isspace``.
    """
    return "[" + "".join(f"\\x{{{ord(char):x}}}" for char in re.findall(r"\s", every_code_point())) + "]"


@cache
def case_folds_beyond_lower() -> dict[str, str]:
    """Code points whose full case folding is not their one-code-point lower case, in code point order."""
    return dict(_folds_beyond_lower(every_code_point()))


def _folds_beyond_lower(block: str) -> list[tuple[str, str]]:
    # Every code point lowers and folds to at least one code point, so a block that both leave
    # unchanged maps each of its code points to itself and holds none of interest. The one
    # context-dependent mapping (a final capital sigma) changes the sigma, so it is never hidden.
    if block.lower() == block and block.casefold() == block:
        return []
    if len(block) > _SMALLEST_BLOCK:
        middle = len(block) // 2
        return _folds_beyond_lower(block[:middle]) + _folds_beyond_lower(block[middle:])
    found = []
    for char in block:
        lower, folded = char.lower(), char.casefold()
        if folded != lower or len(lower) != 1:
            found.append((char, folded))
    return found
