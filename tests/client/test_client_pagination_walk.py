"""PageWalk and parse_page: cursor following, de-duplication and stall detection, as pure logic."""

import pytest

from relate_pipeline.client import PaginationError, UnexpectedResponseError
from relate_pipeline.client.pagination import (
    Page,
    PageWalk,
    first_gap,
    parse_page,
    remaining_offsets,
)


def _page(ids, cursor, more):
    return Page(items=[{"id": i} for i in ids], end_cursor=cursor, has_next_page=more)


def test_first_request_asks_for_the_configured_page_size_without_after():
    assert PageWalk({"starts_after": 5}, 50).next_params() == {"starts_after": 5, "first": 50}


def test_next_request_follows_end_cursor_not_the_requested_page_size():
    walk = PageWalk(None, 100)
    walk.accept(_page(["a", "b"], 2, True), "GET /x")
    assert walk.next_params() == {"first": 100, "after": 2}


def test_ids_repeated_on_a_later_page_are_dropped():
    walk = PageWalk(None, 2)
    walk.accept(_page(["a", "b"], 2, True), "GET /x")
    assert walk.accept(_page(["b", "c"], 4, False), "GET /x") == [{"id": "c"}]
    assert walk.duplicates == 1


def test_walk_ends_after_a_page_without_next():
    walk = PageWalk(None, 2)
    walk.accept(_page(["a"], 1, False), "GET /x")
    assert walk.next_params() is None


def test_repeated_cursor_raises_pagination_error():
    walk = PageWalk(None, 2)
    walk.accept(_page(["a", "b"], 2, True), "GET /x")
    with pytest.raises(PaginationError, match="end_cursor 2 did not advance"):
        walk.accept(_page(["c"], 2, True), "GET /x")


def test_missing_cursor_with_more_pages_raises_pagination_error():
    with pytest.raises(PaginationError, match="end_cursor is missing"):
        PageWalk(None, 2).accept(_page(["a"], None, True), "GET /x")


def test_caller_supplied_after_is_refused():
    with pytest.raises(ValueError, match="`after` is managed by the paginator"):
        PageWalk({"after": 10}, 2)


def test_body_without_pagination_is_a_single_last_page():
    assert parse_page({"data": [{"id": "a"}]}, "GET /x") == _page(["a"], None, False)


def test_body_that_is_not_a_list_envelope_is_rejected():
    with pytest.raises(UnexpectedResponseError, match="expected a list envelope"):
        parse_page({"data": {"id": "a"}}, "GET /x")


def test_boolean_cursor_is_rejected():
    body = {"data": [], "pagination": {"end_cursor": True, "has_next_page": True}}
    with pytest.raises(UnexpectedResponseError, match="end_cursor` must be an integer or string"):
        parse_page(body, "GET /x")


def _offset_page(start, count, total, ids=None):
    ids = ids if ids is not None else [f"i{n}" for n in range(start, start + count)]
    end = start + len(ids)
    return Page(
        items=[{"id": i} for i in ids], end_cursor=end, has_next_page=end < total, total_count=total
    )


def test_an_offset_paged_list_plans_every_later_page_by_the_served_page_size():
    assert remaining_offsets(_offset_page(0, 7, 30)) == [7, 14, 21, 28]


@pytest.mark.parametrize(
    "first",
    [
        Page(items=[{"id": "a"}], end_cursor="opaque", has_next_page=True, total_count=9),
        Page(items=[{"id": "a"}], end_cursor=1, has_next_page=True, total_count=None),
        Page(items=[{"id": "a"}], end_cursor=1, has_next_page=False, total_count=1),
    ],
    ids=["opaque-cursor", "no-total", "single-page"],
)
def test_a_list_that_is_not_plainly_offset_paged_is_walked_page_by_page(first):
    assert remaining_offsets(first) is None


def test_pages_that_tile_the_list_need_no_walk():
    first = _offset_page(0, 5, 12)
    assert first_gap(first, [(5, _offset_page(5, 5, 12)), (10, _offset_page(10, 2, 12))]) is None


@pytest.mark.parametrize(
    ("later", "gap"),
    [
        ([(5, _offset_page(5, 4, 12)), (10, _offset_page(10, 2, 12))], 5),
        ([(5, _offset_page(5, 5, 12)), (10, _offset_page(10, 2, 13))], 10),
        ([(5, _offset_page(5, 5, 12, ids=["i4", "i5", "i6", "i7", "i8"])),
          (10, _offset_page(10, 2, 12))], 5),
        ([(5, _offset_page(5, 5, 12)), (10, _offset_page(10, 2, 12, ids=["i9", "i11"]))], 10),
    ],
    ids=["short-page", "total-changed", "repeated-id", "repeated-id-on-the-last-page"],
)
def test_the_walk_resumes_at_the_first_page_that_does_not_tile(later, gap):
    assert first_gap(_offset_page(0, 5, 12), later) == gap
