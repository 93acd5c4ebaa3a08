"""The code location served over gRPC, as a webserver and daemon on other machines would load it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from relate_cli.ui import free_port

ROOT = Path(__file__).resolve().parents[2]
DAGSTER = str(Path(sys.executable).with_name("dagster"))


def _serving(port: int) -> bool:
    check = [DAGSTER, "api", "grpc-health-check", "--host", "127.0.0.1", "--port", str(port)]
    return subprocess.run(check, capture_output=True, timeout=60).returncode == 0


def test_the_code_location_served_over_grpc_validates(tmp_path):
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("RELATE_")}, "RELATE_API_KEY": "unused"}
    server = subprocess.Popen(
        [DAGSTER, "api", "grpc", "--module-name", "assets.definitions", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not _serving(port):
            assert server.poll() is None and time.monotonic() < deadline, "the gRPC code server did not come up"
            time.sleep(0.5)
        workspace = tmp_path / "workspace.yaml"
        workspace.write_text(
            f"load_from:\n  - grpc_server:\n      host: 127.0.0.1\n      port: {port}\n      location_name: relate_pipeline\n"
        )
        result = subprocess.run(
            [DAGSTER, "definitions", "validate", "-w", str(workspace)],
            cwd=tmp_path, env={k: v for k, v in env.items() if k != "RELATE_API_KEY"},
            capture_output=True, text=True, timeout=180,
        )
    finally:
        # Killed, not terminated: a server started under a shell that ignores SIGINT ignores SIGTERM
        # too (Dagster points SIGTERM at the SIGINT handler it inherited), and it holds no state.
        server.kill()
        server.wait(timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Validation successful for code location relate_pipeline" in result.stdout + result.stderr
