"""The warehouse materialization summarises what loaded and warns when little talk resolves to attendees."""

from __future__ import annotations

from datetime import date

import pytest
from conversation_samples import INTERNAL_DOMAINS, write_conversation_lake
from dagster import AssetCheckSeverity, DagsterInstance, materialize

from assets.automation import range_tags
from assets.resources import Lakehouse
from assets.warehouse import MIN_TALK_RESOLUTION, warehouse

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lakehouse(tmp_path_factory) -> Lakehouse:
    lakehouse = Lakehouse(data_dir=str(tmp_path_factory.mktemp("asset") / "data"), internal_domains=INTERNAL_DOMAINS)
    write_conversation_lake(lakehouse.lake.root)
    return lakehouse


def build(lakehouse: Lakehouse, first: date, last: date):
    result = materialize([warehouse], resources={"lakehouse": lakehouse}, instance=DagsterInstance.ephemeral(), tags=range_tags(first, last))
    (materialization,) = result.asset_materializations_for_node("warehouse")
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    return result, materialization.metadata, checks["talk_resolution_rate"]


def test_materialization_shows_a_markdown_summary_of_the_runs_days(lakehouse):
    _, metadata, _ = build(lakehouse, date(2026, 5, 16), date(2026, 5, 17))
    lines = metadata["conversations"].value.splitlines()
    assert lines[0] == (
        "**2026-05-16 – 2026-05-17**: 2 meetings, 4 recordings, 0.0 talk hours; 78.3% of talk time resolved to an attendee."
    )
    assert lines[4] == "| Acme | 2 | 39% |"


def test_talk_resolution_check_passes_when_most_talk_resolves(lakehouse):
    _, metadata, check = build(lakehouse, date(2026, 5, 16), date(2026, 5, 17))
    assert check.passed
    assert check.metadata["rate"].value == pytest.approx(16.2 / 20.7)
    assert metadata["talk_resolution_rate"].value == pytest.approx(16.2 / 20.7)


def test_talk_resolution_check_warns_without_failing_the_run(lakehouse):
    # On 2026-05-17 the only talk is R3's "Alice", who matches two attendees.
    result, _, check = build(lakehouse, date(2026, 5, 17), date(2026, 5, 17))
    assert result.success
    assert (check.passed, check.severity) == (False, AssetCheckSeverity.WARN)
    assert check.metadata["rate"].value == 0.0 < MIN_TALK_RESOLUTION
