"""What loading costs a process: work deferred until it is needed.

Each check runs in a new interpreter, where nothing is imported yet.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def in_new_interpreter(code: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELATE_")}
    env["RELATE_API_KEY"] = "unused"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_the_conversation_views_imports_neither_arrow_nor_duckdb_and_reads_no_unicode_table():
    found = in_new_interpreter(
        "import json, sys\n"
        "import relate_pipeline.warehouse.conversation\n"
        "from relate_pipeline import unicode_tables\n"
        "print(json.dumps({'modules': [m for m in ('pyarrow', 'numpy', 'pandas', 'duckdb') if m in sys.modules],"
        " 'tables_read': unicode_tables.every_code_point.cache_info().currsize}))"
    )
    assert found == {"modules": [], "tables_read": 0}


def test_the_settings_import_no_filesystem_library_until_a_remote_location_is_checked():
    found = in_new_interpreter(
        "import json, sys\n"
        "from relate_pipeline.settings import PipelineSettings\n"
        "local = 'fsspec' in sys.modules\n"
        "PipelineSettings.from_env(data_dir='s3://bucket/prefix')\n"
        "print(json.dumps({'local': local, 'remote': 'fsspec' in sys.modules}))"
    )
    assert found == {"local": False, "remote": True}
