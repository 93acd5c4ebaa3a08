"""Flattening throughput: recording response bytes to Arrow (and to Parquet bytes) versus orjson-decode alone.

The requirement is that flattening keeps at least half the throughput of merely decoding
the same bytes, so decoding is measured on the identical input as the baseline.  Bodies
are generated here (realistic size: ~300 transcript entries, English and Korean mixed) so
the benchmark needs neither network nor the emulator.

Run:  python bench/flatten_throughput.py [--recordings 200] [--entries 300] [--repeats 5]
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time
from collections.abc import Callable

import orjson
import pyarrow.parquet as pq

from relate_pipeline.meetings.recordings import flatten_recording_bodies

ENGLISH = [
    "Thanks everyone for joining, let's get started with the quarterly review.",
    "I think the pricing page needs another pass before we launch.",
    "Can you share the latest numbers from the pilot customers?",
    "We saw a twelve percent lift in activation after the onboarding change.",
    "Let's schedule a follow-up with their procurement team next week.",
    "The integration with their CRM should be done by Friday.",
]
KOREAN = [
    "오늘 회의 시작하겠습니다. 지난주 진행 상황부터 공유해 주세요.",
    "견적서는 내일 오전까지 발송하겠습니다.",
    "고객사에서 보안 검토 자료를 추가로 요청했습니다.",
    "다음 분기 로드맵은 이번 달 말에 확정할 예정입니다.",
    "데모 일정은 목요일 오후 3시로 잡았습니다 🙂",
]
SPEAKERS = ["Alice Kim", "Bob Lee", "김민준", "이서연", "Dana \"DJ\" Jones"]


def make_body(index: int, entries: int, rng: random.Random) -> bytes:
    """One /recordings/:id response body shaped like the spec's example."""
    segments, clock, made = [], 0.0, 0
    while made < entries:
        korean = rng.random() < 0.4
        words = []
        for _ in range(min(rng.randint(1, 5), entries - made)):
            duration = rng.uniform(1.0, 6.0)
            words.append(
                {
                    "text": rng.choice(KOREAN if korean else ENGLISH),
                    "start_timestamp": {"relative": round(clock, 3)},
                    "end_timestamp": {"relative": round(clock + duration, 3)},
                }
            )
            clock += duration
            made += 1
        segments.append(
            {"participant": {"name": rng.choice(SPEAKERS)}, "words": words, "language_code": "ko" if korean else "en"}
        )
    detail = {
        "id": f"rec{index:06d}",
        "calendar_event_id": f"evt{index:06d}",
        "status": "done",
        "started_at": "2026-05-16T02:00:00.000Z",
        "ended_at": "2026-05-16T03:00:00.000Z",
        "audio_duration": round(clock, 1),
        "summary": {
            "summary": "고객사와 가격 정책 및 온보딩 일정 논의. Agreed on a pilot scope.",
            "topics": [{"title": f"Topic {t}", "content": rng.choice(ENGLISH + KOREAN)} for t in range(4)],
            "action_items": ["Alice Kim: send the revised quote", "김민준: 보안 검토 자료 전달", "Follow up next week"],
            "detected_language": "ko",
            "sentiment": {"score": 0.7},
        },
        "transcript": segments,
        "created_at": "2026-05-16T02:00:00.000Z",
        "updated_at": "2026-05-16T03:05:00.000Z",
    }
    return orjson.dumps({"data": detail})


def decode_only(bodies: list[bytes]) -> None:
    for body in bodies:
        orjson.loads(body)


def to_arrow(bodies: list[bytes]) -> None:
    flatten_recording_bodies(bodies)


def to_parquet(bodies: list[bytes]) -> None:
    for table in flatten_recording_bodies(bodies).values():
        pq.write_table(table, io.BytesIO(), compression="zstd")


def median_seconds(steps: dict[str, Callable[[list[bytes]], None]], bodies: list[bytes], repeats: int) -> dict[str, float]:
    """Median wall time per step; steps take turns within each round so load spikes hit all alike."""
    timings: dict[str, list[float]] = {label: [] for label in steps}
    for step in steps.values():
        step(bodies)
    for _ in range(repeats):
        for label, step in steps.items():
            started = time.perf_counter()
            step(bodies)
            timings[label].append(time.perf_counter() - started)
    return {label: statistics.median(values) for label, values in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=200)
    parser.add_argument("--entries", type=int, default=300, help="transcript words entries per recording")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    rng = random.Random(7)
    bodies = [make_body(i, args.entries, rng) for i in range(args.recordings)]
    megabytes = sum(map(len, bodies)) / 1e6
    entries = args.recordings * args.entries

    steps = {
        "orjson decode only": decode_only,
        "bytes -> Arrow tables": to_arrow,
        "bytes -> Parquet bytes (zstd)": to_parquet,
    }
    results = list(median_seconds(steps, bodies, args.repeats).items())
    baseline = results[0][1]
    print(
        f"{args.recordings} recordings x {args.entries} transcript entries, {megabytes:.1f} MB of JSON, "
        f"median of {args.repeats}\n"
    )
    print("| step | median s | transcript entries/s | MB/s | vs decode-only |")
    print("|---|---:|---:|---:|---:|")
    for label, seconds in results:
        print(
            f"| {label} | {seconds:.3f} | {entries / seconds:,.0f} | {megabytes / seconds:,.1f} | "
            f"{baseline / seconds:.0%} |"
        )


if __name__ == "__main__":
    main()
