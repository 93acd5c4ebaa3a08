"""Trackers: the file, the tokens and the mentions, each worked out by hand.

Transcripts go through the flattener (``flatten_recordings``), as a run's do, and the mentions
are computed from the entries it produces.
"""

from __future__ import annotations

import pytest

from relate_pipeline.meetings.recordings import flatten_recordings
from relate_pipeline.meetings.trackers import TrackerFileError, load_trackers, parse_trackers, tokens, tracker_matches

FILE = "trackers.yaml"


def _word(text, start):
    return {"text": text, "start_timestamp": {"relative": start}, "end_timestamp": {"relative": start + 0.5}}


def _segment(name, *texts, start=0.0):
    return {"participant": {"name": name}, "words": [_word(t, start + i) for i, t in enumerate(texts)], "language_code": "en"}


def mentions(yaml_text: str, *segments) -> list[tuple]:
    """(tracker, phrase, segment_index, token_index, start_relative_s) of every mention in one recording."""
    tables = flatten_recordings([{"id": "R1", "calendar_event_id": "E1", "status": "done", "transcript": list(segments)}])
    table = tracker_matches(tables["transcript_utterances"], tables["recordings"], parse_trackers(yaml_text, FILE))
    return [
        (row["tracker"], row["phrase"], row["segment_index"], row["token_index"], row["start_relative_s"])
        for row in table.to_pylist()
    ]


# ------------------------------------------------------------------ tokens
def test_tokens_are_case_folded_width_normalised_and_stripped_of_punctuation():
    assert tokens("¡PRICING!  Straße, (ｄｉｓｃｏｕｎｔ)… «quote»") == ["pricing", "strasse", "discount", "quote"]


def test_inner_punctuation_stays_and_pure_punctuation_is_no_token():
    assert tokens("e-mail -- don't ...") == ["e-mail", "don't"]


def test_tokens_split_on_every_unicode_space():
    assert tokens("견적서\u3000할인\u00a0가격\u2003네") == ["견적서", "할인", "가격", "네"]


def test_symbols_are_not_punctuation():
    assert tokens("$100 +5% €") == ["$100", "+5", "€"]


# ---------------------------------------------------------------- mentions
def test_case_and_punctuation_do_not_stop_a_match():
    found = mentions("trackers:\n  Pricing: [pricing]\n", _segment("Ann", "What", "PRICING?", "Pricing.", "pricings"))
    assert found == [("Pricing", "pricing", 0, 1, 1.0), ("Pricing", "pricing", 0, 2, 2.0)]


def test_a_star_word_matches_every_token_starting_with_it():
    found = mentions('trackers:\n  Pricing: ["pric*"]\n', _segment("Ann", "price", "Pricing", "pric", "pri", "apricot"))
    assert [(f[1], f[3]) for f in found] == [("pric*", 0), ("pric*", 1), ("pric*", 2)]


def test_a_multi_word_phrase_matches_consecutive_tokens_across_entries():
    found = mentions(
        'trackers:\n  Legal: ["legal team"]\n',
        _segment("Ann", "our", "legal", "team", "and", "the", "legal", "review", "team"),
        _segment("Bob", "legal team, yes", start=10.0),
    )
    assert found == [("Legal", "legal team", 0, 1, 1.0), ("Legal", "legal team", 1, 0, 10.0)]


def test_one_entry_holding_several_tokens_counts_them_one_by_one():
    found = mentions('trackers:\n  Legal: ["sign off"]\n', _segment("Ann", "please sign", "off today; sign off"))
    assert found == [("Legal", "sign off", 0, 1, 0.0), ("Legal", "sign off", 0, 4, 1.0)]


def test_korean_phrases_match_whole_tokens_and_prefixes():
    found = mentions(
        'trackers:\n  견적: [견적서, "할인*"]\n',
        _segment("민수", "견적서를", "보내", "주세요.", "할인율은", "견적서!", "할인"),
    )
    assert found == [("견적", "할인*", 0, 3, 3.0), ("견적", "견적서", 0, 4, 4.0), ("견적", "할인*", 0, 5, 5.0)]


def test_a_phrase_never_spans_two_segments():
    found = mentions(
        'trackers:\n  Legal: ["sign off"]\n',
        _segment("Ann", "we", "sign"),
        _segment("Bob", "off", "now", start=5.0),
    )
    assert found == []


