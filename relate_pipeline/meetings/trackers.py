"""Keyword trackers: the definitions file, the tokenizer, and the mentions of a recording's segments.

A tracker is a named list of phrases ("Pricing: [pricing, discount, "pric*"]"). Transcripts and
phrases are cut into tokens by one rule (documented in docs/data-model.md, *Trackers*), so a
phrase matches what was said whatever its case, width or surrounding punctuation. Matching runs
when a day is flattened, over the transcript entries the flattener has just produced, and writes
one row per mention to the day's ``tracker_matches`` file; who said it (the speaker's attendee)
depends on the CRM and is joined in the warehouse.

Everything here is pure: :func:`parse_trackers` reads text, :func:`tracker_matches` turns
Arrow tables into an Arrow table, so the same functions serve the flattener, a recomputation after
the file changed, and a caller that must compute mentions before transcript text is dropped.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from relate_pipeline.columns import build_table
from relate_pipeline.meetings.segments import normalised_name
from relate_pipeline.tables import empty_table

PREFIX_MARK = "*"


class TrackerFileError(ValueError):
    """The trackers file cannot be used; the message is one line naming the file and the problem."""


def _strip_punctuation(token: str) -> str:
    start, end = 0, len(token)
    while start < end and unicodedata.category(token[start]).startswith("P"):
        start += 1
    while end > start and unicodedata.category(token[end - 1]).startswith("P"):
        end -= 1
    return token[start:end]


def normalise_token(word: str) -> str:
    """One whitespace-free piece of text as a token: NFKC, case-folded, punctuation stripped from both ends."""
    return _strip_punctuation(unicodedata.normalize("NFKC", word).casefold())


def tokens(text: str | None) -> list[str]:
    """The tokens of one transcript entry's text, in order; empty tokens are dropped."""
    if not text:
        return []
    return [token for token in map(normalise_token, text.split()) if token]


@dataclass(frozen=True)
class PhraseWord:
    """One word of a phrase: a token to equal, or (``prefix``) a start a token must have."""

    text: str
    prefix: bool

    def matches(self, token: str) -> bool:
        return token.startswith(self.text) if self.prefix else token == self.text


@dataclass(frozen=True)
class Phrase:
    text: str
    """The phrase as written in the file; what ``tracker_mentions.phrase`` reports."""
    words: tuple[PhraseWord, ...]


@dataclass(frozen=True)
class Tracker:
    name: str
    phrases: tuple[Phrase, ...]


def phrase_words(phrase: str) -> tuple[PhraseWord, ...]:
    """A phrase split and normalised as transcript text is; a word ending in ``*`` is a prefix.

    Raises ValueError (without the file's name) for a phrase that leaves no word, or a ``*`` with
    nothing before it, which would match every token.
    """
    words = []
    for piece in phrase.split():
        folded = unicodedata.normalize("NFKC", piece).casefold()
        prefix = folded.endswith(PREFIX_MARK)
        word = _strip_punctuation(folded[: -len(PREFIX_MARK)] if prefix else folded)
        if word:
            words.append(PhraseWord(word, prefix))
        elif prefix:
            raise ValueError(f"phrase {phrase!r} has a '*' with nothing before it")
    if not words:
        raise ValueError(f"phrase {phrase!r} is empty once punctuation and spaces are removed")
    return tuple(words)


