"""Starting the emulator: the command line, the ready line, key handling, and the process helper."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import httpx
import pytest

from relate_pipeline.emulator import DEMO_API_KEY, EmulatorProcess, EmulatorStartError

pytestmark = pytest.mark.slow

READY = re.compile(r"^Relate API emulator listening on http://127\.0\.0\.1:(\d+)/v1$")


def launch(*args: str, env_key: str | None = None) -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if k != "RELATE_API_KEY"}
    if env_key is not None:
        env["RELATE_API_KEY"] = env_key
    process = subprocess.Popen([sys.executable, "-m", "relate_pipeline.emulator", "--days", "1", "--meetings-per-day", "2",
                                "--contacts", "5", "--organizations", "2", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    return process, process.stdout.readline().rstrip("\n")


def stop(process: subprocess.Popen) -> str:
    process.terminate()
    out, _ = process.communicate(timeout=10)
    return out


def status_with_key(line: str, key: str) -> int:
    base = line.rsplit(" ", 1)[1]
    return httpx.get(base + "/notes", headers={"Authorization": f"Bearer {key}"}).status_code


def test_command_line_prints_exactly_one_ready_line_without_the_key():
    process, line = launch("--api-key", "cli-secret-key")
    rest = stop(process)
    assert READY.match(line) and rest == "" and "cli-secret-key" not in line


def test_api_key_flag_is_the_key_the_server_accepts():
    process, line = launch("--api-key", "cli-secret-key")
    try:
        assert (status_with_key(line, "cli-secret-key"), status_with_key(line, DEMO_API_KEY)) == (200, 401)
    finally:
        stop(process)


def test_api_key_defaults_to_the_environment_variable():
    process, line = launch(env_key="env-secret-key")
    try:
        assert status_with_key(line, "env-secret-key") == 200
    finally:
        stop(process)


def test_api_key_falls_back_to_the_documented_demo_key():
    process, line = launch()
    try:
        assert status_with_key(line, "relate-emulator-demo-key") == 200
    finally:
        stop(process)


def test_invalid_flag_value_exits_with_a_message_naming_it():
    result = subprocess.run([sys.executable, "-m", "relate_pipeline.emulator", "--end-date", "20-05-2026"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "20-05-2026" in result.stderr


def test_process_helper_reports_the_child_stderr_when_it_cannot_start():
    with pytest.raises(EmulatorStartError, match="--late-fraction"):
        EmulatorProcess(late_fraction=3.0).start()


def test_process_helper_repr_and_admin_repr_hide_the_key(make_emulator):
    process = make_emulator(api_key="repr-secret-key", days=1, meetings_per_day=2, contacts=5, organizations=2)
    assert "repr-secret-key" not in repr(process) and "repr-secret-key" not in repr(process.admin)


def test_process_helper_base_url_points_at_the_running_server(emulator):
    assert READY.match(f"Relate API emulator listening on {emulator.base_url}") and emulator.running


def test_stopped_process_no_longer_answers(make_emulator):
    process = make_emulator(days=1, meetings_per_day=2, contacts=5, organizations=2)
    base_url = process.base_url
    process.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url + "/notes")


def test_end_date_as_a_date_object_is_accepted(make_emulator):
    import datetime as dt

    process = make_emulator(end_date=dt.date(2026, 1, 5), days=1, meetings_per_day=2, contacts=5, organizations=2)
    assert process.admin.clock() == dt.datetime(2026, 1, 6, 6, tzinfo=dt.timezone.utc)
