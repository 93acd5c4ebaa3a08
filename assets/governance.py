"""The governance controls as a run applies them: retention purged first, then the run's range kept inside
it, and the suppression list (the forgotten addresses) read once for the whole run.

What a run reports of them is counts and days only (never an address, a name or any text), so
the Dagster instance never holds personal data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dagster import AssetExecutionContext, MetadataValue

from assets.partitions import partition_zone
from assets.resources import Lakehouse
from relate_pipeline.governance.policy import DataPolicy
from relate_pipeline.governance.retention import Retention, purge_expired_days
from relate_pipeline.governance.suppression import SuppressionStore
from relate_pipeline.governance.text_removal import apply_text_setting


@dataclass
class GovernedRun:
    retention: Retention
    policy: DataPolicy
    days_purged: list[str] = field(default_factory=list)
    days_text_removed: list[str] = field(default_factory=list)

    def kept_range(self, context: AssetExecutionContext, first: date, last: date) -> tuple[date, date] | None:
        """The run's range inside retention, said in one log line when that cuts it."""
        note = self.retention.clamp_note(first, last)
        if note is not None:
            context.log.info(note)
        return self.retention.clamp(first, last)

    def kept_days(self, days: list[str]) -> list[str]:
        first_kept = self.policy.first_kept
        return [day for day in days if first_kept is None or day >= first_kept]

    def metadata(self) -> dict:
        return {
            "retention_days_purged": MetadataValue.int(len(self.days_purged)),
            "transcript_text_days_removed": MetadataValue.int(len(self.days_text_removed)),
        }


def govern_run(context: AssetExecutionContext, retention_days: int | None, lakehouse: Lakehouse) -> GovernedRun:
    """Purge what retention no longer keeps, whatever the run's range, before anything is listed or read;
    remove stored transcript text when the setting turned off."""
    raw, lake = lakehouse.raw, lakehouse.lake
    retention = Retention.at(retention_days, partition_zone())
    first_kept = retention.first_kept
    policy = DataPolicy(
        first_kept=None if first_kept is None else first_kept.isoformat(),
        suppression=SuppressionStore(lakehouse.data_dir).load(),
        keep_transcript_text=lakehouse.keep_transcript_text,
    )
    governed = GovernedRun(retention, policy)
    governed.days_purged = purge_expired_days(raw, lake, retention)
    if governed.days_purged:
        context.log.info(f"retention: {len(governed.days_purged)} days before {first_kept} purged from the lake and the raw store")
    governed.days_text_removed = apply_text_setting(lakehouse.data_dir, raw, lake, policy)
    if governed.days_text_removed:
        context.log.info(f"RELATE_KEEP_TRANSCRIPT_TEXT=false: the text of {len(governed.days_text_removed)} stored days removed")
    return governed


def first_day_loaded(start_date: date, retention_days: int | None, today: date) -> date:
    """The oldest day schedules and the sensor may ask for: ``RELATE_START_DATE`` or retention's first kept day."""
    first_kept = Retention(retention_days, today).first_kept
    return start_date if first_kept is None else max(start_date, first_kept)
