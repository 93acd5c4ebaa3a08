"""Transcripts without their words (``RELATE_KEEP_TRANSCRIPT_TEXT=false``): speakers, times and counts only.

A recording's detail is redacted before it is stored, so not even the raw store holds what was
said: every transcript entry keeps its speaker (its segment's participant), its start and end
and its place, and loses its text. Everything the pipeline derives from the text is derived
from what the redaction leaves, so every metric is the same as with the text:

- a question (an entry ending in ``?`` or ``？``, ``segments.QUESTION_PATTERN``) keeps ``?`` as its
  text, which counts as a question exactly as the original did; every other entry's text is null;
- speaker resolution reads the participants' names and the attendees, which are kept.

A flattener that derives anything else from the words (tracker mentions, say) must have it
computed here, from the text, and written into the redacted body, since flattening again from the
raw store sees only that body. The summary, topics and action items are Relate's summary of the
meeting, not its words, and are kept.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from relate_pipeline.meetings.segments import QUESTION_PATTERN

QUESTION_MARK = "?"


def _words(detail: dict) -> Iterator[dict]:
    for segment in detail.get("transcript") or ():
        if isinstance(segment, dict):
            for word in segment.get("words") or ():
                if isinstance(word, dict) and "text" in word:
                    yield word


def without_transcript_text(body: bytes) -> bytes:
    """A /recordings/:id response body with every transcript entry's text gone (see the module docstring).

    A body that is not a JSON object with a ``data`` object is no transcript the pipeline can read,
    and is returned as it is; so is a body already without text, byte for byte.
    """
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body
    detail = document.get("data") if isinstance(document, dict) else None
    if not isinstance(detail, dict):
        return body
    words = list(_words(detail))
    if all(word["text"] in (None, QUESTION_MARK) for word in words):
        return body
    texts = [word["text"] if isinstance(word["text"], str) else None for word in words]
    questions = pc.fill_null(pc.match_substring_regex(pa.array(texts, pa.string()), QUESTION_PATTERN), False).to_pylist()
    for word, question in zip(words, questions):
        word["text"] = QUESTION_MARK if question else None
    return orjson.dumps(document)