@dataclass(frozen=True)
class Trackers:
    """The trackers of one file, in file order; no trackers when no file is set."""

    trackers: tuple[Tracker, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.trackers)

    def definitions(self) -> pa.Table:
        """The ``tracker_definitions`` rows: what the file says, one row per phrase, in file order."""
        rows = [(t, tracker.name, p, phrase.text) for t, tracker in enumerate(self.trackers) for p, phrase in enumerate(tracker.phrases)]
        return build_table(
            "tracker_definitions",
            {
                "tracker": [row[1] for row in rows],
                "tracker_index": [row[0] for row in rows],
                "phrase_index": [row[2] for row in rows],
                "phrase": [row[3] for row in rows],
            },
        )

    @cached_property
    def fingerprint(self) -> str:
        """A digest of the definitions; equal digests match every transcript identically."""
        text = json.dumps([[tracker.name, [phrase.text for phrase in tracker.phrases]] for tracker in self.trackers])
        return hashlib.sha256(text.encode()).hexdigest()

    @cached_property
    def _first_words(self) -> tuple[dict[str, list[tuple[int, int, Phrase]]], list[tuple[PhraseWord, int, int, Phrase]]]:
        exact: dict[str, list[tuple[int, int, Phrase]]] = {}
        prefixes: list[tuple[PhraseWord, int, int, Phrase]] = []
        for position, tracker in enumerate(self.trackers):
            for order, phrase in enumerate(tracker.phrases):
                first = phrase.words[0]
                if first.prefix:
                    prefixes.append((first, position, order, phrase))
                else:
                    exact.setdefault(first.text, []).append((position, order, phrase))
        return exact, prefixes

    def starting_with(self, token: str) -> list[tuple[int, Phrase]]:
        """(tracker position, phrase) of every phrase whose first word matches ``token``, in file order."""
        exact, prefixes = self._first_words
        found = list(exact.get(token, ()))
        found += [(position, order, phrase) for word, position, order, phrase in prefixes if word.matches(token)]
        if len(found) > 1:
            found.sort(key=lambda candidate: candidate[:2])
        return [(position, phrase) for position, _, phrase in found]


class _UniqueKeyLoader(yaml.BaseLoader):
    """PyYAML's loader of plain text, refusing a mapping that repeats a key (it would keep only the last).

    Every scalar stays the text written: phrases are words, and YAML's implicit types would
    turn ``yes`` or ``off`` into booleans and ``2024`` into a number.
    """


def _mapping_without_repeats(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise TrackerFileError(f"{key!r} is defined twice (line {key_node.start_mark.line + 1})")
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_repeats)


