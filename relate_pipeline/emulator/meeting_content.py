"""Summaries and transcripts for one recording, generated from that recording's own seed.

Content is produced lazily, the first time a recording is served, so starting a large workspace stays
fast; a per-recording seed keeps the text identical no matter which recording is asked for first.
"""

from __future__ import annotations

import random
from typing import Any

from . import content

READING_RATE = {"en": 14.0, "ko": 6.5}  # characters spoken per second
OTHER_LANGUAGE = {"en": "ko", "ko": "en"}


def _spoken_seconds() -> dict[str, float]:
    seconds = {}
    for language, bank in (("en", content.SENTENCES_EN), ("ko", content.SENTENCES_KO)):
        for text in bank:
            seconds[text] = max(len(text) / READING_RATE[language], 0.6)
    return seconds


SPOKEN_SECONDS = _spoken_seconds()
BANKS = {"en": content.SENTENCES_EN, "ko": content.SENTENCES_KO}


def transcript(rng: random.Random, language: str, participants: list[str], duration_s: float) -> list[dict[str, Any]]:
    """Speaker turns of timed sentences whose relative timestamps only ever increase."""
    segments: list[dict[str, Any]] = []
    clock = round(0.5 + 3.5 * rng.random(), 2)
    speaker = None
    limit = max(duration_s - 3.0, 60.0)
    random_ = rng.random
    while clock < limit:
        choices = [p for p in participants if p != speaker] or participants
        speaker = choices[int(random_() * len(choices))]
        segment_language = OTHER_LANGUAGE[language] if random_() < 0.06 else language
        bank = BANKS[segment_language]
        words = []
        for _ in range(1 + int(random_() * 5)):
            text = bank[int(random_() * len(bank))]
            end = round(clock + SPOKEN_SECONDS[text] * (0.8 + 0.5 * random_()), 2)
            words.append({"text": text, "start_timestamp": {"relative": clock}, "end_timestamp": {"relative": end}})
            clock = round(end + 0.1 + 1.1 * random_(), 2)
            if clock >= limit:
                break
        segments.append({"participant": {"name": speaker}, "words": words, "language_code": segment_language})
        clock = round(clock + 1.0 + 13.0 * random_(), 2)
    return segments


def summary(rng: random.Random, language: str, participants: list[str], org_name: str | None) -> dict[str, Any]:
    korean = language == "ko"
    topic_bank = content.TOPICS_KO if korean else content.TOPICS_EN
    topics = rng.sample(topic_bank, rng.randint(3, min(8, len(topic_bank))))
    opener = rng.choice(content.SUMMARY_OPENERS_KO if korean else content.SUMMARY_OPENERS_EN)
    text = opener.format(org=org_name or "Northwind") + " " + " ".join(t[1] for t in topics[:2])
    tasks = content.TASKS_KO if korean else content.TASKS_EN
    action_items = []
    for task in rng.sample(tasks, rng.randint(2, min(6, len(tasks)))):
        action_items.append(task if rng.random() < 0.15 else f"{rng.choice(participants)}: {task}")
    result: dict[str, Any] = {
        "summary": text,
        "topics": [{"title": title, "content": body} for title, body in topics],
        "action_items": action_items,
        "detected_language": language,
    }
    if rng.random() < 0.35:
        steps = content.NEXT_STEPS_KO if korean else content.NEXT_STEPS_EN
        result["next_steps"] = rng.sample(steps, rng.randint(1, len(steps)))
    if rng.random() < 0.3:
        result["sentiment"] = rng.choice(content.SENTIMENTS)
    if rng.random() < 0.25:
        result["deal_stage"] = {"name": rng.choice(content.DEAL_STAGES), "probability": round(rng.uniform(0.1, 0.9), 2)}
    return result


def generate(content_seed: str, language: str, participants: list[str], org_name: str | None, duration_s: float) -> tuple[dict, list]:
    rng = random.Random(content_seed)
    return summary(rng, language, participants, org_name), transcript(rng, language, participants, duration_s)
