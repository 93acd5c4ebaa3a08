from __future__ import annotations

import pytest

from relate_pipeline.meetings.recordings import split_action_item


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Owner A: follow-up task 1", ("Owner A", "follow-up task 1")),
        ("  Dana Jones :  send the quote  ", ("Dana Jones", "send the quote")),
        ("김철수: 견적서 발송", ("김철수", "견적서 발송")),
        ("김철수：견적서 발송", ("김철수", "견적서 발송")),
        ("Alice: review\nthe second line", ("Alice", "review\nthe second line")),
    ],
)
def test_owner_prefix_is_split_from_the_task(text, expected):
    assert split_action_item(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Send the revised quote",
        "Call at 10:30 tomorrow",
        "See https://example.com/doc",
        "Alice:",
        ": nothing before the colon",
        "",
    ],
)
def test_text_without_an_owner_prefix_is_all_task(text):
    assert split_action_item(text) == (None, text)


def test_non_string_item_is_rejected_naming_its_type():
    with pytest.raises(TypeError, match="got int"):
        split_action_item(5)
