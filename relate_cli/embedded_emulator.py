"""The emulator `demo` and `ui` start when no real workspace is configured, wired in through the environment."""

from __future__ import annotations

import os
from datetime import datetime

from relate_pipeline.emulator import EmulatorProcess


def start_emulator(days: int, *, live_clock: bool = False) -> EmulatorProcess:
    """A running emulator whose URL, key and internal domains the pipeline's settings will read.

    With ``live_clock`` late recordings finish as real time passes (for the UI's sensor).
    """
    extra = ("--clock-follows-wall-time",) if live_clock else ()
    emulator = EmulatorProcess(end_date=datetime.now().astimezone().date(), days=days, extra_args=extra).start()
    domains = ",".join(emulator.admin.snapshot()["internal_domains"])
    os.environ.update(
        RELATE_API_BASE_URL=emulator.base_url,
        RELATE_API_KEY=emulator.api_key,
        RELATE_INTERNAL_DOMAINS=os.environ.get("RELATE_INTERNAL_DOMAINS", domains),
    )
    return emulator
