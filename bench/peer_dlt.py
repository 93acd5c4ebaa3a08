"""The peer in the benchmark: a dlt ``rest_api`` pipeline loading the same window into DuckDB.

It runs in its own virtualenv (``bench/.venv-dlt``, made by ``bench/run.py``) so dlt never
becomes a dependency of the project, and imports nothing from ``relate_pipeline``. It is set up
the way dlt's documentation gives for speed: every resource ``parallelized``, the recording
details as a dependent ``rest_api`` resource whose per-recording requests run on dlt's extract
thread pool, Parquet loader files, and the worker counts passed in by the caller (``--workers``
extract threads, as many as our client's in-flight requests; ``--normalize-workers``).

Calendar events are listed with the spec's offset pagination (``after`` = previous
``pagination.end_cursor``, ``first`` = page size, stopping at ``pagination.total_count``); the
done recordings of each listed event are picked out by a small transformer and resolved into
``recordings/{id}`` requests by ``rest_api`` itself.

Usage (the API key comes from ``RELATE_API_KEY``, never from the command line):
    python bench/peer_dlt.py --base-url URL --starts-after UNIX --starts-before UNIX --work-dir DIR
Prints one JSON object: the row count of every table dlt created.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

PAGE_SIZE = 100
PIPELINE_NAME = "relate_peer"
DATASET = "relate"


def _configure(work_dir: Path, workers: int, normalize_workers: int) -> None:
    """dlt reads its settings from the environment; they must be set before it is imported."""
    os.environ.update(
        {
            "RUNTIME__DLTHUB_TELEMETRY": "false",
            "RUNTIME__LOG_LEVEL": "WARNING",
            "EXTRACT__WORKERS": str(workers),
            "NORMALIZE__WORKERS": str(normalize_workers),
            "LOAD__WORKERS": str(max(workers, 4)),
            "DLT_DATA_DIR": str(work_dir / "dlt_data"),
        }
    )


def _offset_paginator() -> dict:
    return {
        "type": "offset",
        "limit": PAGE_SIZE,
        "offset_param": "after",
        "limit_param": "first",
        "total_path": "pagination.total_count",
    }


def build_source(base_url: str, api_key: str, starts_after: int, starts_before: int):
    import dlt
    from dlt.sources.rest_api import rest_api_resources

    client = {"base_url": base_url.rstrip("/") + "/", "auth": {"type": "bearer", "token": api_key}}
    listings = {
        resource.name: resource
        for resource in rest_api_resources(
            {
                "client": client,
                "resource_defaults": {
                    "parallelized": True,
                    "endpoint": {"data_selector": "data", "paginator": _offset_paginator()},
                },
                "resources": [
                    {
                        "name": "calendar_events",
                        "primary_key": "id",
                        "endpoint": {
                            "path": "calendar_events",
                            "params": {"starts_after": starts_after, "starts_before": starts_before},
                        },
                    },
                    {"name": "contacts", "primary_key": "id", "endpoint": {"path": "contacts"}},
                    {"name": "organizations", "primary_key": "id", "endpoint": {"path": "organizations"}},
                ],
            }
        )
    }

    @dlt.transformer(data_from=listings["calendar_events"], name="done_recordings", selected=False)
    def done_recordings(events):
        yield [
            {"id": recording["id"]}
            for event in events
            for recording in event.get("recordings") or []
            if recording.get("status") == "done"
        ]

    (recordings,) = (
        resource
        for resource in rest_api_resources(
            {
                "client": client,
                "resources": [
                    done_recordings,
                    {
                        "name": "recordings",
                        "primary_key": "id",
                        "parallelized": True,
                        "endpoint": {
                            "path": "recordings/{resources.done_recordings.id}",
                            "data_selector": "data",
                            "paginator": "single_page",
                        },
                    },
                ],
            }
        )
        if resource.name == "recordings"
    )

    @dlt.source(name="relate")
    def relate():
        return [listings["calendar_events"], done_recordings, recordings, listings["contacts"], listings["organizations"]]

    return relate()


def row_counts(pipeline) -> dict[str, int]:
    with pipeline.sql_client() as client:
        tables = [
            row[0]
            for row in client.execute_sql(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY 1", DATASET
            )
            if not row[0].startswith("_dlt")
        ]
        return {table: client.execute_sql(f'SELECT count(*) FROM "{table}"')[0][0] for table in tables}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--starts-after", type=int, required=True, help="Unix seconds, inclusive")
    parser.add_argument("--starts-before", type=int, required=True, help="Unix seconds, exclusive")
    parser.add_argument("--work-dir", type=Path, required=True, help="a fresh directory for dlt's state and the DuckDB file")
    parser.add_argument("--workers", type=int, default=32, help="extract threads (requests in flight)")
    parser.add_argument("--normalize-workers", type=int, default=1)
    args = parser.parse_args(argv)
    api_key = os.environ.get("RELATE_API_KEY")
    if not api_key:
        parser.error("set RELATE_API_KEY in the environment")
    args.work_dir.mkdir(parents=True, exist_ok=True)
    _configure(args.work_dir, args.workers, args.normalize_workers)

    import dlt

    pipeline = dlt.pipeline(
        pipeline_name=PIPELINE_NAME,
        pipelines_dir=str(args.work_dir / "pipelines"),
        destination=dlt.destinations.duckdb(str(args.work_dir / "peer.duckdb")),
        dataset_name=DATASET,
    )
    source = build_source(args.base_url, api_key, args.starts_after, args.starts_before)
    pipeline.run(source, loader_file_format="parquet")
    json.dump(row_counts(pipeline), sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
