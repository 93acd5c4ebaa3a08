"""A key the API rejects: asked once, never retried, nothing written.

Rejected settings are specified in tests/settings/, rejected arguments in tests/pipeline/test_cli.py.
"""

from __future__ import annotations

from tests.reliability.reliability_support import cli_env, run_cli


def test_rejected_key_is_asked_once_and_never_retried(reliability_emulator, faults, tmp_path):
    data_dir = tmp_path / "data"
    env = cli_env(RELATE_API_BASE_URL=reliability_emulator.base_url, RELATE_API_KEY="sk-rejected-90d2",
                  RELATE_DATA_DIR=str(data_dir))
    result = run_cli("run", "--start", "2026-05-18", "--end", "2026-05-18", env=env)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "rejected RELATE_API_KEY (401)" in result.stderr and "Traceback" not in result.stderr
    assert "sk-rejected-90d2" not in result.stderr + result.stdout
    assert not data_dir.exists()
    stats = faults.stats()
    assert (stats["total_requests"], stats["statuses"]) == (1, {"401": 1})