def _yaml_problem(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"invalid YAML{where}: {problem}"


def _phrase_text(tracker: str, position: int, value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"tracker {tracker!r}: phrase {position + 1} is not text (got {type(value).__name__})")
    return value


def parse_trackers(text: str, source: str) -> Trackers:
    """The trackers of a YAML document; ``source`` names it in the one-line error for a bad one."""
    try:
        document = yaml.load(text, Loader=_UniqueKeyLoader)
    except TrackerFileError as error:
        raise TrackerFileError(f"{source}: {error}") from None
    except yaml.YAMLError as error:
        raise TrackerFileError(f"{source}: {_yaml_problem(error)}") from None
    if not isinstance(document, dict) or "trackers" not in document:
        raise TrackerFileError(f"{source}: expected a top-level 'trackers:' mapping of tracker names to lists of phrases")
    definitions = document["trackers"]
    if definitions == "":
        definitions = {}
    if not isinstance(definitions, dict):
        raise TrackerFileError(f"{source}: 'trackers' must map tracker names to lists of phrases, got {type(definitions).__name__}")
    trackers = []
    for name, phrases in definitions.items():
        if not isinstance(name, str) or not name.strip():
            raise TrackerFileError(f"{source}: tracker name {name!r} must be non-empty text")
        if isinstance(phrases, str):
            phrases = [phrases] if phrases else []
        if not phrases:
            raise TrackerFileError(f"{source}: tracker {name!r} has no phrases")
        if not isinstance(phrases, list):
            raise TrackerFileError(f"{source}: tracker {name!r} must list its phrases, got {type(phrases).__name__}")
        try:
            texts = [_phrase_text(name, position, value) for position, value in enumerate(phrases)]
            parsed = tuple(Phrase(phrase, phrase_words(phrase)) for phrase in texts)
        except ValueError as error:
            message = str(error) if str(error).startswith("tracker ") else f"tracker {name!r}: {error}"
            raise TrackerFileError(f"{source}: {message}") from None
        trackers.append(Tracker(name, parsed))
    return Trackers(tuple(trackers))


def load_trackers(path: str | Path | None) -> Trackers:
    """The trackers of the file ``RELATE_TRACKERS_FILE`` names; none when it names none."""
    if path is None or str(path).strip() == "":
        return Trackers()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise TrackerFileError(f"{path}: cannot be read: {reason}") from None
    return parse_trackers(text, str(path))


# ------------------------------------------------------------------ matching
_INPUT_COLUMNS = ("recording_id", "segment_index", "participant_name", "text", "start_relative_s")
"""What matching reads of ``transcript_utterances``: every entry, in the flattener's order."""


def _segment_mentions(
    candidates: dict[str, list[tuple[int, Phrase]]], segment_tokens: list[str], entry_of_token: list[int]
) -> Iterable[tuple[int, int, str, int]]:
    """(token index, tracker position, phrase as written, entry index) of each mention in one segment.

    ``candidates`` maps each of the segment's tokens to the phrases that can start with it.
    """
    count = len(segment_tokens)
    for start, token in enumerate(segment_tokens):
        starting = candidates[token]
        if not starting:
            continue
        found: set[int] = set()
        for position, phrase in starting:
            if position in found or start + len(phrase.words) > count:
                continue
            if all(word.matches(segment_tokens[start + offset]) for offset, word in enumerate(phrase.words)):
                found.add(position)
                yield start, position, phrase.text, entry_of_token[start]


def tracker_matches(utterances: pa.Table, recordings: pa.Table, trackers: Trackers) -> pa.Table:
    """The ``tracker_matches`` rows of transcript entries: one per (tracker, segment, token position).

    ``utterances`` are ``transcript_utterances`` rows, each segment's entries together in word
    order (as the flattener writes them); ``recordings`` gives each recording's event
    (``recording_id``, ``calendar_event_id``). Each distinct entry text is tokenised once and each
    distinct token looked up once; only segments holding a token that can start a phrase are walked.
    """
    if not trackers or utterances.num_rows == 0:
        return empty_table("tracker_matches")
    texts = pc.dictionary_encode(utterances.column("text").combine_chunks())
    distinct_tokens = [tokens(text) for text in texts.dictionary.to_pylist()]
    candidates = {token: trackers.starting_with(token) for entry in distinct_tokens for token in entry}
    starts_phrase = np.array([any(candidates[token] for token in entry) for entry in distinct_tokens] + [False], dtype=bool)
    entry_text = pc.fill_null(texts.indices, len(distinct_tokens)).to_numpy(zero_copy_only=False)
    recording = pc.dictionary_encode(utterances.column("recording_id").combine_chunks()).indices.to_numpy()
    segment = utterances.column("segment_index").to_numpy()
    boundary = np.flatnonzero(np.concatenate(([True], (recording[1:] != recording[:-1]) | (segment[1:] != segment[:-1]))))
    ends = np.append(boundary[1:], len(entry_text))
    hits = np.add.reduceat(starts_phrase[entry_text].astype(np.int64), boundary) > 0

    rows: list[tuple[int, int, int, str]] = []
    for first, last in zip(boundary[hits], ends[hits]):
        segment_tokens: list[str] = []
        entry_of_token: list[int] = []
        for entry in range(first, last):
            pieces = distinct_tokens[entry_text[entry]] if entry_text[entry] < len(distinct_tokens) else []
            segment_tokens += pieces
            entry_of_token += [entry] * len(pieces)
        for token_index, position, phrase, entry in _segment_mentions(candidates, segment_tokens, entry_of_token):
            rows.append((entry, token_index, position, phrase))
    if not rows:
        return empty_table("tracker_matches")
    rows.sort(key=lambda row: (row[0], row[1], row[2]))
    entries = pa.array([row[0] for row in rows], type=pa.int64())
    source = utterances.select(list(_INPUT_COLUMNS)).take(entries)
    event_of = dict(zip(recordings.column("recording_id").to_pylist(), recordings.column("calendar_event_id").to_pylist()))
    names = source.column("participant_name").to_pylist()
    key_of = {name: normalised_name(name) for name in set(names)}
    return build_table(
        "tracker_matches",
        {
            "recording_id": source.column("recording_id"),
            "event_id": [event_of.get(recording_id) for recording_id in source.column("recording_id").to_pylist()],
            "tracker": [trackers.trackers[row[2]].name for row in rows],
            "phrase": [row[3] for row in rows],
            "segment_index": source.column("segment_index"),
            "token_index": [row[1] for row in rows],
            "participant_name": source.column("participant_name"),
            "speaker_key": [key_of[name] for name in names],
            "start_relative_s": source.column("start_relative_s"),
        },
    )
