"""What a step says in its log about a day index it refreshed: rebuilt (and why), or days read again."""

from dagster import AssetExecutionContext

from relate_pipeline.day_index import DayIndex


def log_index_refresh(context: AssetExecutionContext, store: str, index: DayIndex) -> None:
    if index.rebuilt is not None:
        context.log.info(f"{store} day index {index.rebuilt}: rebuilt from its files ({len(index.days())} days)")
    elif index.read_days or index.dropped_days:
        context.log.info(f"{store} day index: {len(index.read_days)} days read again, {len(index.dropped_days)} days gone")
