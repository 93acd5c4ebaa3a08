"""docs/deployment.md quotes the instance configuration the tests run on, byte for byte."""

from __future__ import annotations

import re
from pathlib import Path

from tests.scaleout.conftest import DAGSTER_YAML

DOC = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"


def test_the_documented_dagster_yaml_is_the_one_the_tests_use():
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), flags=re.S)
    assert DAGSTER_YAML.read_text() in blocks
