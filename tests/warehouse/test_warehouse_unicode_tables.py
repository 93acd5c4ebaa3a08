"""The Unicode tables ``name_key`` is built from equal Python's answers asked one code point at a time."""

from __future__ import annotations

import re
import sys

from relate_pipeline.unicode_tables import case_folds_beyond_lower, every_code_point, whitespace_class


def code_points() -> list[str]:
    return [chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code < 0xE000]


def test_every_code_point_but_the_surrogates_in_order():
    assert every_code_point() == "".join(code_points())


def test_the_whitespace_class_is_exactly_str_isspace():
    listed = re.findall(r"\\x\{([0-9a-f]+)\}", whitespace_class())
    assert [chr(int(code, 16)) for code in listed] == [char for char in code_points() if char.isspace()]


def test_the_fold_table_lists_exactly_the_code_points_whose_folding_is_not_their_lower_case():
    one_by_one = {}
    for char in code_points():
        lower = char.lower()
        if char.casefold() != lower or len(lower) != 1:
            one_by_one[char] = char.casefold()
    assert list(case_folds_beyond_lower().items()) == list(one_by_one.items())
    assert {"ß": "ss", "ς": "σ"}.items() <= one_by_one.items()
