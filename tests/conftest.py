"""Shared fixtures: real Relate API emulators in child processes, reached over 127.0.0.1 sockets.

`emulator` is one read-mostly server for the whole session; tests that change state, the clock or
faults take a fresh one from `make_emulator` so they cannot disturb each other.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterator

import pytest

from relate_pipeline.client import ratelimit
from relate_pipeline.emulator import EmulatorProcess

# The code location reads RELATE_* once, when assets/ is first imported (while tests are collected),
# so what the shell running the tests exports must not reach it: tests set the variables they mean.
for _name in [name for name in os.environ if name.startswith("RELATE_")]:
    del os.environ[_name]

SESSION_EMULATOR = dict(seed=7, days=3, end_date="2026-05-20", meetings_per_day=12, contacts=80, organizations=20,
                        late_fraction=0.1)


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(**SESSION_EMULATOR) as process:
        yield process


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., EmulatorProcess]]:
    """Starts a fresh emulator; keyword arguments override the session emulator's settings."""
    started: list[EmulatorProcess] = []

    def make(**overrides: Any) -> EmulatorProcess:
        process = EmulatorProcess(**{**SESSION_EMULATOR, **overrides}).start()
        started.append(process)
        return process

    yield make
    for process in started:
        process.stop()


@pytest.fixture(autouse=True)
def rate_gates_learn_afresh() -> Iterator[None]:
    """After each test every rate gate forgets what it learned (rate, pause, announcement).

    The gates are process-wide and keyed by base URL, and emulators bind free ports: without this,
    a later test's emulator on a reused port would inherit an earlier test's pacing or pause.
    """
    yield
    ratelimit.forget_all()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Prints the random-order seed even under -q, so a failing order can be replayed."""
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int):
        terminalreporter.write_line(f"test order: replay with --randomly-seed={seed}")
