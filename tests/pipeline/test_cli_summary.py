"""The summary `relate-pipeline run` prints: the same text for an unchanged warehouse, the new figures after a change."""

from __future__ import annotations

from datetime import date

import pytest

from tests.pipeline.test_cli import emulator_env, run_cli
from tests.pipeline.truth import exposed_events

DAYS = ("2026-05-19", "2026-05-20")


@pytest.fixture
def loaded(make_emulator, tmp_path):
    """An emulator, the CLI's environment for it, and the summary the first run printed."""
    emulator = make_emulator(days=2, meetings_per_day=4, contacts=40, organizations=10, late_fraction=0.0)
    env = emulator_env(emulator, tmp_path)
    return emulator, env, _summary(env)


def _summary(env: dict[str, str]) -> str:
    result = run_cli("run", "--start", DAYS[0], "--end", DAYS[1], env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout[result.stdout.index("\nWarehouse: "):]


def _rows(summary: str, table: str) -> int:
    line = next(line for line in summary.splitlines() if line.split()[:1] == [table])
    return int(line.split()[1].replace(",", ""))


def test_unchanged_rerun_prints_the_summary_of_the_run_before(loaded):
    emulator, env, first = loaded

    assert _summary(env) == first
    assert "Sample analyst query" in first and "our_talk_pct" in first


def test_rerun_after_a_deletion_prints_the_new_row_counts(loaded):
    emulator, env, first = loaded
    event = exposed_events(emulator.admin.snapshot(), date(2026, 5, 19), date(2026, 5, 19), "UTC")[0]
    emulator.admin.delete_event(event["id"])

    again = _summary(env)

    assert _rows(again, "calendar_events") == _rows(first, "calendar_events") - 1
    assert _rows(again, "deleted_events") == _rows(first, "deleted_events") + 1
