"""One day of every asset, materialized in a process of its own, as a parallel partition run would be.

    python -m tests.reliability.partition_worker DATA_DIR YYYY-MM-DD

The API comes from RELATE_API_BASE_URL / RELATE_API_KEY and the internal domains from
RELATE_INTERNAL_DOMAINS. The worker prints `ready` once imported, waits for a line on stdin so
that several workers start their runs together, then prints `succeeded` or `failed` with the
run's start and end (Unix seconds), which shows whether the runs really overlapped.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date

from dagster import DagsterInstance, EnvVar, materialize

from assets.automation import range_tags
from assets.resources import Lakehouse, LookBack, RelateApi
from tests.pipeline.conftest import ALL_ASSETS


def main(data_dir: str, day: str) -> int:
    api = RelateApi(base_url=os.environ["RELATE_API_BASE_URL"], api_key=EnvVar("RELATE_API_KEY"))
    lakehouse = Lakehouse(data_dir=data_dir, internal_domains=os.environ["RELATE_INTERNAL_DOMAINS"].split(","))
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.time()
    result = materialize(
        ALL_ASSETS,
        resources={"relate_api": api, "lakehouse": lakehouse, "look_back": LookBack()},
        instance=DagsterInstance.ephemeral(),
        tags=range_tags(date.fromisoformat(day), date.fromisoformat(day)),
        raise_on_error=False,
    )
    print("succeeded" if result.success else "failed", started, time.time(), flush=True)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