def test_phrases_at_the_first_and_last_token_of_a_segment_match():
    found = mentions(
        'trackers:\n  Legal: ["sign off", legal]\n',
        _segment("Ann", "Legal", "is", "ready"),
        _segment("Bob", "then", "we", "sign", "off.", start=5.0),
    )
    assert found == [("Legal", "legal", 0, 0, 0.0), ("Legal", "sign off", 1, 2, 7.0)]


def test_overlapping_phrases_count_a_position_once_with_the_first_phrase_in_file_order():
    found = mentions(
        'trackers:\n  Pricing: [discount, "disc*", "discount code"]\n  Codes: ["discount code", code]\n',
        _segment("Ann", "discount", "code", "discounts"),
    )
    assert found == [
        ("Pricing", "discount", 0, 0, 0.0),
        ("Codes", "discount code", 0, 0, 0.0),
        ("Codes", "code", 0, 1, 1.0),
        ("Pricing", "disc*", 0, 2, 2.0),
    ]


def test_a_repeated_word_phrase_counts_each_starting_position():
    found = mentions('trackers:\n  Echo: ["no no"]\n', _segment("Ann", "no", "no", "no"))
    assert [f[3] for f in found] == [0, 1]


def test_the_speaker_key_and_event_come_with_each_mention():
    tables = flatten_recordings([{"id": "R1", "calendar_event_id": "E1", "transcript": [_segment("  Alice   KIM ", "pricing")]}])
    (row,) = tracker_matches(tables["transcript_utterances"], tables["recordings"], parse_trackers("trackers:\n  P: [pricing]\n", FILE)).to_pylist()
    assert (row["event_id"], row["participant_name"], row["speaker_key"]) == ("E1", "  Alice   KIM ", "alice kim")


def test_no_trackers_no_mentions():
    assert mentions("trackers: {}\n", _segment("Ann", "pricing")) == []


# -------------------------------------------------------------------- file
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("trackers:\n  Pricing: [pricing\n", "trackers.yaml: invalid YAML at line 3, column 1: "),
        ("trackers:\n  Pricing: []\n", "trackers.yaml: tracker 'Pricing' has no phrases"),
        ("trackers:\n  Pricing:\n", "trackers.yaml: tracker 'Pricing' has no phrases"),
        ('trackers:\n  Pricing: [pricing, ""]\n', "trackers.yaml: tracker 'Pricing': phrase '' is empty once punctuation and spaces are removed"),
        ('trackers:\n  Pricing: ["?!"]\n', "trackers.yaml: tracker 'Pricing': phrase '?!' is empty once punctuation and spaces are removed"),
        ('trackers:\n  Pricing: ["*"]\n', "trackers.yaml: tracker 'Pricing': phrase '*' has a '*' with nothing before it"),
        ("trackers:\n  Pricing: [pricing]\n  Pricing: [cost]\n", "trackers.yaml: 'Pricing' is defined twice (line 3)"),
        ("pricing: [pricing]\n", "trackers.yaml: expected a top-level 'trackers:' mapping"),
        ("trackers:\n  Pricing: [{a: 1}]\n", "trackers.yaml: tracker 'Pricing': phrase 1 is not text (got dict)"),
    ],
)
def test_a_bad_file_is_one_line_naming_the_file_and_the_problem(text, problem):
    with pytest.raises(TrackerFileError) as raised:
        parse_trackers(text, FILE)
    assert str(raised.value).startswith(problem)
    assert "\n" not in str(raised.value)


def test_an_unreadable_file_is_named(tmp_path):
    with pytest.raises(TrackerFileError, match=r"^.*missing\.yaml: cannot be read: No such file or directory$"):
        load_trackers(tmp_path / "missing.yaml")


def test_no_file_means_no_trackers():
    assert not load_trackers(None)


def test_the_definitions_keep_file_order_and_phrases_as_written(tmp_path):
    path = tmp_path / "trackers.yaml"
    path.write_text('trackers:\n  Pricing: [pricing, "Pric*"]\n  견적: [견적서]\n', encoding="utf-8")
    assert load_trackers(path).definitions().to_pylist() == [
        {"tracker": "Pricing", "tracker_index": 0, "phrase_index": 0, "phrase": "pricing"},
        {"tracker": "Pricing", "tracker_index": 0, "phrase_index": 1, "phrase": "Pric*"},
        {"tracker": "견적", "tracker_index": 1, "phrase_index": 0, "phrase": "견적서"},
    ]


def test_words_yaml_would_type_stay_words():
    trackers = parse_trackers("trackers:\n  Ack: [yes, off, 2024, null]\n", FILE)
    assert [phrase.text for phrase in trackers.trackers[0].phrases] == ["yes", "off", "2024", "null"]
