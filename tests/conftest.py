"""Shared fixtures: real Relate API emulators in child processes, reached over 127.0.0.1 sockets.

`emulator` is one read-mostly server for the whole session. A module that changes state, the clock
or faults declares its own workspace in a module-level ``EMULATOR`` dict and takes `module_emulator`
(one server for the module) or `fresh_emulator` (that server reset before each test); a test that
needs a server of its own takes one from `make_emulator`.
"""

from __future__ import annotations

import os
from pathlib import Path
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


@pytest.fixture(scope="module")
def module_emulator(request: pytest.FixtureRequest) -> Iterator[EmulatorProcess]:
    """One emulator for the requesting module, started with that module's ``EMULATOR`` settings."""
    with EmulatorProcess(**request.module.EMULATOR) as process:
        yield process


@pytest.fixture
def fresh_emulator(module_emulator: EmulatorProcess) -> EmulatorProcess:
    """The module's emulator reset to its just-started state: the seeded workspace, no faults, the
    clock at its start and the fault injector's random draws from their start, so a test does not
    depend on which tests ran before it."""
    module_emulator.admin.reset()
    return module_emulator


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


SLOW_FOLDERS = {"pipeline", "reliability", "scaleout"}
"""Folders whose tests run whole Dagster runs, PostgreSQL or S3 servers."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks `slow` every test in a `SLOW_FOLDERS` folder and every test that starts an emulator of its own."""
    tests = Path(__file__).parent
    for item in items:
        if item.path.relative_to(tests).parts[0] in SLOW_FOLDERS or "make_emulator" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Prints the random-order seed even under -q, so a failing order can be replayed."""
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int):
        terminalreporter.write_line(f"test order: replay with --randomly-seed={seed}")
