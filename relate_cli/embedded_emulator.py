"""The emulator `demo` and `ui` start when no real workspace is configured, wired in through the environment.

The pipeline reads its settings from the environment (relate_pipeline/settings.py), and so do
the processes `ui` launches (Dagster's code servers and run workers), so the emulator's URL and
key are set there for this process and its children.
"""

from __future__ import annotations

import os
from datetime import datetime

from relate_pipeline.emulator import EmulatorProcess
from relate_pipeline.settings import PipelineSettings


def start_emulator(days: int, settings: PipelineSettings, *, live_clock: bool = False) -> EmulatorProcess:
    """A running emulator whose URL and key the pipeline's settings will read from now on.

    The emulated workspace's internal domains are set too, unless ``settings`` already name some.
    With ``live_clock`` late recordings finish as real time passes (for the UI's sensor).
    """
    extra = ("--clock-follows-wall-time",) if live_clock else ()
    emulator = EmulatorProcess(end_date=datetime.now().astimezone().date(), days=days, extra_args=extra).start()
    wiring = {"RELATE_API_BASE_URL": emulator.base_url, "RELATE_API_KEY": emulator.api_key}
    if not settings.internal_domains:
        wiring["RELATE_INTERNAL_DOMAINS"] = ",".join(emulator.admin.snapshot()["internal_domains"])
    os.environ.update(wiring)
    return emulator
