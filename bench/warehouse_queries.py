"""Section 6: query times of the analyst views over the warehouse of the scale section's largest window.

The warehouse holds only views over the lake's Parquet files, so every query reads Parquet: the
times include DuckDB scanning and joining the files, which is what an analyst waits for.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from harness import markdown_table, median

QUERIES: dict[str, str] = {
    "meetings: count": "SELECT count(*) FROM meetings",
    "meetings: per day, duration and external participants": """
        SELECT date, count(*) AS meetings, avg(duration_minutes) AS minutes, sum(external_participant_count) AS external
        FROM meetings GROUP BY date ORDER BY date""",
    "meeting_participants: count": "SELECT count(*) FROM meeting_participants",
    "meeting_participants: top organizations (the demo's query)": """
        SELECT organization_name, count(DISTINCT event_id) AS meetings,
               count(*) FILTER (WHERE match_type = 'contact_email') AS known_contacts, min(start_at)::DATE AS first_meeting
        FROM meeting_participants WHERE NOT is_internal AND organization_name IS NOT NULL
        GROUP BY organization_name ORDER BY meetings DESC, organization_name LIMIT 5""",
    "action_items: count": "SELECT count(*) FROM action_items",
    "action_items: open items per owner": """
        SELECT owner, count(*) AS items FROM action_items WHERE owner IS NOT NULL GROUP BY owner ORDER BY items DESC LIMIT 10""",
    "transcripts: count": "SELECT count(*) FROM transcripts",
    "transcripts: talk time per speaker": """
        SELECT participant_name, count(*) AS entries, sum(end_relative_s - start_relative_s) AS seconds
        FROM transcripts GROUP BY participant_name ORDER BY seconds DESC LIMIT 10""",
    "transcripts: phrase search with meeting context": """
        SELECT title, date, count(*) AS hits FROM transcripts WHERE text ILIKE '%pricing%'
        GROUP BY title, date ORDER BY hits DESC LIMIT 10""",
}


def measure(warehouse: Path, repeats: int) -> list[tuple[str, int, list[float]]]:
    results = []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for label, sql in QUERIES.items():
            rows = len(connection.execute(sql).fetchall())
            timings = []
            for _ in range(repeats):
                started = time.perf_counter()
                connection.execute(sql).fetchall()
                timings.append(time.perf_counter() - started)
            results.append((label, rows, timings))
    return results


def row_counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return {
            view: connection.execute(f"SELECT count(*) FROM {view}").fetchone()[0]
            for view in ("meetings", "meeting_participants", "action_items", "transcripts")
        }


def render(results: list[tuple[str, int, list[float]]], counts: dict[str, int], days: int, repeats: int) -> str:
    rows = [[label, returned, f"{median(t) * 1000:.1f}", f"{max(t) * 1000:.1f}"] for label, returned, t in results]
    return "\n".join(
        [
            f"## 6. Warehouse: analyst views over {days} days",
            "",
            "Rows in the views: " + ", ".join(f"{view} {count:,}" for view, count in counts.items())
            + f". Median of {repeats} repeats after one untimed run, one read-only connection.",
            "",
            markdown_table(["query", "rows returned", "median ms", "max ms"], rows),
            "",
        ]
    )
